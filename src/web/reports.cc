// The reports of a ULB for its officers and accountants (accounts.read on the ULB in the path,
// the API's permission for the same reports): collections of a period by day, ward and mode; the
// DCB register by ward for a financial year; the trial balance on a date. Each page draws its
// figures as a server-side SVG chart (svg_chart.h) beside a table with the same figures, and
// offers the downloads of services/accounts (CSV and .xlsx). The figures are the
// services' (accounts/reports.h); nothing is computed here but labels.

#include "services/accounts/reports.h"

#include <fmt/format.h>

#include <chrono>

#include "core/civil_date.h"
#include "http/api_error.h"
#include "services/accounts/chart_of_accounts.h"
#include "services/accounts/dcb_xlsx.h"
#include "services/payments/online_payments.h"
#include "web/routes.h"
#include "web/svg_chart.h"

namespace palika::web::detail {

namespace {

using identity::Permission;
using identity::Principal;

CivilDate Today() { return CivilDate::TodayIst(std::chrono::system_clock::now()); }

std::string ReportsBase(const std::string& ulb) { return "/staff/" + ulb + "/reports"; }

struct ReportUlb {
  Principal who;
  registry::UlbInfo ulb;
};

// A report page's checks: signed in, the ULB exists, and `who` may read its accounts (403 page).
std::variant<ReportUlb, http::Response> ReportAccess(Site& site, const http::Request& req,
                                                     Env& env) {
  auto signed_in = SignedIn(site, req, env);
  if (auto* r = std::get_if<http::Response>(&signed_in)) return std::move(*r);
  ReportUlb r{std::move(std::get<Principal>(signed_in)), {}};
  auto ulb = UlbOf(site, req);
  if (!ulb.ok()) return StatusPage(env, ulb.status());
  r.ulb = *ulb;
  if (!identity::Authorize(r.who, Permission::kAccountsRead, r.ulb.code).ok()) {
    env.staff = &r.who;
    http::Response page = ErrorPage(
        env, 403, Text(env.lang, "error_no_reports", {{"ulb", UlbName(env.lang, r.ulb)}}));
    env.staff = nullptr;
    return page;
  }
  return r;
}

Data ReportData(Env& env, const ReportUlb& r, std::string_view current) {
  Data data;
  const std::string base = ReportsBase(r.ulb.code);
  data.set("ulb_name", UlbName(env.lang, r.ulb));
  data.set("base", base);
  Data nav{Data::type::list};
  for (const auto& [page, key] :
       {std::pair<std::string_view, std::string_view>{"collections", "report_collections"},
        {"dcb", "report_dcb"},
        {"trial-balance", "report_trial_balance"}}) {
    Data d;
    d.set("url", base + "/" + std::string(page));
    d.set("label", Text(env.lang, key));
    d.set("current", page == current);
    nav.push_back(d);
  }
  data.set("nav", nav);
  return data;
}

// A download: the bytes as an attachment named `file`.
http::Response Download(std::string bytes, const std::string& type, const std::string& file) {
  http::Response r = http::Response::Text(200, std::move(bytes), type);
  r.With("Content-Disposition", "attachment; filename=\"" + file + "\"");
  r.With("Cache-Control", "no-store");
  return r;
}

constexpr size_t kMaxDaysShown = 62;
constexpr char kCsv[] = "text/csv; charset=utf-8";
constexpr char kXlsx[] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

// ?format=: "" (the page), "csv" or "xlsx"; InvalidArgument otherwise.
Result<std::string> FormatOf(const http::Request& req) {
  const std::string f = req.Query("format").value_or("");
  if (f.empty() || f == "csv" || f == "xlsx") return f;
  return Status::InvalidArgument("invalid_field", Text(Lang::kEn, "error_report_format"),
                                 Text(Lang::kHi, "error_report_format"));
}

// The date in query parameter `name`, `fallback` when absent or empty; InvalidArgument if bad.
Result<CivilDate> DateQuery(const http::Request& req, std::string_view name, CivilDate fallback) {
  const std::string text = req.Query(name).value_or("");
  if (text.empty()) return fallback;
  auto d = CivilDate::Parse(text);
  if (!d.ok()) d = CivilDate::ParseIndian(text);
  if (!d.ok()) {
    return Status::InvalidArgument("invalid_date", Text(Lang::kEn, "error_report_date"),
                                   Text(Lang::kHi, "error_report_date"));
  }
  return *d;
}

// Runs `fn` in one read snapshot of the ULB's ledger.
Status ReadUlb(Site& site, const std::string& ulb,
               const std::function<Status(store::Transaction&)>& fn) {
  auto ledger = site.api.ledgers.Ulb(ulb);
  if (!ledger.ok()) return ledger.status();
  return (*ledger)->Read(fn);
}

std::string WardLabel(Lang lang, const std::string& number, const std::string& name,
                      const std::string& name_hi) {
  if (number == "0") return Text(lang, "report_no_ward");
  const std::string& n = lang == Lang::kHi && !name_hi.empty() ? name_hi : name;
  return Text(lang, "report_ward", {{"number", number}, {"name", n}});
}

std::string ModeLabel(Lang lang, const std::string& mode) {
  const std::string key = "mode_" + mode;
  return CatalogFor(lang).Find(key) != nullptr ? Text(lang, key) : mode;
}

Data TotalsList(const std::vector<accounts::CollectionTotal>& totals,
                const std::function<std::string(const accounts::CollectionTotal&)>& label,
                std::vector<ChartBar>* bars) {
  Data list{Data::type::list};
  for (const auto& t : totals) {
    Data d;
    d.set("label", label(t));
    d.set("receipts", std::to_string(t.receipts));
    d.set("reversals", std::to_string(t.reversals));
    d.set("net", t.net.Format());
    list.push_back(d);
    if (bars != nullptr) bars->push_back({label(t), t.net});
  }
  return list;
}

http::Response Collections(Site& site, http::Request& req, Env& env) {
  auto access = ReportAccess(site, req, env);
  if (auto* r = std::get_if<http::Response>(&access)) return std::move(*r);
  const ReportUlb& r = std::get<ReportUlb>(access);
  env.staff = &r.who;
  const CivilDate today = Today();
  Data data = ReportData(env, r, "collections");
  auto format = FormatOf(req);
  if (!format.ok()) return StatusPage(env, format.status());
  auto from = DateQuery(req, "from", CivilDate::FromYmd(today.year(), today.month(), 1).value());
  auto to = DateQuery(req, "to", today);
  data.set("from", req.Query("from").value_or(from.ok() ? from->Format() : ""));
  data.set("to", req.Query("to").value_or(to.ok() ? to->Format() : ""));
  const std::string title =
      Text(env.lang, "report_collections_title", {{"ulb", UlbName(env.lang, r.ulb)}});
  auto fail = [&](const Status& s) {
    data.set("error", StatusText(env.lang, s));
    return RenderPage(env, http::HttpStatusFor(s.kind()), "report_collections", std::move(data),
                      title);
  };
  if (!from.ok()) return fail(from.status());
  if (!to.ok()) return fail(to.status());
  std::optional<accounts::CollectionSummary> summary;
  Status s = ReadUlb(site, r.ulb.code, [&](store::Transaction& tx) -> Status {
    PALIKA_ASSIGN_OR_RETURN(summary, accounts::CollectionsBetween(tx, *from, *to));
    return Status::OK();
  });
  if (!s.ok() && s.kind() == StatusKind::kInvalidArgument) return fail(s);
  if (!s.ok()) return StatusPage(env, s);
  const std::string file =
      fmt::format("collections-{}-{}-{}", r.ulb.code, from->Format(), to->Format());
  if (*format == "csv") {
    return Download(accounts::CollectionSummaryCsv(*summary), kCsv, file + ".csv");
  }
  if (*format == "xlsx") {
    auto xlsx = accounts::CollectionSummaryXlsx(*summary);
    if (!xlsx.ok()) return StatusPage(env, xlsx.status());
    return Download(std::move(*xlsx), kXlsx, file + ".xlsx");
  }
  const Lang lang = env.lang;
  const std::string period = from->FormatIndian() + " – " + to->FormatIndian();
  data.set("period", period);
  data.set("net", summary->net.Format());
  data.set("receipts", std::to_string(summary->receipts));
  data.set("reversals", std::to_string(summary->reversals));
  std::vector<ChartBar> day_bars, ward_bars, mode_bars;
  // A period of more than two months is shown by month, so the page stays small.
  const bool monthly = summary->by_day.size() > kMaxDaysShown;
  data.set("time_heading", Text(lang, monthly ? "report_by_month" : "report_by_day"));
  data.set("time_table", Text(lang, monthly ? "report_table_by_month" : "report_table_by_day"));
  data.set("time_col", Text(lang, monthly ? "report_month" : "report_date"));
  data.set("days", TotalsList(
                       monthly ? summary->by_month : summary->by_day,
                       [monthly](const accounts::CollectionTotal& t) {
                         // "2026-11-28" -> "28/11/2026"; "2026-11" -> "11/2026"
                         return monthly ? t.key.substr(5, 2) + "/" + t.key.substr(0, 4)
                                        : CivilDate::Parse(t.key).value().FormatIndian();
                       },
                       &day_bars));
  data.set("wards", TotalsList(
                        summary->by_ward,
                        [lang](const accounts::CollectionTotal& t) {
                          return WardLabel(lang, t.key, t.name, t.name_hi);
                        },
                        &ward_bars));
  data.set("modes",
           TotalsList(
               summary->by_mode,
               [lang](const accounts::CollectionTotal& t) { return ModeLabel(lang, t.key); },
               &mode_bars));
  data.set("has_modes", !summary->by_mode.empty());
  const std::string axis = Text(lang, "chart_axis_net");
  data.set(
      "chart_days",
      BarChartSvg({"chart-days",
                   Text(lang, monthly ? "chart_by_month" : "chart_by_day", {{"period", period}}),
                   axis, std::move(day_bars)}));
  data.set("chart_wards",
           BarChartSvg({"chart-wards", Text(lang, "chart_by_ward", {{"period", period}}), axis,
                        std::move(ward_bars)}));
  data.set("chart_modes",
           BarChartSvg({"chart-modes", Text(lang, "chart_by_mode", {{"period", period}}), axis,
                        std::move(mode_bars)}));
  const std::string download =
      fmt::format("{}/collections?from={}&to={}&format=", ReportsBase(r.ulb.code), from->Format(),
                  to->Format());
  data.set("csv_url", download + "csv");
  data.set("xlsx_url", download + "xlsx");
  // Online payments the gateway reported with another amount: nothing was collected for them,
  // and someone must check them with the gateway.
  if (site.options.online != nullptr) {
    auto mismatches = site.options.online->Mismatches(r.ulb.code);
    Data list{Data::type::list};
    if (mismatches.ok()) {
      for (const auto& m : *mismatches) {
        Data d;
        d.set("order_id", m.order_id);
        d.set("property_id", m.property_id);
        d.set("expected", m.expected.Format());
        d.set("reported", m.reported.Format());
        d.set("txn_id", m.txn_id);
        d.set("date", CivilDate::IstDateOfUtcMicros(m.time_us).FormatIndian());
        list.push_back(d);
      }
    }
    data.set("has_mismatches", mismatches.ok() && !mismatches->empty());
    data.set("mismatches", list);
  }
  return RenderPage(env, 200, "report_collections", std::move(data), title);
}

http::Response DcbPage(Site& site, http::Request& req, Env& env) {
  auto access = ReportAccess(site, req, env);
  if (auto* r = std::get_if<http::Response>(&access)) return std::move(*r);
  const ReportUlb& r = std::get<ReportUlb>(access);
  env.staff = &r.who;
  const Lang lang = env.lang;
  auto format = FormatOf(req);
  if (!format.ok()) return StatusPage(env, format.status());
  const FinancialYear current = FinancialYear::Of(Today());
  FinancialYear fy = current;
  if (auto text = req.Query("fy"); text && !text->empty()) {
    auto parsed = FinancialYear::Parse(*text);
    if (!parsed.ok()) {
      return StatusPage(env,
                        Status::InvalidArgument("invalid_field", Text(Lang::kEn, "error_report_fy"),
                                                Text(Lang::kHi, "error_report_fy")));
    }
    fy = *parsed;
  }
  std::optional<accounts::DcbReport> report;
  Status s = ReadUlb(site, r.ulb.code, [&](store::Transaction& tx) -> Status {
    PALIKA_ASSIGN_OR_RETURN(report, accounts::DcbRegister(tx, fy));
    return Status::OK();
  });
  if (!s.ok()) return StatusPage(env, s);
  const std::string file = fmt::format("dcb-{}-{}", r.ulb.code, fy.Format());
  if (*format == "csv") return Download(accounts::DcbCsv(*report), kCsv, file + ".csv");
  if (*format == "xlsx") {
    auto xlsx = accounts::DcbXlsx(*report);
    if (!xlsx.ok()) return StatusPage(env, xlsx.status());
    return Download(std::move(*xlsx), kXlsx, file + ".xlsx");
  }
  Data data = ReportData(env, r, "dcb");
  data.set("fy", fy.Format());
  Data years{Data::type::list};
  for (FinancialYear y = current.Next(); y.start_year() >= current.start_year() - 5; y = y.Prev()) {
    Data d;
    d.set("value", y.Format());
    d.set("selected", y == fy);
    years.push_back(d);
  }
  data.set("years", years);
  std::vector<ChartBar> bars;
  auto row = [&](const accounts::DcbRow& w, bool total) {
    Data d;
    const std::string label =
        total ? Text(lang, "report_total")
              : WardLabel(lang, std::to_string(w.ward), w.ward_name, w.ward_name_hi);
    d.set("label", label);
    d.set("properties", std::to_string(w.properties));
    for (const auto& [name, part] :
         {std::pair<const char*, const accounts::Dcb*>{"arrear", &w.arrear},
          {"current", &w.current},
          {"all", &w.total}}) {
      d.set(std::string(name) + "_demand", part->demand.Format());
      d.set(std::string(name) + "_collection", part->collection.Format());
      d.set(std::string(name) + "_balance", part->balance.Format());
    }
    if (!total) bars.push_back({label, w.total.balance});
    return d;
  };
  Data wards{Data::type::list};
  for (const auto& w : report->rows) wards.push_back(row(w, false));
  data.set("wards", wards);
  data.set("total", row(report->total, true));
  data.set("chart",
           BarChartSvg({"chart-dcb", Text(lang, "chart_dcb_balance", {{"fy", fy.Format()}}),
                        Text(lang, "chart_axis_balance"), std::move(bars)}));
  const std::string base = ReportsBase(r.ulb.code) + "/dcb?fy=" + fy.Format();
  data.set("csv_url", base + "&format=csv");
  data.set("xlsx_url", base + "&format=xlsx");
  return RenderPage(env, 200, "report_dcb", std::move(data),
                    Text(lang, "report_dcb_title", {{"fy", fy.Format()}}));
}

http::Response TrialBalancePage(Site& site, http::Request& req, Env& env) {
  auto access = ReportAccess(site, req, env);
  if (auto* r = std::get_if<http::Response>(&access)) return std::move(*r);
  const ReportUlb& r = std::get<ReportUlb>(access);
  env.staff = &r.who;
  const Lang lang = env.lang;
  auto format = FormatOf(req);
  if (!format.ok()) return StatusPage(env, format.status());
  auto on = DateQuery(req, "on", Today());
  if (!on.ok()) return StatusPage(env, on.status());
  std::optional<accounts::TrialBalanceReport> tb;
  Status s = ReadUlb(site, r.ulb.code, [&](store::Transaction& tx) -> Status {
    PALIKA_ASSIGN_OR_RETURN(tb, accounts::TrialBalance(tx, *on));
    return Status::OK();
  });
  if (!s.ok()) return StatusPage(env, s);
  const std::string file = fmt::format("trial-balance-{}-{}", r.ulb.code, on->Format());
  if (*format == "csv") return Download(accounts::TrialBalanceCsv(*tb), kCsv, file + ".csv");
  if (*format == "xlsx") {
    auto xlsx = accounts::TrialBalanceXlsx(*tb);
    if (!xlsx.ok()) return StatusPage(env, xlsx.status());
    return Download(std::move(*xlsx), kXlsx, file + ".xlsx");
  }
  Data data = ReportData(env, r, "trial-balance");
  data.set("on", on->Format());
  data.set("on_text", on->FormatIndian());
  Data rows{Data::type::list};
  std::vector<ChartBar> bars;
  for (const auto& a : tb->rows) {
    const accounts::Account* acc = accounts::FindAccount(a.account);
    const std::string name =
        acc == nullptr ? a.account : std::string(lang == Lang::kHi ? acc->name_hi : acc->name);
    Data d;
    d.set("account", a.account);
    d.set("name", name);
    d.set("debit", a.debit.Format());
    d.set("credit", a.credit.Format());
    d.set("debit_balance", a.debit_balance.IsZero() ? "" : a.debit_balance.Format());
    d.set("credit_balance", a.credit_balance.IsZero() ? "" : a.credit_balance.Format());
    rows.push_back(d);
    bars.push_back({a.account + " " + name, a.debit_balance - a.credit_balance});
  }
  data.set("rows", rows);
  data.set("debit", tb->debit.Format());
  data.set("credit", tb->credit.Format());
  data.set("debit_balance", tb->debit_balance.Format());
  data.set("credit_balance", tb->credit_balance.Format());
  data.set("balanced", tb->debit == tb->credit && tb->debit_balance == tb->credit_balance);
  data.set("chart", BarChartSvg({"chart-tb", Text(lang, "chart_tb", {{"on", on->FormatIndian()}}),
                                 Text(lang, "chart_axis_tb"), std::move(bars)}));
  const std::string download =
      fmt::format("{}/trial-balance?on={}&format=", ReportsBase(r.ulb.code), on->Format());
  data.set("csv_url", download + "csv");
  data.set("xlsx_url", download + "xlsx");
  return RenderPage(env, 200, "report_trial_balance", std::move(data),
                    Text(lang, "report_tb_title", {{"on", on->FormatIndian()}}));
}

http::Response ReportsHome(Site& site, http::Request& req, Env& env) {
  auto access = ReportAccess(site, req, env);
  if (auto* r = std::get_if<http::Response>(&access)) return std::move(*r);
  return http::Response::Redirect(ReportsBase(std::get<ReportUlb>(access).ulb.code) +
                                  "/collections");
}

}  // namespace

bool ReportLinksInto(Site& site, const Principal& who, Lang lang, Data& data) {
  const bool dashboard =
      identity::Authorize(who, Permission::kAccountsRead, identity::kAllUlbs).ok() &&
      identity::Authorize(who, Permission::kLedgerRead, identity::kAllUlbs).ok();
  if (dashboard) data.set("dashboard_url", std::string(kDashboardPath));
  Data list{Data::type::list};
  bool any = false;
  // The state's officers reach every ULB's reports from the dashboard, not from a list of 400.
  if (!dashboard) {
    auto ulbs = site.api.registry.ListUlbs();
    if (ulbs.ok()) {
      for (const auto& u : *ulbs) {
        if (!identity::Authorize(who, Permission::kAccountsRead, u.code).ok()) continue;
        Data d;
        d.set("name", UlbName(lang, u));
        d.set("url", ReportsBase(u.code) + "/collections");
        list.push_back(d);
        any = true;
      }
    }
  }
  data.set("report_ulbs", list);
  data.set("has_reports", any);
  return dashboard || any;
}

void AddReportPages(http::Router& router, Site& site) {
  AddPage(router, site, "GET", "/staff/{ulb}/reports", ReportsHome);
  AddPage(router, site, "GET", "/staff/{ulb}/reports/collections", Collections);
  AddPage(router, site, "GET", "/staff/{ulb}/reports/dcb", DcbPage);
  AddPage(router, site, "GET", "/staff/{ulb}/reports/trial-balance", TrialBalancePage);
  AddDashboardPage(router, site);
}

}  // namespace palika::web::detail
