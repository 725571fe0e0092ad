// Routes of property-tax billing: rate tables, self-assessment returns, the yearly demand, dues,
// declared outages and waiver schemes. Each is declared once, with its access rule, in
// BillingRoutes(); handlers parse, call the billing service and shape its answer (no rules here).
//   PUT  /api/v1/ulbs/{ulb}/rates/{fy}                 rates.write   body: table JSON + "reason"
//   GET  /api/v1/ulbs/{ulb}/rates/{fy}                 public (rates are public resolutions)
//   POST /api/v1/ulbs/{ulb}/properties/{id}/returns    property.write -> 201 the return
//   GET  /api/v1/ulbs/{ulb}/properties/{id}/returns    property.read  ?fy=2026-27
//   POST /api/v1/ulbs/{ulb}/demands                    demand.raise   {fy} -> raised / already
//   GET  /api/v1/ulbs/{ulb}/demands/{fy}               property.read  progress of the year's demand
//   GET  /api/v1/ulbs/{ulb}/properties/{id}/dues       property.read  ?on=YYYY-MM-DD&online=true
//   POST /api/v1/outages                               outage.declare (state)
//   GET  /api/v1/outages                               public
//   POST /api/v1/ulbs/{ulb}/waivers                    rates.write    WaiverSchemeToJson form
//   GET  /api/v1/ulbs/{ulb}/waivers                    public
// The writes that take a body accept an Idempotency-Key header: a retry with the same key and
// body gets the stored answer and writes nothing.

#include <fmt/format.h>

#include <chrono>

#include "core/civil_date.h"
#include "core/json.h"
#include "http/api/api.h"
#include "http/api/write_context.h"
#include "services/property_tax/billing.h"
#include "services/property_tax/demand.h"
#include "services/property_tax/register.h"

namespace palika::http {
namespace json = boost::json;
namespace pt = property_tax;

namespace {

Result<FinancialYear> YearParam(std::string_view text, std::string_view field) {
  auto fy = FinancialYear::Parse(text);
  if (!fy.ok()) {
    const std::string shown(text.substr(0, 20));
    return Status::InvalidArgument(
        "invalid_field",
        fmt::format("Field '{}': '{}' is not a financial year; write it like 2026-27.", field,
                    shown),
        fmt::format("फ़ील्ड '{}': '{}' वित्तीय वर्ष नहीं है; इसे 2026-27 की तरह लिखें।", field, shown));
  }
  return *fy;
}

json::object RatesJson(const pt::RateTableRecord& r) {
  return {{"fy", r.table.fy.Format()},
          {"version", r.version},
          {"reason", r.reason},
          {"set_at", FormatUtcMicros(r.set_us)},
          {"table", pt::RateTableToJson(r.table)}};
}

Response PutRates(ApiContext& ctx, Request& req, const identity::Principal& who) {
  auto fy = YearParam(req.Param("fy"), "fy");
  if (!fy.ok()) return Response::Error(fy.status());
  auto body = ParseJsonObject(req.body);
  if (!body.ok()) return Response::Error(body.status());
  json::object table_json = *body;
  ObjectReader r(*body);
  auto reason = r.String("reason", pt::kMaxBillingReasonChars);
  if (!reason.ok()) return Response::Error(reason.status());
  table_json.erase("reason");
  auto table = pt::RateTableFromJson(table_json);
  if (!table.ok()) return Response::Error(table.status());
  if (table->fy != *fy) {
    return Response::Error(Status::InvalidArgument(
        "fy_mismatch",
        fmt::format("The table is for {} but the address says {}; send it to "
                    "/rates/{}.",
                    table->fy.Format(), fy->Format(), table->fy.Format()),
        fmt::format("तालिका {} की है पर पता {} कहता है; इसे /rates/{} पर भेजें।", table->fy.Format(),
                    fy->Format(), table->fy.Format())));
  }
  const std::string ulb = req.Param("ulb");
  auto wctx = WriteContextFor(req, who, "rates.set " + ulb + " " + fy->Format(), *body);
  if (!wctx.ok()) return Response::Error(wctx.status());
  pt::Billing billing(ctx.ledgers);
  auto set = billing.SetRates(ulb, *wctx, *table, *reason);
  if (!set.ok()) return Response::Error(set.status());
  auto now = billing.GetRates(ulb, *fy);
  if (!now.ok()) return Response::Error(now.status());
  // The answer is the table as it now stands, and whether this request changed it.
  json::object out = RatesJson(*now);
  out["changed"] = set->changed;
  Response resp = Response::Json(200, out);
  if (set->replayed) resp.With("Idempotent-Replayed", "true");
  return resp;
}

Response GetRates(ApiContext& ctx, Request& req) {
  auto fy = YearParam(req.Param("fy"), "fy");
  if (!fy.ok()) return Response::Error(fy.status());
  auto r = pt::Billing(ctx.ledgers).GetRates(req.Param("ulb"), *fy);
  if (!r.ok()) return Response::Error(r.status());
  return Response::Json(200, RatesJson(*r));
}

Response FileReturn(ApiContext& ctx, Request& req, const identity::Principal& who) {
  auto id = pt::CanonicalPropertyId(req.Param("id"));
  if (!id.ok()) return Response::Error(id.status());
  auto body = ParseJsonObject(req.body);
  if (!body.ok()) return Response::Error(body.status());
  auto input = pt::ReturnInputFromJson(*id, *body);
  if (!input.ok()) return Response::Error(input.status());
  const std::string ulb = req.Param("ulb");
  auto wctx = WriteContextFor(req, who, "assessment.file " + ulb + " " + *id, *body);
  if (!wctx.ok()) return Response::Error(wctx.status());
  auto filed = pt::Billing(ctx.ledgers).FileReturn(ulb, *wctx, *input);
  if (!filed.ok()) return Response::Error(filed.status());
  return Response::Json(201, pt::ReturnJson(*filed));
}

Response ListReturns(ApiContext& ctx, Request& req) {
  auto id = pt::CanonicalPropertyId(req.Param("id"));
  if (!id.ok()) return Response::Error(id.status());
  std::optional<FinancialYear> fy;
  if (auto q = req.Query("fy")) {
    auto parsed = YearParam(*q, "fy");
    if (!parsed.ok()) return Response::Error(parsed.status());
    fy = *parsed;
  }
  auto list = pt::Billing(ctx.ledgers).Returns(req.Param("ulb"), *id, fy);
  if (!list.ok()) return Response::Error(list.status());
  json::array items;
  for (const auto& r : *list) items.push_back(pt::ReturnJson(r));
  return Response::Json(200, json::object{{"property_id", *id}, {"returns", std::move(items)}});
}

Response RaiseDemand(ApiContext& ctx, Request& req, const identity::Principal& who) {
  auto body = ParseJsonObject(req.body);
  if (!body.ok()) return Response::Error(body.status());
  ObjectReader r(*body);
  auto text = r.String("fy", 10);
  if (!text.ok()) return Response::Error(text.status());
  if (Status s = r.Finish(); !s.ok()) return Response::Error(s);
  auto fy = YearParam(*text, "fy");
  if (!fy.ok()) return Response::Error(fy.status());
  auto run = pt::RaiseDemand(ctx.ledgers, req.Param("ulb"), who.user_id, *fy);
  if (!run.ok()) return Response::Error(run.status());
  return Response::Json(200, pt::DemandRunJson(*run));
}

Response DemandProgress(ApiContext& ctx, Request& req) {
  auto fy = YearParam(req.Param("fy"), "fy");
  if (!fy.ok()) return Response::Error(fy.status());
  auto p = pt::GetDemandProgress(ctx.ledgers, req.Param("ulb"), *fy);
  if (!p.ok()) return Response::Error(p.status());
  return Response::Json(200, pt::DemandProgressJson(*p));
}

Response Dues(ApiContext& ctx, Request& req) {
  auto id = pt::CanonicalPropertyId(req.Param("id"));
  if (!id.ok()) return Response::Error(id.status());
  CivilDate on = CivilDate::TodayIst(std::chrono::system_clock::now());
  if (auto q = req.Query("on")) {
    auto parsed = CivilDate::Parse(*q);
    if (!parsed.ok()) {
      const std::string shown = q->substr(0, 20);
      return Response::Error(Status::InvalidArgument(
          "invalid_field",
          fmt::format("Field 'on': '{}' is not a date; write it as YYYY-MM-DD, like 2026-06-30.",
                      shown),
          fmt::format("फ़ील्ड 'on': '{}' तारीख नहीं है; इसे YYYY-MM-DD रूप में लिखें, जैसे "
                      "2026-06-30।",
                      shown)));
    }
    on = *parsed;
  }
  bool online = false;
  if (auto q = req.Query("online")) {
    if (*q != "true" && *q != "false") {
      return Response::Error(Status::InvalidArgument("invalid_field",
                                                     "Field 'online': must be true or false.",
                                                     "फ़ील्ड 'online': true या false होना चाहिए।"));
    }
    online = *q == "true";
  }
  auto dues = pt::Billing(ctx.ledgers).DuesOf(req.Param("ulb"), *id, on, online);
  if (!dues.ok()) return Response::Error(dues.status());
  json::object out = pt::DuesToJson(*dues);
  out["property_id"] = *id;
  return Response::Json(200, out);
}

Response DeclareOutage(ApiContext& ctx, Request& req, const identity::Principal& who) {
  auto body = ParseJsonObject(req.body);
  if (!body.ok()) return Response::Error(body.status());
  auto decl = pt::OutageDeclarationFromJson(*body);
  if (!decl.ok()) return Response::Error(decl.status());
  auto wctx = WriteContextFor(req, who, "outage.declare", *body);
  if (!wctx.ok()) return Response::Error(wctx.status());
  auto o = pt::Billing(ctx.ledgers).DeclareOutage(*wctx, *decl);
  if (!o.ok()) return Response::Error(o.status());
  return Response::Json(201, pt::OutageJson(*o));
}

Response ListOutages(ApiContext& ctx) {
  auto list = pt::Billing(ctx.ledgers).Outages();
  if (!list.ok()) return Response::Error(list.status());
  json::array items;
  for (const auto& o : *list) items.push_back(pt::OutageJson(o));
  return Response::Json(200, json::object{{"outages", std::move(items)}});
}

json::object WaiverJson(const pt::WaiverRecord& w) {
  json::object o = pt::WaiverSchemeToJson(w.scheme);
  o["id"] = w.id;
  o["declared_at"] = FormatUtcMicros(w.declared_us);
  return o;
}

Response DeclareWaiver(ApiContext& ctx, Request& req, const identity::Principal& who) {
  auto body = ParseJsonObject(req.body);
  if (!body.ok()) return Response::Error(body.status());
  auto scheme = pt::WaiverSchemeFromJson(*body);
  if (!scheme.ok()) return Response::Error(scheme.status());
  const std::string ulb = req.Param("ulb");
  auto wctx = WriteContextFor(req, who, "waiver.declare " + ulb, *body);
  if (!wctx.ok()) return Response::Error(wctx.status());
  auto w = pt::Billing(ctx.ledgers).DeclareWaiver(ulb, *wctx, *scheme);
  if (!w.ok()) return Response::Error(w.status());
  return Response::Json(201, WaiverJson(*w));
}

Response ListWaivers(ApiContext& ctx, Request& req) {
  auto list = pt::Billing(ctx.ledgers).Waivers(req.Param("ulb"));
  if (!list.ok()) return Response::Error(list.status());
  json::array items;
  for (const auto& w : *list) items.push_back(WaiverJson(w));
  return Response::Json(200, json::object{{"waivers", std::move(items)}});
}

}  // namespace

std::vector<ApiRoute> BillingRoutes() {
  using identity::Permission;
  using P = const identity::Principal*;
  return {
      {{"PUT", "/api/v1/ulbs/{ulb}/rates/{fy}", Access::kUlb, Permission::kRatesWrite},
       [](ApiContext& ctx, Request& q, P p) { return PutRates(ctx, q, *p); }},
      {{"GET", "/api/v1/ulbs/{ulb}/rates/{fy}", Access::kPublic, std::nullopt},
       [](ApiContext& ctx, Request& q, P) { return GetRates(ctx, q); }},
      {{"POST", "/api/v1/ulbs/{ulb}/properties/{id}/returns", Access::kUlb,
        Permission::kPropertyWrite},
       [](ApiContext& ctx, Request& q, P p) { return FileReturn(ctx, q, *p); }},
      {{"GET", "/api/v1/ulbs/{ulb}/properties/{id}/returns", Access::kUlb,
        Permission::kPropertyRead},
       [](ApiContext& ctx, Request& q, P) { return ListReturns(ctx, q); }},
      {{"POST", "/api/v1/ulbs/{ulb}/demands", Access::kUlb, Permission::kDemandRaise},
       [](ApiContext& ctx, Request& q, P p) { return RaiseDemand(ctx, q, *p); }},
      {{"GET", "/api/v1/ulbs/{ulb}/demands/{fy}", Access::kUlb, Permission::kPropertyRead},
       [](ApiContext& ctx, Request& q, P) { return DemandProgress(ctx, q); }},
      {{"GET", "/api/v1/ulbs/{ulb}/properties/{id}/dues", Access::kUlb, Permission::kPropertyRead},
       [](ApiContext& ctx, Request& q, P) { return Dues(ctx, q); }},
      {{"POST", "/api/v1/outages", Access::kState, Permission::kOutageDeclare},
       [](ApiContext& ctx, Request& q, P p) { return DeclareOutage(ctx, q, *p); }},
      {{"GET", "/api/v1/outages", Access::kPublic, std::nullopt},
       [](ApiContext& ctx, Request&, P) { return ListOutages(ctx); }},
      {{"POST", "/api/v1/ulbs/{ulb}/waivers", Access::kUlb, Permission::kRatesWrite},
       [](ApiContext& ctx, Request& q, P p) { return DeclareWaiver(ctx, q, *p); }},
      {{"GET", "/api/v1/ulbs/{ulb}/waivers", Access::kPublic, std::nullopt},
       [](ApiContext& ctx, Request& q, P) { return ListWaivers(ctx, q); }},
  };
}

}  // namespace palika::http
