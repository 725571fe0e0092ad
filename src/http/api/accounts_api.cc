// The routes of the double-entry journal, day close, trial balance and the DCB register.
// Each is declared once, with its access rule, in AccountsRoutes(); handlers parse, call the
// service and shape its answer.

#include "http/api/accounts_api.h"

#include <fmt/format.h>

#include <chrono>

#include "core/json.h"
#include "http/api/write_context.h"
#include "services/accounts/chart_of_accounts.h"
#include "services/accounts/day_close.h"
#include "services/accounts/dcb_xlsx.h"
#include "services/accounts/reports.h"
#include "services/property_tax/register.h"

namespace palika::http {
namespace json = boost::json;

namespace {

CivilDate TodayIst() { return CivilDate::TodayIst(std::chrono::system_clock::now()); }

// The date in query parameter `name`, today in India when absent.
Result<CivilDate> DateParam(const Request& req, std::string_view name) {
  auto text = req.Query(name);
  if (!text) return TodayIst();
  auto d = CivilDate::Parse(*text);
  if (!d.ok()) {
    return Status::InvalidArgument(
        "invalid_field",
        fmt::format("Field '{}': must be a date written YYYY-MM-DD, such as 2026-11-28.", name),
        fmt::format("फ़ील्ड '{}': तारीख YYYY-MM-DD रूप में लिखें, जैसे 2026-11-28।", name));
  }
  return *d;
}

// Runs `fn` in a read snapshot of the ULB's ledger and answers its JSON with 200.
Response ReadJson(ApiContext& ctx, const Request& req,
                  const std::function<Result<json::value>(store::Transaction&)>& fn) {
  auto ledger = ctx.ledgers.Ulb(req.Param("ulb"));
  if (!ledger.ok()) return Response::Error(ledger.status());
  json::value out;
  Status s = (*ledger)->Read([&](store::Transaction& tx) -> Status {
    PALIKA_ASSIGN_OR_RETURN(out, fn(tx));
    return Status::OK();
  });
  if (!s.ok()) return Response::Error(s);
  return Response::Json(200, out);
}

}  // namespace

Response AccountsChart(ApiContext& /*ctx*/, Request& /*req*/) {
  json::array accounts;
  for (const auto& a : accounts::ChartOfAccounts()) {
    accounts.push_back(json::object{{"code", a.code},
                                    {"name", a.name},
                                    {"name_hi", a.name_hi},
                                    {"kind", accounts::AccountKindCode(a.kind)}});
  }
  return Response::Json(200, json::object{{"accounts", std::move(accounts)}});
}

Response AccountsJournal(ApiContext& ctx, Request& req) {
  auto date = DateParam(req, "date");
  if (!date.ok()) return Response::Error(date.status());
  return ReadJson(ctx, req, [&](store::Transaction& tx) -> Result<json::value> {
    PALIKA_ASSIGN_OR_RETURN(auto journals, accounts::JournalOn(tx, *date));
    json::array items;
    for (const auto& j : journals) items.push_back(accounts::PostedJournalJson(j));
    return json::value(json::object{{"date", date->Format()}, {"journal", std::move(items)}});
  });
}

Response AccountsCollections(ApiContext& ctx, Request& req) {
  auto date = DateParam(req, "date");
  if (!date.ok()) return Response::Error(date.status());
  return ReadJson(ctx, req, [&](store::Transaction& tx) -> Result<json::value> {
    PALIKA_ASSIGN_OR_RETURN(auto reg, accounts::CollectionRegister(tx, *date));
    json::object out = accounts::CollectionRegisterJson(reg);
    PALIKA_ASSIGN_OR_RETURN(auto closes, accounts::ListDayCloses(tx, *date));
    json::array closed;
    for (const auto& c : closes) closed.push_back(json::string(c.counter));
    out["closed_counters"] = std::move(closed);
    return json::value(std::move(out));
  });
}

Response AccountsTrialBalance(ApiContext& ctx, Request& req) {
  auto on = DateParam(req, "on");
  if (!on.ok()) return Response::Error(on.status());
  return ReadJson(ctx, req, [&](store::Transaction& tx) -> Result<json::value> {
    PALIKA_ASSIGN_OR_RETURN(auto tb, accounts::TrialBalance(tx, *on));
    return json::value(accounts::TrialBalanceJson(tb));
  });
}

Response AccountsCloseDay(ApiContext& ctx, Request& req, const identity::Principal& who) {
  auto body = ParseJsonObject(req.body);
  if (!body.ok()) return Response::Error(body.status());
  auto request = accounts::ParseDayCloseRequest(*body);
  if (!request.ok()) return Response::Error(request.status());
  auto wctx = WriteContextFor(req, who, "accounts.day-close", *body);
  if (!wctx.ok()) return Response::Error(wctx.status());
  const std::string name = who.display_name.empty() ? who.username : who.display_name;
  auto r = accounts::CloseDay(ctx.ledgers, req.Param("ulb"), *wctx, name, *request);
  if (!r.ok()) return Response::Error(r.status());
  Response out = Response::Json(201, accounts::DayCloseJson(r->record));
  if (r->replayed) out.With("Idempotent-Replayed", "true");
  return out;
}

Response AccountsDayCloses(ApiContext& ctx, Request& req) {
  std::optional<CivilDate> date;
  if (req.Query("date")) {
    auto d = DateParam(req, "date");
    if (!d.ok()) return Response::Error(d.status());
    date = *d;
  }
  return ReadJson(ctx, req, [&](store::Transaction& tx) -> Result<json::value> {
    PALIKA_ASSIGN_OR_RETURN(auto closes, accounts::ListDayCloses(tx, date));
    json::array items;
    for (const auto& c : closes) items.push_back(accounts::DayCloseJson(c));
    return json::value(json::object{{"day_closes", std::move(items)}});
  });
}

Response DcbReportDownload(ApiContext& ctx, Request& req) {
  FinancialYear fy = FinancialYear::Of(TodayIst());
  if (auto text = req.Query("fy")) {
    auto parsed = FinancialYear::Parse(*text);
    if (!parsed.ok()) {
      return Response::Error(Status::InvalidArgument(
          "invalid_field", "Field 'fy': must be a financial year written like 2026-27.",
          "फ़ील्ड 'fy': वित्तीय वर्ष 2026-27 जैसे लिखें।"));
    }
    fy = *parsed;
  }
  const std::string format = req.Query("format").value_or("json");
  if (format != "json" && format != "csv" && format != "xlsx") {
    return Response::Error(Status::InvalidArgument("invalid_field",
                                                   "Field 'format': must be json, csv or xlsx.",
                                                   "फ़ील्ड 'format': json, csv या xlsx होना चाहिए।"));
  }
  auto ledger = ctx.ledgers.Ulb(req.Param("ulb"));
  if (!ledger.ok()) return Response::Error(ledger.status());
  std::optional<accounts::DcbReport> report;
  Status s = (*ledger)->Read([&](store::Transaction& tx) -> Status {
    PALIKA_ASSIGN_OR_RETURN(report, accounts::DcbRegister(tx, fy));
    return Status::OK();
  });
  if (!s.ok()) return Response::Error(s);
  const std::string file = fmt::format("dcb-{}-{}", req.Param("ulb"), fy.Format());
  if (format == "json") return Response::Json(200, accounts::DcbJson(*report));
  if (format == "csv") {
    Response r = Response::Text(200, accounts::DcbCsv(*report), "text/csv; charset=utf-8");
    r.With("Content-Disposition", "attachment; filename=\"" + file + ".csv\"");
    return r;
  }
  auto xlsx = accounts::DcbXlsx(*report);
  if (!xlsx.ok()) return Response::Error(xlsx.status());
  Response r = Response::Text(200, std::move(*xlsx),
                              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  r.With("Content-Disposition", "attachment; filename=\"" + file + ".xlsx\"");
  return r;
}

std::vector<ApiRoute> AccountsRoutes() {
  using identity::Permission;
  using P = const identity::Principal*;
  const std::string base = "/api/v1/ulbs/{ulb}/accounts";
  return {
      {{"GET", base + "/chart", Access::kUlb, Permission::kAccountsRead},
       [](ApiContext& ctx, Request& q, P) { return AccountsChart(ctx, q); }},
      {{"GET", base + "/journal", Access::kUlb, Permission::kAccountsRead},
       [](ApiContext& ctx, Request& q, P) { return AccountsJournal(ctx, q); }},
      {{"GET", base + "/collections", Access::kUlb, Permission::kAccountsRead},
       [](ApiContext& ctx, Request& q, P) { return AccountsCollections(ctx, q); }},
      {{"GET", base + "/trial-balance", Access::kUlb, Permission::kAccountsRead},
       [](ApiContext& ctx, Request& q, P) { return AccountsTrialBalance(ctx, q); }},
      // The cashier closes their own counter.
      {{"POST", base + "/day-close", Access::kUlb, Permission::kPaymentCollect},
       [](ApiContext& ctx, Request& q, P p) { return AccountsCloseDay(ctx, q, *p); }},
      {{"GET", base + "/day-close", Access::kUlb, Permission::kAccountsRead},
       [](ApiContext& ctx, Request& q, P) { return AccountsDayCloses(ctx, q); }},
      {{"GET", "/api/v1/ulbs/{ulb}/reports/dcb", Access::kUlb, Permission::kAccountsRead},
       [](ApiContext& ctx, Request& q, P) { return DcbReportDownload(ctx, q); }},
  };
}

}  // namespace palika::http
