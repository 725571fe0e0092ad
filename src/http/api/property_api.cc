#include "http/api/property_api.h"

#include <fmt/format.h>

#include <map>

#include "core/civil_date.h"
#include "core/json.h"
#include "http/api/write_context.h"
#include "services/property_tax/register.h"

namespace palika::http {
namespace json = boost::json;
using property_tax::PropertyRegister;

namespace {

// The property as it is now, answered with `status`; a replayed write says so in a header.
Response PropertyAnswer(ApiContext& ctx, const std::string& ulb, const property_tax::WriteResult& w,
                        int status) {
  auto p = PropertyRegister(ctx.ledgers).Get(ulb, w.id);
  if (!p.ok()) return Response::Error(p.status());
  json::object out = property_tax::PropertyJson(*p);
  if (status == 200) out["changed"] = w.changed;  // a correction: did it change anything?
  Response r = Response::Json(status, out);
  if (w.replayed) r.With("Idempotent-Replayed", "true");
  return r;
}

}  // namespace

Response CreateProperty(ApiContext& ctx, Request& req, const identity::Principal& who) {
  auto body = ParseJsonObject(req.body);
  if (!body.ok()) return Response::Error(body.status());
  auto details = property_tax::ParsePropertyDetails(*body);
  if (!details.ok()) return Response::Error(details.status());
  auto wctx = WriteContextFor(req, who, "property.register", *body);
  if (!wctx.ok()) return Response::Error(wctx.status());
  const std::string ulb = req.Param("ulb");
  auto w = PropertyRegister(ctx.ledgers).Register(ulb, *wctx, *details);
  if (!w.ok()) return Response::Error(w.status());
  return PropertyAnswer(ctx, ulb, *w, 201);
}

Response SearchProperties(ApiContext& ctx, Request& req) {
  property_tax::SearchQuery q;
  q.q = req.Query("q").value_or("");
  q.after = req.Query("after").value_or("");
  if (auto limit = req.Query("limit")) {
    bool digits = !limit->empty() && limit->size() <= 3;
    for (char c : *limit) digits = digits && c >= '0' && c <= '9';
    if (!digits) {
      return Response::Error(Status::InvalidArgument("invalid_field",
                                                     "Field 'limit': must be between 1 and 100.",
                                                     "फ़ील्ड 'limit': 1 और 100 के बीच होना चाहिए।"));
    }
    q.limit = std::stoll(*limit);
  }
  auto page = PropertyRegister(ctx.ledgers).Search(req.Param("ulb"), q);
  if (!page.ok()) return Response::Error(page.status());
  json::array items;
  for (const auto& s : page->properties) items.push_back(property_tax::SummaryJson(s));
  json::value next =
      page->next_after.empty() ? json::value(nullptr) : json::value(json::string(page->next_after));
  return Response::Json(200, json::object{{"properties", std::move(items)}, {"next_after", next}});
}

Response GetProperty(ApiContext& ctx, Request& req) {
  auto id = property_tax::CanonicalPropertyId(req.Param("id"));
  if (!id.ok()) return Response::Error(id.status());
  auto p = PropertyRegister(ctx.ledgers).Get(req.Param("ulb"), *id);
  if (!p.ok()) return Response::Error(p.status());
  return Response::Json(200, property_tax::PropertyJson(*p));
}

Response CorrectProperty(ApiContext& ctx, Request& req, const identity::Principal& who) {
  auto id = property_tax::CanonicalPropertyId(req.Param("id"));
  if (!id.ok()) return Response::Error(id.status());
  auto body = ParseJsonObject(req.body);
  if (!body.ok()) return Response::Error(body.status());
  // The body is the full new record plus why it is corrected and, optionally, the version the
  // correction was made against.
  json::object record = *body;
  record.erase("reason");
  record.erase("expected_version");
  ObjectReader r(*body);
  auto reason = r.String("reason", 500);
  if (!reason.ok()) return Response::Error(reason.status());
  auto expected = r.OptionalInt("expected_version", 1, 1'000'000'000);
  if (!expected.ok()) return Response::Error(expected.status());
  auto details = property_tax::ParsePropertyDetails(record);
  if (!details.ok()) return Response::Error(details.status());
  auto wctx = WriteContextFor(req, who, "property.correct " + *id, *body);
  if (!wctx.ok()) return Response::Error(wctx.status());
  const std::string ulb = req.Param("ulb");
  auto w = PropertyRegister(ctx.ledgers).Correct(ulb, *wctx, *id, *details, *reason, *expected);
  if (!w.ok()) return Response::Error(w.status());
  return PropertyAnswer(ctx, ulb, *w, 200);
}

Response PropertyHistory(ApiContext& ctx, Request& req) {
  auto id = property_tax::CanonicalPropertyId(req.Param("id"));
  if (!id.ok()) return Response::Error(id.status());
  auto history = PropertyRegister(ctx.ledgers).History(req.Param("ulb"), *id);
  if (!history.ok()) return Response::Error(history.status());
  // Staff names come from the state registry; the ULB ledger records only their ids.
  std::map<std::string, json::value> names;
  json::array items;
  for (const auto& h : *history) {
    if (!names.contains(h.actor)) {
      auto u = ctx.registry.FindUserById(h.actor);
      names[h.actor] =
          u.ok() && *u ? json::value(json::string((*u)->display_name)) : json::value(nullptr);
    }
    json::object item{{"version", h.version},
                      {"event", h.event},
                      {"at", FormatUtcMicros(h.time_us)},
                      {"actor", h.actor},
                      {"actor_name", names[h.actor]},
                      {"record", property_tax::DetailsJson(h.details)}};
    item["reason"] = h.reason.empty() ? json::value(nullptr) : json::value(json::string(h.reason));
    items.push_back(std::move(item));
  }
  return Response::Json(200, json::object{{"id", *id}, {"history", std::move(items)}});
}

std::vector<ApiRoute> PropertyRoutes() {
  using identity::Permission;
  using P = const identity::Principal*;
  return {
      {{"POST", "/api/v1/ulbs/{ulb}/properties", Access::kUlb, Permission::kPropertyWrite},
       [](ApiContext& ctx, Request& q, P p) { return CreateProperty(ctx, q, *p); }},
      {{"GET", "/api/v1/ulbs/{ulb}/properties", Access::kUlb, Permission::kPropertyRead},
       [](ApiContext& ctx, Request& q, P) { return SearchProperties(ctx, q); }},
      {{"GET", "/api/v1/ulbs/{ulb}/properties/{id}", Access::kUlb, Permission::kPropertyRead},
       [](ApiContext& ctx, Request& q, P) { return GetProperty(ctx, q); }},
      {{"POST", "/api/v1/ulbs/{ulb}/properties/{id}/corrections", Access::kUlb,
        Permission::kPropertyWrite},
       [](ApiContext& ctx, Request& q, P p) { return CorrectProperty(ctx, q, *p); }},
      {{"GET", "/api/v1/ulbs/{ulb}/properties/{id}/history", Access::kUlb,
        Permission::kPropertyRead},
       [](ApiContext& ctx, Request& q, P) { return PropertyHistory(ctx, q); }},
  };
}

}  // namespace palika::http
