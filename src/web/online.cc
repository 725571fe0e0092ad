// Online payment in the citizen portal: "Pay online" on the property page (a POST form with the
// CSRF token) starts an order and sends the browser to the gateway; the gateway's return (GET or
// POST, signed) is checked and settled by payments::OnlinePayments; the outcome page shows the
// receipt with its PDF, or why it failed, in the user's language. Works with JavaScript off.

#include <fmt/format.h>

#include <charconv>

#include "core/civil_date.h"
#include "http/api/payment_api.h"
#include "services/payments/online_payments.h"
#include "services/property_tax/billing.h"
#include "web/routes.h"

namespace palika::web::detail {

namespace {

CivilDate Today() { return CivilDate::TodayIst(std::chrono::system_clock::now()); }

// "0152-ON-3f9c0a1b2c3d" (online_payments.cc's NewOrderId).
bool IsOrderId(std::string_view id) {
  if (id.size() != 20 || id.substr(4, 4) != "-ON-") return false;
  for (size_t i = 0; i < id.size(); ++i) {
    const char c = id[i];
    if (i < 4 && !(c >= '0' && c <= '9')) return false;
    if (i >= 8 && !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

payments::OnlinePayments* Online(Site& site) {
  auto* online = site.options.online;
  return online != nullptr && online->enabled() ? online : nullptr;
}

http::Response OnlineOffPage(Env& env) { return ErrorPage(env, 409, Text(env.lang, "online_off")); }

http::Response StartOnline(Site& site, http::Request& req, Env& env) {
  auto form = ParseForm(req);
  if (!form.ok()) return StatusPage(env, form.status());
  if (!CsrfValid(req, *form)) return CsrfRefused(env);
  auto* online = Online(site);
  if (online == nullptr) return OnlineOffPage(env);
  auto ulb = UlbOf(site, req);
  if (!ulb.ok()) return StatusPage(env, ulb.status());
  auto id = property_tax::CanonicalPropertyId(req.Param("id"));
  if (!id.ok()) return StatusPage(env, id.status());
  auto started =
      online->Start(ulb->code, *id, "/u/" + ulb->code + "/pay/return", ulb->name, ulb->name_hi);
  if (!started.ok()) return StatusPage(env, started.status());
  return http::Response::Redirect(started->redirect_url);
}

// The gateway sends the browser back here with the signed outcome, as query parameters (GET) or
// a form (POST, the way most gateways do it). No CSRF token: the signature is the check.
http::Response GatewayReturn(Site& site, http::Request& req, Env& env) {
  auto* online = Online(site);
  if (online == nullptr) return OnlineOffPage(env);
  auto ulb = UlbOf(site, req);
  if (!ulb.ok()) return StatusPage(env, ulb.status());
  Form fields;
  if (req.method == "POST") {
    auto form = ParseForm(req);
    if (!form.ok()) return StatusPage(env, form.status());
    fields = std::move(*form);
  } else {
    for (const char* k :
         {"order_id", "gateway_order_id", "txn_id", "amount_paise", "status", "signature"}) {
      if (auto v = req.Query(k)) fields.emplace(k, *v);
    }
  }
  payments::GatewayCallback cb;
  cb.order_id = Field(fields, "order_id");
  cb.gateway_order_id = Field(fields, "gateway_order_id");
  cb.txn_id = Field(fields, "txn_id");
  cb.status = Field(fields, "status");
  cb.signature = Field(fields, "signature");
  const std::string amount = Field(fields, "amount_paise");
  auto [end, ec] = std::from_chars(amount.data(), amount.data() + amount.size(), cb.amount_paise);
  if (ec != std::errc() || end != amount.data() + amount.size() || !IsOrderId(cb.order_id)) {
    return ErrorPage(env, 400, Text(env.lang, "online_bad_callback"));
  }
  auto order = online->HandleCallback(ulb->code, cb);
  if (!order.ok()) return StatusPage(env, order.status());
  return http::Response::Redirect("/u/" + ulb->code + "/online/" + order->order_id);
}

std::string FailureText(Lang lang, const std::string& reason) {
  for (const char* known : {"declined", "expired", "gateway_unavailable", "not_at_gateway"}) {
    if (reason == known) return Text(lang, std::string("online_failed_") + known);
  }
  return Text(lang, "online_failed_other");
}

http::Response OnlineOutcome(Site& site, http::Request& req, Env& env) {
  auto* online = Online(site);
  if (online == nullptr) return OnlineOffPage(env);
  auto ulb = UlbOf(site, req);
  if (!ulb.ok()) return StatusPage(env, ulb.status());
  const std::string order_id = req.Param("order");
  if (!IsOrderId(order_id)) return ErrorPage(env, 404, Text(env.lang, "online_no_order"));
  auto order = online->Get(ulb->code, order_id);
  if (!order.ok()) return StatusPage(env, order.status());
  // Not confirmed yet (a lost or slow callback): ask the gateway now.
  if (order->status == "pending") {
    if (auto settled = online->ReconcileOrder(ulb->code, order_id); settled.ok()) order = settled;
  }
  const std::string base = "/u/" + ulb->code;
  Data data;
  data.set("ulb_name", UlbName(env.lang, *ulb));
  data.set("base", base);
  data.set("order_id", order->order_id);
  data.set("amount", order->amount.Format());
  data.set("property_id", order->property_id);
  data.set("property_url", base + "/p/" + order->property_id);
  data.set("self_url", base + "/online/" + order->order_id);
  std::string title;
  if (order->status == "paid") {
    auto p = payments::Payments(site.api.ledgers).Get(ulb->code, order->receipt_no);
    if (!p.ok()) return StatusPage(env, p.status());
    data.set("paid", true);
    // The citizen who just paid gets the PDF in one click: the address holds the property id.
    data.set("payment", PaymentData(env.lang, *p, base + "/p/" + p->property_id + "/receipts/"));
    auto code = http::ReceiptCodeOf(http::ReceiptOf(*p), site.api.ledgers.node_signer());
    if (code.ok()) data.set("verify_url", "/verify/" + *code);
    title = Text(env.lang, "receipt_title", {{"no", p->receipt_no}});
  } else if (order->status == "failed") {
    data.set("failed", FailureText(env.lang, order->reason));
    title = Text(env.lang, "online_failed_heading");
  } else {
    data.set("pending", true);
    title = Text(env.lang, "online_pending_heading");
  }
  return RenderPage(env, 200, "online_result", std::move(data), title);
}

}  // namespace

void OnlinePayInto(Site& site, Env& env, const std::string& ulb, const std::string& property_id,
                   Data& data) {
  if (Online(site) == nullptr) return;
  auto dues = property_tax::Billing(site.api.ledgers).DuesOf(ulb, property_id, Today(), true);
  if (!dues.ok() || dues->net.paise() <= 0) return;
  Data pay;
  pay.set("amount", dues->net.Format());
  pay.set("url", "/u/" + ulb + "/p/" + property_id + "/pay");
  pay.set("note", Text(env.lang, "online_amount_note", {{"amount", dues->net.Format()}}));
  data.set("pay_online", pay);
}

void AddOnlinePayPages(http::Router& router, Site& site) {
  // online payment
  AddPage(router, site, "POST", "/u/{ulb}/p/{id}/pay", StartOnline);
  AddPage(router, site, "GET", "/u/{ulb}/pay/return", GatewayReturn);
  AddPage(router, site, "POST", "/u/{ulb}/pay/return", GatewayReturn);
  AddPage(router, site, "GET", "/u/{ulb}/online/{order}", OnlineOutcome);
}

}  // namespace palika::web::detail
