// palika subcommands for replication (issue 4):
//
//   palika token add    --data DIR --role replication --name HOST   prints the token once
//   palika token list   --data DIR
//   palika token revoke --data DIR --name HOST
//   palika backup pull  --from URL --token-file FILE --to DIR [--follow] [--node-pub FILE]
//                       [--encrypt-to backup.pub]
//   palika backup status --from URL --token-file FILE [--to DIR]
//
// The token commands take the data directory's lock (stop the server first, as for `user add`).
// The backup commands run on the backup host and talk to the primary over HTTP only
// (replication/puller.h).

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <iostream>
#include <memory>
#include <string>

#include "cli/app.h"
#include "cli/commands.h"
#include "core/civil_date.h"
#include "services/registry/replication_tokens.h"

namespace palika::cli {
namespace {

struct TokenOptions {
  std::string dir;
  std::string role;
  std::string name;
};

int TokenAdd(const TokenOptions& o) {
  auto app = App::Open(o.dir);
  if (!app.ok()) return Fail(app.status());
  auto token = registry::ReplicationTokens((*app)->ledgers()).Add("cli", o.role, o.name);
  if (!token.ok()) return Fail(token.status());
  std::cerr << "Added a " << o.role << " token for " << o.name
            << ". It is shown once, below; only its hash is kept. Put it in a file (mode 0600) on "
               "the backup host and give that file to `palika backup pull --token-file`.\n";
  std::cout << *token << std::endl;
  return 0;
}

int TokenList(const TokenOptions& o) {
  auto app = App::Open(o.dir);
  if (!app.ok()) return Fail(app.status());
  auto list = registry::ReplicationTokens((*app)->ledgers()).List();
  if (!list.ok()) return Fail(list.status());
  if (list->empty()) std::cout << "No tokens.\n";
  for (const auto& t : *list) {
    std::cout << fmt::format("{:<24} {:<12} sha256 {}…  added {} by {}{}\n", t.name, t.role,
                             t.hash_prefix, FormatUtcMicros(t.added_us), t.added_by,
                             t.revoked_us ? "  REVOKED " + FormatUtcMicros(t.revoked_us) : "");
  }
  return 0;
}

int TokenRevoke(const TokenOptions& o) {
  auto app = App::Open(o.dir);
  if (!app.ok()) return Fail(app.status());
  Status s = registry::ReplicationTokens((*app)->ledgers()).Revoke("cli", o.name);
  if (!s.ok()) return Fail(s);
  std::cout << "Revoked the token of " << o.name << "; it is refused from its next request.\n";
  return 0;
}

}  // namespace

void AddReplicationCommands(CLI::App& cli, std::vector<CommandRun>& runs) {
  auto* token = cli.add_subcommand("token", "Replication tokens for backup hosts");
  token->require_subcommand(1);
  auto options = std::make_shared<TokenOptions>();
  auto* add = token->add_subcommand("add", "Add a token (printed once; only its hash is kept)");
  add->add_option("--data", options->dir, "Data directory")->required();
  add->add_option("--role", options->role, "Token role: replication")->required();
  add->add_option("--name", options->name, "The backup host's name")->required();
  runs.push_back({add, [options] { return TokenAdd(*options); }});
  auto* list = token->add_subcommand("list", "List the tokens (names, roles, hash prefixes)");
  list->add_option("--data", options->dir, "Data directory")->required();
  runs.push_back({list, [options] { return TokenList(*options); }});
  auto* revoke = token->add_subcommand("revoke", "Revoke a host's token");
  revoke->add_option("--data", options->dir, "Data directory")->required();
  revoke->add_option("--name", options->name, "The backup host's name")->required();
  runs.push_back({revoke, [options] { return TokenRevoke(*options); }});
}

}  // namespace palika::cli
