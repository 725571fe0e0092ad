// palika_demand_bench: how fast a ULB's yearly property-tax demand is raised (issue "Billing":
// "properties per second for a demand raise over e.g. 100,000 properties"). Run by `make bench`.
//
//   palika_demand_bench [--properties=100000] [--batch=500] [--dir=/var/tmp] [--keep]
//
// Builds a data directory with one ULB (20 wards in 5 zones) and --properties made-up properties
// (PropertySamples, registered through the ledger in commands of 500), sets the demo rate table
// for 2026-27, then raises the year's demand with RaiseDemand — the code behind `palika demand
// raise` and POST /api/v1/ulbs/{ulb}/demands: per property a decide (latest return or the register
// record priced by Assess) and a demand.raised entry applied to pt_account and pt_demands, --batch
// properties per command, each command one transaction and one fsync (synchronous=FULL), the
// Merkle tree and checkpoints as in production. Prints properties per second for the raise, and
// for a second run that finds every demand raised (the idempotent re-run after a crash).

#include <fmt/format.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

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

constexpr char kUlb[] = "0152";

struct Flags {
  int64_t properties = 100000;
  int64_t batch = property_tax::kDefaultDemandBatch;
  std::string dir = "/var/tmp";
  bool keep = false;
};

[[noreturn]] void Usage(const std::string& bad) {
  fmt::print(stderr,
             "palika_demand_bench: unknown or malformed flag '{}'\n"
             "usage: palika_demand_bench [--properties=100000] [--batch=500] [--dir=/var/tmp] "
             "[--keep]\n",
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

void Check(const Status& s, const char* what) {
  if (!s.ok()) {
    fmt::print(stderr, "{}: {}\n", what, s.ToString());
    std::exit(1);
  }
}

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

int Main(int argc, char** argv) {
  const Flags flags = ParseFlags(argc, argv);
  const fs::path root = fs::path(flags.dir) / fmt::format("palika-demand-bench-{}", getpid());
  fs::remove_all(root);
  Check(ledger::InitDataDir(root), "init");
  auto opened =
      ledger::LedgerSet::Open(root, cli::StateProjections(), cli::UlbProjections(), nullptr);
  Check(opened.status(), "open");
  ledger::LedgerSet& ledgers = **opened;

  // The register: 20 wards, in the three zones the demo rate table prices.
  const auto setup_started = Clock::now();
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
  property_tax::PropertyRegister properties(ledgers);
  for (int64_t done = 0; done < flags.properties;) {
    std::vector<property_tax::PropertyDetails> batch;
    for (; done < flags.properties && batch.size() < 500; ++done) batch.push_back(samples.Next());
    Check(properties.RegisterBatch(kUlb, "bench", batch).status(), "properties");
  }
  const FinancialYear fy = *FinancialYear::Parse("2026-27");
  Check(property_tax::Billing(ledgers)
            .SetRates(kUlb, {"bench", "", ""}, property_tax::DemoRateTable(fy), "bench")
            .status(),
        "rates");
  const double setup_seconds = Seconds(setup_started);

  property_tax::DemandOptions options;
  options.batch = flags.batch;
  const auto raise_started = Clock::now();
  auto first = property_tax::RaiseDemand(ledgers, kUlb, "bench", fy, options);
  const double raise_seconds = Seconds(raise_started);
  Check(first.status(), "raise");
  const auto again_started = Clock::now();
  auto second = property_tax::RaiseDemand(ledgers, kUlb, "bench", fy, options);
  const double again_seconds = Seconds(again_started);
  Check(second.status(), "raise again");
  auto progress = property_tax::GetDemandProgress(ledgers, kUlb, fy);
  Check(progress.status(), "progress");
  const uint64_t entries = (*ledgers.Ulb(kUlb))->size();
  ledgers.Close();
  const double file_mb =
      static_cast<double>(fs::file_size(root / "ulb" / (std::string(kUlb) + ".db"))) / 1e6;

  utsname u{};
  uname(&u);
  fmt::print("palika_demand_bench on {} {} ({} CPUs), data in {}\n", u.sysname, u.machine,
             sysconf(_SC_NPROCESSORS_ONLN), flags.dir);
  fmt::print("setup:   {} properties registered and the demo 2026-27 rates set in {:.1f} s\n",
             flags.properties, setup_seconds);
  fmt::print(
      "raise:   {} demands ({} failed) in {:.2f} s = {:.0f} properties/s, {} per command; "
      "total {}\n",
      first->raised, first->failed, raise_seconds,
      static_cast<double>(first->properties) / raise_seconds, flags.batch, first->total.Format());
  fmt::print("re-run:  {} already raised, {} raised, in {:.2f} s = {:.0f} properties/s\n",
             second->already_raised, second->raised, again_seconds,
             static_cast<double>(second->properties) / again_seconds);
  fmt::print("ledger:  {} entries, {:.1f} MB; progress reads {} / {} raised\n", entries, file_mb,
             progress->raised, progress->properties);
  if (!flags.keep) fs::remove_all(root);
  const bool ok = first->raised == flags.properties && second->raised == 0 &&
                  progress->raised == flags.properties;
  if (!ok) fmt::print(stderr, "UNEXPECTED: not every property got exactly one demand\n");
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace palika::bench

int main(int argc, char** argv) { return palika::bench::Main(argc, argv); }
