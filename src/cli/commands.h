#pragma once
// How the palika binary's features add their subcommands, each in its own file
// (billing_commands.cc, payment_commands.cc, accounts_commands.cc), so main.cc stays a list.
//
// A feature's Add...Commands adds its subcommands and options to `cli` and returns, for each
// subcommand, what to run when it was the one given: main calls the first whose subcommand
// parsed. Every command prints what it did, or Fail's clear error and a non-zero exit code.

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

#include "core/status.h"

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

}  // namespace palika::cli
