// palika_demand_bench: how fast a ULB's yearly property-tax demand is raised (issue "Billing":
// "properties per second for a demand raise over e.g. 100,000 properties"). Run by `make bench`.
//
//   palika_demand_bench [--properties=100000] [--batch=500] [--dir=/var/tmp] [--keep]
//                       [--setup-dir=DIR]
//
// Builds a data directory with one ULB (20 wards in 5 zones) and --properties made-up properties
// (PropertySamples, registered through the ledger in commands of 500), sets the demo rate table
// for 2026-27, then raises the year's demand with RaiseDemand — the code behind `palika demand
// raise` and POST /api/v1/ulbs/{ulb}/demands: per property a decide (latest return or the register
// record priced by Assess) and a demand.raised entry applied to pt_account and pt_demands, --batch
// properties per command, each command one transaction and one fsync (synchronous=FULL), the
// Merkle tree and checkpoints as in production. Prints properties per second for the raise, and
// for a second run that finds every demand raised (the idempotent re-run after a crash), and raw
// SQLite's floor for the same work: the rows the raise wrote, inserted into an empty file with the
// same tables and indexes, the same durability and transactions (RawFloorSeconds).
//
// --setup-dir=DIR keeps the registered set (setup takes minutes at a million properties): the
// first run registers into DIR and keeps it, later runs with the same DIR and --properties copy it
// (untimed) and raise on the copy, so old and new builds can be timed on the same data.

#include <fmt/format.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "cli/app.h"
#include "ledger/ledger_set.h"
#include "services/property_tax/billing.h"
#include "services/property_tax/demand.h"
#include "services/property_tax/property_samples.h"
#include "services/property_tax/register.h"
#include "services/registry/registry.h"

namespace palika::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// CPU seconds (user + system) of every thread of this process so far.
double ProcessCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return s(u.ru_utime) + s(u.ru_stime);
}

constexpr char kUlb[] = "0152";

struct Flags {
  int64_t properties = 100000;
  int64_t batch = property_tax::kDefaultDemandBatch;
  std::string dir = "/var/tmp";
  bool keep = false;
  std::string setup_dir;  // "" : set up afresh in the run's directory
};

[[noreturn]] void Usage(const std::string& bad) {
  fmt::print(stderr,
             "palika_demand_bench: unknown or malformed flag '{}'\n"
             "usage: palika_demand_bench [--properties=100000] [--batch=500] [--dir=/var/tmp] "
             "[--keep] [--setup-dir=DIR]\n",
             bad);
  std::exit(bad == "--help" ? 0 : 2);
}

Flags ParseFlags(int argc, char** argv) {
  Flags f;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto eq = arg.find('=');
    const std::string name = arg.substr(0, eq);
    const std::string value = eq == std::string::npos ? "" : arg.substr(eq + 1);
    try {
      if (name == "--properties") {
        f.properties = std::stoll(value);
      } else if (name == "--batch") {
        f.batch = std::stoll(value);
      } else if (name == "--dir") {
        f.dir = value;
      } else if (name == "--keep") {
        f.keep = true;
      } else if (name == "--setup-dir" && !value.empty()) {
        f.setup_dir = value;
      } else {
        Usage(arg);
      }
    } catch (const std::exception&) {
      Usage(arg);
    }
  }
  if (f.properties < 1 || f.batch < 1) Usage("--properties/--batch must be positive");
  return f;
}

void CheckSql(int rc, sqlite3* db, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    fmt::print(stderr, "raw sqlite ({}): {}\n", what, sqlite3_errmsg(db));
    std::exit(1);
  }
}

sqlite3_stmt* Prepare(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* st = nullptr;
  CheckSql(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), db, sql.c_str());
  return st;
}

// Copies the row `from` is on into `to` (an INSERT with as many parameters as columns) and steps
// it; returns the seconds the insert took.
double CopyRow(sqlite3* db, sqlite3_stmt* from, sqlite3_stmt* to) {
  const auto t0 = Clock::now();
  for (int c = 0; c < sqlite3_column_count(from); ++c) {
    sqlite3_bind_value(to, c + 1, sqlite3_column_value(from, c));
  }
  CheckSql(sqlite3_step(to), db, "raw insert");
  sqlite3_reset(to);
  return Seconds(t0);
}

// Raw SQLite's floor for the same work: the rows the raise wrote — its ledger entries and the
// year's pt_account and pt_demands rows — inserted into an empty file with the same tables and
// indexes (WAL, synchronous=FULL, prepared statements), one transaction per `batch` properties as
// the raise commits, each with the entries its command wrote (`entries_after[k]`: the ledger's
// size after command k). Only the inserts and commits are timed (reading the rows back is not).
double RawFloorSeconds(const fs::path& ulb_file, const fs::path& raw_file, int64_t entries_before,
                       const std::vector<int64_t>& entries_after, int64_t batch,
                       const std::string& fy) {
  fs::remove(raw_file);
  sqlite3* db = nullptr;
  CheckSql(sqlite3_open(raw_file.c_str(), &db), db, "open");
  CheckSql(sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", nullptr, nullptr,
                        nullptr),
           db, "pragmas");
  const std::string attach = "ATTACH DATABASE '" + ulb_file.string() + "' AS src";
  CheckSql(sqlite3_exec(db, attach.c_str(), nullptr, nullptr, nullptr), db, "attach");
  {
    sqlite3_stmt* schema = Prepare(
        db,
        "SELECT sql FROM src.sqlite_schema WHERE tbl_name IN ('ledger_entries', 'pt_account',"
        " 'pt_demands') AND sql IS NOT NULL ORDER BY type = 'index'");
    while (sqlite3_step(schema) == SQLITE_ROW) {
      const std::string sql = reinterpret_cast<const char*>(sqlite3_column_text(schema, 0));
      CheckSql(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), db, "schema");
    }
    sqlite3_finalize(schema);
  }
  auto insert = [&](const char* table, int columns) {
    std::string marks;
    for (int i = 0; i < columns; ++i) marks += i ? ", ?" : "?";
    return Prepare(db, fmt::format("INSERT INTO main.{} VALUES ({})", table, marks));
  };
  // The raise inserts in register order, which is id order for the bench's two-digit wards.
  sqlite3_stmt* demands = Prepare(db,
                                  "SELECT * FROM src.pt_demands WHERE fy = ?1 AND property_id > ?2"
                                  " ORDER BY property_id LIMIT ?3");
  sqlite3_stmt* account =
      Prepare(db, "SELECT * FROM src.pt_account WHERE property_id = ? AND fy = ?");
  sqlite3_stmt* entries =
      Prepare(db,
              "SELECT * FROM src.ledger_entries WHERE origin = (SELECT origin FROM"
              " src.ledger_entries LIMIT 1) AND seq > ? ORDER BY seq LIMIT ?");
  sqlite3_stmt* put_demand = insert("pt_demands", sqlite3_column_count(demands));
  sqlite3_stmt* put_account = insert("pt_account", sqlite3_column_count(account));
  sqlite3_stmt* put_entry = insert("ledger_entries", sqlite3_column_count(entries));
  sqlite3_stmt* begin = Prepare(db, "BEGIN");
  sqlite3_stmt* commit = Prepare(db, "COMMIT");
  // The demand rows of one batch, then their accounts, then the entries its command wrote.
  std::vector<std::string> ids;
  size_t command = 0;
  std::string last_id;
  int64_t entries_done = entries_before;
  double seconds = 0;
  for (;;) {
    sqlite3_bind_text(demands, 1, fy.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(demands, 2, last_id.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(demands, 3, batch);
    auto t0 = Clock::now();
    CheckSql(sqlite3_step(begin), db, "begin");
    sqlite3_reset(begin);
    seconds += Seconds(t0);
    ids.clear();
    int rc;
    while ((rc = sqlite3_step(demands)) == SQLITE_ROW) {
      ids.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(demands, 0)));
      last_id = ids.back();
      seconds += CopyRow(db, demands, put_demand);
    }
    CheckSql(rc, db, "read demands");
    sqlite3_reset(demands);
    for (const auto& id : ids) {
      sqlite3_bind_text(account, 1, id.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(account, 2, fy.c_str(), -1, SQLITE_TRANSIENT);
      while (sqlite3_step(account) == SQLITE_ROW) seconds += CopyRow(db, account, put_account);
      sqlite3_reset(account);
    }
    const int64_t written =
        command < entries_after.size() ? entries_after[command] - entries_done : 0;
    ++command;
    sqlite3_bind_int64(entries, 1, entries_done);
    sqlite3_bind_int64(entries, 2, written);
    while (sqlite3_step(entries) == SQLITE_ROW) {
      seconds += CopyRow(db, entries, put_entry);
      ++entries_done;
    }
    sqlite3_reset(entries);
    t0 = Clock::now();
    CheckSql(sqlite3_step(commit), db, "commit");
    sqlite3_reset(commit);
    seconds += Seconds(t0);
    if (static_cast<int64_t>(ids.size()) < batch) break;
  }
  for (auto* st : {demands, account, entries, put_demand, put_account, put_entry, begin, commit}) {
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(raw_file.string() + suffix);
  return seconds;
}

// Registers `properties` made-up properties in a fresh data directory `root` (20 wards in 5
// zones) and sets the demo 2026-27 rate table.
void SetUp(const fs::path& root, int64_t properties) {
  Check(ledger::InitDataDir(root), "init");
  auto opened =
      ledger::LedgerSet::Open(root, cli::StateProjections(), cli::UlbProjections(), nullptr);
  Check(opened.status(), "open");
  ledger::LedgerSet& ledgers = **opened;
  // The register: 20 wards, in the three zones the demo rate table prices.
  registry::Registry reg(ledgers);
  Check(reg.AddUlb("bench", {kUlb, "Indore", "इंदौर", "corporation", "Indore"}).status(), "ulb");
  std::vector<property_tax::SampleWard> wards;
  for (int w = 1; w <= 20; ++w) {
    const std::string name = fmt::format("Ward {}", w);
    const std::string name_hi = fmt::format("वार्ड {}", w);
    Check(reg.AddWard("bench", kUlb, {w, name, name_hi, fmt::format("Zone {}", (w - 1) % 3 + 1)})
              .status(),
          "ward");
    wards.push_back({w, name, name_hi});
  }
  property_tax::PropertySamples samples(152, wards);
  property_tax::PropertyRegister register_(ledgers);
  for (int64_t done = 0; done < properties;) {
    std::vector<property_tax::PropertyDetails> batch;
    for (; done < properties && batch.size() < 500; ++done) batch.push_back(samples.Next());
    Check(register_.RegisterBatch(kUlb, "bench", batch).status(), "properties");
  }
  const FinancialYear fy = *FinancialYear::Parse("2026-27");
  Check(property_tax::Billing(ledgers)
            .SetRates(kUlb, {"bench", "", ""}, property_tax::DemoRateTable(fy), "bench")
            .status(),
        "rates");
  ledgers.Close();
}

int Main(int argc, char** argv) {
  const Flags flags = ParseFlags(argc, argv);
  const fs::path root = fs::path(flags.dir) / fmt::format("palika-demand-bench-{}", getpid());
  fs::remove_all(root);
  const auto setup_started = Clock::now();
  bool reused = false;
  if (flags.setup_dir.empty()) {
    SetUp(root, flags.properties);
  } else {
    // A kept set is re-used only for the same size; its marker is written once it is complete.
    const fs::path kept = fs::path(flags.setup_dir) / fmt::format("set-{}", flags.properties);
    if (!fs::exists(kept / "complete")) {
      fs::remove_all(kept);
      fs::create_directories(kept.parent_path());
      SetUp(kept, flags.properties);
      std::FILE* marker = std::fopen((kept / "complete").c_str(), "w");
      if (marker == nullptr)
        Check(Status::IOError("cannot write " + (kept / "complete").string()), "setup-dir");
      std::fclose(marker);
    } else {
      reused = true;
    }
    fs::copy(kept, root, fs::copy_options::recursive);
    fs::remove(root / "complete");
  }
  const double setup_seconds = Seconds(setup_started);
  auto opened =
      ledger::LedgerSet::Open(root, cli::StateProjections(), cli::UlbProjections(), nullptr);
  Check(opened.status(), "open");
  ledger::LedgerSet& ledgers = **opened;
  const FinancialYear fy = *FinancialYear::Parse("2026-27");
  const auto entries_before = static_cast<int64_t>((*ledgers.Ulb(kUlb))->size());

  property_tax::DemandOptions options;
  options.batch = flags.batch;
  // The ledger's size after each command, for the raw floor's transactions.
  std::vector<int64_t> entries_after;
  ledger::Ledger* ulb_ledger = *ledgers.Ulb(kUlb);
  // The CPU of the ledger's threads and of the raise's pricer (which ends with the raise: read
  // every tenth batch).
  const std::string ulb_name = kUlb;
  struct ThreadsCpu {
    double writer = 0, sync = 0, wal = 0, pricer = 0;
  };
  auto threads_cpu = [&] {
    return ThreadsCpu{
        NamedThreadsCpuSeconds("writer-" + ulb_name), NamedThreadsCpuSeconds("sync-" + ulb_name),
        NamedThreadsCpuSeconds("walckpt-" + ulb_name), NamedThreadsCpuSeconds("price-" + ulb_name)};
  };
  ThreadsCpu cpu_at_start = threads_cpu(), cpu_late;
  options.progress = [&](int64_t, int64_t) {
    entries_after.push_back(static_cast<int64_t>(ulb_ledger->size()));
    if (entries_after.size() % 10 == 1) cpu_late = threads_cpu();
  };
  // What a payment would wait while the raise runs: a command that writes nothing, submitted
  // every 20 ms, waits for the writer's batches ahead of it and their sync like any other.
  std::atomic<bool> raising{true};
  std::vector<double> waits_ms;
  std::thread probe([&] {
    while (raising.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      ledger::Command c;
      c.actor = "bench";
      c.decide = [](store::Transaction&, int64_t) -> Result<ledger::Decision> {
        return ledger::Decision{};
      };
      const auto t0 = Clock::now();
      Check(ulb_ledger->Submit(std::move(c)).status(), "probe");
      waits_ms.push_back(Seconds(t0) * 1000);
    }
  });
  const auto raise_started = Clock::now();
  const double cpu_started = ProcessCpuSeconds();
  auto first = property_tax::RaiseDemand(ledgers, kUlb, "bench", fy, options);
  const double raise_seconds = Seconds(raise_started);
  const double raise_cpu = ProcessCpuSeconds() - cpu_started;
  const ThreadsCpu cpu_at_end = threads_cpu();
  raising = false;
  probe.join();
  Check(first.status(), "raise");
  std::sort(waits_ms.begin(), waits_ms.end());
  auto wait_at = [&](double q) {
    return waits_ms.empty()
               ? 0.0
               : waits_ms[std::min(waits_ms.size() - 1, static_cast<size_t>(q * waits_ms.size()))];
  };
  options.progress = nullptr;
  const auto again_started = Clock::now();
  auto second = property_tax::RaiseDemand(ledgers, kUlb, "bench", fy, options);
  const double again_seconds = Seconds(again_started);
  Check(second.status(), "raise again");
  auto progress = property_tax::GetDemandProgress(ledgers, kUlb, fy);
  Check(progress.status(), "progress");
  const uint64_t entries = (*ledgers.Ulb(kUlb))->size();
  ledgers.Close();
  const fs::path ulb_file = root / "ulb" / (std::string(kUlb) + ".db");
  const double file_mb = static_cast<double>(fs::file_size(ulb_file)) / 1e6;
  const double raw_seconds = RawFloorSeconds(ulb_file, root / "raw-floor.db", entries_before,
                                             entries_after, flags.batch, fy.Format());

  utsname u{};
  uname(&u);
  fmt::print("palika_demand_bench on {} {} ({} CPUs, load {}), data in {}\n", u.sysname, u.machine,
             sysconf(_SC_NPROCESSORS_ONLN), LoadAverage(), flags.dir);
  fmt::print("setup:   {} properties registered and the demo 2026-27 rates set in {:.1f} s{}\n",
             flags.properties, setup_seconds, reused ? " (a copy of the kept set)" : "");
  fmt::print(
      "raise:   {} demands ({} failed) in {:.2f} s = {:.0f} properties/s, {} per command; "
      "total {}; CPU {:.2f} s = {:.1f} µs a property\n",
      first->raised, first->failed, raise_seconds,
      static_cast<double>(first->properties) / raise_seconds, flags.batch, first->total.Format(),
      raise_cpu, raise_cpu * 1e6 / static_cast<double>(first->properties));
  const double per_property = 1e6 / static_cast<double>(first->properties);
  fmt::print(
      "threads: writer {:.2f} s = {:.1f} µs a property, sync {:.2f} s, WAL checkpointer {:.2f} s, "
      "pricer {:.2f} s (to ~10 batches before the end), the rest {:.2f} s; {} batches priced "
      "ahead\n",
      cpu_at_end.writer - cpu_at_start.writer,
      (cpu_at_end.writer - cpu_at_start.writer) * per_property, cpu_at_end.sync - cpu_at_start.sync,
      cpu_at_end.wal - cpu_at_start.wal, cpu_late.pricer,
      raise_cpu - (cpu_at_end.writer - cpu_at_start.writer) -
          (cpu_at_end.sync - cpu_at_start.sync) - (cpu_at_end.wal - cpu_at_start.wal) -
          cpu_late.pricer,
      first->priced_ahead);
  fmt::print(
      "waits:   a command that writes nothing, every 20 ms during the raise ({}): p50 {:.1f} ms, "
      "p99 {:.1f} ms, max {:.1f} ms\n",
      waits_ms.size(), wait_at(0.5), wait_at(0.99), waits_ms.empty() ? 0.0 : waits_ms.back());
  fmt::print("re-run:  {} already raised, {} raised, in {:.2f} s = {:.0f} properties/s\n",
             second->already_raised, second->raised, again_seconds,
             static_cast<double>(second->properties) / again_seconds);
  fmt::print("ledger:  {} entries, {:.1f} MB; progress reads {} / {} raised\n", entries, file_mb,
             progress->raised, progress->properties);
  fmt::print(
      "raw:     SQLite {} inserting the same rows (the raise's entries, pt_account and pt_demands, "
      "same tables and indexes, WAL, synchronous=FULL, {} properties per transaction): {:.2f} s "
      "= {:.0f} properties/s; palika/raw = {:.2f}\n",
      sqlite3_libversion(), flags.batch, raw_seconds,
      static_cast<double>(first->raised) / raw_seconds, raw_seconds / raise_seconds);
  if (!flags.keep) fs::remove_all(root);
  const bool ok = first->raised == flags.properties && second->raised == 0 &&
                  progress->raised == flags.properties;
  if (!ok) fmt::print(stderr, "UNEXPECTED: not every property got exactly one demand\n");
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace palika::bench

int main(int argc, char** argv) { return palika::bench::Main(argc, argv); }
