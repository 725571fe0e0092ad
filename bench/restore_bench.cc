// palika_restore_bench: how fast a backup is verified and restored (issue 4, "Benchmarks":
// restore + verify rate in entries per second, target >= 200,000/s, and the time to restore a
// state-sized backup). Run by `make bench`.
//
//   palika_restore_bench [--ulbs=400] [--properties=1000] [--dir=/var/tmp] [--keep]
//
// Builds the demo state (`palika init --demo`'s LoadDemo, --properties in Indore: properties,
// rates, demand and counter payments through the normal commands), backs its ledgers up as
// segments (BackupLedgerFile, `palika backup local`), then makes a state-sized backup from it:
// Indore's log copied under --ulbs ULB codes, each re-signed under its own log name with the
// node key, in segments of 4,096 entries. Then times, on that backup:
//   verify   VerifyBackup (`palika verify --backup`): every segment read, its SHA-256, the tree
//            recomputed, every checkpoint signature
//   restore  RestoreBackup (`palika restore`): the same checks plus the replay of every entry with
//            the real projections into fresh ledger files, synced before they are named
// and prints entries per second for each, with the CPU time they took (the machine is shared: CPU
// seconds per entry are steadier than the wall clock). Then the floor: the rows ten restored ULB
// files hold, each copied into an empty file of the same schema with INSERT ... SELECT and its
// search index rebuilt, one thread: what SQLite alone needs to write what the replay wrote, with no
// segment reading, hashing, JSON or apply code. The directory default is /var/tmp (on disk).
//
// Size: --ulbs logs of about 3.4 x --properties entries each (registrations, two demands a
// property, the demo's payments) and 560 bytes an entry on disk; the default, 400 x 1,000, is
// 1.4 million entries, 0.8 GB, built in about a minute. Restore time grows linearly with entries.

#include <fmt/format.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "bench_util.h"
#include "cli/app.h"
#include "cli/demo.h"
#include "core/encoding.h"
#include "ledger/backup_local.h"
#include "ledger/backup_verify.h"
#include "ledger/checkpoint.h"
#include "ledger/durable_file.h"
#include "ledger/ledger.h"
#include "ledger/ledger_set.h"
#include "ledger/merkle_tree.h"
#include "ledger/node_key.h"
#include "ledger/restore.h"
#include "ledger/segment.h"
#include "store/sqlite/database.h"

namespace palika::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Flags {
  int ulbs = 400;
  int properties = 1000;
  std::string dir = "/var/tmp";
  bool keep = false;
};

// CPU seconds this process has used, every thread, user and system.
double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return s(u.ru_utime) + s(u.ru_stime);
}

// The floor: `restored`'s tables copied row for row into a new file of the same schema in one
// transaction (as the restore writes), then its search index rebuilt. Returns the seconds taken.
double CopyFloor(const fs::path& restored, const fs::path& copy) {
  store::sqlite::OpenOptions create;
  create.create = true;
  auto db = store::sqlite::Database::Open(copy, create);
  Check(db.status(), "floor open");
  auto& d = **db;
  Check(d.ExecScript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-65536"),
        "floor pragmas");
  Check(d.Exec("ATTACH ? AS src", {restored.string()}), "attach");
  // Schema first (tables, indexes, the FTS5 table; not the tables FTS5 makes for itself).
  auto schema = d.Query(
      "SELECT type, name, sql FROM src.sqlite_master WHERE sql IS NOT NULL AND name NOT IN "
      "('property_search_data', 'property_search_idx', 'property_search_config') "
      "ORDER BY type = 'index', rowid");
  Check(schema.status(), "floor schema");
  const auto started = Clock::now();
  Check(d.Exec("BEGIN"), "begin");
  std::vector<std::string> tables, indexes;
  for (const auto& r : *schema) {
    Check(d.ExecScript(r.Text(2)), "floor create " + r.Text(1));
    if (r.Text(0) == "table" && !r.Text(2).starts_with("CREATE VIRTUAL")) {
      tables.push_back(r.Text(1));
    }
  }
  for (const auto& t : tables) {
    Check(d.ExecScript("INSERT INTO main." + t + " SELECT * FROM src." + t), "floor copy " + t);
  }
  Check(d.ExecScript("INSERT INTO property_search(property_search) VALUES ('rebuild')"),
        "floor index");
  Check(d.Exec("COMMIT"), "commit");
  return Seconds(started);
}

Flags ParseFlags(int argc, char** argv) {
  Flags f;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](std::string_view name) -> const char* {
      return a.starts_with(name) ? a.c_str() + name.size() : nullptr;
    };
    if (auto v = value("--ulbs=")) {
      f.ulbs = std::atoi(v);
    } else if (auto v = value("--properties=")) {
      f.properties = std::atoi(v);
    } else if (auto v = value("--dir=")) {
      f.dir = v;
    } else if (a == "--keep") {
      f.keep = true;
    } else {
      fmt::print(stderr, "unknown flag {}\n", a);
      std::exit(2);
    }
  }
  return f;
}

int Main(int argc, char** argv) {
  const Flags flags = ParseFlags(argc, argv);
  const fs::path root = fs::path(flags.dir) / ("palika-restore-bench-" + HexEncode(RandomBytes(4)));
  const fs::path data = root / "data";
  const fs::path seed = root / "seed";
  const fs::path backup = root / "backup";
  fs::create_directories(root);

  const auto setup_started = Clock::now();
  Check(ledger::InitDataDir(data), "init");
  {
    auto app = cli::App::Open(data);
    Check(app.status(), "open");
    Check(cli::LoadDemo(**app, flags.properties), "demo");
  }
  auto config = ledger::ReadDataDirConfig(data);
  Check(config.status(), "config");
  auto signer = ledger::LoadNodeKey(data / "node.key");
  Check(signer.status(), "node key");
  const ledger::NoteVerifier node = signer->Verifier();
  for (const std::string ulb : {"state", "0152"}) {
    const fs::path file = ulb == "state" ? data / "state.db" : data / "ulb" / (ulb + ".db");
    Check(ledger::BackupLedgerFile(file, ulb, config->node, node, seed, nullptr).status(),
          "backup local");
  }
  // The state-sized backup: the state log as it is, Indore's log under every code.
  fs::create_directories(backup);
  Check(ledger::WriteFileNoReplace(backup / "node.pub", node.ToString() + "\n", 0644), "node.pub");
  auto seed_logs = ledger::ListBackupLogs(seed);
  Check(seed_logs.status(), "list");
  std::vector<ledger::Entry> indore;
  for (const auto& log : *seed_logs) {
    for (const auto& f : log.segments) {
      auto seg = ledger::ReadSegment(f.path, nullptr);
      Check(seg.status(), "read seed");
      if (log.ulb == "state") {
        Check(ledger::WriteSegment(backup, *seg, nullptr), "write state");
      } else {
        indore.insert(indore.end(), seg->entries.begin(), seg->entries.end());
      }
    }
  }
  constexpr size_t kSegmentEntries = 4096;
  for (int u = 0; u < flags.ulbs; ++u) {
    const std::string code = fmt::format("{:04}", 1000 + u);
    auto log_signer = signer->WithName(ledger::LogName(config->node, code));
    Check(log_signer.status(), "signer");
    ledger::CompactRange tree;
    ledger::Segment seg;
    seg.ulb = code;
    seg.origin = config->node;
    seg.first = 1;
    for (size_t i = 0; i < indore.size(); ++i) {
      ledger::Entry e = indore[i];
      e.ulb = code;
      tree.Append(ledger::LeafHash(ledger::EncodeEntry(e)));
      seg.entries.push_back(std::move(e));
      if (seg.entries.size() == kSegmentEntries || i + 1 == indore.size()) {
        seg.last = tree.size();
        ledger::Checkpoint cp{ledger::LogName(config->node, code), tree.size(), tree.Root(), {}};
        auto note = ledger::SignCheckpoint(cp, *log_signer);
        Check(note.status(), "sign");
        seg.checkpoint_note = *note;
        seg.tree = tree.Serialize();
        Check(ledger::WriteSegment(backup, seg, nullptr), "write");
        seg.entries.clear();
        seg.first = seg.last + 1;
      }
    }
  }
  const double setup_seconds = Seconds(setup_started);
  uint64_t bytes = 0;
  for (const auto& f : fs::recursive_directory_iterator(backup)) {
    if (f.is_regular_file()) bytes += f.file_size();
  }

  const auto verify_started = Clock::now();
  const double verify_cpu_started = CpuSeconds();
  auto verified = ledger::VerifyBackup(backup, nullptr, "");
  const double verify_seconds = Seconds(verify_started);
  const double verify_cpu = CpuSeconds() - verify_cpu_started;
  Check(verified.status(), "verify");
  uint64_t verified_entries = 0;
  for (const auto& l : verified->logs) {
    if (!l.ok()) Check(Status::Corruption(l.problems.front()), "verify " + l.ulb);
    verified_entries += l.entries;
  }

  ledger::RestoreOptions o;
  o.from = backup;
  o.to = root / "restored";
  o.state_projections = &cli::StateProjections();
  o.ulb_projections = &cli::UlbProjections();
  o.node_key = data / "node.key";
  const auto restore_started = Clock::now();
  const double restore_cpu_started = CpuSeconds();
  auto restored = ledger::RestoreBackup(o);
  const double restore_seconds = Seconds(restore_started);
  const double restore_cpu = CpuSeconds() - restore_cpu_started;
  Check(restored.status(), "restore");
  for (const auto& l : restored->logs) {
    if (!l.ok()) Check(Status::Corruption(l.problems.front()), "restore " + l.ulb);
  }

  // The floor, on the first ten ULBs' restored files, one after the other.
  const int floor_ulbs = std::min(flags.ulbs, 10);
  uint64_t floor_entries = 0;
  double floor_seconds = 0;
  const double floor_cpu_started = CpuSeconds();
  for (int i = 0; i < floor_ulbs; ++i) {
    const std::string code = fmt::format("{:04}", 1000 + i);
    for (const auto& l : restored->logs) {
      if (l.ulb == code) floor_entries += l.entries;
    }
    floor_seconds +=
        CopyFloor(root / "restored" / "ulb" / (code + ".db"), root / ("floor-" + code + ".db"));
  }
  const double floor_cpu = CpuSeconds() - floor_cpu_started;

  utsname u{};
  uname(&u);
  fmt::print("palika_restore_bench on {} {} ({} CPUs, load average {}), data in {}\n", u.sysname,
             u.machine, sysconf(_SC_NPROCESSORS_ONLN), LoadAverage(), flags.dir);
  fmt::print(
      "setup:   demo state ({} properties in Indore) and a backup of {} ULBs x {} entries "
      "+ the state log: {} entries, {:.0f} MB, in {:.1f} s\n",
      flags.properties, flags.ulbs, indore.size(), verified_entries,
      static_cast<double>(bytes) / 1e6, setup_seconds);
  auto per_cpu = [](uint64_t entries, double cpu) {
    return fmt::format("{:.1f} CPU s, {:.1f} us of CPU an entry", cpu,
                       cpu * 1e6 / static_cast<double>(entries));
  };
  fmt::print("verify:  {} logs, {} entries in {:.2f} s = {:.0f} entries/s (verify --backup; {})\n",
             verified->logs.size(), verified_entries, verify_seconds,
             static_cast<double>(verified_entries) / verify_seconds,
             per_cpu(verified_entries, verify_cpu));
  const double restore_rate = static_cast<double>(restored->entries()) / restore_seconds;
  fmt::print(
      "restore: {} logs, {} entries in {:.2f} s = {:.0f} entries/s (verify + replay into "
      "fresh ledger files; {})\n",
      restored->logs.size(), restored->entries(), restore_seconds, restore_rate,
      per_cpu(restored->entries(), restore_cpu));
  fmt::print(
      "floor:   SQLite alone writing {} restored ULBs' rows ({} entries' worth) and their search "
      "indexes: {:.2f} s = {:.0f} entries/s on one thread ({})\n",
      floor_ulbs, floor_entries, floor_seconds, static_cast<double>(floor_entries) / floor_seconds,
      per_cpu(floor_entries, floor_cpu));
  const double cpus = static_cast<double>(sysconf(_SC_NPROCESSORS_ONLN));
  fmt::print(
      "state:   10 million entries: {:.1f} minutes at this run's rate; {:.1f} minutes with the "
      "{:.0f} CPUs to itself (CPU time an entry / CPUs)\n",
      1e7 / restore_rate / 60,
      1e7 * restore_cpu / static_cast<double>(restored->entries()) / cpus / 60, cpus);
  if (!flags.keep) fs::remove_all(root);
  return 0;
}

}  // namespace
}  // namespace palika::bench

int main(int argc, char** argv) { return palika::bench::Main(argc, argv); }
