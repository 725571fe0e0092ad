#pragma once
// How the palika binary's features add their subcommands, each in its own file
// (billing_commands.cc, payment_commands.cc, accounts_commands.cc), so main.cc stays a list.
//
// A feature's Add...Commands adds its subcommands and options to `cli` and returns, for each
// subcommand, what to run when it was the one given: main calls the first whose subcommand
// parsed. Every command prints what it did, or Fail's clear error and a non-zero exit code.

#include <CLI/CLI.hpp>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/status.h"
#include "ledger/ledger_set.h"
#include "services/payments/online_payments.h"
#include "services/payments/sandbox_gateway.h"

namespace palika::cli {

struct CommandRun {
  CLI::App* command;         // the subcommand
  std::function<int()> run;  // called once the command line is parsed
};

// Prints the error in English and Hindi to stderr; returns the exit code (3 for corruption,
// 1 otherwise).
int Fail(const Status& s);

void AddBillingCommands(CLI::App& cli, std::vector<CommandRun>& runs);
void AddPaymentCommands(CLI::App& cli, std::vector<CommandRun>& runs);
void AddAccountsCommands(CLI::App& cli, std::vector<CommandRun>& runs);
// backup keygen, backup local, restore, drill (backup_commands.cc).
void AddBackupCommands(CLI::App& cli, std::vector<CommandRun>& runs);
// `palika verify --backup DIR [--key FILE] [--ulb CODE]`: exit 0 intact, 3 if a log is damaged.
int VerifyBackupCommand(const std::string& backup_dir, const std::string& key_file,
                        const std::string& only_ulb);
// token add/list/revoke, backup pull, backup status (replication_commands.cc).
void AddReplicationCommands(CLI::App& cli, std::vector<CommandRun>& runs);
// A replication token from its file (trailing newline dropped); NotFound / InvalidArgument.
Result<std::string> ReadTokenFile(const std::string& file);
// ulb place, ulb where, move-ulb (store_commands.cc); call after `ulb` exists.
void AddStoreCommands(CLI::App& cli, std::vector<CommandRun>& runs);
// `--store sqlite|postgres` and the `--pg NAME=URL` options (a bare URL is named pg1, pg2, ...
// by its place among the bare ones) as StoreOptions; InvalidArgument "invalid_pg" or
// "invalid_store".
Result<ledger::StoreOptions> ParseStoreOptions(const std::string& store,
                                               const std::vector<std::string>& pg);

// Online payment (gateway_commands.cc): `gateway reconcile`, serve's --gateway and
// --reconcile-every, the gateway a data directory is served with, and the reconciler thread.
void AddGatewayCommands(CLI::App& cli, std::vector<CommandRun>& runs);
struct GatewayOptions {
  std::string gateway;  // "sandbox" | "off" | "" (sandbox for a demo directory, else off)
  int reconcile_every_s = 60;
};
void AddGatewayServeOptions(CLI::App& serve, GatewayOptions& options);
class App;
struct GatewaySetup {
  std::unique_ptr<payments::SandboxGateway> sandbox;  // null unless the sandbox is used
  std::unique_ptr<payments::OnlinePayments> online;   // never null; disabled without a gateway
};
Result<GatewaySetup> OpenGateway(App& app, const std::filesystem::path& dir,
                                 const GatewayOptions& options);
// Reconciles every ULB's pending online orders every `every` on a thread of its own, until
// destroyed (which waits for a round in progress). Does nothing when online payment is off.
class Reconciler {
 public:
  Reconciler(payments::OnlinePayments& online, std::chrono::seconds every);
  ~Reconciler();

 private:
  payments::OnlinePayments& online_;
  const std::chrono::seconds every_;
  std::mutex mu_;  // guards stop_
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace palika::cli
