// Staff pages: sign-in (username, password, one-time code) and the counter of a ULB: search,
// dues, collect (cash, cheque, DD, UPI), the receipt with its A4 / 80 mm PDFs, day close, sign
// out. Every counter page needs payment.collect on the ULB in its path (403 page otherwise),
// checked by AddCounterPage before its handler runs.
// A collect form carries an idempotency key made when the form was drawn, so a retry or a
// double-click returns the first payment's receipt instead of taking the money twice.

#include <fmt/format.h>

#include <variant>

#include "core/civil_date.h"
#include "http/api/payment_api.h"
#include "http/api_error.h"
#include "services/accounts/day_close.h"
#include "services/payments/receipt_numbers.h"
#include "services/property_tax/billing.h"
#include "web/routes.h"

namespace palika::web::detail {

namespace {

using identity::Permission;
using identity::Principal;

CivilDate Today() { return CivilDate::TodayIst(std::chrono::system_clock::now()); }

constexpr char kCounterPrefix[] = "/staff/";

std::string CounterBase(const std::string& ulb) { return kCounterPrefix + ulb; }

// The sign-in page, with an optional message (why the user is here) and error.
http::Response SignInPage(Env& env, int status, const std::string& message,
                          const std::string& error, const std::string& username) {
  Data data;
  if (!message.empty()) data.set("message", message);
  if (!error.empty()) data.set("error", error);
  data.set("username", username);
  return RenderPage(env, status, "sign_in", std::move(data), Text(env.lang, "sign_in_title"));
}

}  // namespace

// Declared in routes.h.
std::variant<Principal, http::Response> SignedIn(Site& site, const http::Request& req, Env& env) {
  auto token = req.Cookie(kStaffCookie);
  if (!token || token->empty()) {
    return SignInPage(env, 401, Text(env.lang, "sign_in_needed"), "", "");
  }
  auto who = site.api.sessions.Authenticate(*token);
  if (!who.ok()) {
    env.set_cookies.push_back(CookieValue(site.options, kStaffCookie, "", 0));
    const bool expired = who.status().code() == "session_expired";
    return SignInPage(env, 401, Text(env.lang, expired ? "session_expired" : "sign_in_needed"), "",
                      "");
  }
  return std::move(*who);
}

namespace {

// Starts a counter page's data: the ULB, today, the links.
Data CounterData(Env& env, const Office& c) {
  Data data;
  data.set("ulb_code", c.ulb.code);
  data.set("ulb_name", UlbName(env.lang, c.ulb));
  data.set("base", CounterBase(c.ulb.code));
  data.set("today", Today().FormatIndian());
  return data;
}

http::Response StaffHome(Site& site, http::Request& req, Env& env) {
  if (!req.Cookie(kStaffCookie)) {
    const bool out = req.Query("signed_out").has_value();
    return SignInPage(env, 200, out ? Text(env.lang, "signed_out") : "", "", "");
  }
  auto signed_in = SignedIn(site, req, env);
  if (auto* r = std::get_if<http::Response>(&signed_in)) return std::move(*r);
  const Principal& who = std::get<Principal>(signed_in);
  env.staff = &who;
  Data data;
  const bool others = ReportLinksInto(site, who, env.lang, data);  // reports, state dashboard
  // Every ULB where the user's roles open a section of the back office, with those sections.
  Data list{Data::type::list};
  std::vector<std::string> counters;
  auto ulbs = site.api.registry.ListUlbs();
  if (ulbs.ok()) {
    for (const auto& u : *ulbs) {
      // Only the ULBs of the user's own grants: state-wide roles reach every ULB from the
      // dashboard, not from a list of 400.
      const bool own = std::any_of(who.grants.begin(), who.grants.end(),
                                   [&](const identity::Grant& g) { return g.ulb == u.code; });
      if (!own) continue;
      Data d = OfficeData(env, Office{who, u});
      if (d.get("nav")->list_value().empty()) continue;
      if (identity::Authorize(who, Permission::kPaymentCollect, u.code).ok()) {
        counters.push_back(CounterBase(u.code));
      }
      d.set("name", UlbName(env.lang, u));
      list.push_back(d);
    }
  }
  // A cashier of one counter goes straight to it (the counter links back here).
  if (counters.size() == 1 && !others && !req.Query("home")) {
    return http::Response::Redirect(counters[0]);
  }
  data.set("ulbs", list);
  data.set("none", list.is_empty_list() && !others);
  return RenderPage(env, 200, "staff_home", std::move(data), Text(env.lang, "staff_home_title"));
}

http::Response SignIn(Site& site, http::Request& req, Env& env) {
  auto form = ParseForm(req);
  if (!form.ok()) return StatusPage(env, form.status());
  if (!CsrfValid(req, *form)) return CsrfRefused(env);
  const std::string username = Field(*form, "username");
  auto result = site.api.sessions.SignIn(username, Field(*form, "password"), Field(*form, "otp"),
                                         req.remote_address);
  if (!result.ok()) {
    const int status = result.status().kind() == StatusKind::kTooManyRequests ? 429 : 401;
    return SignInPage(env, status, "", StatusText(env.lang, result.status()), username);
  }
  http::Response r = http::Response::Redirect("/staff");
  r.With("Set-Cookie", CookieValue(site.options, kStaffCookie, result->token, -1));
  // A new CSRF token with the new session: one planted before sign-in is worth nothing after.
  r.With("Set-Cookie", CookieValue(site.options, kCsrfCookie, NewToken(), -1));
  return r;
}

http::Response SignOut(Site& site, http::Request& req, Env& env) {
  auto form = ParseForm(req);
  if (!form.ok()) return StatusPage(env, form.status());
  if (!CsrfValid(req, *form)) return CsrfRefused(env);
  if (auto token = req.Cookie(kStaffCookie)) site.api.sessions.SignOut(*token);
  http::Response r = http::Response::Redirect("/staff?signed_out=1");
  r.With("Set-Cookie", CookieValue(site.options, kStaffCookie, "", 0));
  return r;
}

http::Response CounterSearch(Site& site, http::Request& req, Env& env, const Office& c,
                             const Form&) {
  Data data = CounterData(env, c);
  const std::string base = CounterBase(c.ulb.code);
  SearchInto(site, req, env.lang, c.ulb.code, base + "/p/", base, data);
  return RenderPage(env, 200, "counter", std::move(data),
                    Text(env.lang, "counter_title", {{"ulb", UlbName(env.lang, c.ulb)}}));
}

// What the collect form was filled with, to draw it again after an error.
struct CollectFields {
  std::string amount, mode = "cash", reference, payer, counter = "C1";
};

// The property page of the counter: dues and the collect form (with a fresh idempotency key).
http::Response CounterPropertyPage(Site& site, Env& env, const Office& c, const std::string& id,
                                   int status, const CollectFields* entered,
                                   const std::string& error) {
  auto p = property_tax::PropertyRegister(site.api.ledgers).Get(c.ulb.code, id);
  if (!p.ok()) return StatusPage(env, p.status());
  const std::string base = CounterBase(c.ulb.code);
  Data data = CounterData(env, c);
  data.set("property", PropertyData(env.lang, *p));
  data.set("collect_url", base + "/p/" + id + "/collect");
  auto dues = property_tax::Billing(site.api.ledgers).DuesOf(c.ulb.code, id, Today(), false);
  CollectFields fields;
  if (entered != nullptr) fields = *entered;
  if (dues.ok()) {
    data.set("dues", DuesData(env.lang, *dues));
    if (entered == nullptr && !dues->net.IsZero()) fields.amount = dues->net.FormatPlain();
  } else {
    data.set("dues_error", StatusText(env.lang, dues.status()));
  }
  data.set("amount", fields.amount);
  data.set("reference", fields.reference);
  data.set("payer", fields.payer);
  data.set("counter", fields.counter);
  Data modes{Data::type::list};
  for (const char* m : {"cash", "cheque", "dd", "upi"}) {
    Data d;
    d.set("value", m);
    d.set("label", Text(env.lang, std::string("mode_") + m));
    d.set("checked", fields.mode == m);
    modes.push_back(d);
  }
  data.set("modes", modes);
  data.set("key", NewToken());
  if (!error.empty()) data.set("error", error);
  auto paid = payments::Payments(site.api.ledgers).OfProperty(c.ulb.code, id);
  Data list{Data::type::list};
  if (paid.ok()) {
    for (const auto& pay : *paid) {
      Data d = PaymentData(env.lang, pay, base + "/receipts/");
      d.set("url", base + "/receipts/" + http::ReceiptNoInUrl(pay.receipt_no));
      list.push_back(d);
    }
  }
  data.set("payments", list);
  data.set("has_payments", paid.ok() && !paid->empty());
  return RenderPage(env, status, "counter_property", std::move(data),
                    Text(env.lang, "property_title", {{"id", id}}));
}

http::Response CounterProperty(Site& site, http::Request& req, Env& env, const Office& c,
                               const Form&) {
  auto id = property_tax::CanonicalPropertyId(req.Param("id"));
  if (!id.ok()) return StatusPage(env, id.status());
  return CounterPropertyPage(site, env, c, *id, 200, nullptr, "");
}

bool IsFormKey(const std::string& key) {
  if (key.size() != 64) return false;
  for (char ch : key) {
    if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) return false;
  }
  return true;
}

http::Response Collect(Site& site, http::Request& req, Env& env, const Office& c,
                       const Form& form) {
  auto id = property_tax::CanonicalPropertyId(req.Param("id"));
  if (!id.ok()) return StatusPage(env, id.status());

  CollectFields f{Field(form, "amount"), Field(form, "mode"), Field(form, "reference"),
                  Field(form, "payer"), Field(form, "counter")};
  const std::string key = Field(form, "key");
  auto again = [&](int status, const std::string& error) {
    return CounterPropertyPage(site, env, c, *id, status, &f, error);
  };
  if (!IsFormKey(key)) return again(400, Text(env.lang, "error_form_key"));
  auto amount = Money::Parse(f.amount);
  if (!amount.ok()) return again(400, StatusText(env.lang, amount.status()));
  if (amount->IsNegative() || amount->IsZero()) {
    return again(400, Text(env.lang, "error_amount_positive"));
  }
  if (f.mode == "online" || !payments::IsPaymentMode(f.mode)) {
    return again(400, Text(env.lang, "error_mode"));
  }
  payments::PaymentInput in;
  in.property_id = *id;
  in.amount = *amount;
  in.mode = f.mode;
  in.reference = f.reference;
  in.counter = f.counter;
  in.payer_name = f.payer;
  in.cashier_name = c.who.display_name.empty() ? c.who.username : c.who.display_name;
  in.ulb_name = c.ulb.name;
  in.ulb_name_hi = c.ulb.name_hi;
  if (Status s = payments::ValidatePaymentInput(in); !s.ok()) {
    return again(400, StatusText(env.lang, s));
  }
  // The key's fingerprint: the same key sent with other values is refused by the ledger.
  boost::json::object fingerprint{{"property", *id},      {"amount_paise", amount->paise()},
                                  {"mode", f.mode},       {"reference", f.reference},
                                  {"counter", f.counter}, {"payer_name", f.payer}};
  auto hash = property_tax::RequestHash("web.payment.collect", fingerprint);
  if (!hash.ok()) return StatusPage(env, hash.status());
  property_tax::WriteContext wctx{c.who.user_id, key, *hash};
  auto paid = payments::Payments(site.api.ledgers).Collect(c.ulb.code, wctx, in);
  if (!paid.ok()) {
    return again(http::HttpStatusFor(paid.status().kind()), StatusText(env.lang, paid.status()));
  }
  std::string to =
      CounterBase(c.ulb.code) + "/receipts/" + http::ReceiptNoInUrl(paid->payment.receipt_no);
  if (paid->replayed) to += "?replayed=1";
  return http::Response::Redirect(to);
}

http::Response ReceiptPage(Site& site, http::Request& req, Env& env, const Office& c, const Form&) {
  auto no = payments::ParseReceiptNo(req.Param("no"));
  if (!no.ok()) return StatusPage(env, no.status());
  auto p = payments::Payments(site.api.ledgers).Get(c.ulb.code, no->Format());
  if (!p.ok()) return StatusPage(env, p.status());
  const std::string base = CounterBase(c.ulb.code);
  Data data = CounterData(env, c);
  Data pay = PaymentData(env.lang, *p, base + "/receipts/");
  pay.set("thermal_url",
          base + "/receipts/" + http::ReceiptNoInUrl(p->receipt_no) + ".pdf?layout=thermal");
  data.set("payment", pay);
  data.set("property_url", base + "/p/" + p->property_id);
  data.set("replayed", req.Query("replayed").has_value());
  auto code = http::ReceiptCodeOf(http::ReceiptOf(*p), site.api.ledgers.node_signer());
  if (code.ok()) data.set("verify_url", "/verify/" + *code);
  return RenderPage(env, 200, "receipt", std::move(data),
                    Text(env.lang, "receipt_title", {{"no", p->receipt_no}}));
}

http::Response StaffReceiptPdf(Site& site, http::Request& req, Env& env, const Office& c,
                               const Form&) {
  return ReceiptPdf(site, req, env, c.ulb.code, /*attachment=*/false);
}

http::Response DayClosePage(Site& site, Env& env, const Office& c, const std::string& counter_code,
                            int status, const std::string& error,
                            const accounts::DayCloseRecord* closed) {
  Data data = CounterData(env, c);
  data.set("counter", counter_code);
  data.set("key", NewToken());
  if (!error.empty()) data.set("error", error);
  const CivilDate today = Today();
  auto ledger = site.api.ledgers.Ulb(c.ulb.code);
  if (!ledger.ok()) return StatusPage(env, ledger.status());
  Money expected;
  std::optional<accounts::DayCloseRecord> already;
  Status s = (*ledger)->Read([&](store::Transaction& tx) -> Status {
    PALIKA_ASSIGN_OR_RETURN(expected, accounts::ExpectedCash(tx, today, counter_code));
    PALIKA_ASSIGN_OR_RETURN(auto closes, accounts::ListDayCloses(tx, today));
    for (const auto& r : closes) {
      if (r.counter == counter_code) already = r;
    }
    return Status::OK();
  });
  if (!s.ok()) return StatusPage(env, s);
  if (closed != nullptr) already = *closed;
  data.set("expected", expected.Format());
  if (already) {
    Data d;
    d.set("expected", already->expected.Format());
    d.set("declared", already->declared.Format());
    d.set("difference", already->difference.Format());
    d.set("cashier", already->cashier_name);
    data.set("closed", d);
  }
  return RenderPage(env, status, "day_close", std::move(data),
                    Text(env.lang, "day_close_title", {{"counter", counter_code}}));
}

http::Response DayCloseGet(Site& site, http::Request& req, Env& env, const Office& c, const Form&) {
  auto code = payments::CounterCode(req.Query("counter").value_or(""));
  if (!code.ok()) return StatusPage(env, code.status());
  return DayClosePage(site, env, c, *code, 200, "", nullptr);
}

http::Response DayClosePost(Site& site, http::Request&, Env& env, const Office& c,
                            const Form& form) {
  auto counter_code = payments::CounterCode(Field(form, "counter"));
  if (!counter_code.ok()) return StatusPage(env, counter_code.status());
  const std::string code = *counter_code;
  const std::string key = Field(form, "key");
  if (!IsFormKey(key))
    return DayClosePage(site, env, c, code, 400, Text(env.lang, "error_form_key"), nullptr);
  auto declared = Money::Parse(Field(form, "declared"));
  if (!declared.ok()) {
    return DayClosePage(site, env, c, code, 400, StatusText(env.lang, declared.status()), nullptr);
  }
  accounts::DayCloseRequest request{Today(), code, *declared, Field(form, "note")};
  boost::json::object fingerprint{{"date", request.date.Format()},
                                  {"counter", code},
                                  {"declared_cash_paise", declared->paise()},
                                  {"note", request.note}};
  auto hash = property_tax::RequestHash("web.accounts.day-close", fingerprint);
  if (!hash.ok()) return StatusPage(env, hash.status());
  const std::string name = c.who.display_name.empty() ? c.who.username : c.who.display_name;
  auto r =
      accounts::CloseDay(site.api.ledgers, c.ulb.code, {c.who.user_id, key, *hash}, name, request);
  if (!r.ok()) {
    return DayClosePage(site, env, c, code, http::HttpStatusFor(r.status().kind()),
                        StatusText(env.lang, r.status()), nullptr);
  }
  return DayClosePage(site, env, c, code, 200, "", &r->record);
}

}  // namespace

void AddStaffPages(http::Router& router, Site& site) {
  AddPage(router, site, "GET", "/staff", StaffHome);
  AddPage(router, site, "POST", "/staff/sign-in", SignIn);
  AddPage(router, site, "POST", "/staff/sign-out", SignOut);
  AddCounterPage(router, site, "GET", "/staff/{ulb}", CounterSearch);
  AddCounterPage(router, site, "GET", "/staff/{ulb}/p/{id}", CounterProperty);
  AddCounterPage(router, site, "POST", "/staff/{ulb}/p/{id}/collect", Collect);
  AddCounterPage(router, site, "GET", "/staff/{ulb}/receipts/{no}", ReceiptPage);
  AddCounterPage(router, site, "GET", "/staff/{ulb}/receipts/{no}.pdf", StaffReceiptPdf);
  AddCounterPage(router, site, "GET", "/staff/{ulb}/day-close", DayCloseGet);
  AddCounterPage(router, site, "POST", "/staff/{ulb}/day-close", DayClosePost);
}

}  // namespace palika::web::detail
