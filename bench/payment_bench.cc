// palika_payment_bench: counter payments per second and their latency through the real ledger,
// with N cashiers collecting at once. Run by `make bench` (or by hand).
//
//   palika_payment_bench [--cashiers=1,8,32] [--seconds=5] [--properties=2000] [--dir=/var/tmp]
//                        [--keep]
//
// Each run uses a fresh data directory under --dir (fsync on; /var/tmp stays on disk where /tmp
// may be a tmpfs that flatters): one ULB with --properties properties, the demo rate tables and
// both years' demand (LoadDemoBilling), then N cashier threads, each on its own counter, each
// calling Payments::Collect one payment after another with a new Idempotency-Key, on a property
// chosen at random. A payment is the whole command: read the property and its dues, allocate,
// take the receipt number, append payment.received + journal.posted + the idempotency record,
// apply them, group commit. Printed: payments/s, p50/p99/max latency of Collect, entries per
// payment, whether the receipt series came out gapless, and the CPU time the ULB's ledger writer
// thread spent a payment (the serial part of a ULB's payments).

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "cli/app.h"
#include "ledger/ledger_set.h"
#include "services/payments/payments.h"
#include "services/property_tax/billing.h"
#include "services/property_tax/property_samples.h"
#include "services/property_tax/register.h"
#include "services/registry/registry.h"

namespace palika::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr char kUlb[] = "0152";

struct Flags {
  std::vector<int> cashiers = {1, 8, 32};
  double seconds = 5;
  int properties = 2000;
  std::string dir = "/var/tmp";
  bool keep = false;
};

[[noreturn]] void Usage(int code) {
  fmt::print(
      "usage: palika_payment_bench [--cashiers=1,8,32] [--seconds=5] [--properties=2000]\n"
      "                            [--dir=/var/tmp] [--keep]\n");
  std::exit(code);
}

Flags ParseFlags(int argc, char** argv) {
  Flags f;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    try {
      if (a == "--help" || a == "-h") Usage(0);
      if (a == "--keep") {
        f.keep = true;
      } else if (auto v = FlagValue(a, "cashiers")) {
        f.cashiers.clear();
        std::stringstream ss(*v);
        for (std::string n; std::getline(ss, n, ',');) f.cashiers.push_back(std::stoi(n));
      } else if (auto v = FlagValue(a, "seconds")) {
        f.seconds = std::stod(*v);
      } else if (auto v = FlagValue(a, "properties")) {
        f.properties = std::stoi(*v);
      } else if (auto v = FlagValue(a, "dir")) {
        f.dir = *v;
      } else {
        Usage(2);
      }
    } catch (const std::exception&) {
      Usage(2);
    }
  }
  if (f.cashiers.empty() || f.seconds <= 0 || f.properties < 1) Usage(2);
  return f;
}

// A data directory with the ULB, its properties, rates and demand; returns the property ids.
std::vector<std::string> Prepare(ledger::LedgerSet& ledgers, int properties) {
  registry::Registry reg(ledgers);
  Check(reg.AddUlb("bench", {kUlb, "Indore", "इंदौर", "corporation", "Indore"}).status(), "ulb");
  std::vector<property_tax::SampleWard> wards;
  for (int w = 1; w <= 20; ++w) {
    const std::string name = fmt::format("Ward {}", w);
    const std::string name_hi = fmt::format("वार्ड {}", w);
    Check(reg.AddWard("bench", kUlb, {w, name, name_hi, fmt::format("Zone {}", (w + 3) / 4)})
              .status(),
          "ward");
    wards.push_back({w, name, name_hi});
  }
  property_tax::PropertySamples samples(152, wards);
  property_tax::PropertyRegister reg_props(ledgers);
  std::vector<std::string> ids;
  for (int done = 0; done < properties;) {
    std::vector<property_tax::PropertyDetails> batch;
    for (; done < properties && batch.size() < 500; ++done) batch.push_back(samples.Next());
    auto r = reg_props.RegisterBatch(kUlb, "bench", batch);
    Check(r.status(), "properties");
    ids.insert(ids.end(), r->begin(), r->end());
  }
  Check(property_tax::LoadDemoBilling(ledgers, kUlb, "bench"), "demo billing");
  return ids;
}

struct RunFigures {
  int64_t payments = 0;
  int64_t errors = 0;
  double seconds = 0;
  std::vector<double> latency_ms;
  uint64_t entries = 0;
  double writer_cpu_seconds = 0;  // the ULB's ledger writer thread's CPU time (user + system)
};

RunFigures Run(ledger::LedgerSet& ledgers, const std::vector<std::string>& ids, int cashiers,
               double seconds, int round) {
  RunFigures out;
  std::atomic<bool> stop{false};
  std::vector<std::vector<double>> latencies(static_cast<size_t>(cashiers));
  std::atomic<int64_t> errors{0};
  const uint64_t entries_before = (*ledgers.Ulb(kUlb))->size();
  std::vector<std::thread> threads;
  const double writer0 = NamedThreadsCpuSeconds(std::string("writer-") + kUlb);
  const auto start = Clock::now();
  for (int c = 0; c < cashiers; ++c) {
    threads.emplace_back([&, c] {
      payments::Payments pay(ledgers);
      std::mt19937_64 rng(static_cast<uint64_t>(round * 1000 + c));
      std::uniform_int_distribution<size_t> pick(0, ids.size() - 1);
      std::uniform_int_distribution<int64_t> rupees(100, 20'000);
      for (int64_t n = 0; !stop; ++n) {
        payments::PaymentInput in;
        in.property_id = ids[pick(rng)];
        in.amount = Money::FromRupees(rupees(rng));
        in.mode = "cash";
        in.counter = fmt::format("B{}X{}", round, c);
        in.cashier_name = fmt::format("Cashier {}", c);
        in.ulb_name = "Indore";
        in.ulb_name_hi = "इंदौर";
        const std::string key = fmt::format("bench-{}-{}-{}", round, c, n);
        const auto t0 = Clock::now();
        auto r = pay.Collect(kUlb, {"usr_bench", key, "h-" + key}, in);
        const auto t1 = Clock::now();
        if (!r.ok()) {
          if (errors++ == 0) fmt::print(stderr, "payment refused: {}\n", r.status().ToString());
          continue;
        }
        latencies[static_cast<size_t>(c)].push_back(
            std::chrono::duration<double, std::milli>(t1 - t0).count());
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& t : threads) t.join();
  out.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  out.writer_cpu_seconds = NamedThreadsCpuSeconds(std::string("writer-") + kUlb) - writer0;
  for (auto& l : latencies) out.latency_ms.insert(out.latency_ms.end(), l.begin(), l.end());
  out.payments = static_cast<int64_t>(out.latency_ms.size());
  out.errors = errors;
  out.entries = (*ledgers.Ulb(kUlb))->size() - entries_before;
  return out;
}

// Every counter of the round: count == max serial (no gap, no duplicate).
bool Gapless(ledger::LedgerSet& ledgers, int round) {
  bool ok = true;
  Check((*ledgers.Ulb(kUlb))->Read([&](store::Transaction& tx) -> Status {
    PALIKA_ASSIGN_OR_RETURN(
        auto rows, tx.Query("SELECT series, COUNT(*), MAX(serial), MIN(serial) FROM payments "
                            "WHERE series LIKE ? GROUP BY series",
                            {fmt::format("B{}X%", round)}));
    for (const auto& r : rows) ok = ok && r.Int(1) == r.Int(2) && r.Int(3) == 1;
    return Status::OK();
  }),
        "gapless check");
  return ok;
}

}  // namespace
}  // namespace palika::bench

int main(int argc, char** argv) {
  using namespace palika;         // NOLINT: a program's main file
  using namespace palika::bench;  // NOLINT
  const Flags flags = ParseFlags(argc, argv);
  spdlog::set_level(spdlog::level::warn);
  const fs::path root = fs::path(flags.dir) / fmt::format("palika-payment-bench-{}", getpid());
  fs::remove_all(root);
  Check(ledger::InitDataDir(root), "init");

  utsname u{};
  uname(&u);
  fmt::print("Palika payment benchmark (bench/payment_bench.cc)\n");
  fmt::print("machine: {} {} {}, {} CPUs; SQLite {}; data in {}\n", u.sysname, u.release, u.machine,
             std::thread::hardware_concurrency(), sqlite3_libversion(), root.string());
  {
    auto set =
        ledger::LedgerSet::Open(root, cli::StateProjections(), cli::UlbProjections(), nullptr);
    Check(set.status(), "open");
    auto& ledgers = **set;
    const auto t0 = Clock::now();
    const std::vector<std::string> ids = Prepare(ledgers, flags.properties);
    fmt::print(
        "setup:   {} properties, demo rates and demand for 2025-26 and 2026-27 in {:.1f} s\n",
        ids.size(), std::chrono::duration<double>(Clock::now() - t0).count());
    fmt::print("{:>9} {:>10} {:>12} {:>9} {:>9} {:>9} {:>10} {:>8} {:>11}\n", "cashiers",
               "payments", "payments/s", "p50 ms", "p99 ms", "max ms", "entries/p", "gapless",
               "writer us/p");
    int round = 0;
    for (int cashiers : flags.cashiers) {
      RunFigures f = Run(ledgers, ids, cashiers, flags.seconds, round);
      const double per_s = static_cast<double>(f.payments) / f.seconds;
      const double p50 = Percentile(f.latency_ms, 0.50);
      const double p99 = Percentile(f.latency_ms, 0.99);
      const double max =
          f.latency_ms.empty() ? 0 : *std::max_element(f.latency_ms.begin(), f.latency_ms.end());
      fmt::print(
          "{:>9} {:>10} {:>12.0f} {:>9.2f} {:>9.2f} {:>9.2f} {:>10.2f} {:>8} {:>11.0f}\n", cashiers,
          f.payments, per_s, p50, p99, max,
          f.payments ? static_cast<double>(f.entries) / static_cast<double>(f.payments) : 0.0,
          Gapless(ledgers, round) ? "yes" : "NO",
          f.payments ? f.writer_cpu_seconds * 1e6 / static_cast<double>(f.payments) : 0.0);
      if (f.errors) fmt::print("          ({} payments refused)\n", f.errors);
      ++round;
    }
    ledgers.Close();
  }
  if (!flags.keep) fs::remove_all(root);
  return 0;
}
