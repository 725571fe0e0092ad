// The back office's ULB-wide pages: the year's demand (started as a run of its own, with a page
// that reloads itself while it runs so it works without JavaScript, then the result), and the
// ULB's staff (add a user with a first password and their TOTP enrolment shown once as an
// otpauth URI and QR code, grant and revoke the ULB's roles, disable a user). The rules are the
// services': property_tax::RaiseDemand (idempotent) and registry::Registry (who may grant what;
// a ULB administrator grants no state role and touches no other ULB's staff).

#include <fmt/format.h>

#include "core/civil_date.h"
#include "documents/qr.h"
#include "http/api_error.h"
#include "services/property_tax/billing.h"
#include "services/property_tax/demand.h"
#include "services/registry/registry.h"
#include "web/routes.h"

namespace palika::web::detail {

namespace pt = property_tax;
using identity::Permission;
using identity::Role;

namespace {

CivilDate Today() { return CivilDate::TodayIst(std::chrono::system_clock::now()); }

// --- demand ------------------------------------------------------------------------------------

Data ProgressData(Lang lang, const pt::DemandProgress& p) {
  Data d;
  d.set("properties", std::to_string(p.properties));
  d.set("raised", std::to_string(p.raised));
  d.set("total", p.total.Format());
  d.set("complete", p.properties > 0 && p.raised >= p.properties);
  (void)lang;
  return d;
}

http::Response DemandForm(Site& site, Env& env, const Office& o, int status, const std::string& fy,
                          const std::string& error) {
  Data data = OfficeData(env, o);
  data.set("fy", fy);
  if (!error.empty()) data.set("error", error);
  // Where this year and the next stand, from the ledger.
  Data years{Data::type::list};
  const FinancialYear now = FinancialYear::Of(Today());
  for (FinancialYear y : {now, now.Next()}) {
    auto p = pt::GetDemandProgress(site.api.ledgers, o.ulb.code, y);
    if (!p.ok()) continue;
    Data d = ProgressData(env.lang, *p);
    d.set("fy", y.Format());
    d.set("url", "/staff/" + o.ulb.code + "/demand/" + y.Format());
    years.push_back(d);
  }
  data.set("years", years);
  return RenderPage(env, status, "office_demand", std::move(data),
                    Text(env.lang, "demand_title", {{"ulb", UlbName(env.lang, o.ulb)}}));
}

http::Response DemandGet(Site& site, http::Request&, Env& env, const Office& o, const Form&) {
  return DemandForm(site, env, o, 200, FinancialYear::Of(Today()).Format(), "");
}

http::Response DemandPost(Site& site, http::Request&, Env& env, const Office& o, const Form& form) {
  const std::string text = Field(form, "fy");
  auto fy = FinancialYear::Parse(text);
  if (!fy.ok()) {
    return DemandForm(site, env, o, 400, text,
                      Text(env.lang, "error_fy", {{"fy", text.substr(0, 20)}}));
  }
  // A year without a rate table cannot be billed: say so on the form instead of starting.
  auto rates = pt::Billing(site.api.ledgers).GetRates(o.ulb.code, *fy);
  if (!rates.ok()) {
    return DemandForm(site, env, o, http::HttpStatusFor(rates.status().kind()), text,
                      StatusText(env.lang, rates.status()));
  }
  const bool started = site.demand_jobs->Start(o.ulb.code, *fy, o.who.user_id, StaffName(o.who));
  return http::Response::Redirect("/staff/" + o.ulb.code + "/demand/" + fy->Format() +
                                  (started ? "" : "?already_running=1"));
}

http::Response DemandJobPage(Site& site, http::Request& req, Env& env, const Office& o,
                             const Form&) {
  auto fy = FinancialYear::Parse(req.Param("fy"));
  if (!fy.ok()) {
    return ErrorPage(env, 400, Text(env.lang, "error_fy", {{"fy", req.Param("fy").substr(0, 20)}}));
  }
  Data data = OfficeData(env, o);
  data.set("fy", fy->Format());
  data.set("heading", Text(env.lang, "demand_job_title", {{"fy", fy->Format()}}));
  data.set("already_running", req.Query("already_running").has_value());
  auto job = site.demand_jobs->Get(o.ulb.code, *fy);
  auto progress = pt::GetDemandProgress(site.api.ledgers, o.ulb.code, *fy);
  if (!progress.ok()) return StatusPage(env, progress.status());
  data.set("progress", ProgressData(env.lang, *progress));
  if (job) {
    Data j;
    j.set("started_by", job->started_by);
    j.set("done", std::to_string(job->done));
    j.set("of", std::to_string(job->total));
    const int64_t percent = job->total > 0 ? job->done * 100 / job->total : 0;
    j.set("percent", std::to_string(percent));
    j.set("running", job->running);
    if (job->error) j.set("error", StatusText(env.lang, *job->error));
    if (job->result) {
      const pt::DemandRun& run = *job->result;
      Data r;
      r.set("properties", std::to_string(run.properties));
      r.set("raised", std::to_string(run.raised));
      r.set("already", std::to_string(run.already_raised));
      r.set("failed", std::to_string(run.failed));
      r.set("total", run.total.Format());
      r.set("nothing_changed", run.raised == 0);
      Data failures{Data::type::list};
      for (const auto& f : run.failures) {
        Data x;
        x.set("id", f.property_id);
        x.set("url", "/staff/" + o.ulb.code + "/register/" + f.property_id);
        x.set("why", StatusText(env.lang, f.why));
        failures.push_back(x);
      }
      r.set("failures", failures);
      r.set("has_failures", run.failed > 0);
      j.set("result", r);
    }
    data.set("job", j);
    if (job->running) env.refresh_seconds = 2;
  }
  return RenderPage(env, 200, "office_demand_job", std::move(data),
                    Text(env.lang, "demand_job_title", {{"fy", fy->Format()}}));
}

// --- users -------------------------------------------------------------------------------------

std::string RoleLabel(Lang lang, Role r) {
  return lang == Lang::kHi ? std::string(identity::RoleLabelHi(r))
                           : Text(lang, "role_" + std::string(identity::RoleName(r)));
}

// The roles a grant in this ULB may name (the service still decides who may grant them).
std::vector<Role> UlbRoles(const identity::Principal& who) {
  const bool state_admin =
      identity::Authorize(who, Permission::kUlbRegister, identity::kAllUlbs).ok();
  std::vector<Role> out;
  for (Role r : identity::AllRoles()) {
    if (r == Role::kStateAdmin) continue;
    if (r == Role::kUlbAdmin && !state_admin) continue;
    out.push_back(r);
  }
  return out;
}

Data RoleOptions(Lang lang, const std::vector<Role>& roles, const std::string& selected) {
  Data list{Data::type::list};
  for (Role r : roles) {
    Data d;
    d.set("value", std::string(identity::RoleName(r)));
    d.set("label", RoleLabel(lang, r));
    d.set("selected", selected == identity::RoleName(r));
    list.push_back(d);
  }
  return list;
}

struct NewUserForm {
  std::string username, display_name, role = "cashier";
  std::map<std::string, std::string> errors;
};

// An SVG of the QR code of `text` (black modules on white, with the quiet zone), "" if it does
// not fit in a QR code.
std::string QrSvg(const std::string& text) {
  auto qr = documents::QrMatrix::Encode(text, documents::QrErrorCorrection::kMedium);
  if (!qr.ok()) return "";
  const int n = qr->size() + 2 * documents::kQrQuietZoneModules;
  std::string path;
  for (int y = 0; y < qr->size(); ++y) {
    for (int x = 0; x < qr->size(); ++x) {
      if (!qr->dark(x, y)) continue;
      path += fmt::format("M{} {}h1v1h-1z", x + documents::kQrQuietZoneModules,
                          y + documents::kQrQuietZoneModules);
    }
  }
  return fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {0} {0}\" width=\"240\" "
      "height=\"240\" role=\"img\" aria-labelledby=\"otp-uri-label\" "
      "shape-rendering=\"crispEdges\">"
      "<rect width=\"{0}\" height=\"{0}\" fill=\"#fff\"/><path fill=\"#000\" d=\"{1}\"/></svg>",
      n, path);
}

http::Response UsersPage(Site& site, Env& env, const Office& o, int status, const NewUserForm& form,
                         const std::string& error, const std::string& done,
                         const registry::CreatedUser* created) {
  Data data = OfficeData(env, o);
  if (!error.empty()) data.set("error", error);
  if (!done.empty()) data.set("done", done);
  const std::vector<Role> roles = UlbRoles(o.who);
  auto staff = site.api.registry.StaffOfUlb(o.ulb.code);
  if (!staff.ok()) return StatusPage(env, staff.status());
  const std::string base = "/staff/" + o.ulb.code + "/users/";
  Data users{Data::type::list};
  for (const auto& u : *staff) {
    Data d;
    d.set("username", u.user.username);
    d.set("display_name", u.user.display_name);
    d.set("active", u.user.active);
    d.set("is_me", u.user.id == o.who.user_id);
    d.set("grant_url", base + u.user.username + "/grant");
    d.set("revoke_url", base + u.user.username + "/revoke");
    d.set("disable_url", base + u.user.username + "/disable");
    d.set("enable_url", base + u.user.username + "/enable");
    Data held{Data::type::list};
    std::vector<Role> missing;
    for (Role r : u.roles) {
      Data x;
      x.set("value", std::string(identity::RoleName(r)));
      x.set("label", RoleLabel(env.lang, r));
      held.push_back(x);
    }
    for (Role r : roles) {
      if (std::find(u.roles.begin(), u.roles.end(), r) == u.roles.end()) missing.push_back(r);
    }
    d.set("roles", held);
    d.set("grantable", RoleOptions(env.lang, missing, ""));
    d.set("can_grant", !missing.empty());
    users.push_back(d);
  }
  data.set("users", users);
  Data f;
  f.set("username", form.username);
  f.set("display_name", form.display_name);
  for (const auto& [k, v] : form.errors) f.set(k + "_error", v);
  f.set("roles", RoleOptions(env.lang, roles, form.role));
  data.set("form", f);
  data.set("add_url", "/staff/" + o.ulb.code + "/users");
  if (created != nullptr) {
    Data c;
    c.set("username", created->username);
    c.set("uri", created->otpauth_uri);
    c.set("qr", QrSvg(created->otpauth_uri));
    data.set("created", c);
  }
  return RenderPage(env, status, "office_users", std::move(data),
                    Text(env.lang, "users_title", {{"ulb", UlbName(env.lang, o.ulb)}}));
}

http::Response UsersGet(Site& site, http::Request& req, Env& env, const Office& o, const Form&) {
  const std::string done = req.Query("done").value_or("");
  std::string message;
  if (done == "granted" || done == "revoked" || done == "disabled" || done == "enabled") {
    message = Text(env.lang, "users_done_" + done,
                   {{"username", req.Query("u").value_or("").substr(0, 32)}});
  }
  return UsersPage(site, env, o, 200, NewUserForm{}, "", message, nullptr);
}

http::Response UsersAdd(Site& site, http::Request&, Env& env, const Office& o, const Form& form) {
  NewUserForm f{Field(form, "username"), Field(form, "display_name"), Field(form, "role"), {}};
  auto role = identity::ParseRole(f.role);
  if (!role) {
    f.errors["role"] = Text(env.lang, "error_role");
    return UsersPage(site, env, o, 400, f, "", "", nullptr);
  }
  if (f.display_name.size() > 100) {
    f.errors["display_name"] = Text(env.lang, "error_display_name");
    return UsersPage(site, env, o, 400, f, "", "", nullptr);
  }
  registry::NewUser nu{f.username, f.display_name, Field(form, "password"),
                       identity::Grant{*role, o.ulb.code}};
  auto created = site.api.registry.AddUserBy(o.who, nu);
  if (!created.ok()) {
    const Status& s = created.status();
    const std::string message = StatusText(env.lang, s);
    if (s.code() == "invalid_username" || s.code() == "user_exists") {
      f.errors["username"] = message;
    } else if (s.code().starts_with("password")) {
      f.errors["password"] = message;
    } else if (s.kind() == StatusKind::kPermissionDenied) {
      f.errors["role"] = message;
    } else {
      return UsersPage(site, env, o, http::HttpStatusFor(s.kind()), f, message, "", nullptr);
    }
    return UsersPage(site, env, o, http::HttpStatusFor(s.kind()), f, "", "", nullptr);
  }
  return UsersPage(site, env, o, 201, NewUserForm{}, "",
                   Text(env.lang, "users_done_added", {{"username", created->username}}),
                   &*created);
}

http::Response UsersChange(Site& site, http::Request& req, Env& env, const Office& o,
                           const Form& form, const std::string& what) {
  const std::string username = req.Param("username");
  Status s = Status::OK();
  if (what == "disable") {
    s = site.api.registry.DisableUser(o.who, username, o.ulb.code);
  } else if (what == "enable") {
    s = site.api.registry.EnableUser(o.who, username, o.ulb.code);
  } else {
    auto role = identity::ParseRole(Field(form, "role"));
    if (!role) {
      return UsersPage(site, env, o, 400, NewUserForm{}, Text(env.lang, "error_role"), "", nullptr);
    }
    auto r = what == "grant" ? site.api.registry.GrantRole(o.who, username, *role, o.ulb.code)
                             : site.api.registry.RevokeRole(o.who, username, *role, o.ulb.code);
    if (!r.ok()) s = r.status();
  }
  if (!s.ok()) {
    return UsersPage(site, env, o, http::HttpStatusFor(s.kind()), NewUserForm{},
                     StatusText(env.lang, s), "", nullptr);
  }
  const std::string done = what == "grant"     ? "granted"
                           : what == "revoke"  ? "revoked"
                           : what == "disable" ? "disabled"
                                               : "enabled";
  return http::Response::Redirect("/staff/" + o.ulb.code + "/users?done=" + done +
                                  "&u=" + UrlEncode(username));
}

// The handler of one of the users' row buttons.
OfficeHandler UsersChangeOf(std::string what) {
  return [what = std::move(what)](Site& s, http::Request& r, Env& e, const Office& o,
                                  const Form& f) { return UsersChange(s, r, e, o, f, what); };
}

}  // namespace

void AddOfficeAdminPages(http::Router& router, Site& site) {
  AddOfficePage(router, site, "GET", "/staff/{ulb}/demand", Permission::kDemandRaise, DemandGet);
  AddOfficePage(router, site, "POST", "/staff/{ulb}/demand", Permission::kDemandRaise, DemandPost);
  AddOfficePage(router, site, "GET", "/staff/{ulb}/demand/{fy}", Permission::kDemandRaise,
                DemandJobPage);
  AddOfficePage(router, site, "GET", "/staff/{ulb}/users", Permission::kUsersManage, UsersGet);
  AddOfficePage(router, site, "POST", "/staff/{ulb}/users", Permission::kUsersManage, UsersAdd);
  AddOfficePage(router, site, "POST", "/staff/{ulb}/users/{username}/grant",
                Permission::kUsersManage, UsersChangeOf("grant"));
  AddOfficePage(router, site, "POST", "/staff/{ulb}/users/{username}/revoke",
                Permission::kUsersManage, UsersChangeOf("revoke"));
  AddOfficePage(router, site, "POST", "/staff/{ulb}/users/{username}/disable",
                Permission::kUsersManage, UsersChangeOf("disable"));
  AddOfficePage(router, site, "POST", "/staff/{ulb}/users/{username}/enable",
                Permission::kUsersManage, UsersChangeOf("enable"));
}

}  // namespace palika::web::detail
