#include "cli/app.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <iostream>

#include "cli/commands.h"
#include "services/accounts/journal.h"
#include "services/payments/online_payments.h"
#include "services/payments/payments.h"
#include "services/property_tax/billing.h"
#include "services/property_tax/register.h"
#include "services/registry/replication_tokens.h"

namespace palika::cli {

int Fail(const Status& s) {
  std::cerr << "error: " << s.message() << "\n";
  if (s.message_hi() != s.message()) std::cerr << "त्रुटि: " << s.message_hi() << "\n";
  return s.kind() == StatusKind::kCorruption ? 3 : 1;
}

const ledger::Projections& StateProjections() {
  static const ledger::Projections p = [] {
    ledger::Projections p;
    registry::RegisterStateProjections(p);
    registry::RegisterTokenProjections(p);
    ledger::RegisterShardMapProjections(p);
    property_tax::RegisterBillingStateProjections(p);
    return p;
  }();
  return p;
}

const ledger::Projections& UlbProjections() {
  static const ledger::Projections p = [] {
    ledger::Projections p;
    registry::RegisterUlbProjections(p);
    property_tax::RegisterPropertyProjections(p);
    property_tax::RegisterBillingProjections(p);
    payments::RegisterPaymentProjections(p);
    payments::RegisterOnlineOrderProjections(p);
    accounts::RegisterAccountsProjections(p);
    return p;
  }();
  return p;
}

Result<std::unique_ptr<App>> App::Open(const std::filesystem::path& dir,
                                       const ledger::StoreOptions& stores) {
  std::unique_ptr<App> app(new App());
  PALIKA_RETURN_IF_ERROR(ledger::ReadDataDirConfig(dir).status());
  app->lock_fd_ = ::open((dir / "lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (app->lock_fd_ < 0 || ::flock(app->lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    return Status::Unavailable(
        "data_dir_busy",
        "Another Palika process (probably the server) is using " + dir.string() +
            ". Stop it first, or make the change through the running server's API.",
        dir.string() +
            " का उपयोग कोई दूसरी Palika प्रक्रिया (शायद सर्वर) कर रही है। पहले उसे "
            "रोकें, या चल रहे सर्वर के API से बदलाव करें।");
  }
  app->metrics_.RegisterCounter("palika_ledger_commits_total", "Group commits, by ledger.");
  app->metrics_.RegisterHistogram("palika_ledger_batch_size", "Commands per group commit.",
                                  {1, 2, 4, 8, 16, 32, 64, 128, 256, 512});
  app->metrics_.RegisterHistogram("palika_ledger_commit_seconds",
                                  "Time to decide, apply and commit a batch (before its sync).");
  app->metrics_.RegisterHistogram("palika_ledger_sync_seconds",
                                  "Time to sync the WAL for the batches committed meanwhile.");
  // Where a ledger's time goes (wall seconds, by ULB): the payment benchmark prints them a payment.
  app->metrics_.RegisterCounter("palika_ledger_commit_seconds_total",
                                "Seconds the writer spent deciding, applying and committing.");
  app->metrics_.RegisterCounter("palika_ledger_sync_seconds_total",
                                "Seconds the sync thread spent syncing the WAL.");
  app->metrics_.RegisterCounter("palika_ledger_writer_idle_seconds_total",
                                "Seconds the writer waited for a command.");
  app->metrics_.RegisterCounter(
      "palika_ledger_writer_sync_wait_seconds_total",
      "Seconds the writer waited for the sync thread (two commits unsynced).");
  app->metrics_.RegisterCounter(
      "palika_ledger_wal_writer_checkpoint_seconds_total",
      "Seconds the writer spent copying the WAL's last commits before it starts over.");
  app->metrics_.RegisterGauge("palika_ledger_halted",
                              "1 once a WAL sync failed: the ledger takes no more writes.");
  app->metrics_.RegisterGauge("palika_ledger_entries", "Entries in each ledger.");
  PALIKA_ASSIGN_OR_RETURN(
      app->ledgers_,
      ledger::LedgerSet::Open(dir, StateProjections(), UlbProjections(), &app->metrics_, stores));
  app->registry_ = std::make_unique<registry::Registry>(*app->ledgers_);
  PALIKA_RETURN_IF_ERROR(app->registry_->EnsureUlbLedgers());
  PALIKA_ASSIGN_OR_RETURN(app->sessions_,
                          registry::Sessions::Open(*app->registry_, dir / "sessions.db"));
  return app;
}

App::~App() {
  sessions_.reset();
  registry_.reset();
  if (ledgers_) ledgers_->Close();
  ledgers_.reset();
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

}  // namespace palika::cli
