// The billing subcommands of palika:
//   palika rates set    --data DIR --ulb CODE --file rates.json --reason TEXT
//   palika rates show   --data DIR --ulb CODE --fy 2026-27
//   palika demand raise --data DIR --ulb CODE --fy 2026-27     (progress on the terminal)
//   palika dues         --data DIR --ulb CODE --property ID [--on YYYY-MM-DD] [--online]
//   palika outage declare --data DIR --from DATE --to DATE --reason TEXT [--ulb CODE ...]
//   palika outage sync  --data DIR     (copies declared outages into ULB ledgers that lack them)
//   palika outage list  --data DIR
// Each opens the data directory with App::Open (so not while a server holds it) and prints what
// it did, or a bilingual error and a non-zero exit code.

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>

#include "cli/app.h"
#include "cli/commands.h"
#include "core/json.h"
#include "services/property_tax/billing.h"
#include "services/property_tax/demand.h"

namespace palika::cli {
namespace json = boost::json;
namespace pt = property_tax;

namespace {

constexpr char kActor[] = "cli";

// 40000 -> "40,000".
std::string Grouped(int64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

Result<FinancialYear> Year(const std::string& text) {
  auto fy = FinancialYear::Parse(text);
  if (!fy.ok()) {
    return Status::InvalidArgument(
        "invalid_field", "--fy '" + text + "' is not a financial year; write it like 2026-27.",
        "--fy '" + text + "' वित्तीय वर्ष नहीं है; इसे 2026-27 की तरह लिखें।");
  }
  return *fy;
}

Result<CivilDate> Date(const std::string& option, const std::string& text) {
  auto d = CivilDate::Parse(text);
  if (!d.ok()) {
    return Status::InvalidArgument(
        "invalid_field", option + " '" + text + "' is not a date; write it like 2026-06-30.",
        option + " '" + text + "' तारीख नहीं है; इसे 2026-06-30 की तरह लिखें।");
  }
  return *d;
}

int RatesSet(const std::string& dir, const std::string& ulb, const std::string& file,
             const std::string& reason) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return Fail(
        Status::NotFound("no_file", "Cannot read " + file + ".", file + " पढ़ी नहीं जा सकी।"));
  }
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto obj = ParseJsonObject(text);
  if (!obj.ok()) return Fail(obj.status());
  auto table = pt::RateTableFromJson(*obj);
  if (!table.ok()) return Fail(table.status());
  auto app = App::Open(dir);
  if (!app.ok()) return Fail(app.status());
  auto r = pt::Billing((*app)->ledgers()).SetRates(ulb, {kActor, "", ""}, *table, reason);
  if (!r.ok()) return Fail(r.status());
  if (r->changed) {
    std::cout << "Rates for " << r->fy.Format() << " set in ULB " << ulb << ": version "
              << r->version << ".\n";
  } else {
    std::cout << "Rates for " << r->fy.Format() << " in ULB " << ulb
              << " are already this table (version " << r->version << "); nothing written.\n";
  }
  return 0;
}

int RatesShow(const std::string& dir, const std::string& ulb, const std::string& year) {
  auto fy = Year(year);
  if (!fy.ok()) return Fail(fy.status());
  auto app = App::Open(dir);
  if (!app.ok()) return Fail(app.status());
  auto r = pt::Billing((*app)->ledgers()).GetRates(ulb, *fy);
  if (!r.ok()) return Fail(r.status());
  std::cerr << "# " << fy->Format() << " version " << r->version << " (" << r->reason << ", "
            << FormatUtcMicros(r->set_us) << ")\n";
  std::cout << json::serialize(pt::RateTableToJson(r->table)) << "\n";
  return 0;
}

int DemandRaise(const std::string& dir, const std::string& ulb, const std::string& year,
                int64_t batch) {
  auto fy = Year(year);
  if (!fy.ok()) return Fail(fy.status());
  auto app = App::Open(dir);
  if (!app.ok()) return Fail(app.status());
  const bool tty = isatty(STDERR_FILENO);
  const auto start = std::chrono::steady_clock::now();
  auto last_line = start - std::chrono::seconds(10);
  pt::DemandOptions options;
  options.batch = batch;
  // One line rewritten on a terminal; a line every 5 seconds into a log.
  options.progress = [&](int64_t done, int64_t total) {
    const auto now = std::chrono::steady_clock::now();
    if (!tty && now - last_line < std::chrono::seconds(5) && done < total) return;
    last_line = now;
    std::cerr << (tty ? "\r" : "") << "  " << Grouped(done) << " / " << Grouped(total)
              << " properties   " << (tty ? "" : "\n") << std::flush;
  };
  auto run = pt::RaiseDemand((*app)->ledgers(), ulb, kActor, *fy, options);
  if (tty) std::cerr << "\n";
  if (!run.ok()) return Fail(run.status());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "Demand " << fy->Format() << " in ULB " << ulb << ": " << Grouped(run->raised)
            << " raised (" << run->total.Format() << "), " << Grouped(run->already_raised)
            << " already raised, " << Grouped(run->failed) << " could not be priced; "
            << Grouped(run->properties) << " properties in " << fmt::format("{:.1f}", seconds)
            << " s.\n";
  for (const auto& f : run->failures) {
    std::cout << "  " << f.property_id << ": " << f.why.message() << "\n";
  }
  if (run->failed > static_cast<int64_t>(run->failures.size())) {
    std::cout << "  ... and " << run->failed - static_cast<int64_t>(run->failures.size())
              << " more.\n";
  }
  return run->failed > 0 ? 2 : 0;
}

int ShowDues(const std::string& dir, const std::string& ulb, const std::string& property,
             const std::string& on_text, bool online) {
  CivilDate on = CivilDate::TodayIst(std::chrono::system_clock::now());
  if (!on_text.empty()) {
    auto d = Date("--on", on_text);
    if (!d.ok()) return Fail(d.status());
    on = *d;
  }
  auto id = pt::CanonicalPropertyId(property);
  if (!id.ok()) return Fail(id.status());
  auto app = App::Open(dir);
  if (!app.ok()) return Fail(app.status());
  auto dues = pt::Billing((*app)->ledgers()).DuesOf(ulb, *id, on, online);
  if (!dues.ok()) return Fail(dues.status());
  json::object out = pt::DuesToJson(*dues);
  out["property_id"] = *id;
  std::cout << json::serialize(out) << "\n";
  return 0;
}

int OutageDeclare(const std::string& dir, const std::string& from, const std::string& to,
                  const std::string& reason, const std::vector<std::string>& ulbs) {
  pt::OutageDeclaration d;
  auto f = Date("--from", from);
  if (!f.ok()) return Fail(f.status());
  auto t = Date("--to", to);
  if (!t.ok()) return Fail(t.status());
  d.from = *f;
  d.to = *t;
  d.reason = reason;
  d.ulbs = ulbs;
  auto app = App::Open(dir);
  if (!app.ok()) return Fail(app.status());
  pt::Billing billing((*app)->ledgers());
  auto o = billing.DeclareOutage({kActor, "", ""}, d);
  if (!o.ok()) return Fail(o.status());
  std::cout << "Outage " << o->id << " declared: " << o->from.Format() << " to " << o->to.Format()
            << " (" << o->from.DaysUntil(o->to) + 1 << " days), "
            << (o->all_ulbs ? "every ULB" : "ULBs") << " (" << o->ulbs.size() << ").\n";
  // DeclareOutage copied it where it could; say whether any copy is still owed.
  auto again = billing.SyncOutages(kActor);
  if (!again.ok()) {
    std::cerr << "Some ULBs did not get their copy yet; run `palika outage sync` once they are "
                 "available.\n";
    return Fail(again.status());
  }
  return 0;
}

int OutageSync(const std::string& dir) {
  auto app = App::Open(dir);
  if (!app.ok()) return Fail(app.status());
  auto n = pt::Billing((*app)->ledgers()).SyncOutages(kActor);
  if (!n.ok()) return Fail(n.status());
  std::cout << *n << " outage copies written into ULB ledgers.\n";
  return 0;
}

int OutageList(const std::string& dir) {
  auto app = App::Open(dir);
  if (!app.ok()) return Fail(app.status());
  auto list = pt::Billing((*app)->ledgers()).Outages();
  if (!list.ok()) return Fail(list.status());
  for (const auto& o : *list) std::cout << json::serialize(pt::OutageJson(o)) << "\n";
  return 0;
}

}  // namespace

void AddBillingCommands(CLI::App& cli, std::vector<CommandRun>& runs) {
  // The parsed options, shared by the subcommands' runs (which outlive this function).
  struct Options {
    std::string dir, ulb, file, reason, fy, property, on, from, to;
    bool online = false;
    int64_t batch = pt::kDefaultDemandBatch;
    std::vector<std::string> ulbs;
  };
  auto o = std::make_shared<Options>();

  auto* rates = cli.add_subcommand("rates", "Property-tax rate tables, per ULB and year");
  rates->require_subcommand(1);
  auto* rates_set = rates->add_subcommand("set", "Set a year's rate table from a JSON file");
  rates_set->add_option("--data", o->dir, "Data directory")->required();
  rates_set->add_option("--ulb", o->ulb, "ULB code")->required();
  rates_set->add_option("--file", o->file, "Rate table JSON (docs/property-tax-billing.md)")
      ->required();
  rates_set->add_option("--reason", o->reason, "The resolution that fixed the rates")->required();
  runs.push_back({rates_set, [o] { return RatesSet(o->dir, o->ulb, o->file, o->reason); }});
  auto* rates_show = rates->add_subcommand("show", "Print a year's rate table as JSON");
  rates_show->add_option("--data", o->dir, "Data directory")->required();
  rates_show->add_option("--ulb", o->ulb, "ULB code")->required();
  rates_show->add_option("--fy", o->fy, "Financial year, e.g. 2026-27")->required();
  runs.push_back({rates_show, [o] { return RatesShow(o->dir, o->ulb, o->fy); }});

  auto* demand = cli.add_subcommand("demand", "The yearly property-tax demand");
  demand->require_subcommand(1);
  auto* demand_raise =
      demand->add_subcommand("raise", "Raise the year's demand for every property (idempotent)");
  demand_raise->add_option("--data", o->dir, "Data directory")->required();
  demand_raise->add_option("--ulb", o->ulb, "ULB code")->required();
  demand_raise->add_option("--fy", o->fy, "Financial year, e.g. 2026-27")->required();
  demand_raise
      ->add_option("--batch", o->batch,
                   "Properties per command (one transaction each; a smaller one holds the "
                   "ULB's counters for less time)")
      ->check(CLI::Range(int64_t{1}, int64_t{5000}));
  runs.push_back({demand_raise, [o] { return DemandRaise(o->dir, o->ulb, o->fy, o->batch); }});

  auto* dues = cli.add_subcommand("dues", "What a property owes on a date");
  dues->add_option("--data", o->dir, "Data directory")->required();
  dues->add_option("--ulb", o->ulb, "ULB code")->required();
  dues->add_option("--property", o->property, "Property id, e.g. 03-000123")->required();
  dues->add_option("--on", o->on, "Date (default: today in India)");
  dues->add_flag("--online", o->online, "Paying online (the extra online rebate)");
  runs.push_back({dues, [o] { return ShowDues(o->dir, o->ulb, o->property, o->on, o->online); }});

  auto* outage = cli.add_subcommand("outage", "Declared system outages (pause surcharge)");
  outage->require_subcommand(1);
  auto* declare = outage->add_subcommand("declare", "Declare an outage for some or all ULBs");
  declare->add_option("--data", o->dir, "Data directory")->required();
  declare->add_option("--from", o->from, "First day (YYYY-MM-DD)")->required();
  declare->add_option("--to", o->to, "Last day, inclusive (YYYY-MM-DD)")->required();
  declare->add_option("--reason", o->reason, "Why, and the order that declares it")->required();
  declare->add_option("--ulb", o->ulbs, "ULB code (repeat; omit for every ULB)");
  runs.push_back(
      {declare, [o] { return OutageDeclare(o->dir, o->from, o->to, o->reason, o->ulbs); }});
  auto* sync =
      outage->add_subcommand("sync", "Copy declared outages into ULB ledgers lacking them");
  sync->add_option("--data", o->dir, "Data directory")->required();
  runs.push_back({sync, [o] { return OutageSync(o->dir); }});
  auto* list = outage->add_subcommand("list", "List declared outages as JSON lines");
  list->add_option("--data", o->dir, "Data directory")->required();
  runs.push_back({list, [o] { return OutageList(o->dir); }});
}

}  // namespace palika::cli
