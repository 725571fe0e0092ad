#include "http/api/api.h"

#include <fmt/format.h>

#include "core/civil_date.h"
#include "core/ids.h"
#include "core/json.h"
#include "services/registry/replication_tokens.h"

namespace palika::http {
namespace json = boost::json;
using identity::Permission;
using identity::Principal;

namespace {

Response Ok(const json::value& v) { return Response::Json(200, v); }
Response Created(const json::value& v) { return Response::Json(201, v); }

json::object PrincipalJson(const Principal& p) {
  json::array grants;
  for (const auto& g : p.grants) {
    grants.push_back(json::object{{"role", std::string(identity::RoleName(g.role))},
                                  {"role_hi", std::string(identity::RoleLabelHi(g.role))},
                                  {"ulb", g.ulb}});
  }
  return {{"id", p.user_id},
          {"username", p.username},
          {"display_name", p.display_name},
          {"grants", std::move(grants)}};
}

json::object UlbJson(const registry::UlbInfo& u) {
  return {{"code", u.code},
          {"name", u.name},
          {"name_hi", u.name_hi},
          {"kind", u.kind},
          {"district", u.district}};
}

// The API takes only "Authorization: Bearer", never a cookie: a browser sends its cookies with
// any site's forged form, and the JSON writes carry no CSRF token. The web pages have their own
// session cookie and CSRF check (src/web/).
std::optional<std::string> BearerToken(const Request& req) {
  auto h = req.Header("authorization");
  if (!h) return std::nullopt;
  std::string_view v = *h;
  if (v.size() > 7 && (v.substr(0, 7) == "Bearer " || v.substr(0, 7) == "bearer ")) {
    return std::string(v.substr(7));
  }
  return std::nullopt;
}

Status NotSignedIn() {
  return Status::Unauthenticated(
      "not_signed_in",
      "Sign in first: POST /api/v1/session, then send 'Authorization: Bearer TOKEN'.",
      "पहले साइन इन करें, फिर 'Authorization: Bearer TOKEN' भेजें।");
}

Status ReplicationTokenOnly() {
  return Status::PermissionDenied(
      "forbidden",
      "This is a replication token: it may read the ledgers for backup (/api/v1/replication) and "
      "nothing else. Sign in as a member of staff for this.",
      "यह replication टोकन है: यह केवल बैकअप के लिए लेजर पढ़ सकता है (/api/v1/replication), और "
      "कुछ नहीं। इसके लिए स्टाफ़ सदस्य के रूप में साइन इन करें।");
}

// Replication routes: a replication token only. A staff session is valid but lacks the
// permission (no role holds it): 403, as Authorize words it.
Result<Principal> AdmitReplication(ApiContext& ctx, const RouteSpec& spec,
                                   const std::string& token) {
  auto host = registry::ReplicationTokens(ctx.ledgers).Authenticate(token);
  if (host.ok()) return Principal{"token:" + *host, *host, *host, {}};
  auto who = ctx.sessions.Authenticate(token);
  if (!who.ok()) return host.status();
  PALIKA_RETURN_IF_ERROR(identity::Authorize(*who, *spec.permission, identity::kAllUlbs));
  return Status::Internal("a staff session was authorised for a replication route");
}

// A route's access rule: authentication, ULB existence, permission. The principal the handler
// gets (nullopt for public routes), or the refusal.
Result<std::optional<Principal>> Admit(ApiContext& ctx, const RouteSpec& spec, Request& req) {
  if (spec.access == Access::kPublic) return std::optional<Principal>();
  auto token = BearerToken(req);
  if (!token) return NotSignedIn();
  if (spec.access == Access::kReplication) {
    PALIKA_ASSIGN_OR_RETURN(Principal machine, AdmitReplication(ctx, spec, *token));
    return std::optional<Principal>(std::move(machine));
  }
  auto who = ctx.sessions.Authenticate(*token);
  if (!who.ok()) {
    // A replication token is refused as such: it is valid, but only for the replication routes.
    if (registry::ReplicationTokens(ctx.ledgers).Authenticate(*token).ok()) {
      return ReplicationTokenOnly();
    }
    return who.status();
  }
  if (spec.access == Access::kSignedIn) return std::optional<Principal>(std::move(*who));
  std::string ulb = std::string(identity::kAllUlbs);
  if (spec.access == Access::kUlb) {
    ulb = req.Param("ulb");
    if (!IsValidUlbCode(ulb)) {
      return Status::InvalidArgument("invalid_ulb_code",
                                     "'" + ulb + "' is not a ULB code; a ULB code is 4 digits.",
                                     "'" + ulb + "' निकाय कोड नहीं है; निकाय कोड 4 अंकों का होता है।");
    }
    PALIKA_RETURN_IF_ERROR(ctx.ledgers.Ulb(ulb).status());
  }
  PALIKA_RETURN_IF_ERROR(identity::Authorize(*who, *spec.permission, ulb));
  return std::optional<Principal>(std::move(*who));
}

// Admit's answer when it can be given from memory alone (see InlineRouteHandler); nullopt when
// Admit would read or write a store: a session to end, expire, touch on disk or reload, a ULB
// ledger that is not open, a replication route. A refusal given here is Admit's own.
std::optional<Result<std::optional<Principal>>> AdmitInMemory(ApiContext& ctx,
                                                              const RouteSpec& spec, Request& req) {
  using Admitted = Result<std::optional<Principal>>;
  if (spec.access == Access::kPublic) return Admitted(std::optional<Principal>());
  if (spec.access == Access::kReplication) return std::nullopt;
  auto token = BearerToken(req);
  if (!token) return Admitted(NotSignedIn());
  std::optional<Principal> who = ctx.sessions.TryAuthenticateInMemory(*token);
  if (!who) return std::nullopt;
  if (spec.access == Access::kSignedIn) return Admitted(std::move(who));
  std::string ulb = std::string(identity::kAllUlbs);
  if (spec.access == Access::kUlb) {
    ulb = req.Param("ulb");
    if (!IsValidUlbCode(ulb) || ctx.ledgers.OpenUlb(ulb) == nullptr) return std::nullopt;
  }
  if (Status s = identity::Authorize(*who, *spec.permission, ulb); !s.ok()) return Admitted(s);
  return Admitted(std::move(who));
}

// Wraps a handler with its route's access rule.
Handler Guard(ApiContext& ctx, const RouteSpec& spec, const RouteHandler& handler) {
  return [&ctx, spec, &handler](Request& req) -> Response {
    auto who = Admit(ctx, spec, req);
    if (!who.ok()) return Response::Error(who.status());
    return handler(ctx, req, *who ? &**who : nullptr);
  };
}

AsyncHandler GuardAsync(ApiContext& ctx, const RouteSpec& spec, const AsyncRouteHandler& handler) {
  return [&ctx, spec, &handler](Request& req, Respond respond) {
    auto who = Admit(ctx, spec, req);
    if (!who.ok()) return respond(Reply{Response::Error(who.status()), {}, false});
    handler(ctx, req, *who ? &**who : nullptr, std::move(respond));
  };
}

InlineHandler GuardInline(ApiContext& ctx, const RouteSpec& spec,
                          const InlineRouteHandler& try_inline) {
  return [&ctx, spec, &try_inline](Request& req, const Respond& respond) {
    auto who = AdmitInMemory(ctx, spec, req);
    if (!who) return false;
    if (!who->ok()) {
      respond(Reply{Response::Error(who->status()), {}, false});
      return true;
    }
    return try_inline(ctx, req, **who ? &***who : nullptr, respond);
  };
}

template <typename T>
Response ErrorOr(const Result<T>& r, const std::function<Response(const T&)>& ok) {
  if (!r.ok()) return Response::Error(r.status());
  return ok(*r);
}

Result<json::object> Body(const Request& req) { return ParseJsonObject(req.body); }

// --- handlers -------------------------------------------------------------------------------

Response SignIn(ApiContext& ctx, Request& req) {
  auto body = Body(req);
  if (!body.ok()) return Response::Error(body.status());
  ObjectReader r(*body);
  auto username = r.String("username", 64);
  auto password = r.String("password", 256);
  auto otp = r.String("otp", 16);
  if (!username.ok()) return Response::Error(username.status());
  if (!password.ok()) return Response::Error(password.status());
  if (!otp.ok()) return Response::Error(otp.status());
  if (Status s = r.Finish(); !s.ok()) return Response::Error(s);
  auto result = ctx.sessions.SignIn(*username, *password, *otp, req.remote_address);
  if (!result.ok()) {
    Response r = Response::Error(result.status());
    if (result.status().kind() == StatusKind::kTooManyRequests) {
      if (auto wait = ctx.sessions.SignInRetryAfter(*username, req.remote_address)) {
        r.With("Retry-After", std::to_string(std::max<int64_t>(1, wait->count())));
      }
    }
    return r;
  }
  return Created(json::object{{"token", result->token},
                              {"expires_at", FormatUtcMicros(result->expires_at_us)},
                              {"user", PrincipalJson(result->principal)}});
}

Response ListUlbs(ApiContext& ctx) {
  auto ulbs = ctx.registry.ListUlbs();
  if (!ulbs.ok()) return Response::Error(ulbs.status());
  json::array out;
  for (const auto& u : *ulbs) out.push_back(UlbJson(u));
  return Ok(json::object{{"ulbs", std::move(out)}});
}

Response AddUlb(ApiContext& ctx, Request& req, const Principal& who) {
  auto body = Body(req);
  if (!body.ok()) return Response::Error(body.status());
  ObjectReader r(*body);
  registry::UlbInfo u;
  for (auto [key, field, max] :
       {std::tuple{"code", &u.code, size_t{4}}, std::tuple{"name", &u.name, size_t{100}},
        std::tuple{"name_hi", &u.name_hi, size_t{100}}, std::tuple{"kind", &u.kind, size_t{20}},
        std::tuple{"district", &u.district, size_t{100}}}) {
    auto v = r.String(key, max);
    if (!v.ok()) return Response::Error(v.status());
    *field = *v;
  }
  if (Status s = r.Finish(); !s.ok()) return Response::Error(s);
  auto added = ctx.registry.AddUlb(who.user_id, u);
  if (!added.ok()) return Response::Error(added.status());
  return Created(*added);
}

Response GetUlb(ApiContext& ctx, Request& req) {
  const std::string code = req.Param("ulb");
  if (!IsValidUlbCode(code)) {
    return Response::Error(Status::InvalidArgument(
        "invalid_ulb_code", "'" + code + "' is not a ULB code; a ULB code is 4 digits.",
        "'" + code + "' निकाय कोड नहीं है; निकाय कोड 4 अंकों का होता है।"));
  }
  auto u = ctx.registry.GetUlb(code);
  if (!u.ok()) return Response::Error(u.status());
  return Ok(UlbJson(*u));
}

Response ListWards(ApiContext& ctx, Request& req) {
  auto wards = ctx.registry.ListWards(req.Param("ulb"));
  if (!wards.ok()) return Response::Error(wards.status());
  json::array out;
  for (const auto& w : *wards) {
    out.push_back(json::object{
        {"number", w.number}, {"name", w.name}, {"name_hi", w.name_hi}, {"zone", w.zone}});
  }
  return Ok(json::object{{"wards", std::move(out)}});
}

Response AddWard(ApiContext& ctx, Request& req, const Principal& who) {
  auto body = Body(req);
  if (!body.ok()) return Response::Error(body.status());
  ObjectReader r(*body);
  registry::Ward w;
  auto number = r.Int("number", 1, 999);
  auto name = r.String("name", 100);
  auto name_hi = r.String("name_hi", 100);
  auto zone = r.OptionalString("zone", 50);
  for (const Status* s : {&number.status(), &name.status(), &name_hi.status(), &zone.status()}) {
    if (!s->ok()) return Response::Error(*s);
  }
  if (Status s = r.Finish(); !s.ok()) return Response::Error(s);
  w.number = *number;
  w.name = *name;
  w.name_hi = *name_hi;
  w.zone = zone->value_or("");
  auto added = ctx.registry.AddWard(who.user_id, req.Param("ulb"), w);
  if (!added.ok()) return Response::Error(added.status());
  return Created(*added);
}

Response ListUlbUsers(ApiContext& ctx, Request& req) {
  auto users = ctx.registry.UsersOfUlb(req.Param("ulb"));
  if (!users.ok()) return Response::Error(users.status());
  return Ok(json::object{{"users", std::move(*users)}});
}

Status UnknownRole(const std::string& role) {
  std::string names;
  for (auto r : identity::AllRoles()) {
    if (!names.empty()) names += ", ";
    names += identity::RoleName(r);
  }
  return Status::InvalidArgument("unknown_role",
                                 "Unknown role '" + role + "'. Roles are: " + names + ".",
                                 "अज्ञात भूमिका '" + role + "'। मान्य भूमिकाएँ: " + names + "।");
}

Response AddUlbUser(ApiContext& ctx, Request& req, const Principal& who) {
  auto body = Body(req);
  if (!body.ok()) return Response::Error(body.status());
  ObjectReader r(*body);
  auto username = r.String("username", 32);
  auto display = r.OptionalString("display_name", 100);
  auto password = r.String("password", 256);
  auto role = r.String("role", 32);
  for (const Status* s :
       {&username.status(), &display.status(), &password.status(), &role.status()}) {
    if (!s->ok()) return Response::Error(*s);
  }
  if (Status s = r.Finish(); !s.ok()) return Response::Error(s);
  auto parsed = identity::ParseRole(*role);
  if (!parsed) return Response::Error(UnknownRole(*role));
  const std::string ulb = req.Param("ulb");
  // Creating a user with a role is a grant: the same authority rule applies.
  registry::NewUser nu{*username, display->value_or(""), *password, identity::Grant{*parsed, ulb}};
  auto created = ctx.registry.AddUserBy(who, nu);
  if (!created.ok()) return Response::Error(created.status());
  return Created(json::object{
      {"id", created->id}, {"username", created->username}, {"otpauth_uri", created->otpauth_uri}});
}

Response ChangeGrant(ApiContext& ctx, Request& req, const Principal& who, bool grant) {
  auto body = Body(req);
  if (!body.ok()) return Response::Error(body.status());
  ObjectReader r(*body);
  auto username = r.String("username", 32);
  auto role = r.String("role", 32);
  if (!username.ok()) return Response::Error(username.status());
  if (!role.ok()) return Response::Error(role.status());
  if (Status s = r.Finish(); !s.ok()) return Response::Error(s);
  auto parsed = identity::ParseRole(*role);
  if (!parsed) return Response::Error(UnknownRole(*role));
  auto out = grant ? ctx.registry.GrantRole(who, *username, *parsed, req.Param("ulb"))
                   : ctx.registry.RevokeRole(who, *username, *parsed, req.Param("ulb"));
  if (!out.ok()) return Response::Error(out.status());
  return Ok(*out);
}

Response LedgerStatus(ApiContext& ctx, Request& req) {
  auto l = ctx.ledgers.Ulb(req.Param("ulb"));
  if (!l.ok()) return Response::Error(l.status());
  return Ok(json::object{{"ulb", (*l)->ulb()},
                         {"entries", (*l)->size()},
                         {"checkpoint", (*l)->LatestCheckpointNote()},
                         {"public_key", ctx.ledgers.node_verifier().ToString()}});
}

Response ChangePassword(ApiContext& ctx, Request& req, const Principal& who) {
  auto body = Body(req);
  if (!body.ok()) return Response::Error(body.status());
  ObjectReader r(*body);
  auto old_pw = r.String("old_password", 256);
  auto new_pw = r.String("new_password", 256);
  if (!old_pw.ok()) return Response::Error(old_pw.status());
  if (!new_pw.ok()) return Response::Error(new_pw.status());
  if (Status s = r.Finish(); !s.ok()) return Response::Error(s);
  Status s = ctx.registry.ChangePassword(who.user_id, *old_pw, *new_pw);
  if (!s.ok()) return Response::Error(s);
  // Whoever else knew the old password is signed out; this session stays.
  if (auto token = BearerToken(req)) ctx.sessions.SignOutOthers(who.user_id, *token);
  return Ok(json::object{{"changed", true}, {"other_sessions_ended", true}});
}

}  // namespace

std::vector<ApiRoute> CoreRoutes() {
  using P = const Principal*;
  return {
      {{"POST", "/api/v1/session", Access::kPublic, std::nullopt},
       [](ApiContext& ctx, Request& q, P) { return SignIn(ctx, q); }},
      {{"GET", "/api/v1/session", Access::kSignedIn, std::nullopt},
       [](ApiContext&, Request&, P p) {
         return Ok(json::object{{"user", PrincipalJson(*p)}});
       }},
      {{"DELETE", "/api/v1/session", Access::kSignedIn, std::nullopt},
       [](ApiContext& ctx, Request& q, P) {
         if (auto t = BearerToken(q)) ctx.sessions.SignOut(*t);
         return Ok(json::object{{"signed_out", true}});
       }},
      {{"POST", "/api/v1/session/password", Access::kSignedIn, std::nullopt},
       [](ApiContext& ctx, Request& q, P p) { return ChangePassword(ctx, q, *p); }},
      {{"GET", "/api/v1/ulbs", Access::kPublic, std::nullopt},
       [](ApiContext& ctx, Request&, P) { return ListUlbs(ctx); }},
      {{"POST", "/api/v1/ulbs", Access::kState, Permission::kUlbRegister},
       [](ApiContext& ctx, Request& q, P p) { return AddUlb(ctx, q, *p); }},
      {{"GET", "/api/v1/ulbs/{ulb}", Access::kPublic, std::nullopt},
       [](ApiContext& ctx, Request& q, P) { return GetUlb(ctx, q); }},
      {{"GET", "/api/v1/ulbs/{ulb}/wards", Access::kUlb, Permission::kUlbRead},
       [](ApiContext& ctx, Request& q, P) { return ListWards(ctx, q); }},
      {{"POST", "/api/v1/ulbs/{ulb}/wards", Access::kUlb, Permission::kUlbConfigure},
       [](ApiContext& ctx, Request& q, P p) { return AddWard(ctx, q, *p); }},
      {{"GET", "/api/v1/ulbs/{ulb}/users", Access::kUlb, Permission::kUsersManage},
       [](ApiContext& ctx, Request& q, P) { return ListUlbUsers(ctx, q); }},
      {{"POST", "/api/v1/ulbs/{ulb}/users", Access::kUlb, Permission::kUsersManage},
       [](ApiContext& ctx, Request& q, P p) { return AddUlbUser(ctx, q, *p); }},
      {{"POST", "/api/v1/ulbs/{ulb}/grants", Access::kUlb, Permission::kUsersManage},
       [](ApiContext& ctx, Request& q, P p) { return ChangeGrant(ctx, q, *p, true); }},
      {{"POST", "/api/v1/ulbs/{ulb}/grants/revoke", Access::kUlb, Permission::kUsersManage},
       [](ApiContext& ctx, Request& q, P p) { return ChangeGrant(ctx, q, *p, false); }},
      {{"GET", "/api/v1/ulbs/{ulb}/ledger", Access::kUlb, Permission::kLedgerRead},
       [](ApiContext& ctx, Request& q, P) { return LedgerStatus(ctx, q); }},
  };
}

namespace {

// Every route of every feature, in the order the groups are listed.
const std::vector<ApiRoute>& AllRoutes() {
  static const std::vector<ApiRoute> routes = [] {
    std::vector<ApiRoute> all;
    for (auto group : {CoreRoutes, PropertyRoutes, BillingRoutes, PaymentRoutes, AccountsRoutes,
                       ReplicationRoutes}) {
      for (auto& r : group()) all.push_back(std::move(r));
    }
    return all;
  }();
  return routes;
}

}  // namespace

const std::vector<RouteSpec>& ApiRoutes() {
  static const std::vector<RouteSpec> specs = [] {
    std::vector<RouteSpec> out;
    for (const auto& r : AllRoutes()) out.push_back(r.spec);
    return out;
  }();
  return specs;
}

void AddApiRoutes(Router& router, ApiContext& ctx) {
  for (const auto& route : AllRoutes()) {
    if (route.async_handler) {
      router.AddAsync(
          route.spec.method, route.spec.pattern, GuardAsync(ctx, route.spec, route.async_handler),
          route.try_inline ? GuardInline(ctx, route.spec, route.try_inline) : InlineHandler());
    } else {
      router.Add(route.spec.method, route.spec.pattern, Guard(ctx, route.spec, route.handler));
    }
  }
  router.Add("GET", "/healthz", [&ctx](Request&) {
    json::array held;
    for (const auto& code : ctx.ledgers.UlbCodes()) {
      if (!ctx.ledgers.Ulb(code).ok()) held.push_back(json::string(code));
    }
    return Ok(json::object{{"status", held.empty() ? "ok" : "degraded"},
                           {"state_entries", ctx.ledgers.state().size()},
                           {"ulbs_held_back", std::move(held)}});
  });
  router.Add("GET", "/metrics", [&ctx](Request&) {
    ctx.ledgers.backups().ExportMetrics(ctx.metrics);
    return Response::Text(200, ctx.metrics.RenderPrometheus(), std::string(Metrics::kContentType));
  });
}

}  // namespace palika::http
