// The public receipt check: /verify (a form) and /verify/{code} (the code a receipt's QR
// carries). People get a page in their language; a program that sends Accept: application/json
// gets the verdict as JSON (http::ReceiptVerificationJson), as the API always answered here.

#include "documents/amount_words.h"
#include "documents/verify_page.h"
#include "web/routes.h"

namespace palika::web::detail {

http::Response VerifyPage(const Env& env, const http::ReceiptVerification& v) {
  Data data;
  const Lang lang = env.lang;
  if (v.verdict.ok()) {
    const documents::ReceiptCodeFields& f = v.verdict->fields;
    Data r;
    r.set("ulb", f.ulb);
    r.set("receipt_no", f.receipt_no);
    r.set("date", f.date.FormatIndian());
    r.set("property_id", f.property_id);
    r.set("amount", f.amount.Format());
    r.set("amount_words", lang == Lang::kHi ? documents::AmountInWordsHi(f.amount)
                                            : documents::AmountInWordsEn(f.amount));
    r.set("payer", f.payer);
    r.set("entry", f.origin + " #" + std::to_string(f.seq));
    r.set("key", v.verdict->key_name);
    data.set("genuine", r);
    if (v.ledger) {
      const auto& s = *v.ledger;
      const std::string status(s.at("status").as_string());
      if (status == "received" || status == "reversed") {
        // Whoever holds the signed code holds the receipt: they may download it again.
        data.set("pdf_url", PublicReceiptPdfUrl(f.ulb, f.property_id, f.receipt_no));
      }
      if (status == "received") {
        data.set("ledger_text", Text(lang, "verify_recorded"));
      } else if (status == "reversed") {
        std::string on;
        if (auto* d = s.if_contains("reversed_on")) {
          auto date = CivilDate::Parse(std::string(d->as_string()));
          on = date.ok() ? date->FormatIndian() : std::string(d->as_string());
        }
        data.set("ledger_text", Text(lang, "verify_reversed", {{"date", on}}));
      } else {
        data.set("ledger_text", Text(lang, "verify_not_in_ledger"));
      }
    }
  } else {
    data.set("not_genuine", StatusText(lang, v.verdict.status()));
  }
  return RenderPage(env, 200, "verify", std::move(data), Text(lang, "verify_title"));
}

namespace {

http::Response VerifyForm(Site&, http::Request& req, Env& env) {
  const std::string code = req.Query("code").value_or("");
  if (!code.empty()) {
    const std::string_view c = documents::ReceiptCodeFromText(code);
    if (!c.empty()) return http::Response::Redirect("/verify/" + UrlEncode(c));
  }
  return RenderPage(env, 200, "verify_form", Data(), Text(env.lang, "verify_title"));
}

http::Response VerifyCode(Site& site, http::Request& req, Env& env) {
  const http::ReceiptVerification v = http::VerifyReceiptCode(site.api, req.Param("code"));
  const std::string accept = req.Header("accept").value_or("");
  if (accept.find("application/json") != std::string::npos) {
    return http::Response::Json(200, http::ReceiptVerificationJson(v));
  }
  return VerifyPage(env, v);
}

}  // namespace

void AddVerifyPage(http::Router& router, Site& site) {
  AddPage(router, site, "GET", "/verify", VerifyForm);
  AddPage(router, site, "GET", "/verify/{code}", VerifyCode);
}

}  // namespace palika::web::detail
