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

#include <atomic>
#include <boost/json.hpp>
#include <csignal>
#include <iostream>
#include <map>
#include <memory>
#include <string>

#include "cli/app.h"
#include "cli/commands.h"
#include "core/civil_date.h"
#include "http/client.h"
#include "ledger/durable_file.h"
#include "ledger/segment.h"
#include "replication/puller.h"
#include "services/registry/replication_tokens.h"

namespace palika::cli {
namespace {

namespace json = boost::json;

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

struct PullCliOptions {
  replication::PullOptions pull;
  std::string token_file;
  bool follow = false;
  int wait_seconds = 10;
};

std::atomic<bool> g_stop{false};

void OnStopSignal(int) { g_stop = true; }

}  // namespace

Result<std::string> ReadTokenFile(const std::string& file) {
  auto text = ledger::ReadWholeFile(file, 4096);
  if (!text.ok()) {
    return Status::NotFound(
        "token_file_missing",
        "Cannot read the token file " + file + " (" + text.status().message() + ").",
        "टोकन फ़ाइल " + file + " पढ़ी नहीं जा सकी।");
  }
  std::string t = *text;
  while (!t.empty() && (t.back() == '\n' || t.back() == '\r' || t.back() == ' ')) t.pop_back();
  if (t.empty()) {
    return Status::InvalidArgument("token_file_empty", "The token file " + file + " is empty.",
                                   "टोकन फ़ाइल " + file + " खाली है।");
  }
  return t;
}

namespace {

void PrintPass(const replication::PassReport& r) {
  for (const auto& l : r.ledgers) {
    std::string state = !l.refused.empty() ? "REFUSED " + l.refused
                        : !l.error.empty() ? "error: " + l.error
                        : l.held == l.primary_size
                            ? "up to date"
                            : fmt::format("{} entries not yet checkpointed on the primary",
                                          l.primary_size - l.held);
    std::cout << fmt::format("{:<6} holds {:>10} (+{} in {} segment(s)); primary {:>10}  {}\n",
                             l.ulb, l.held, l.held - l.held_before, l.segments, l.primary_size,
                             state);
  }
}

int BackupPull(PullCliOptions o) {
  auto token = ReadTokenFile(o.token_file);
  if (!token.ok()) return Fail(token.status());
  o.pull.token = *token;
  o.pull.wait = std::chrono::seconds(o.wait_seconds);
  auto puller = replication::Puller::Open(o.pull);
  if (!puller.ok()) return Fail(puller.status());
  if (!o.follow) {
    auto r = (*puller)->PullOnce();
    if (!r.ok()) return Fail(r.status());
    PrintPass(*r);
    if (r->refused > 0) {
      std::cerr << r->refused
                << " ledger(s) REFUSED: the primary serves a history that does not extend what "
                   "this backup holds. Nothing of it was written. Investigate the primary.\n"
                << r->refused
                << " लेजर अस्वीकार: प्राथमिक सर्वर का इतिहास इस बैकअप से मेल नहीं खाता। कुछ भी "
                   "नहीं लिखा गया।\n";
      return 3;
    }
    return r->errors > 0 ? 1 : 0;
  }
  std::signal(SIGTERM, OnStopSignal);
  std::signal(SIGINT, OnStopSignal);
  spdlog::info("following {} into {} (SIGTERM to stop)", o.pull.from, o.pull.to.string());
  const int refusals = (*puller)->Follow([] { return g_stop.load(); });
  spdlog::info("stopped; {} refusal(s) while following", refusals);
  return refusals > 0 ? 3 : 0;
}

struct StatusCliOptions {
  std::string from;
  std::string token_file;
  std::string to;
};

int BackupStatus(const StatusCliOptions& o) {
  auto token = ReadTokenFile(o.token_file);
  if (!token.ok()) return Fail(token.status());
  auto url = http::ParseHttpUrl(o.from);
  if (!url.ok()) return Fail(url.status());
  http::Client client(url->host, url->port, std::chrono::seconds(30), "palika-backup-status");
  const std::vector<std::pair<std::string, std::string>> auth = {
      {"Authorization", "Bearer " + *token}};
  auto list = client.Request("GET", url->base_path + "/api/v1/replication/ledgers", "", auth);
  auto status = client.Request("GET", url->base_path + "/api/v1/replication/status", "", auth);
  for (const auto* r : {&list, &status}) {
    if (r->status != 200) {
      return Fail(Status::Unavailable(
          "primary_error",
          fmt::format("The primary answered {} {}", r->status, r->error + r->body.substr(0, 300)),
          "प्राथमिक सर्वर से स्थिति नहीं मिली।"));
    }
  }
  const json::value ledgers = json::parse(list.body);
  const json::value backups = json::parse(status.body);
  // What this backup directory holds, per ledger: the last segment's end.
  std::map<std::string, uint64_t> here;
  if (!o.to.empty()) {
    auto logs = ledger::ListBackupLogs(o.to);
    if (!logs.ok()) return Fail(logs.status());
    for (const auto& l : *logs) {
      if (!l.segments.empty()) here[l.ulb] = std::max(here[l.ulb], l.segments.back().last);
    }
  }
  std::cout << fmt::format("{:<6} {:>10} {:>12}", "ledger", "primary", "checkpointed");
  if (!o.to.empty()) std::cout << fmt::format(" {:>10} {:>8}", "this dir", "behind");
  std::cout << "   backup hosts (held, behind, seconds behind, last ack)\n";
  int behind_total = 0;
  for (const auto& l : ledgers.at("ledgers").as_array()) {
    const std::string ulb(l.at("ulb").as_string());
    if (l.as_object().contains("held_back")) {
      std::cout << fmt::format("{:<6} held back on the primary\n", ulb);
      continue;
    }
    const uint64_t size = l.at("size").to_number<uint64_t>();
    std::cout << fmt::format("{:<6} {:>10} {:>12}", ulb, size,
                             l.at("checkpoint_size").to_number<uint64_t>());
    if (!o.to.empty()) {
      const uint64_t held = here[ulb];
      behind_total += held < size;
      std::cout << fmt::format(" {:>10} {:>8}", held, size > held ? size - held : 0);
    }
    std::cout << "  ";
    for (const auto& b : backups.at("backups").as_array()) {
      if (b.at("ulb").as_string() != ulb) continue;
      std::cout << fmt::format(" {}: {}, {}, {:.1f} s, {:.0f} s ago;",
                               b.at("host").as_string().c_str(), b.at("held").to_number<uint64_t>(),
                               b.at("lag_entries").to_number<uint64_t>(),
                               b.at("lag_seconds").to_number<double>(),
                               b.at("last_ack_seconds_ago").to_number<double>());
    }
    std::cout << "\n";
  }
  const int sync = static_cast<int>(backups.at("sync_backups").to_number<int64_t>());
  std::cout << (sync > 0 ? fmt::format("The primary acknowledges ULB writes once {} backup "
                                       "host(s) hold them (--sync-backup).\n",
                                       sync)
                         : std::string("The primary acknowledges writes once durable locally; "
                                       "backups trail (default mode).\n"));
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

  // The `backup` group is shared with backup_commands.cc (keygen, local, restore...): whichever
  // file runs first adds it. Debian's CLI11 2.3 has no get_subcommand_no_throw.
  CLI::App* backup = nullptr;
  for (CLI::App* sub : cli.get_subcommands([](CLI::App* a) { return a->get_name() == "backup"; })) {
    backup = sub;
  }
  if (backup == nullptr) {
    backup = cli.add_subcommand("backup", "Backups: keys, segments, pulling");
    backup->require_subcommand(1);
  }
  auto pull = std::make_shared<PullCliOptions>();
  auto* pull_cmd = backup->add_subcommand(
      "pull", "Pull every ledger of a primary into immutable segments (run on the backup host)");
  pull_cmd->add_option("--from", pull->pull.from, "The primary, http://HOST:PORT")->required();
  pull_cmd->add_option("--token-file", pull->token_file, "File holding the replication token")
      ->required();
  pull_cmd->add_option("--to", pull->pull.to, "The backup directory")->required();
  pull_cmd->add_flag("--follow", pull->follow, "Keep pulling (long poll) until SIGTERM");
  pull_cmd->add_option("--node-pub", pull->pull.node_pub,
                       "The primary's node.pub to pin (default: pin what it serves at first)");
  pull_cmd->add_option("--encrypt-to", pull->pull.encrypt_to,
                       "Seal segments to this backup.pub (palika backup keygen)");
  pull_cmd->add_option("--wait", pull->wait_seconds, "Long-poll seconds while following")
      ->check(CLI::Range(1, 10));
  pull_cmd->add_option("--limit", pull->pull.limit, "Entries asked for per request")
      ->check(CLI::Range(1, 50000));
  runs.push_back({pull_cmd, [pull] { return BackupPull(*pull); }});

  auto status = std::make_shared<StatusCliOptions>();
  auto* status_cmd = backup->add_subcommand(
      "status", "How far each backup trails the primary, per ULB (and this directory)");
  status_cmd->add_option("--from", status->from, "The primary, http://HOST:PORT")->required();
  status_cmd->add_option("--token-file", status->token_file, "File holding the replication token")
      ->required();
  status_cmd->add_option("--to", status->to, "This backup directory (optional)");
  runs.push_back({status_cmd, [status] { return BackupStatus(*status); }});
}

}  // namespace palika::cli
