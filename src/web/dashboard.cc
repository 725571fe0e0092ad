// The state dashboard (/state) for the state administrator (accounts.read and ledger.read on
// every ULB, "*"): every ULB on one page with today's and this financial year's collections, a
// chart of the year's collections across ULBs, the backup lag and last checkpoint of each ULB's
// ledger with a green / amber / red state (in words, not colour alone; thresholds on the page),
// and the declared outages.
//
// It must stay fast with hundreds of ULBs, so it reads only what is cheap: per ULB one read
// snapshot summing the per-day account totals of cash and bank (accounts::NetCollected, an index
// range of at most 2 x 366 rows), the ledger's last checkpoint from memory (its signature checked
// with the node's key: one Ed25519 verification), and the backup acks from memory.

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "core/civil_date.h"
#include "ledger/checkpoint.h"
#include "ledger/ledger_set.h"
#include "services/accounts/reports.h"
#include "services/property_tax/billing.h"
#include "web/routes.h"
#include "web/svg_chart.h"

namespace palika::web::detail {

namespace {

using identity::Permission;

// The thresholds the page states (dashboard_thresholds in the catalogues says the same).
constexpr double kGreenLagSeconds = 10;
constexpr double kAmberLagSeconds = 300;
constexpr size_t kChartUlbs = 25;

enum class Health { kGreen, kAmber, kRed };

struct UlbRow {
  registry::UlbInfo ulb;
  Money today;
  Money year;
  Health health = Health::kGreen;
  std::vector<std::string> notes;  // why, in the page's language
  std::string backup;              // the lag in words
  std::string checkpoint;          // the last checkpoint in words
};

std::string Seconds(double s) { return fmt::format("{:.1f}", s); }

UlbRow RowOf(Site& site, Lang lang, const registry::UlbInfo& u, CivilDate today,
             const std::vector<ledger::BackupAcks::Lag>& lags) {
  UlbRow row;
  row.ulb = u;
  // A note says why, unless the backup or checkpoint column already does.
  auto worse = [&](Health h, std::string note) {
    row.health = std::max(row.health, h);
    if (!note.empty()) row.notes.push_back(std::move(note));
  };
  auto& ledgers = site.api.ledgers;
  auto ledger = ledgers.Ulb(u.code);
  if (!ledger.ok()) {
    worse(Health::kRed, Text(lang, "dashboard_held_back"));
    row.backup = row.checkpoint = "—";
    return row;
  }
  Status s = (*ledger)->Read([&](store::Transaction& tx) -> Status {
    PALIKA_ASSIGN_OR_RETURN(row.today, accounts::NetCollected(tx, today, today));
    PALIKA_ASSIGN_OR_RETURN(row.year,
                            accounts::NetCollected(tx, FinancialYear::Of(today).Start(), today));
    return Status::OK();
  });
  if (!s.ok()) worse(Health::kRed, Text(lang, "dashboard_read_failed"));

  // The last checkpoint: signed by this node's key under the ULB log's name.
  const uint64_t committed = (*ledger)->size();
  const std::string note = (*ledger)->LatestCheckpointNote();
  auto verifier =
      ledger::LogVerifier(ledgers.node_verifier(), ledger::LogName(ledgers.origin(), u.code));
  if (note.empty()) {
    row.checkpoint = Text(lang, "dashboard_no_checkpoint");
    if (committed > 0) worse(Health::kAmber, "");
  } else if (!verifier.ok() || !ledger::OpenCheckpoint(note, *verifier).ok()) {
    row.checkpoint = Text(lang, "dashboard_checkpoint_bad");
    worse(Health::kRed, "");
  } else {
    row.checkpoint = Text(lang, "dashboard_checkpoint",
                          {{"size", std::to_string((*ledger)->checkpointed_size())},
                           {"committed", std::to_string(committed)}});
  }

  // Backup: the host that trails most decides.
  const ledger::BackupAcks::Lag* worst = nullptr;
  int hosts = 0;
  for (const auto& l : lags) {
    if (l.ledger != u.code) continue;
    ++hosts;
    if (worst == nullptr || l.seconds > worst->seconds ||
        (l.seconds == worst->seconds && l.entries_behind() > worst->entries_behind())) {
      worst = &l;
    }
  }
  if (worst == nullptr) {
    row.backup = Text(lang, "dashboard_no_backup");
    worse(Health::kRed, "");
  } else {
    row.backup = Text(lang, "dashboard_backup",
                      {{"hosts", std::to_string(hosts)},
                       {"entries", std::to_string(worst->entries_behind())},
                       {"seconds", Seconds(worst->seconds)},
                       {"host", worst->host}});
    if (worst->seconds > kAmberLagSeconds) {
      worse(Health::kRed, Text(lang, "dashboard_lag_red"));
    } else if (worst->seconds > kGreenLagSeconds) {
      worse(Health::kAmber, Text(lang, "dashboard_lag_amber"));
    }
  }
  return row;
}

std::string_view HealthCode(Health h) {
  return h == Health::kGreen ? "green" : h == Health::kAmber ? "amber" : "red";
}

http::Response Dashboard(Site& site, http::Request& req, Env& env) {
  const auto started = std::chrono::steady_clock::now();
  auto signed_in = SignedIn(site, req, env);
  if (auto* r = std::get_if<http::Response>(&signed_in)) return std::move(*r);
  const identity::Principal& who = std::get<identity::Principal>(signed_in);
  env.staff = &who;
  const Lang lang = env.lang;
  if (!identity::Authorize(who, Permission::kAccountsRead, identity::kAllUlbs).ok() ||
      !identity::Authorize(who, Permission::kLedgerRead, identity::kAllUlbs).ok()) {
    return ErrorPage(env, 403, Text(lang, "error_no_dashboard"));
  }
  auto ulbs = site.api.registry.ListUlbs();
  if (!ulbs.ok()) return StatusPage(env, ulbs.status());
  const CivilDate today = CivilDate::TodayIst(std::chrono::system_clock::now());
  const FinancialYear fy = FinancialYear::Of(today);
  const auto lags = site.api.ledgers.backups().Lags();

  std::vector<UlbRow> rows;
  rows.reserve(ulbs->size());
  Money total_today, total_year;
  int counts[3] = {0, 0, 0};
  for (const auto& u : *ulbs) {
    rows.push_back(RowOf(site, lang, u, today, lags));
    total_today += rows.back().today;
    total_year += rows.back().year;
    ++counts[static_cast<int>(rows.back().health)];
  }

  Data list{Data::type::list};
  for (const auto& r : rows) {
    Data d;
    d.set("name", UlbName(lang, r.ulb));
    d.set("code", r.ulb.code);
    d.set("reports_url", "/staff/" + r.ulb.code + "/reports");
    d.set("today", r.today.Format());
    d.set("year", r.year.Format());
    d.set("health", std::string(HealthCode(r.health)));
    d.set("health_text", Text(lang, "health_" + std::string(HealthCode(r.health))));
    std::string why;
    for (const auto& n : r.notes) why += (why.empty() ? "" : " ") + n;
    if (!why.empty()) d.set("why", why);
    d.set("backup", r.backup);
    d.set("checkpoint", r.checkpoint);
    list.push_back(d);
  }

  // The chart: the year's collections of the ULBs that collected most.
  std::vector<const UlbRow*> by_year;
  for (const auto& r : rows) by_year.push_back(&r);
  std::stable_sort(by_year.begin(), by_year.end(),
                   [](const UlbRow* a, const UlbRow* b) { return a->year > b->year; });
  if (by_year.size() > kChartUlbs) by_year.resize(kChartUlbs);
  std::vector<ChartBar> bars;
  for (const UlbRow* r : by_year) bars.push_back({UlbName(lang, r->ulb), r->year});

  Data outages{Data::type::list};
  auto declared = property_tax::Billing(site.api.ledgers).Outages();
  if (declared.ok()) {
    for (const auto& o : *declared) {
      Data d;
      d.set("id", o.id);
      d.set("from", o.from.FormatIndian());
      d.set("to", o.to.FormatIndian());
      d.set("reason", o.reason);
      std::string scope;
      if (o.all_ulbs) {
        scope = Text(lang, "dashboard_all_ulbs");
      } else {
        for (const auto& code : o.ulbs) {
          std::string name = code;
          for (const auto& u : *ulbs) {
            if (u.code == code) name = UlbName(lang, u);
          }
          scope += (scope.empty() ? "" : ", ") + name;
        }
      }
      d.set("scope", scope);
      outages.push_back(d);
    }
  }

  Data data;
  data.set("fy", fy.Format());
  data.set("today", today.FormatIndian());
  data.set("ulbs", list);
  data.set("ulb_count", std::to_string(rows.size()));
  data.set("total_today", total_today.Format());
  data.set("total_year", total_year.Format());
  data.set("green", std::to_string(counts[0]));
  data.set("amber", std::to_string(counts[1]));
  data.set("red", std::to_string(counts[2]));
  data.set("outages", outages);
  data.set("has_outages", declared.ok() && !declared->empty());
  data.set("outages_error", !declared.ok());
  data.set("thresholds", Text(lang, "dashboard_thresholds",
                              {{"green", fmt::format("{:g}", kGreenLagSeconds)},
                               {"amber", fmt::format("{:g}", kAmberLagSeconds)}}));
  const std::string chart_title =
      Text(lang, "chart_ulbs", {{"fy", fy.Format()}, {"n", std::to_string(bars.size())}});
  data.set("chart_title", chart_title);
  data.set("chart",
           BarChartSvg({"chart-ulbs", chart_title, Text(lang, "chart_axis_net"), std::move(bars)}));
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - started)
                      .count();
  data.set("timing", Text(lang, "dashboard_timing",
                          {{"n", std::to_string(rows.size())}, {"ms", std::to_string(ms)}}));
  return RenderPage(env, 200, "dashboard", std::move(data),
                    Text(lang, "dashboard_title", {{"fy", fy.Format()}}));
}

}  // namespace

void AddDashboardPage(http::Router& router, Site& site) {
  AddPage(router, site, "GET", kDashboardPath, Dashboard);
}

}  // namespace palika::web::detail
