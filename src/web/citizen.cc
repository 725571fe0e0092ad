// The citizen portal, no sign-in: choose a ULB, find a property, its dues today line by line,
// the payments recorded on it, a receipt PDF by its property id and number, and the language
// toggle. A receipt prints the payer's full name and receipt numbers are sequential, so the
// public download needs both the property id and the receipt number (docs/web.md "Receipts on
// the public portal"); the public property page lists payments without their numbers.

#include <fmt/format.h>

#include "core/civil_date.h"
#include "http/api/payment_api.h"
#include "services/payments/receipt_numbers.h"
#include "services/property_tax/billing.h"
#include "web/routes.h"

namespace palika::web::detail {

namespace {

CivilDate Today() { return CivilDate::TodayIst(std::chrono::system_clock::now()); }

// Only a path of this site: "/..." but not "//host" (an open redirect) nor a backslash.
bool IsLocalPath(std::string_view p) {
  return !p.empty() && p.front() == '/' && (p.size() == 1 || p[1] != '/') &&
         p.find('\\') == std::string_view::npos;
}

http::Response Home(Site& site, http::Request&, Env& env) {
  auto ulbs = site.api.registry.ListUlbs();
  if (!ulbs.ok()) return StatusPage(env, ulbs.status());
  Data list{Data::type::list};
  for (const auto& u : *ulbs) {
    Data d;
    d.set("code", u.code);
    d.set("name", UlbName(env.lang, u));
    d.set("kind", Text(env.lang, "kind_" + u.kind));
    d.set("url", "/u/" + u.code);
    list.push_back(d);
  }
  Data data;
  data.set("ulbs", list);
  return RenderPage(env, 200, "home", std::move(data), Text(env.lang, "home_title"));
}

http::Response SetLanguage(Site& site, http::Request& req, Env& env) {
  const std::string to = req.Query("to").value_or("hi") == "en" ? "en" : "hi";
  std::string back = req.Query("back").value_or("/");
  if (!IsLocalPath(back)) back = "/";
  http::Response r = http::Response::Redirect(back);
  r.With("Set-Cookie", CookieValue(site.options, kLangCookie, to, 365LL * 24 * 3600));
  for (const auto& c : env.set_cookies) r.With("Set-Cookie", c);
  return r;
}

http::Response UlbPage(Site& site, http::Request& req, Env& env) {
  auto ulb = UlbOf(site, req);
  if (!ulb.ok()) return StatusPage(env, ulb.status());
  const std::string base = "/u/" + ulb->code;
  Data data;
  data.set("ulb_code", ulb->code);
  data.set("ulb_name", UlbName(env.lang, *ulb));
  data.set("base", base);
  SearchInto(site, req, env.lang, ulb->code, base + "/p/", base, data, /*public_view=*/true);
  return RenderPage(env, 200, "ulb", std::move(data), UlbName(env.lang, *ulb));
}

http::Response PropertyPage(Site& site, http::Request& req, Env& env) {
  auto ulb = UlbOf(site, req);
  if (!ulb.ok()) return StatusPage(env, ulb.status());
  auto id = property_tax::CanonicalPropertyId(req.Param("id"));
  if (!id.ok()) return StatusPage(env, id.status());
  auto p = property_tax::PropertyRegister(site.api.ledgers).Get(ulb->code, *id);
  if (!p.ok()) return StatusPage(env, p.status());
  const std::string base = "/u/" + ulb->code;
  Data data;
  data.set("ulb_name", UlbName(env.lang, *ulb));
  data.set("base", base);
  data.set("property", PublicPropertyData(env.lang, *p));
  data.set("property_id", *id);
  auto dues = property_tax::Billing(site.api.ledgers).DuesOf(ulb->code, *id, Today(), false);
  if (dues.ok()) {
    data.set("dues", DuesData(env.lang, *dues));
  } else {
    data.set("dues_error", StatusText(env.lang, dues.status()));
  }
  OnlinePayInto(site, env, ulb->code, *id, data);
  auto paid = payments::Payments(site.api.ledgers).OfProperty(ulb->code, *id);
  Data list{Data::type::list};
  if (paid.ok()) {
    // Date, amount and mode only: the number with this id would open the receipt's PDF.
    for (const auto& pay : *paid) {
      Data d;
      d.set("date", pay.date.FormatIndian());
      d.set("amount", pay.amount.Format());
      d.set("mode", Text(env.lang, "mode_" + pay.mode));
      d.set("reversed", pay.status == "reversed");
      list.push_back(d);
    }
  }
  data.set("payments", list);
  data.set("has_payments", paid.ok() && !paid->empty());
  return RenderPage(env, 200, "property", std::move(data),
                    Text(env.lang, "property_title", {{"id", *id}}));
}

// The receipt form's GET (property id and receipt number): to the PDF's address, or the error
// page. A number of another ULB says so (it is in the number itself, not a look-up).
http::Response FindReceipt(Site& site, http::Request& req, Env& env) {
  auto ulb = UlbOf(site, req);
  if (!ulb.ok()) return StatusPage(env, ulb.status());
  auto no = payments::ParseReceiptNo(req.Query("no").value_or(""));
  if (!no.ok()) return StatusPage(env, no.status());
  if (no->ulb != ulb->code) {
    return ErrorPage(env, 404, Text(env.lang, "error_receipt_other_ulb", {{"no", no->Format()}}));
  }
  auto id = property_tax::CanonicalPropertyId(req.Query("property").value_or(""));
  if (!id.ok()) return ReceiptRefused(env);
  return http::Response::Redirect(PublicReceiptPdfUrl(ulb->code, *id, no->Format()));
}

http::Response CitizenReceiptPdf(Site& site, http::Request& req, Env& env) {
  auto ulb = UlbOf(site, req);
  if (!ulb.ok()) return StatusPage(env, ulb.status());
  auto id = property_tax::CanonicalPropertyId(req.Param("id"));
  if (!id.ok()) return ReceiptRefused(env);
  return ReceiptPdf(site, req, env, ulb->code, /*attachment=*/true, &*id);
}

// The old address by number alone (before the property id was needed): the refusal.
http::Response ReceiptPdfWithoutProperty(Site& site, http::Request& req, Env& env) {
  auto ulb = UlbOf(site, req);
  if (!ulb.ok()) return StatusPage(env, ulb.status());
  return ReceiptRefused(env);
}

}  // namespace

void AddCitizenPages(http::Router& router, Site& site) {
  AddPage(router, site, "GET", "/", Home);
  AddPage(router, site, "GET", "/lang", SetLanguage);
  AddPage(router, site, "GET", "/u/{ulb}", UlbPage);
  AddPage(router, site, "GET", "/u/{ulb}/p/{id}", PropertyPage);
  AddPage(router, site, "GET", "/u/{ulb}/receipt", FindReceipt);
  AddPage(router, site, "GET", "/u/{ulb}/p/{id}/receipts/{no}.pdf", CitizenReceiptPdf);
  AddPage(router, site, "GET", "/u/{ulb}/receipts/{no}.pdf", ReceiptPdfWithoutProperty);
}

}  // namespace palika::web::detail
