// palika_restore_bench: how fast a backup is verified and restored (issue 4, "Benchmarks":
// restore + verify rate in entries per second, target >= 200,000/s, and the time to restore a
// state-sized backup). Run by `make bench`.
//
//   palika_restore_bench [--ulbs=400] [--properties=300] [--dir=/var/tmp] [--keep]
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
// and prints entries per second for each. The directory default is /var/tmp (on disk).

#include <fmt/format.h>
#include <sys/utsname.h>
#include <unistd.h>

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

namespace palika::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Flags {
  int ulbs = 400;
  int properties = 300;
  std::string dir = "/var/tmp";
  bool keep = false;
};

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
  auto verified = ledger::VerifyBackup(backup, nullptr, "");
  const double verify_seconds = Seconds(verify_started);
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
  auto restored = ledger::RestoreBackup(o);
  const double restore_seconds = Seconds(restore_started);
  Check(restored.status(), "restore");
  for (const auto& l : restored->logs) {
    if (!l.ok()) Check(Status::Corruption(l.problems.front()), "restore " + l.ulb);
  }

  utsname u{};
  uname(&u);
  fmt::print("palika_restore_bench on {} {} ({} CPUs), data in {}\n", u.sysname, u.machine,
             sysconf(_SC_NPROCESSORS_ONLN), flags.dir);
  fmt::print(
      "setup:   demo state ({} properties in Indore) and a backup of {} ULBs x {} entries "
      "+ the state log: {} entries, {:.0f} MB, in {:.1f} s\n",
      flags.properties, flags.ulbs, indore.size(), verified_entries,
      static_cast<double>(bytes) / 1e6, setup_seconds);
  fmt::print("verify:  {} logs, {} entries in {:.2f} s = {:.0f} entries/s (verify --backup)\n",
             verified->logs.size(), verified_entries, verify_seconds,
             static_cast<double>(verified_entries) / verify_seconds);
  fmt::print(
      "restore: {} logs, {} entries in {:.2f} s = {:.0f} entries/s (verify + replay into "
      "fresh ledger files)\n",
      restored->logs.size(), restored->entries(), restore_seconds,
      static_cast<double>(restored->entries()) / restore_seconds);
  if (!flags.keep) fs::remove_all(root);
  return 0;
}

}  // namespace
}  // namespace palika::bench

int main(int argc, char** argv) { return palika::bench::Main(argc, argv); }
