// The sandbox gateway's own pages (/sandbox-gateway/...), served only when the sandbox is on:
// the order with its amount, and the "citizen's" choice — pay, fail, or (for tests) pay but lose
// the callback. Every page says "SANDBOX — no real money" in the user's language. The outcome
// goes back to Palika the way a real gateway sends it: the browser is redirected to the order's
// return URL with the signed fields (payments::SignCallback).

#include "services/payments/sandbox_gateway.h"

#include <fmt/format.h>

#include "web/routes.h"

namespace palika::web::detail {

namespace {

using payments::SandboxGateway;

std::string CallbackUrl(const SandboxGateway::Order& o, const payments::GatewayCallback& cb) {
  const char sep = o.return_url.find('?') == std::string::npos ? '?' : '&';
  return o.return_url + sep + "order_id=" + UrlEncode(cb.order_id) +
         "&gateway_order_id=" + UrlEncode(cb.gateway_order_id) + "&txn_id=" + UrlEncode(cb.txn_id) +
         "&amount_paise=" + std::to_string(cb.amount_paise) + "&status=" + UrlEncode(cb.status) +
         "&signature=" + UrlEncode(cb.signature);
}

http::Response SandboxError(Env& env, const Status& s) {
  return ErrorPage(env, s.kind() == StatusKind::kNotFound ? 404 : 500,
                   Text(env.lang, "sandbox_banner") + " · " + StatusText(env.lang, s));
}

http::Response SandboxPage(Site& site, Env& env, const SandboxGateway::Order& o, bool lost,
                           const std::string& callback_url) {
  (void)site;
  Data data;
  data.set("order_id", o.order_id);
  data.set("description", o.description);
  data.set("amount", o.amount.Format());
  data.set("action", "/sandbox-gateway/pay/" + o.gateway_order_id);
  if (o.status == payments::kGatewayPending) {
    data.set("pending", true);
  } else if (lost) {
    data.set("lost", true);
    data.set("merchant_url", "/u/" + o.ulb + "/p/" + o.property_id);
  } else {
    data.set("finished",
             Text(env.lang, o.status == payments::kGatewaySuccess ? "sandbox_done_success"
                                                                  : "sandbox_done_failure"));
    if (!callback_url.empty()) data.set("callback_url", callback_url);
  }
  return RenderPage(env, 200, "sandbox_gateway", std::move(data), Text(env.lang, "sandbox_title"));
}

http::Response SandboxGet(Site& site, http::Request& req, Env& env) {
  auto o = site.options.sandbox->Get(req.Param("order"));
  if (!o.ok()) return SandboxError(env, o.status());
  if (o->status == payments::kGatewayPending || o->callback_lost) {
    return SandboxPage(site, env, *o, o->callback_lost, "");
  }
  // A finished order offers its callback again (a duplicate delivery, as gateways retry).
  auto again = site.options.sandbox->Choose(o->gateway_order_id, SandboxGateway::Choice::kFailure);
  if (!again.ok()) return SandboxError(env, again.status());
  return SandboxPage(site, env, again->order, false, CallbackUrl(again->order, again->callback));
}

http::Response SandboxChoose(Site& site, http::Request& req, Env& env) {
  auto form = ParseForm(req);
  if (!form.ok()) return StatusPage(env, form.status());
  if (!CsrfValid(req, *form)) return CsrfRefused(env);
  const std::string choice = Field(*form, "choice");
  SandboxGateway::Choice c;
  if (choice == "success") {
    c = SandboxGateway::Choice::kSuccess;
  } else if (choice == "failure") {
    c = SandboxGateway::Choice::kFailure;
  } else if (choice == "lost") {
    c = SandboxGateway::Choice::kSuccessLoseCallback;
  } else {
    return ErrorPage(env, 400, Text(env.lang, "sandbox_bad_choice"));
  }
  auto outcome = site.options.sandbox->Choose(req.Param("order"), c);
  if (!outcome.ok()) return SandboxError(env, outcome.status());
  if (!outcome->deliver) return SandboxPage(site, env, outcome->order, true, "");
  return http::Response::Redirect(CallbackUrl(outcome->order, outcome->callback));
}

}  // namespace

void AddSandboxGatewayPages(http::Router& router, Site& site) {
  AddPage(router, site, "GET", "/sandbox-gateway/pay/{order}", SandboxGet);
  AddPage(router, site, "POST", "/sandbox-gateway/pay/{order}", SandboxChoose);
}

}  // namespace palika::web::detail
