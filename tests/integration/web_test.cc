// The web pages in process: the real ledgers of a fresh demo data directory, the real router with
// the API's and the web's routes, requests dispatched as the server would (no socket: the browser
// tests in tests/e2e drive the real binary through chromium). What a user would notice: the
// language, cookies, CSRF refusals in the user's language, one payment for a double submit, the
// 403 page of another ULB's counter, the 15-minute idle sign-out.

#include "web/web.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <ctime>
#include <filesystem>
#include <map>
#include <regex>

#include "cli/app.h"
#include "cli/demo.h"
#include "core/civil_date.h"
#include "http/api/api.h"
#include "services/identity/totp.h"
#include "services/payments/payments.h"

namespace palika::integration {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

// The value of cookie `name` from a response's Set-Cookie headers ("" if not set).
std::string SetCookie(const http::Response& r, std::string_view name) {
  for (const auto& [h, v] : r.headers) {
    if (h == "Set-Cookie" && v.starts_with(std::string(name) + "=")) {
      return v.substr(name.size() + 1, v.find(';') - name.size() - 1);
    }
  }
  return "";
}
std::string SetCookieLine(const http::Response& r, std::string_view name) {
  for (const auto& [h, v] : r.headers) {
    if (h == "Set-Cookie" && v.starts_with(std::string(name) + "=")) return v;
  }
  return "";
}
std::string Hidden(const std::string& html, const std::string& name) {
  std::smatch m;
  const std::regex re("name=\"" + name + "\" value=\"([^\"]*)\"");
  return std::regex_search(html, m, re) ? m[1].str() : "";
}

class WebTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string pattern = (fs::temp_directory_path() / "palika-web-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = new fs::path(pattern);
    ASSERT_TRUE(ledger::InitDataDir(*dir_ / "data").ok());
    auto app = cli::App::Open(*dir_ / "data");
    ASSERT_TRUE(app.ok()) << app.status().ToString();
    app_ = app->release();
    ASSERT_TRUE(cli::LoadDemo(*app_, 40).ok());
    ctx_ =
        new http::ApiContext{app_->ledgers(), app_->registry(), app_->sessions(), app_->metrics()};
    router_ = new http::Router();
    http::AddApiRoutes(*router_, *ctx_);
    web_ = new web::Web(*ctx_, web::WebOptions{});
    web_->AddRoutes(*router_);
    tokens_ = new std::map<std::string, std::string>();
  }
  static void TearDownTestSuite() {
    delete web_;
    delete router_;
    delete ctx_;
    delete app_;
    delete tokens_;
    if (!getenv("PALIKA_KEEP_TEST_DIRS")) fs::remove_all(*dir_);
    delete dir_;
  }

  // A request as a browser with `cookies` ("a=1; b=2") sends it.
  static http::Response Send(const std::string& method, const std::string& target,
                             const std::string& cookies = "", const std::string& form = "") {
    http::Request req;
    req.method = method;
    req.target = target;
    req.remote_address = "127.0.0.1";
    if (!cookies.empty()) req.headers["cookie"] = cookies;
    if (method == "POST") {
      req.headers["content-type"] = "application/x-www-form-urlencoded";
      req.body = form;
    }
    return router_->Dispatch(req);
  }

  // Signs `username` in once per test suite (a one-time code is good once): the session token.
  static std::string SignIn(const std::string& username) {
    if (auto it = tokens_->find(username); it != tokens_->end()) return it->second;
    auto user = app_->registry().FindUser(username);
    EXPECT_TRUE(user.ok() && *user);
    const std::string otp = identity::TotpCode((**user).totp_secret, std::time(nullptr));
    const std::string csrf = std::string(64, 'a');
    auto r =
        Send("POST", "/staff/sign-in", "palika_csrf=" + csrf,
             "csrf=" + csrf + "&username=" + username + "&password=palika-demo-2026&otp=" + otp);
    EXPECT_EQ(r.status, 303) << r.body;
    const std::string token = SetCookie(r, "palika_staff");
    EXPECT_FALSE(token.empty());
    (*tokens_)[username] = token;
    return token;
  }

  static inline fs::path* dir_ = nullptr;
  static inline cli::App* app_ = nullptr;
  static inline http::ApiContext* ctx_ = nullptr;
  static inline http::Router* router_ = nullptr;
  static inline web::Web* web_ = nullptr;
  static inline std::map<std::string, std::string>* tokens_ = nullptr;
};

TEST_F(WebTest, HindiByDefaultEnglishByCookie) {
  auto hi = Send("GET", "/");
  ASSERT_EQ(hi.status, 200);
  EXPECT_THAT(hi.content_type, HasSubstr("text/html"));
  EXPECT_THAT(hi.body, HasSubstr("<html lang=\"hi\">"));
  EXPECT_THAT(hi.body, HasSubstr("इंदौर"));
  // A first visit gets its CSRF cookie: HttpOnly, SameSite=Strict, not Secure on plain HTTP.
  EXPECT_THAT(
      SetCookieLine(hi, "palika_csrf"),
      ::testing::MatchesRegex("palika_csrf=[0-9a-f]{64}; Path=/; HttpOnly; SameSite=Strict"));
  EXPECT_THAT(SetCookieLine(hi, "palika_csrf"), Not(HasSubstr("Secure")));
  auto en = Send("GET", "/", "palika_lang=en");
  EXPECT_THAT(en.body, HasSubstr("<html lang=\"en\">"));
  EXPECT_THAT(en.body, HasSubstr(">Indore</a>"));
  EXPECT_THAT(en.body, Not(HasSubstr("इंदौर")));
}

TEST_F(WebTest, LanguageToggleIsRememberedAndGoesBackOnlyWithinTheSite) {
  auto r = Send("GET", "/lang?to=en&back=%2Fu%2F0152%3Fq%3Dsharma");
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(*r.FindHeader("Location"), "/u/0152?q=sharma");
  EXPECT_THAT(SetCookieLine(r, "palika_lang"),
              HasSubstr("palika_lang=en; Path=/; Max-Age=31536000"));
  auto evil = Send("GET", "/lang?to=hi&back=%2F%2Fevil.example%2F");
  EXPECT_EQ(*evil.FindHeader("Location"), "/");
}

TEST_F(WebTest, CitizenFindsAPropertyAndItsDuesInIndianForm) {
  auto search = Send("GET", "/u/0152?q=01-1");
  ASSERT_EQ(search.status, 200) << search.body;
  EXPECT_THAT(search.body, HasSubstr("href=\"/u/0152/p/01-000001\""));
  auto page = Send("GET", "/u/0152/p/01-000001", "palika_lang=en");
  ASSERT_EQ(page.status, 200) << page.body;
  const std::string today = CivilDate::TodayIst(std::chrono::system_clock::now()).FormatIndian();
  EXPECT_THAT(page.body, HasSubstr("Dues on " + today));
  EXPECT_TRUE(std::regex_search(
      page.body,
      std::regex("To pay today: <strong "
                 "class=\"amount\">₹([0-9]{1,2},([0-9]{2},)*[0-9]{3}|[0-9]{1,3})\\.[0-9]{2}<")))
      << page.body;
  EXPECT_LT(page.body.size(), 100u * 1024);
  // Nothing is cached: dues change every day.
  EXPECT_EQ(*page.FindHeader("Cache-Control"), "no-store");
  auto missing = Send("GET", "/u/0152/p/09-999999");
  EXPECT_EQ(missing.status, 404);
  EXPECT_THAT(missing.body, HasSubstr("<html lang=\"hi\">"));
}

// A receipt prints the payer's full name and receipt numbers are sequential: the public PDF
// needs the property id with the number, and refuses alike a receipt that does not exist and one
// of another property (no oracle for counting).
TEST_F(WebTest, PublicReceiptPdfNeedsThePropertyIdWithTheNumber) {
  const CivilDate today = CivilDate::TodayIst(std::chrono::system_clock::now());
  const std::string fy = FinancialYear::Of(today).Format();
  auto paid = payments::Payments(app_->ledgers()).Get("0152", "0152/" + fy + "/C1/000001");
  ASSERT_TRUE(paid.ok()) << paid.status().ToString();
  const std::string id = paid->property_id;
  const std::string other = id == "01-000001" ? "01-000002" : "01-000001";
  const std::string no = "0152-" + fy + "-C1-000001";
  const std::string csrf = "palika_csrf=" + std::string(64, 'a');

  auto pdf = Send("GET", "/u/0152/p/" + id + "/receipts/" + no + ".pdf");
  ASSERT_EQ(pdf.status, 200) << pdf.body;
  EXPECT_EQ(pdf.content_type, "application/pdf");
  EXPECT_TRUE(pdf.body.starts_with("%PDF"));
  EXPECT_THAT(*pdf.FindHeader("Content-Disposition"), HasSubstr("attachment"));

  // Another property's id, a number never issued, no id at all: one refusal, in both languages.
  const std::string never = "0152-" + fy + "-C1-999999";
  for (const std::string& path :
       {"/u/0152/p/" + other + "/receipts/" + no + ".pdf",
        "/u/0152/p/" + id + "/receipts/" + never + ".pdf",
        "/u/0152/p/" + other + "/receipts/" + never + ".pdf", "/u/0152/p/x/receipts/" + no + ".pdf",
        "/u/0152/receipts/" + no + ".pdf", "/u/0152/receipts/" + never + ".pdf"}) {
    auto hi = Send("GET", path, csrf);
    EXPECT_EQ(hi.status, 404) << path;
    EXPECT_THAT(hi.body, HasSubstr("इस संपत्ति क्रमांक और रसीद क्रमांक की कोई रसीद नहीं दी जा सकती"))
        << path;
    EXPECT_THAT(hi.content_type, HasSubstr("text/html"));
    auto en = Send("GET", path, csrf + "; palika_lang=en");
    EXPECT_EQ(en.status, 404) << path;
    EXPECT_THAT(en.body, HasSubstr("No receipt can be given for this property id and receipt"));
    if (!paid->payer_name.empty()) {
      EXPECT_THAT(en.body, Not(HasSubstr(paid->payer_name)));
    }
  }

  // The ULB page's form: property id (short form too) and number, to the PDF's address.
  auto ulb = Send("GET", "/u/0152", "palika_lang=en");
  EXPECT_THAT(ulb.body, HasSubstr("name=\"property\""));
  auto form =
      Send("GET", "/u/0152/receipt?property=" + id + "&no=" + web::UrlEncode(paid->receipt_no));
  ASSERT_EQ(form.status, 303) << form.body;
  EXPECT_EQ(*form.FindHeader("Location"), "/u/0152/p/" + id + "/receipts/" + no + ".pdf");
  auto no_id = Send("GET", "/u/0152/receipt?no=" + web::UrlEncode(paid->receipt_no), csrf);
  EXPECT_EQ(no_id.status, 404);
  EXPECT_THAT(no_id.body, HasSubstr("इस संपत्ति क्रमांक और रसीद क्रमांक की कोई रसीद"));

  // The public property page lists the payment but not its number (which would open the PDF).
  auto page = Send("GET", "/u/0152/p/" + id, "palika_lang=en");
  ASSERT_EQ(page.status, 200);
  EXPECT_THAT(page.body, HasSubstr(paid->amount.Format()));
  EXPECT_THAT(page.body, Not(HasSubstr(paid->receipt_no)));
  EXPECT_THAT(page.body, Not(HasSubstr(no)));
  EXPECT_THAT(page.body, HasSubstr("name=\"property\" value=\"" + id + "\""));
}

TEST_F(WebTest, FormWithoutItsCsrfTokenIsRefusedInTheUsersLanguage) {
  const std::string csrf(64, 'b');
  for (const std::string& form :
       std::vector<std::string>{"username=indore.cashier&password=x&otp=1",
                                "csrf=" + std::string(64, 'c') + "&username=indore.cashier"}) {
    auto hi = Send("POST", "/staff/sign-in", "palika_csrf=" + csrf, form);
    EXPECT_EQ(hi.status, 403);
    EXPECT_THAT(hi.body, HasSubstr("यह फ़ॉर्म पुराना हो गया है"));
    auto en = Send("POST", "/staff/sign-in", "palika_lang=en; palika_csrf=" + csrf, form);
    EXPECT_EQ(en.status, 403);
    EXPECT_THAT(en.body, HasSubstr("This form has expired"));
    EXPECT_TRUE(SetCookie(en, "palika_staff").empty());
  }
}

TEST_F(WebTest, CashierDoubleSubmitTakesOnePayment) {
  const std::string token = SignIn("indore.cashier");
  const std::string cookies =
      "palika_lang=en; palika_csrf=" + std::string(64, 'd') + "; palika_staff=" + token;
  auto page = Send("GET", "/staff/0152/p/01-000002", cookies);
  ASSERT_EQ(page.status, 200) << page.body;
  const std::string key = Hidden(page.body, "key");
  ASSERT_EQ(key.size(), 64u);
  EXPECT_EQ(Hidden(page.body, "csrf"), std::string(64, 'd'));
  payments::Payments pay(app_->ledgers());
  const size_t before = pay.OfProperty("0152", "01-000002")->size();
  const std::string form =
      "csrf=" + std::string(64, 'd') + "&key=" + key +
      "&amount=1%2C200.50&mode=cash&reference=&payer=%3Cb%3ERam%3C%2Fb%3E&counter=C1";
  auto first = Send("POST", "/staff/0152/p/01-000002/collect", cookies, form);
  ASSERT_EQ(first.status, 303) << first.body;
  auto second = Send("POST", "/staff/0152/p/01-000002/collect", cookies, form);
  ASSERT_EQ(second.status, 303) << second.body;
  EXPECT_EQ(*second.FindHeader("Location"), *first.FindHeader("Location") + "?replayed=1");
  EXPECT_EQ(pay.OfProperty("0152", "01-000002")->size(), before + 1);

  auto receipt = Send("GET", *first.FindHeader("Location"), cookies);
  ASSERT_EQ(receipt.status, 200) << receipt.body;
  EXPECT_THAT(receipt.body, HasSubstr("₹1,200.50"));
  EXPECT_THAT(receipt.body, HasSubstr("&lt;b&gt;Ram&lt;/b&gt;"));
  EXPECT_THAT(receipt.body, HasSubstr(".pdf?layout=thermal"));
  auto pdf = Send("GET", *first.FindHeader("Location") + ".pdf", cookies);
  EXPECT_EQ(pdf.status, 200);
  EXPECT_EQ(pdf.content_type, "application/pdf");
  EXPECT_TRUE(pdf.body.starts_with("%PDF"));

  // The same key with another amount is refused and changes nothing.
  auto changed =
      Send("POST", "/staff/0152/p/01-000002/collect", cookies,
           "csrf=" + std::string(64, 'd') + "&key=" + key + "&amount=5&mode=cash&counter=C1");
  EXPECT_EQ(changed.status, 409) << changed.body;
  EXPECT_EQ(pay.OfProperty("0152", "01-000002")->size(), before + 1);
  // A bad amount is explained, nothing taken.
  auto bad = Send("POST", "/staff/0152/p/01-000002/collect", cookies,
                  "csrf=" + std::string(64, 'd') + "&key=" + std::string(64, 'e') +
                      "&amount=12.345&mode=cash&counter=C1");
  EXPECT_EQ(bad.status, 400);
  EXPECT_THAT(bad.body, HasSubstr("class=\"error\""));
  EXPECT_EQ(pay.OfProperty("0152", "01-000002")->size(), before + 1);
}

TEST_F(WebTest, AnotherUlbsStaffCannotOpenTheCounter) {
  const std::string token = SignIn("sehore.cashier");
  const std::string cookies = "palika_csrf=" + std::string(64, 'f') + "; palika_staff=" + token;
  EXPECT_EQ(Send("GET", "/staff/0276", cookies).status, 200);
  for (const char* path : {"/staff/0152", "/staff/0152/p/01-000001", "/staff/0152/day-close"}) {
    auto r = Send("GET", path, cookies);
    EXPECT_EQ(r.status, 403) << path;
    EXPECT_THAT(r.body, HasSubstr("इंदौर में आपका कोई काउंटर नहीं है"));
    EXPECT_THAT(r.body, HasSubstr("action=\"/staff/sign-out\""));  // still signed in
  }
  auto post = Send("POST", "/staff/0152/p/01-000001/collect", cookies,
                   "csrf=" + std::string(64, 'f') + "&key=" + std::string(64, '1') +
                       "&amount=100&mode=cash&counter=C1");
  EXPECT_EQ(post.status, 403);
  // Without a session the counter asks for a sign-in.
  auto none = Send("GET", "/staff/0152");
  EXPECT_EQ(none.status, 401);
  EXPECT_THAT(none.body, HasSubstr("action=\"/staff/sign-in\""));
}

TEST_F(WebTest, VerifyPageInTheUsersLanguageAndJsonForPrograms) {
  const std::string token = SignIn("indore.cashier");
  const std::string cookies = "palika_csrf=" + std::string(64, 'd') + "; palika_staff=" + token;
  auto page = Send("GET", "/staff/0152/p/01-000003", cookies);
  auto r = Send("POST", "/staff/0152/p/01-000003/collect", cookies,
                "csrf=" + std::string(64, 'd') + "&key=" + Hidden(page.body, "key") +
                    "&amount=100&mode=upi&reference=UPI-123456&counter=C1");
  ASSERT_EQ(r.status, 303) << r.body;
  auto receipt = Send("GET", *r.FindHeader("Location"), cookies);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(receipt.body, m, std::regex("href=\"(/verify/[^\"]+)\"")));
  const std::string url = m[1];
  auto hi = Send("GET", url);
  EXPECT_EQ(hi.status, 200);
  EXPECT_THAT(hi.body, HasSubstr("असली रसीद"));
  EXPECT_THAT(hi.body, HasSubstr("बही में दर्ज है।"));
  EXPECT_THAT(hi.body, HasSubstr("रुपये एक सौ मात्र"));
  auto en = Send("GET", url, "palika_lang=en");
  EXPECT_THAT(en.body, HasSubstr("Genuine receipt"));
  EXPECT_THAT(en.body, HasSubstr("Rupees One Hundred Only"));
  http::Request json_req;
  json_req.method = "GET";
  json_req.target = url;
  json_req.headers["accept"] = "application/json";
  auto json = router_->Dispatch(json_req);
  EXPECT_THAT(json.content_type, HasSubstr("application/json"));
  EXPECT_THAT(json.body, HasSubstr("\"genuine\":true"));
  // Whoever holds the signed code holds the receipt: the page offers its PDF.
  ASSERT_TRUE(std::regex_search(
      en.body, m,
      std::regex("href=\"(/u/0152/p/01-000003/receipts/0152-[0-9-]+-C1-[0-9]+\\.pdf)\"")));
  auto pdf = Send("GET", m[1].str());
  EXPECT_EQ(pdf.status, 200);
  EXPECT_TRUE(pdf.body.starts_with("%PDF"));
  std::string forged = url;
  forged[forged.size() / 2] = forged[forged.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_THAT(Send("GET", forged, "palika_lang=en").body, HasSubstr("NOT genuine"));
  // The form's GET goes to the code's page, even when a whole scanned link is pasted.
  auto form = Send("GET", "/verify?code=" + web::UrlEncode("https://x.example" + url));
  EXPECT_EQ(form.status, 303);
  EXPECT_EQ(*form.FindHeader("Location"), url);
}

TEST_F(WebTest, CashierClosesTheDayAndTheCounterTakesNoMore) {
  const std::string token = SignIn("indore.cashier");
  const std::string csrf(64, 'd');
  const std::string cookies = "palika_lang=en; palika_csrf=" + csrf + "; palika_staff=" + token;
  // A counter of this test's own, so that the other tests' C1 stays open.
  auto page = Send("GET", "/staff/0152/p/01-000004", cookies);
  auto paid = Send(
      "POST", "/staff/0152/p/01-000004/collect", cookies,
      "csrf=" + csrf + "&key=" + Hidden(page.body, "key") + "&amount=250&mode=cash&counter=C9");
  ASSERT_EQ(paid.status, 303) << paid.body;

  auto close = Send("GET", "/staff/0152/day-close?counter=C9", cookies);
  ASSERT_EQ(close.status, 200) << close.body;
  EXPECT_THAT(close.body, HasSubstr("<strong>₹250.00</strong>"));
  auto closed = Send("POST", "/staff/0152/day-close", cookies,
                     "csrf=" + csrf + "&key=" + Hidden(close.body, "key") +
                         "&counter=C9&declared=240&note=short+by+ten");
  ASSERT_EQ(closed.status, 200) << closed.body;
  EXPECT_THAT(closed.body, HasSubstr("The day is closed for this counter."));
  EXPECT_THAT(closed.body, HasSubstr("-₹10.00"));

  page = Send("GET", "/staff/0152/p/01-000004", cookies);
  auto refused = Send(
      "POST", "/staff/0152/p/01-000004/collect", cookies,
      "csrf=" + csrf + "&key=" + Hidden(page.body, "key") + "&amount=100&mode=cash&counter=C9");
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_THAT(refused.body, HasSubstr("class=\"error\""));
}

// Last: it moves the sessions' clock.
TEST_F(WebTest, StaffPagesTimeOutAfter15IdleMinutes) {
  const std::string token = SignIn("sanwer.cashier");
  const std::string cookies = "palika_lang=en; palika_staff=" + token;
  EXPECT_EQ(Send("GET", "/staff/0157", cookies).status, 200);
  app_->sessions().AdvanceClockForTest(std::chrono::minutes(16));
  auto r = Send("GET", "/staff/0157", cookies);
  app_->sessions().AdvanceClockForTest(-std::chrono::minutes(16));
  EXPECT_EQ(r.status, 401);
  EXPECT_THAT(r.body, HasSubstr("signed out after 15 minutes without activity"));
  EXPECT_THAT(SetCookieLine(r, "palika_staff"), HasSubstr("Max-Age=0"));
  // The session is gone for good, not just for that request.
  EXPECT_EQ(Send("GET", "/staff/0157", cookies).status, 401);
}

}  // namespace
}  // namespace palika::integration
