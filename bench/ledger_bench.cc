// palika_bench: figures for the ledger, in the manner of LevelDB's db_bench: named workloads, one
// line of figures each, and the machine they were measured on. Run by `make bench`.
//
//   palika_bench [--benchmarks=commit,multi,verify,merkle] [--seconds=5] [--submitters=1,8,64]
//                [--ulbs=8] [--verify_entries=200000] [--merkle_leaves=1000000] [--dir=/var/tmp]
//                [--keep]
//
// Workloads (each on real ledger files in a fresh directory under --dir, fsync on):
//   commit  N submitter threads on one ULB ledger, each submitting one command after another;
//           commits/s, p50/p99 latency of Submit, and group commit's batch (commands per fsync).
//           Each ledger is first warmed up with 8,000 entries, past its first WAL checkpoint.
//   multi   the same with --ulbs ULB ledgers, N submitters on each (one writer thread per ledger).
//   verify  `palika verify`'s full check (tree, checkpoint signatures, replay, row comparison) of a
//           ledger of --verify_entries entries, and the start-up quick check of the same file.
//   merkle  leaf hashing (entry encoding v1 + SHA-256), CompactRange appends and root, and
//           checkpoint signing and opening (Ed25519).
//
// The command is a counter payment: decide reads the property's earlier receipts (an indexed
// query, as dues are) and returns one event of about 300 bytes; apply inserts the receipt row.
// The directory default is /var/tmp, which Debian keeps on disk; /tmp may be a tmpfs, where
// fsync costs nothing and the figures would flatter.

#include <fcntl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/metrics.h"
#include "ledger/checkpoint.h"
#include "ledger/entry.h"
#include "ledger/ledger.h"
#include "ledger/ledger_set.h"
#include "ledger/merkle_tree.h"
#include "ledger/projections.h"
#include "ledger/signed_note.h"
#include "ledger/verify.h"

namespace palika::bench {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using Clock = std::chrono::steady_clock;

// ---------------------------------------------------------------------------------------------
// Flags

struct Flags {
  std::vector<std::string> benchmarks = {"commit", "multi", "verify", "merkle"};
  double seconds = 5;
  std::vector<int> submitters = {1, 8, 64};
  int ulbs = 8;
  int64_t verify_entries = 200000;
  int64_t merkle_leaves = 1000000;  // not a power of two: Root() has 7 subtrees to fold
  std::string dir = "/var/tmp";
  bool keep = false;
};

std::vector<std::string> Split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string item; std::getline(ss, item, ',');) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

[[noreturn]] void Usage(const std::string& bad) {
  if (!bad.empty()) fmt::print(stderr, "palika_bench: unknown or malformed flag '{}'\n", bad);
  fmt::print(bad.empty() ? stdout : stderr,
             "usage: palika_bench [--benchmarks=commit,multi,verify,merkle] [--seconds=5]\n"
             "                    [--submitters=1,8,64] [--ulbs=8] [--verify_entries=200000]\n"
             "                    [--merkle_leaves=1000000] [--dir=/var/tmp] [--keep]\n");
  std::exit(bad.empty() ? 0 : 2);
}

Flags ParseFlags(int argc, char** argv) {
  Flags f;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto eq = arg.find('=');
    std::string name = arg.substr(0, eq);
    std::string value = eq == std::string::npos ? "" : arg.substr(eq + 1);
    try {
      if (name == "--benchmarks") {
        f.benchmarks = Split(value);
      } else if (name == "--seconds") {
        f.seconds = std::stod(value);
      } else if (name == "--submitters") {
        f.submitters.clear();
        for (const auto& n : Split(value)) f.submitters.push_back(std::stoi(n));
      } else if (name == "--ulbs") {
        f.ulbs = std::stoi(value);
      } else if (name == "--verify_entries") {
        f.verify_entries = std::stoll(value);
      } else if (name == "--merkle_leaves") {
        f.merkle_leaves = std::stoll(value);
      } else if (name == "--dir") {
        f.dir = value;
      } else if (name == "--keep") {
        f.keep = true;
      } else if (name == "--help" || name == "-h") {
        Usage("");
      } else {
        Usage(arg);
      }
    } catch (const std::exception&) {
      Usage(arg);
    }
  }
  if (f.seconds <= 0 || f.ulbs < 1 || f.ulbs > 999 || f.verify_entries < 1 || f.merkle_leaves < 1 ||
      f.submitters.empty()) {
    Usage("(a value out of range)");
  }
  for (int n : f.submitters) {
    if (n < 1 || n > 1024) Usage("--submitters");
  }
  return f;
}

// ---------------------------------------------------------------------------------------------
// The machine

std::string FirstLineWith(const std::string& file, const std::string& key) {
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(key, 0) == 0) {
      auto colon = line.find(':');
      if (colon == std::string::npos) return line;
      auto v = line.substr(colon + 1);
      v.erase(0, v.find_first_not_of(" \t"));
      return v;
    }
  }
  return "unknown";
}

// The mount that holds `path`: the longest mount point that is a prefix of it.
std::string FilesystemOf(const fs::path& path) {
  std::error_code ec;
  const std::string p = fs::weakly_canonical(path, ec).string();
  std::ifstream in("/proc/mounts");
  std::string best_dir, best_desc = "unknown";
  for (std::string line; std::getline(in, line);) {
    std::istringstream ls(line);
    std::string device, dir, type;
    ls >> device >> dir >> type;
    const bool under = p == dir || dir == "/" || p.rfind(dir + "/", 0) == 0;
    if (under && dir.size() >= best_dir.size()) {
      best_dir = dir;
      best_desc = fmt::format("{} on {}, mounted at {}", type, device, dir);
    }
  }
  return best_desc;
}

// The disk's own fsync latency under the ledger directory: 4 KiB written and fdatasync'ed, 200
// times, either appended (the file grows, so ext4 commits its journal too) or overwriting blocks
// already written (what a WAL that has wrapped does). A group commit cannot be faster than this:
// it is the floor of the commit figures. Virtual disks drift, so it runs before and after.
std::string FsyncProbe(const fs::path& root, bool append) {
  const std::string file = (root / "palika-bench-fsync-probe").string();
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return "cannot probe: " + std::string(strerror(errno));
  constexpr int kBlocks = 64;
  const std::string block(4096, 'x');
  bool ok = true;
  if (!append) {
    for (int i = 0; i < kBlocks && ok; ++i) {
      ok = ::pwrite(fd, block.data(), block.size(), static_cast<off_t>(i) * 4096) > 0;
    }
    ok = ok && ::fsync(fd) == 0;
  }
  std::vector<uint32_t> lat;
  for (int i = 0; i < 200 && ok; ++i) {
    const off_t at = static_cast<off_t>(append ? i : i % kBlocks) * 4096;
    if (::pwrite(fd, block.data(), block.size(), at) < 0) break;
    const auto t0 = Clock::now();
    if (::fdatasync(fd) != 0) break;
    lat.push_back(static_cast<uint32_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0).count()));
  }
  ::close(fd);
  ::unlink(file.c_str());
  if (lat.empty()) return "cannot probe: " + std::string(strerror(errno));
  std::sort(lat.begin(), lat.end());
  return fmt::format("p50 {:.2f} ms, p99 {:.2f} ms", lat[lat.size() / 2] / 1000.0,
                     lat[lat.size() * 99 / 100] / 1000.0);
}

std::string DiskLine(const fs::path& root) {
  return fmt::format("append {}; overwrite {} (4 KiB + fdatasync, 200 times)",
                     FsyncProbe(root, true), FsyncProbe(root, false));
}

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  double one = 0, five = 0;
  in >> one >> five;
  return fmt::format("{:.2f} (1 min), {:.2f} (5 min)", one, five);
}

void PrintMachine(const Flags& flags, const fs::path& root) {
  utsname u{};
  uname(&u);
  const double mem_gib = std::stod("0" + FirstLineWith("/proc/meminfo", "MemTotal")) / 1048576.0;
  std::time_t now = std::time(nullptr);
  char date[32];
  std::strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
#ifdef NDEBUG
  const char* build = "optimised (NDEBUG)";
#else
  const char* build = "DEBUG (asserts on): figures are not representative";
#endif
  fmt::print("Palika ledger benchmarks (bench/ledger_bench.cc)\n");
  fmt::print("Date:        {}\n", date);
  fmt::print("CPU:         {} x {}\n", std::thread::hardware_concurrency(),
             FirstLineWith("/proc/cpuinfo", "model name"));
  fmt::print("Memory:      {:.1f} GiB\n", mem_gib);
  fmt::print("Kernel:      {} {}\n", u.sysname, u.release);
  fmt::print("Filesystem:  {} (ledger files in {})\n", FilesystemOf(root), root.string());
  fmt::print("Disk fsync:  {} (before)\n", DiskLine(root));
  fmt::print("Load:        {} before the run: other work on the machine skews every figure\n",
             LoadAverage());
  fmt::print("SQLite:      {}, WAL, synchronous=FULL: one fsync per group commit\n",
             sqlite3_libversion());
  fmt::print("Build:       g++ {}, {}\n", __VERSION__, build);
  fmt::print("Run:         --seconds={} per point, --submitters={}, --ulbs={}\n", flags.seconds,
             fmt::join(flags.submitters, ","), flags.ulbs);
  fmt::print("{}\n", std::string(100, '-'));
}

// ---------------------------------------------------------------------------------------------
// The workload's projections: a receipts table and the event that fills it.

constexpr char kEvent[] = "bench.payment_received";

const ledger::Projections& EmptyProjections() {
  static const ledger::Projections p;
  return p;
}

const ledger::Projections& ReceiptProjections() {
  static const ledger::Projections p = [] {
    ledger::Projections p;
    p.AddTable("receipts",
               "CREATE TABLE IF NOT EXISTS receipts(receipt_no TEXT PRIMARY KEY,"
               " property_id TEXT NOT NULL, amount_paise INTEGER NOT NULL, mode TEXT NOT NULL,"
               " cashier TEXT NOT NULL, allocations TEXT NOT NULL, seq INTEGER NOT NULL);"
               "CREATE INDEX IF NOT EXISTS receipts_by_property ON receipts(property_id)",
               "receipt_no");
    p.OnEvent(kEvent, [](store::Transaction& tx, const ledger::Entry& e) -> Status {
      auto o = json::parse(e.payload).as_object();
      return tx.Exec(
          "INSERT INTO receipts(receipt_no, property_id, amount_paise, mode, cashier, "
          "allocations, seq) VALUES (?, ?, ?, ?, ?, ?, ?)",
          {std::string(o.at("receipt_no").as_string()),
           std::string(o.at("property_id").as_string()), o.at("amount_paise").as_int64(),
           std::string(o.at("mode").as_string()), std::string(o.at("cashier").as_string()),
           json::serialize(o.at("allocations")), static_cast<int64_t>(e.seq)});
    });
    return p;
  }();
  return p;
}

std::atomic<uint64_t> g_receipt{0};

json::object PaymentPayload(const std::string& ulb, uint64_t n) {
  const int64_t amount = 150000 + static_cast<int64_t>(n % 997) * 100;
  return json::object{
      {"receipt_no", fmt::format("{}/2026-27/{:08}", ulb, n)},
      {"property_id", fmt::format("P-{}-{:02}-{:06}", ulb, n % 6 + 1, n % 50000)},
      {"amount_paise", amount},
      {"mode", n % 3 ? "cash" : "upi"},
      {"cashier", "indore.cashier"},
      {"allocations",
       json::array{
           json::object{{"fy", "2025-26"}, {"head", "property_tax"}, {"amount_paise", amount / 2}},
           json::object{{"fy", "2026-27"},
                        {"head", "property_tax"},
                        {"amount_paise", amount - amount / 2}}}}};
}

// A command with `events` payments. decide looks up the property's receipts first, as a real
// payment reads the property's dues.
ledger::Command PaymentCommand(const std::string& ulb, int events = 1) {
  ledger::Command c;
  c.actor = "u-bench-cashier";
  c.decide = [ulb, events](store::Transaction& tx, int64_t) -> Result<ledger::Decision> {
    ledger::Decision d;
    for (int i = 0; i < events; ++i) {
      const uint64_t n = g_receipt.fetch_add(1) + 1;
      json::object payload = PaymentPayload(ulb, n);
      PALIKA_ASSIGN_OR_RETURN(
          auto paid, tx.QueryOne("SELECT COUNT(*), COALESCE(SUM(amount_paise), 0) FROM receipts "
                                 "WHERE property_id = ?",
                                 {std::string(payload.at("property_id").as_string())}));
      (void)paid;
      d.response = json::object{{"receipt_no", payload.at("receipt_no")}};
      d.events.push_back(ledger::Event{kEvent, std::move(payload)});
    }
    return d;
  };
  return c;
}

// ---------------------------------------------------------------------------------------------
// A fresh data directory with `ulbs` ULB ledgers, removed on destruction unless --keep.

// Real municipal corporation codes first (DOMAIN.md), then made-up ones.
std::string UlbCode(int i) {
  static const char* kCodes[] = {"0152", "0269", "0427", "0101", "0141", "0195", "0200", "0223"};
  return i < 8 ? kCodes[i] : fmt::format("{:04}", 1000 + i);
}

class BenchDir {
 public:
  BenchDir(const Flags& flags, const std::string& name) : keep_(flags.keep) {
    std::string tmpl = (fs::path(flags.dir) / ("palika-bench-" + name + "-XXXXXX")).string();
    if (!mkdtemp(tmpl.data())) {
      fmt::print(stderr, "cannot create a directory under {}: {}\n", flags.dir, strerror(errno));
      std::exit(1);
    }
    path_ = tmpl;
  }
  ~BenchDir() {
    if (keep_) {
      fmt::print("            (kept {})\n", path_.string());
      return;
    }
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  bool keep_;
  fs::path path_;
};

template <typename T>
T Check(Result<T> r, const char* what) {
  if (!r.ok()) {
    fmt::print(stderr, "{}: {}\n", what, r.status().ToString());
    std::exit(1);
  }
  return std::move(r).value();
}

void Check(const Status& s, const char* what) {
  if (!s.ok()) {
    fmt::print(stderr, "{}: {}\n", what, s.ToString());
    std::exit(1);
  }
}

struct OpenSet {
  std::unique_ptr<ledger::LedgerSet> set;
  std::vector<ledger::Ledger*> ledgers;
};

OpenSet OpenLedgers(const fs::path& dir, int ulbs, Metrics* metrics, bool init) {
  if (init) Check(ledger::InitDataDir(dir), "init");
  OpenSet out;
  out.set = Check(ledger::LedgerSet::Open(dir, EmptyProjections(), ReceiptProjections(), metrics),
                  "open");
  for (int i = 0; i < ulbs; ++i) {
    out.ledgers.push_back(Check(out.set->CreateUlb(UlbCode(i)), "create ULB ledger"));
  }
  return out;
}

double Percentile(const std::vector<uint32_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t i = static_cast<size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(i, sorted.size() - 1)] / 1000.0;  // µs -> ms
}

// ---------------------------------------------------------------------------------------------
// commit / multi

// 16 commands of 500 payments: about 8 MiB of WAL, past SQLite's 1000-page auto-checkpoint.
constexpr int kWarmUpCommands = 16;

void RunCommit(const Flags& flags, int ulbs, int per_ledger) {
  BenchDir dir(flags, "commit");
  Metrics metrics;
  OpenSet open = OpenLedgers(dir.path(), ulbs, &metrics, true);
  // Warm up past the first WAL checkpoint (SQLite checkpoints the WAL at 1000 pages and then
  // writes it again from the start), so the WAL is reused as in a server that has been running
  // for a while, rather than grown, which costs ext4 a journal commit on every fsync.
  for (auto* l : open.ledgers) {
    for (int i = 0; i < kWarmUpCommands; ++i) {
      Check(l->Submit(PaymentCommand(l->ulb(), 500)), "warm-up");
    }
    for (int i = 0; i < 10; ++i) Check(l->Submit(PaymentCommand(l->ulb())), "warm-up");
  }
  auto batches = [&] {
    double total = 0;
    for (auto* l : open.ledgers) {
      total += metrics.Value("palika_ledger_commits_total", {{"ulb", l->ulb()}});
    }
    return total;
  };
  const double batches_before = batches();

  const int threads = ulbs * per_ledger;
  std::vector<std::vector<uint32_t>> latencies(threads);
  std::atomic<bool> go{false};
  std::atomic<uint64_t> failures{0};
  const auto duration = std::chrono::duration<double>(flags.seconds);
  std::vector<std::thread> workers;
  workers.reserve(threads);
  Clock::time_point start;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      ledger::Ledger* l = open.ledgers[t % ulbs];
      auto& lat = latencies[t];
      lat.reserve(4096);
      while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
      const auto end = start + std::chrono::duration_cast<Clock::duration>(duration);
      for (;;) {
        const auto t0 = Clock::now();
        if (t0 >= end) break;
        auto r = l->Submit(PaymentCommand(l->ulb()));
        const auto t1 = Clock::now();
        if (!r.ok()) {
          failures.fetch_add(1);
          continue;
        }
        lat.push_back(static_cast<uint32_t>(
            std::chrono::duration_cast<std::chrono::microseconds>(t1 - t0).count()));
      }
    });
  }
  start = Clock::now();
  go.store(true, std::memory_order_release);
  for (auto& w : workers) w.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  const double fsyncs = batches() - batches_before;

  std::vector<uint32_t> all;
  for (auto& v : latencies) all.insert(all.end(), v.begin(), v.end());
  std::sort(all.begin(), all.end());
  const double commits = static_cast<double>(all.size());
  std::string what =
      fmt::format("{} ULB ledger{}, {} submitter{}{}", ulbs, ulbs == 1 ? "" : "s", threads,
                  threads == 1 ? "" : "s", ulbs == 1 ? "" : fmt::format(" ({} each)", per_ledger));
  fmt::print(
      "{:<7} {:<36}: {:>7.0f} commits/s  p50 {:>6.2f} ms  p99 {:>6.2f} ms  batch {:>5.1f} "
      "({:.0f} fsyncs/s){}\n",
      ulbs == 1 ? "commit" : "multi", what, commits / elapsed, Percentile(all, 0.50),
      Percentile(all, 0.99), fsyncs > 0 ? commits / fsyncs : 0.0, fsyncs / elapsed,
      failures ? fmt::format("  {} FAILED", failures.load()) : "");
  std::fflush(stdout);
  open.set->Close();
}

// ---------------------------------------------------------------------------------------------
// verify

void RunVerify(const Flags& flags) {
  BenchDir dir(flags, "verify");
  const std::string ulb = UlbCode(0);
  fs::path file;
  std::string origin;
  {
    OpenSet open = OpenLedgers(dir.path(), 1, nullptr, true);
    ledger::Ledger* l = open.ledgers[0];
    file = open.set->UlbFile(ulb);
    origin = open.set->origin();
    // Filled with commands of 500 payments each: the figure is about reading, not writing.
    const auto t0 = Clock::now();
    int64_t left = flags.verify_entries;
    while (left > 0) {
      const int n = static_cast<int>(std::min<int64_t>(left, 500));
      Check(l->Submit(PaymentCommand(ulb, n)), "fill");
      left -= n;
    }
    const double fill = std::chrono::duration<double>(Clock::now() - t0).count();
    fmt::print("{:<7} {:<36}: {:>7.0f} entries/s  ({} entries in {:.2f} s)\n", "fill",
               "500 payments per command, 1 writer",
               static_cast<double>(flags.verify_entries) / fill, flags.verify_entries, fill);
    open.set->Close();
  }
  std::error_code ec;
  const double mib = static_cast<double>(fs::file_size(file, ec)) / 1048576.0;

  auto node = Check(ledger::NoteVerifier::Parse([&] {
                      std::ifstream in(dir.path() / "node.pub");
                      std::string line;
                      std::getline(in, line);
                      return line;
                    }()),
                    "node.pub");
  const auto t0 = Clock::now();
  auto report =
      Check(ledger::VerifyLedgerFile(file, ulb, origin, ReceiptProjections(), node), "verify");
  const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  if (!report.ok()) {
    fmt::print(stderr, "verify found problems in a fresh ledger: {}\n", report.problems.front());
    std::exit(1);
  }
  fmt::print(
      "{:<7} {:<36}: {:>7.0f} entries/s  ({:.2f} s; {} checkpoints, {} rows compared, {:.0f} "
      "MiB file)\n",
      "verify", fmt::format("full check of {} entries", report.entries),
      static_cast<double>(report.entries) / secs, secs, report.checkpoints, report.rows_compared,
      mib);

  // The start-up quick check: reopening the closed ledger.
  const auto o0 = Clock::now();
  OpenSet reopened = OpenLedgers(dir.path(), 1, nullptr, false);
  const double open_ms = std::chrono::duration<double, std::milli>(Clock::now() - o0).count();
  fmt::print("{:<7} {:<36}: {:>7.1f} ms to open the data directory and quick-check the ledger\n",
             "open", fmt::format("{} entries", report.entries), open_ms);
  std::fflush(stdout);
}

// ---------------------------------------------------------------------------------------------
// merkle

template <typename Fn>
double Rate(int64_t n, Fn&& fn) {
  const auto t0 = Clock::now();
  fn();
  const double s = std::chrono::duration<double>(Clock::now() - t0).count();
  return static_cast<double>(n) / s;
}

std::string Human(double per_second) {
  if (per_second >= 1e6) return fmt::format("{:.2f} M/s", per_second / 1e6);
  if (per_second >= 1e3) return fmt::format("{:.1f} k/s", per_second / 1e3);
  return fmt::format("{:.0f} /s", per_second);
}

void RunMerkle(const Flags& flags) {
  const int64_t n = flags.merkle_leaves;
  std::vector<ledger::Entry> entries;
  entries.reserve(static_cast<size_t>(std::min<int64_t>(n, 100000)));
  for (int64_t i = 0; i < std::min<int64_t>(n, 100000); ++i) {
    ledger::Entry e{"0152",
                    "node-bench",
                    static_cast<uint64_t>(i + 1),
                    1798761600000000 + i,
                    "u-bench-cashier",
                    kEvent,
                    json::serialize(PaymentPayload("0152", static_cast<uint64_t>(i)))};
    entries.push_back(std::move(e));
  }
  std::vector<ledger::Hash> leaves(static_cast<size_t>(n));
  const double hash_rate = Rate(n, [&] {
    for (int64_t i = 0; i < n; ++i) {
      leaves[static_cast<size_t>(i)] =
          ledger::LeafHash(ledger::EncodeEntry(entries[static_cast<size_t>(i) % entries.size()]));
    }
  });
  fmt::print("{:<7} {:<36}: {:>12}  (~{} B per entry)\n", "merkle",
             "leaf hash: encode v1 + SHA-256", Human(hash_rate),
             ledger::EncodeEntry(entries[0]).size());

  ledger::CompactRange range;
  const double append_rate = Rate(n, [&] {
    for (const auto& h : leaves) range.Append(h);
  });
  fmt::print("{:<7} {:<36}: {:>12}  ({} leaves)\n", "merkle", "CompactRange append",
             Human(append_rate), n);

  constexpr int kRoots = 10000;
  ledger::Hash root{};
  const double root_rate = Rate(kRoots, [&] {
    for (int i = 0; i < kRoots; ++i) root = range.Root();
  });
  fmt::print("{:<7} {:<36}: {:>12}  ({} perfect subtrees)\n", "merkle",
             fmt::format("CompactRange root at size {}", n), Human(root_rate),
             range.hashes().size());

  const auto t0 = Clock::now();
  const ledger::Hash full = ledger::RootFromLeaves(leaves);
  const double full_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  fmt::print("{:<7} {:<36}: {:>9.1f} ms  (matches the compact range: {})\n", "merkle",
             fmt::format("RootFromLeaves of {} leaves", n), full_ms, full == root ? "yes" : "NO");

  auto signer = Check(ledger::GenerateSigner("palika/node-bench/0152"), "signer");
  const auto verifier = signer.Verifier();
  ledger::Checkpoint cp{"palika/node-bench/0152", range.size(), root, {}};
  constexpr int kSigns = 5000;
  std::string note;
  const double sign_rate = Rate(kSigns, [&] {
    for (int i = 0; i < kSigns; ++i) {
      cp.size = range.size() + static_cast<uint64_t>(i);
      note = Check(ledger::SignCheckpoint(cp, signer), "sign");
    }
  });
  fmt::print("{:<7} {:<36}: {:>12}\n", "note", "sign a checkpoint (Ed25519)", Human(sign_rate));
  const double open_rate = Rate(kSigns, [&] {
    for (int i = 0; i < kSigns; ++i) (void)Check(ledger::OpenCheckpoint(note, verifier), "open");
  });
  fmt::print("{:<7} {:<36}: {:>12}\n", "note", "open (verify) a checkpoint", Human(open_rate));
  std::fflush(stdout);
}

}  // namespace
}  // namespace palika::bench

int main(int argc, char** argv) {
  using namespace palika::bench;  // NOLINT: a program's main file
  spdlog::set_level(spdlog::level::warn);
  const Flags flags = ParseFlags(argc, argv);
  std::error_code ec;
  std::filesystem::create_directories(flags.dir, ec);
  PrintMachine(flags, flags.dir);
  for (const auto& b : flags.benchmarks) {
    if (b == "commit") {
      for (int n : flags.submitters) RunCommit(flags, 1, n);
    } else if (b == "multi") {
      for (int n : flags.submitters) RunCommit(flags, flags.ulbs, n);
    } else if (b == "verify") {
      RunVerify(flags);
    } else if (b == "merkle") {
      RunMerkle(flags);
    } else {
      fmt::print(stderr, "unknown benchmark '{}' (commit, multi, verify, merkle)\n", b);
      return 2;
    }
  }
  fmt::print("{}\n", std::string(100, '-'));
  fmt::print("Disk fsync:  {} (after)\n", DiskLine(flags.dir));
  fmt::print("Load:        {} after the run\n", LoadAverage());
  return 0;
}
