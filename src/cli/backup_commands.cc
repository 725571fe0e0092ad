// palika subcommands: backups, restore and the restore drill (issue 4).
//
//   palika backup keygen --out DIR
//        a backup encryption keypair: DIR/backup.pub (give it to the hosts that write segments)
//        and DIR/backup.key (0600; keep it offline: only it can read sealed segments).
//   palika backup local --data DIR --to BACKUPDIR [--encrypt-to backup.pub]
//        writes segments of every ledger of a data directory, resuming after those already
//        there; reads snapshots, so it runs beside a live server (e.g. to an attached disk).
//   palika verify --backup BACKUPDIR [--key backup.key] [--ulb CODE]     (main.cc's verify)
//   palika restore --from BACKUPDIR --to NEWDIR [--ulb CODE] [--until TIME | --seq N]
//                  [--key backup.key] [--node-key node.key]
//   palika drill --from BACKUPDIR (--data LIVEDIR | --live URL --token-file FILE)
//                [--key backup.key] [--scratch DIR]
//        restores the whole backup into a scratch directory, verifies it, compares each log with
//        the live one, reports and cleans up; exit 0 only when everything matches (for cron).
//        --data reads the live files (on the primary); --live asks the running primary over its
//        replication routes with a (read-only) replication token, from the backup host: per ULB
//        "same", "behind by N" (the live log's signed checkpoint extends the backup's tree, the
//        entries in between checked as a pull checks them) or DIVERGED, which exits 4.

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <string>

#include "cli/app.h"
#include "cli/commands.h"
#include "core/civil_date.h"
#include "core/encoding.h"
#include "ledger/backup_key.h"
#include "ledger/backup_local.h"
#include "ledger/backup_verify.h"
#include "ledger/checkpoint.h"
#include "ledger/durable_file.h"
#include "ledger/ledger.h"
#include "ledger/ledger_set.h"
#include "ledger/merkle_tree.h"
#include "ledger/restore.h"
#include "ledger/verify.h"
#include "replication/puller.h"
#include "store/sqlite/database.h"

namespace palika::cli {
namespace fs = std::filesystem;

namespace {

std::string Grouped(uint64_t n) {
  std::string s = std::to_string(n);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<size_t>(i), ",");
  return s;
}

// The ledger files of a data directory: the state's first, then each ULB's in code order.
std::vector<std::pair<std::string, fs::path>> LedgerFiles(const fs::path& dir) {
  std::vector<std::pair<std::string, fs::path>> files;
  if (fs::exists(dir / "state.db")) files.push_back({"state", dir / "state.db"});
  std::vector<std::pair<std::string, fs::path>> ulbs;
  std::error_code ec;
  for (const auto& f : fs::directory_iterator(dir / "ulb", ec)) {
    if (f.path().extension() == ".db") ulbs.push_back({f.path().stem().string(), f.path()});
  }
  std::sort(ulbs.begin(), ulbs.end());
  files.insert(files.end(), ulbs.begin(), ulbs.end());
  return files;
}

Result<ledger::NoteVerifier> DataDirNodeKey(const fs::path& dir) {
  PALIKA_ASSIGN_OR_RETURN(std::string text, ledger::ReadWholeFile(dir / "node.pub", 4096));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return ledger::NoteVerifier::Parse(text);
}

Result<std::optional<ledger::OpenKey>> MaybeOpenKey(const std::string& file) {
  if (file.empty()) return std::optional<ledger::OpenKey>();
  PALIKA_ASSIGN_OR_RETURN(ledger::OpenKey key, ledger::LoadOpenKey(file));
  return std::optional<ledger::OpenKey>(std::move(key));
}

int Keygen(const std::string& out) {
  std::error_code ec;
  fs::create_directories(out, ec);
  auto pub = ledger::GenerateBackupKeyFiles(out);
  if (!pub.ok()) return Fail(pub.status());
  std::cout << "Backup key " << pub->KeyId() << " written:\n"
            << "  " << (fs::path(out) / "backup.pub").string()
            << "  give this to the primary and the backup hosts (--encrypt-to)\n"
            << "  " << (fs::path(out) / "backup.key").string()
            << "  keep this offline (a safe, two copies); only it can read the backups "
               "(restore --key)\n";
  return 0;
}

int BackupLocal(const std::string& data, const std::string& to, const std::string& encrypt_to,
                uint64_t segment_entries) {
  auto config = ledger::ReadDataDirConfig(data);
  if (!config.ok()) return Fail(config.status());
  auto node = DataDirNodeKey(data);
  if (!node.ok()) return Fail(node.status());
  std::optional<ledger::SealKey> seal;
  if (!encrypt_to.empty()) {
    auto k = ledger::LoadSealKey(encrypt_to);
    if (!k.ok()) return Fail(k.status());
    seal = *k;
  }
  std::error_code ec;
  fs::create_directories(to, ec);
  if (ec) return Fail(Status::IOError("cannot create " + to + ": " + ec.message()));
  // The backup's node.pub is the data directory's, or the backup belongs to another node.
  const std::string pub_line = node->ToString() + "\n";
  auto held = ledger::ReadWholeFile(fs::path(to) / "node.pub", 4096);
  if (held.ok() && *held != pub_line) {
    return Fail(
        Status::Conflict("backup_other_node",
                         to + " holds the backup of another node (its node.pub differs from " +
                             data + "/node.pub); use another backup directory",
                         to + " में किसी अन्य नोड का बैकअप है; कोई और बैकअप निर्देशिका चुनें"));
  }
  if (!held.ok()) {
    Status s = ledger::WriteFileNoReplace(fs::path(to) / "node.pub", pub_line, 0644);
    if (!s.ok()) return Fail(s);
  }
  int bad = 0;
  uint64_t segments = 0, entries = 0;
  for (const auto& [ulb, file] : LedgerFiles(data)) {
    auto r = ledger::BackupLedgerFile(file, ulb, config->node, *node, to, seal ? &*seal : nullptr,
                                      segment_entries);
    if (!r.ok()) {
      std::cout << "FAIL " << ulb << ": " << r.status().message() << "\n";
      ++bad;
      continue;
    }
    segments += r->segments;
    entries += r->entries;
    std::cout << "ok   " << ulb << ": " << r->segments << " new segment(s), " << Grouped(r->entries)
              << " entries; the backup holds " << Grouped(r->size) << " entries\n";
  }
  std::cout << "Wrote " << segments << " segment(s), " << Grouped(entries) << " entries to " << to
            << (seal ? " (encrypted to backup key " + seal->KeyId() + ")" : "") << ".\n";
  if (bad) {
    std::cout << bad << " ledger(s) were not backed up; see above.\n";
    return 3;
  }
  return 0;
}

int Restore(const ledger::RestoreOptions& base, const std::string& until,
            std::optional<uint64_t> seq, const std::string& key_file) {
  ledger::RestoreOptions o = base;
  if (!until.empty() && seq) {
    return Fail(Status::InvalidArgument("invalid_field", "give --until or --seq, not both",
                                        "--until या --seq में से एक दें, दोनों नहीं"));
  }
  if (seq && o.only_ulb.empty()) {
    return Fail(Status::InvalidArgument("invalid_field",
                                        "--seq needs --ulb: sequence numbers are per ULB",
                                        "--seq के साथ --ulb दें: क्रम संख्या हर निकाय की अलग है"));
  }
  if (!until.empty()) {
    auto t = ParseUtcMicros(until);
    if (!t.ok()) return Fail(t.status());
    o.limit.until_us = *t;
  }
  o.limit.seq = seq;
  auto key = MaybeOpenKey(key_file);
  if (!key.ok()) return Fail(key.status());
  if (*key) o.key = &**key;
  o.state_projections = &StateProjections();
  o.ulb_projections = &UlbProjections();
  o.progress = [](const std::string& line) { std::cout << line << std::endl; };
  std::cout << "Restoring " << o.from.string() << " into " << o.to.string() << " ...\n";
  auto r = ledger::RestoreBackup(o);
  if (!r.ok()) return Fail(r.status());
  std::cout << "\nRestore report\n";
  int failed = 0;
  for (const auto& l : r->logs) {
    if (!l.ok()) {
      ++failed;
      std::cout << "FAIL " << l.ulb << ": " << l.problems.front() << "\n";
    } else if (l.entries == 0) {
      std::cout << "--   " << l.ulb << ": no entries within the limit; not restored\n";
    } else {
      auto cp =
          ledger::ParseCheckpoint(l.checkpoint_note.substr(0, l.checkpoint_note.find("\n\n") + 1));
      std::cout << "ok   " << l.ulb << ": " << Grouped(l.entries) << " entries, " << l.checkpoints
                << " checkpoints; last checkpoint size " << (cp.ok() ? cp->size : 0) << " root "
                << l.root_hex << "\n";
    }
  }
  std::cout << "ULBs and state: " << r->logs.size() << ", entries: " << Grouped(r->entries())
            << ", time: " << fmt::format("{:.1f}", r->seconds) << " s ("
            << Grouped(static_cast<uint64_t>(r->seconds > 0 ? r->entries() / r->seconds : 0))
            << " entries/s)\n";
  if (r->new_node_key) {
    std::cout << "Node key: no --node-key was given, so " << o.to.string()
              << "/node.key is a NEW key for node " << r->node
              << "; the restored checkpoints were re-signed with it after they verified under "
                 "the old key. The old public key is kept as previous-node.pub: the backup's "
                 "checkpoints and receipts printed before stay verifiable with it.\n";
  } else {
    std::cout << "Node key: the node's own key (--node-key); checkpoints are the original ones.\n";
  }
  if (failed) {
    std::cout << failed
              << " log(s) could not be restored (see above); the others were. Keep the backup as "
                 "it is for investigation and try another copy of the failed segments.\n";
    return 3;
  }
  std::cout << "Next: palika verify --data " << o.to.string() << ", then palika serve --data "
            << o.to.string() << "\n";
  return 0;
}

// The live ledger's tree root at `size` (from its stored checkpoint at that size), or why not.
Result<ledger::Hash> LiveRootAt(const fs::path& file, const std::string& origin, uint64_t size,
                                uint64_t* live_size) {
  store::sqlite::OpenOptions ro;
  ro.read_only = true;
  PALIKA_ASSIGN_OR_RETURN(auto db, store::sqlite::Database::Open(file, ro));
  PALIKA_ASSIGN_OR_RETURN(auto max, db->QueryOne("SELECT COALESCE(MAX(seq), 0) FROM "
                                                 "ledger_entries WHERE origin = ?",
                                                 {origin}));
  *live_size = static_cast<uint64_t>(max->Int(0));
  PALIKA_ASSIGN_OR_RETURN(auto row, db->QueryOne("SELECT tree FROM ledger_checkpoints WHERE "
                                                 "origin = ? AND size = ?",
                                                 {origin, static_cast<int64_t>(size)}));
  if (!row) {
    return Status::NotFound("no_live_checkpoint",
                            fmt::format("the live ledger has no checkpoint at size {}", size));
  }
  PALIKA_ASSIGN_OR_RETURN(ledger::CompactRange range,
                          ledger::CompactRange::Deserialize(row->Text(0)));
  return range.Root();
}

struct DrillArgs {
  std::string from, data, live_url, token_file, key, scratch;
};

// Exit code of a drill that found a live log which does not extend the backup (or the reverse).
constexpr int kDrillDiverged = 4;

// --live: the backup's logs against the running primary's, over the replication routes.
// Returns the exit code's contribution: 0, 3 (could not compare) or kDrillDiverged.
int CompareWithLive(const DrillArgs& a, const std::string& token, const ledger::RestoreReport& r,
                    const std::map<std::string, std::pair<uint64_t, std::string>>& verified) {
  replication::PullOptions po;
  po.from = a.live_url;
  po.token = token;
  po.to = a.from;
  auto puller = replication::Puller::Open(po);
  if (!puller.ok()) return Fail(puller.status());
  auto logs = (*puller)->CompareWithPrimary();
  if (!logs.ok()) return Fail(logs.status());
  int failed = 0, diverged = 0;
  for (const auto& c : *logs) {
    const std::string name = c.origin == r.node ? c.ulb : c.ulb + " (" + c.origin + ")";
    if (!c.diverged.empty()) {
      ++diverged;
      std::cout << "DIVERGED " << name << ": the live server's log does not extend the backup's ("
                << Grouped(c.held) << " entries held): " << c.diverged << "\n";
      continue;
    }
    if (!c.error.empty()) {
      ++failed;
      std::cout << "FAIL " << name << ": cannot compare with the live server: " << c.error << "\n";
      continue;
    }
    if (!c.in_backup) {
      ++failed;
      std::cout << "FAIL " << name << ": the live server has it (" << Grouped(c.primary_size)
                << " entries), the backup has no segment of it\n";
      continue;
    }
    // What was restored and verified must be what the comparison started from (a puller
    // writing into the backup meanwhile may only have added segments after it).
    auto v = verified.find(c.ulb);
    if (v == verified.end()) continue;  // its restore failed, reported above
    if (c.held < v->second.first ||
        (c.held == v->second.first && c.held_root_hex != v->second.second)) {
      ++failed;
      std::cout << "FAIL " << name << ": the backup's last segment (" << Grouped(c.held)
                << " entries, root " << c.held_root_hex << ") is not what was restored ("
                << Grouped(v->second.first) << " entries, root " << v->second.second << ")\n";
      continue;
    }
    const std::string grew =
        c.held > v->second.first
            ? fmt::format(" (a puller added {} entries to the backup during the drill)",
                          Grouped(c.held - v->second.first))
            : "";
    if (c.primary_size <= c.held) {
      std::cout << "same     " << name << ": " << Grouped(c.held)
                << " entries; the live log's signed checkpoint is the backup's" << grew << "\n";
    } else {
      std::cout << "behind   " << name << ": the backup is behind live by "
                << Grouped(c.primary_size - c.held) << " entries (live " << Grouped(c.primary_size)
                << ", signed up to " << Grouped(c.primary_checkpoint)
                << "); the live log extends the backup's" << grew << "\n";
    }
  }
  if (diverged > 0) {
    std::cout << diverged
              << " log(s) DIVERGED: the live server and the backup tell different histories. Treat "
                 "it as an incident (docs/operations.md): isolate the primary, keep the backup "
                 "as it is.\n";
    return kDrillDiverged;
  }
  return failed > 0 ? 3 : 0;
}

int Drill(const DrillArgs& a) {
  const std::string& from = a.from;
  const std::string& live = a.data;
  const std::string& key_file = a.key;
  const std::string& scratch_parent = a.scratch;
  const auto started = std::chrono::steady_clock::now();
  if (a.data.empty() == a.live_url.empty() || (!a.live_url.empty() && a.token_file.empty())) {
    return Fail(Status::InvalidArgument(
        "invalid_field",
        "Give the live side once: --data LIVEDIR (on the primary) or --live URL --token-file FILE "
        "(from the backup host, with a replication token).",
        "लाइव पक्ष एक बार दें: --data LIVEDIR (प्राथमिक सर्वर पर) या --live URL --token-file FILE "
        "(बैकअप होस्ट से, replication टोकन के साथ)।"));
  }
  if (!a.data.empty()) {
    auto config = ledger::ReadDataDirConfig(live);
    if (!config.ok()) return Fail(config.status());
  }
  std::string token;  // --live: read before the restore, so a wrong file fails at once
  if (!a.token_file.empty()) {
    auto t = ReadTokenFile(a.token_file);
    if (!t.ok()) return Fail(t.status());
    token = *t;
  }
  const fs::path scratch =
      fs::path(scratch_parent.empty() ? fs::temp_directory_path().string() : scratch_parent) /
      ("palika-drill-" + HexEncode(RandomBytes(6)));
  struct Cleanup {
    fs::path dir;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } cleanup{scratch};
  ledger::RestoreOptions o;
  o.from = from;
  o.to = scratch;
  auto key = MaybeOpenKey(key_file);
  if (!key.ok()) return Fail(key.status());
  if (*key) o.key = &**key;
  o.state_projections = &StateProjections();
  o.ulb_projections = &UlbProjections();
  std::cout << "Drill: restoring " << from << " into " << scratch.string() << "\n";
  auto r = ledger::RestoreBackup(o);
  if (!r.ok()) return Fail(r.status());
  int bad = 0;
  auto node = DataDirNodeKey(scratch);
  if (!node.ok()) return Fail(node.status());
  std::map<std::string, std::pair<uint64_t, std::string>> verified;  // ulb -> entries, root
  for (const auto& l : r->logs) {
    if (!l.ok()) {
      ++bad;
      std::cout << "FAIL " << l.ulb << ": restore: " << l.problems.front() << "\n";
      continue;
    }
    const fs::path restored =
        l.ulb == "state" ? scratch / "state.db" : scratch / "ulb" / (l.ulb + ".db");
    const auto& projections = l.ulb == "state" ? StateProjections() : UlbProjections();
    auto v = ledger::VerifyLedgerFile(restored, l.ulb, r->node, projections, *node);
    if (!v.ok() || !v->ok()) {
      ++bad;
      std::cout << "FAIL " << l.ulb << ": the restored ledger does not verify: "
                << (v.ok() ? v->problems.front() : v.status().message()) << "\n";
      continue;
    }
    if (live.empty()) {
      verified[l.ulb] = {v->entries, v->root_hex};
      std::cout << "ok       " << l.ulb << ": " << Grouped(v->entries)
                << " entries restored and verified\n";
      continue;
    }
    const fs::path live_file =
        l.ulb == "state" ? fs::path(live) / "state.db" : fs::path(live) / "ulb" / (l.ulb + ".db");
    uint64_t live_size = 0;
    auto root = LiveRootAt(live_file, r->node, v->entries, &live_size);
    if (!root.ok()) {
      ++bad;
      std::cout << "FAIL " << l.ulb << ": cannot compare with the live ledger "
                << live_file.string() << ": " << root.status().message() << "\n";
      continue;
    }
    if (ledger::HashHex(*root) != v->root_hex) {
      ++bad;
      std::cout << "FAIL " << l.ulb << ": at size " << v->entries << " the live root is "
                << ledger::HashHex(*root) << " but the backup's is " << v->root_hex
                << ": the live ledger and the backup disagree (tampering on one side)\n";
      continue;
    }
    std::cout << "ok   " << l.ulb << ": " << Grouped(v->entries) << " entries restored and verified"
              << ", root matches live; backup trails live by " << Grouped(live_size - v->entries)
              << " entries\n";
  }
  int live_outcome = 0;
  if (!a.live_url.empty()) live_outcome = CompareWithLive(a, token, *r, verified);
  // A live ULB with no log in the backup at all is a hole in the backup.
  // (With --live, CompareWithLive reports those.)
  const auto live_files =
      live.empty() ? std::vector<std::pair<std::string, fs::path>>() : LedgerFiles(live);
  for (const auto& [ulb, file] : live_files) {
    bool found = false;
    for (const auto& l : r->logs) found = found || l.ulb == ulb;
    if (!found) {
      ++bad;
      std::cout << "FAIL " << ulb
                << ": the live directory has it, the backup has no segment of it\n";
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const bool failed = bad > 0 || live_outcome != 0;
  std::cout << "Drill " << (failed ? "FAILED" : "passed") << ": " << r->logs.size() << " logs, "
            << Grouped(r->entries()) << " entries, " << fmt::format("{:.1f}", seconds)
            << " s; scratch directory removed.\n";
  if (live_outcome == kDrillDiverged) return kDrillDiverged;
  return failed ? 3 : 0;
}

}  // namespace

int VerifyBackupCommand(const std::string& backup_dir, const std::string& key_file,
                        const std::string& only_ulb) {
  auto key = MaybeOpenKey(key_file);
  if (!key.ok()) return Fail(key.status());
  auto report = ledger::VerifyBackup(backup_dir, *key ? &**key : nullptr, only_ulb);
  if (!report.ok()) return Fail(report.status());
  int bad = 0;
  bool unchecked = false;
  for (const auto& l : report->logs) {
    if (!l.ok()) {
      ++bad;
      std::cout << "FAIL " << l.ulb << " (" << l.origin << "): " << l.problems.front() << "\n";
      continue;
    }
    unchecked = unchecked || l.entries_unchecked;
    std::cout << "ok   " << l.ulb << " (" << l.origin << "): " << l.segments << " segments, "
              << Grouped(l.size) << " entries"
              << (l.entries_unchecked ? " (sealed: signatures checked, entries need --key)" : "")
              << "; root " << l.root_hex << "\n";
  }
  if (bad) {
    std::cout << bad << " of " << report->logs.size()
              << " log(s) in the backup do not verify; the others do. Keep the files as they are "
                 "and take the damaged ones from another copy.\n";
    return 3;
  }
  std::cout << "All " << report->logs.size() << " log(s) in the backup intact"
            << (unchecked ? " (sealed entries not read: give --key backup.key to check them)" : "")
            << ".\n";
  return 0;
}

void AddBackupCommands(CLI::App& cli, std::vector<CommandRun>& runs) {
  // The replication engineer's file adds `backup pull` / `backup status` to the same group.
  // (Debian's CLI11 2.3 has no get_subcommand_no_throw: look the group up by name.)
  CLI::App* backup = nullptr;
  for (CLI::App* sub : cli.get_subcommands([](CLI::App* a) { return a->get_name() == "backup"; })) {
    backup = sub;
  }
  if (backup == nullptr) {
    backup = cli.add_subcommand("backup", "Backups: keys, segments, pulling");
    backup->require_subcommand(1);
  }

  auto* keygen = backup->add_subcommand("keygen", "Make a backup encryption keypair");
  auto out = std::make_shared<std::string>();
  keygen->add_option("--out", *out, "Directory for backup.pub and backup.key")->required();
  runs.push_back({keygen, [out] { return Keygen(*out); }});

  auto* local = backup->add_subcommand(
      "local", "Write backup segments of a data directory's ledgers to a directory");
  struct LocalArgs {
    std::string data, to, encrypt_to;
    uint64_t segment_entries = 4096;
  };
  auto la = std::make_shared<LocalArgs>();
  local->add_option("--data", la->data, "Data directory")->required();
  local->add_option("--to", la->to, "Backup directory")->required();
  local->add_option("--encrypt-to", la->encrypt_to, "backup.pub: encrypt the segments to it");
  local
      ->add_option("--segment-entries", la->segment_entries,
                   "Close a segment at the first checkpoint at least this many entries on")
      ->check(CLI::Range(1, 10000000));
  runs.push_back(
      {local, [la] { return BackupLocal(la->data, la->to, la->encrypt_to, la->segment_entries); }});

  auto* restore =
      cli.add_subcommand("restore", "Verify a backup and replay it into a new data directory");
  struct RestoreArgs {
    std::string from, to, ulb, until, key, node_key;
    std::optional<uint64_t> seq;
  };
  auto ra = std::make_shared<RestoreArgs>();
  restore->add_option("--from", ra->from, "Backup directory")->required();
  restore->add_option("--to", ra->to, "New data directory (must not exist or be empty)")
      ->required();
  restore->add_option("--ulb", ra->ulb, "Only this ULB (and the state ledger)");
  restore->add_option("--until", ra->until, "Restore entries up to this time (RFC 3339)");
  restore->add_option("--seq", ra->seq, "Restore the ULB's entries up to this number (with --ulb)");
  restore->add_option("--key", ra->key, "backup.key, for encrypted segments");
  restore->add_option("--node-key", ra->node_key,
                      "The node's node.key from the offline safe (else a new key is made)");
  runs.push_back({restore, [ra] {
                    ledger::RestoreOptions o;
                    o.from = ra->from;
                    o.to = ra->to;
                    o.only_ulb = ra->ulb;
                    o.node_key = ra->node_key;
                    return Restore(o, ra->until, ra->seq, ra->key);
                  }});

  auto* drill = cli.add_subcommand(
      "drill", "Restore the latest backup into a scratch directory, verify, compare with live");
  auto da = std::make_shared<DrillArgs>();
  drill->add_option("--from", da->from, "Backup directory")->required();
  drill->add_option("--data", da->data, "The live data directory to compare with (on the primary)");
  drill->add_option("--live", da->live_url,
                    "Or the running primary to compare with, http://HOST:PORT (from the backup "
                    "host; needs --token-file)");
  drill->add_option("--token-file", da->token_file, "File holding a replication token (--live)");
  drill->add_option("--key", da->key, "backup.key, for encrypted segments");
  drill->add_option("--scratch", da->scratch,
                    "Where to make the scratch directory (default: /tmp)");
  runs.push_back({drill, [da] { return Drill(*da); }});
}

}  // namespace palika::cli
