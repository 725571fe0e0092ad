#pragma once
// App: one open data directory with everything wired — ledgers, services, sessions, metrics.
// Used by `palika serve` and by the commands that write (`ulb add`, `user add`, `init --demo`).
//
// Only one process may write a data directory: Open takes an exclusive lock (DIR/lock) and fails
// with a clear message while another process (usually a running server) holds it.

#include <filesystem>
#include <memory>

#include "core/metrics.h"
#include "ledger/ledger_set.h"
#include "ledger/projections.h"
#include "services/registry/registry.h"
#include "services/registry/sessions.h"

namespace palika::cli {

// The projections (tables and apply functions) of the state ledger and of a ULB ledger: every
// service registers its own here.
const ledger::Projections& StateProjections();
const ledger::Projections& UlbProjections();

class App {
 public:
  // `stores`: the PostgreSQL clusters ULBs may live in (serve --pg NAME=URL).
  static Result<std::unique_ptr<App>> Open(const std::filesystem::path& dir,
                                           const ledger::StoreOptions& stores = {});
  ~App();

  ledger::LedgerSet& ledgers() { return *ledgers_; }
  registry::Registry& registry() { return *registry_; }
  registry::Sessions& sessions() { return *sessions_; }
  Metrics& metrics() { return metrics_; }

 private:
  App() = default;
  int lock_fd_ = -1;
  Metrics metrics_;
  std::unique_ptr<ledger::LedgerSet> ledgers_;
  std::unique_ptr<registry::Registry> registry_;
  std::unique_ptr<registry::Sessions> sessions_;
};

}  // namespace palika::cli
