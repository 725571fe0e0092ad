// The back office's pages over a real port: `palika serve` on a fresh demo data directory, driven
// as a browser would (cookies, forms, redirects). What staff would notice: a property registered
// with a Hindi owner name is found by that name; a refused form comes back with what was typed
// and the message next to the field, in the page's language, and nothing is written; a correction
// needs a reason and shows in the history; a return is priced before it is filed; the demand runs
// to a result and a second run changes nothing; a ULB administrator adds a cashier (shown the
// one-time code set-up once) but grants no state role and disables no other ULB's staff; a role
// without the permission, another ULB's staff and a form without its CSRF token get 403.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <thread>

#include "core/civil_date.h"
#include "http/test_client.h"
#include "server_fixture.h"
#include "web/page.h"

namespace palika::integration {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kCsrf[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

// A browser of one staff member: the staff cookie, a CSRF cookie and the language.
struct Browser {
  std::string staff;
  std::string lang = "hi";
  std::string Cookies(bool with_csrf = true) const {
    std::string c = "palika_lang=" + lang;
    if (with_csrf) c += std::string("; palika_csrf=") + kCsrf;
    if (!staff.empty()) c += "; palika_staff=" + staff;
    return c;
  }
};

std::string Form(const std::vector<std::pair<std::string, std::string>>& fields,
                 bool with_csrf = true) {
  std::string out = with_csrf ? std::string("csrf=") + kCsrf : "";
  for (const auto& [k, v] : fields) {
    if (!out.empty()) out += "&";
    out += web::UrlEncode(k) + "=" + web::UrlEncode(v);
  }
  return out;
}

std::string Hidden(const std::string& html, const std::string& name) {
  std::smatch m;
  const std::regex re("name=\"" + name + "\" value=\"([^\"]*)\"");
  return std::regex_search(html, m, re) ? m[1].str() : "";
}

class OfficeWebTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = PalikaServer::CreateDemo().release();
    ASSERT_NE(server_, nullptr);
    ASSERT_TRUE(server_->Start());
    client_ = server_->NewClient().release();
  }
  static void TearDownTestSuite() {
    delete client_;
    delete server_;
  }
  void TearDown() override {
    if (HasFailure()) server_->PrintLogTail();
  }

  static http::ClientResponse Get(const Browser& b, const std::string& target) {
    return client_->Request("GET", target, "", {{"Cookie", b.Cookies()}});
  }
  static http::ClientResponse Post(const Browser& b, const std::string& target,
                                   const std::string& form, bool csrf_cookie = true) {
    return client_->Request("POST", target, form,
                            {{"Cookie", b.Cookies(csrf_cookie)},
                             {"Content-Type", "application/x-www-form-urlencoded"}});
  }

  // Signs in through the sign-in form (password and one-time code), once per user.
  static Browser SignIn(const std::string& username) {
    static std::map<std::string, std::string> tokens;
    Browser b;
    if (auto it = tokens.find(username); it != tokens.end()) {
      b.staff = it->second;
      return b;
    }
    auto r = Post(b, "/staff/sign-in",
                  Form({{"username", username},
                        {"password", kDemoPassword},
                        {"otp", server_->NextOtp(username)}}));
    EXPECT_EQ(r.status, 303) << r.body;
    std::smatch m;
    const std::string cookies = r.Header("set-cookie");
    const std::regex re("palika_staff=([^;]+);");
    EXPECT_TRUE(std::regex_search(cookies, m, re)) << cookies;
    b.staff = m[1].str();
    tokens[username] = b.staff;
    return b;
  }

  static int64_t Entries(const std::string& ledger) { return server_->EntryCounts()[ledger]; }

  // A complete new-property form with a Hindi owner name.
  static std::vector<std::pair<std::string, std::string>> NewProperty(const std::string& name_hi,
                                                                      const std::string& key) {
    return {{"key", key},
            {"owner_rows", "3"},
            {"floor_rows", "4"},
            {"ward", "2"},
            {"address", "14 Nehru Nagar"},
            {"address_hi", "14 नेहरू नगर"},
            {"plot_area", "1200"},
            {"o0_name", "Kamla Devi Verma"},
            {"o0_name_hi", name_hi},
            {"o0_mobile", "98765 43210"},
            {"f0_floor", "0"},
            {"f0_area", "900"},
            {"f0_construction", "rcc"},
            {"f0_use", "residential"},
            {"f0_occupancy", "self"},
            {"save", "1"}};
  }

  // Registers a property through the form as indore.revenue; its id.
  static std::string Register(const std::string& name_hi) {
    Browser b = SignIn("indore.revenue");
    auto form = Get(b, "/staff/0152/register/new");
    EXPECT_EQ(form.status, 200);
    auto r =
        Post(b, "/staff/0152/register/new", Form(NewProperty(name_hi, Hidden(form.body, "key"))));
    EXPECT_EQ(r.status, 303) << r.body;
    std::smatch m;
    const std::string location = r.Header("location");
    EXPECT_TRUE(std::regex_search(location, m, std::regex("/register/(\\d+-\\d+)\\?done")))
        << location;
    return m[1].str();
  }

  static inline PalikaServer* server_ = nullptr;
  static inline http::TestClient* client_ = nullptr;
};

TEST_F(OfficeWebTest, StaffHomeLinksWhatTheRolesAllow) {
  auto home = Get(SignIn("indore.revenue"), "/staff");
  ASSERT_EQ(home.status, 200) << home.body;
  EXPECT_THAT(home.body, HasSubstr("href=\"/staff/0152/register\""));
  EXPECT_THAT(home.body, HasSubstr("href=\"/staff/0152/demand\""));
  EXPECT_THAT(home.body, Not(HasSubstr("/staff/0152/users")));
  auto admin = Get(SignIn("indore.admin"), "/staff");
  EXPECT_THAT(admin.body, HasSubstr("href=\"/staff/0152/users\""));
  // A cashier with one counter goes straight to it.
  auto cashier = Get(SignIn("indore.cashier"), "/staff");
  EXPECT_EQ(cashier.status, 303);
  EXPECT_EQ(cashier.Header("location"), "/staff/0152");
}

TEST_F(OfficeWebTest, RegistersAPropertyWithAHindiOwnerAndFindsIt) {
  const std::string id = Register("कमला देवी वर्मा");
  Browser b = SignIn("indore.revenue");
  auto page = Get(b, "/staff/0152/register/" + id + "?done=registered");
  ASSERT_EQ(page.status, 200);
  EXPECT_THAT(page.body, HasSubstr("कमला देवी वर्मा"));
  EXPECT_THAT(page.body, HasSubstr("14 नेहरू नगर"));
  EXPECT_THAT(page.body, HasSubstr("9876543210"));
  auto found = Get(b, "/staff/0152/register?q=" + web::UrlEncode("कमला वर्मा"));
  ASSERT_EQ(found.status, 200);
  EXPECT_THAT(found.body, HasSubstr("/staff/0152/register/" + id));
  // Stored as typed, in the ledger's projection.
  EXPECT_EQ(server_->Query("0152",
                           "SELECT name_hi FROM property_owners WHERE property_id = '" + id + "'"),
            "कमला देवी वर्मा");
}

TEST_F(OfficeWebTest, BadInputKeepsTheFormAndWritesNothing) {
  Browser b = SignIn("indore.revenue");
  const int64_t before = Entries("0152");
  // A Hindi name in Latin script: refused next to that field, in Hindi, the rest kept.
  auto form = Get(b, "/staff/0152/register/new");
  auto fields = NewProperty("Kamla Devi", Hidden(form.body, "key"));
  auto r = Post(b, "/staff/0152/register/new", Form(fields));
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("स्वामी 1: नाम (हिंदी)"));
  EXPECT_THAT(r.body, HasSubstr("field-error"));
  EXPECT_THAT(r.body, HasSubstr("value=\"14 नेहरू नगर\""));
  EXPECT_THAT(r.body, HasSubstr("value=\"Kamla Devi Verma\""));
  EXPECT_THAT(r.body, HasSubstr("value=\"98765 43210\""));
  // In English for an English browser; an unknown ward is the service's refusal.
  b.lang = "en";
  fields = NewProperty("कमला देवी", Hidden(form.body, "key"));
  fields[3] = {"ward", "77"};
  r = Post(b, "/staff/0152/register/new", Form(fields));
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("id=\"ward-err\""));
  EXPECT_THAT(r.body, HasSubstr("value=\"77\""));
  // A floor area that is not a number.
  fields = NewProperty("कमला देवी", Hidden(form.body, "key"));
  fields[11] = {"f0_area", "nine hundred"};
  r = Post(b, "/staff/0152/register/new", Form(fields));
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("Floor part 1: built-up area"));
  EXPECT_THAT(r.body, HasSubstr("value=\"nine hundred\""));
  EXPECT_EQ(Entries("0152"), before);
}

TEST_F(OfficeWebTest, FormsWithoutTheirCsrfTokenAreRefused) {
  Browser b = SignIn("indore.revenue");
  Browser admin = SignIn("indore.admin");  // a sign-in is a state-ledger entry: before counting
  const int64_t before = Entries("0152");
  const int64_t state_before = Entries("state");
  auto form = Get(b, "/staff/0152/register/new");
  auto fields = NewProperty("कमला देवी", Hidden(form.body, "key"));
  for (const std::string& target :
       {std::string("/staff/0152/register/new"), std::string("/staff/0152/demand")}) {
    auto r = Post(b, target, Form(fields, /*with_csrf=*/false));
    EXPECT_EQ(r.status, 403) << target;
    EXPECT_THAT(r.body, HasSubstr("फ़ॉर्म पुराना हो गया है"));
  }
  auto r = Post(admin, "/staff/0152/users/indore.registrar/disable", Form({}, false));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(Entries("0152"), before);
  EXPECT_EQ(Entries("state"), state_before);
}

TEST_F(OfficeWebTest, WrongRoleAndOtherUlbGetA403InTheirLanguage) {
  Browser cashier = SignIn("indore.cashier");
  for (const char* target :
       {"/staff/0152/register/new", "/staff/0152/demand", "/staff/0152/users"}) {
    auto r = Get(cashier, target);
    EXPECT_EQ(r.status, 403) << target;
    EXPECT_THAT(r.body, HasSubstr("आपकी भूमिकाएँ यह पृष्ठ नहीं खोलतीं"));
  }
  Browser sehore = SignIn("sehore.revenue");
  sehore.lang = "en";
  auto r = Get(sehore, "/staff/0152/register");
  EXPECT_EQ(r.status, 403);
  EXPECT_THAT(r.body, HasSubstr("Your roles at Indore do not allow this page"));
  const int64_t before = Entries("0152");
  auto form = Get(SignIn("indore.revenue"), "/staff/0152/register/new");
  r = Post(sehore, "/staff/0152/register/new",
           Form(NewProperty("कमला देवी", Hidden(form.body, "key"))));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(Entries("0152"), before);
  // Signed out: the sign-in page.
  EXPECT_EQ(Get(Browser{}, "/staff/0152/register").status, 401);
}

TEST_F(OfficeWebTest, CorrectionNeedsAReasonAndShowsInTheHistory) {
  const std::string id = Register("सीता राम");
  Browser b = SignIn("indore.revenue");
  const std::string url = "/staff/0152/register/" + id + "/correct";
  auto form = Get(b, url);
  ASSERT_EQ(form.status, 200);
  EXPECT_THAT(form.body, HasSubstr("value=\"सीता राम\""));
  auto fields = NewProperty("सीता राम", Hidden(form.body, "key"));
  fields.push_back({"version", "1"});
  fields[4] = {"address", "15 Nehru Nagar"};
  const int64_t before = Entries("0152");
  auto r = Post(b, url, Form(fields));  // no reason
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("id=\"reason-err\""));
  EXPECT_THAT(r.body, HasSubstr("value=\"15 Nehru Nagar\""));
  EXPECT_EQ(Entries("0152"), before);
  fields.push_back({"reason", "पता गलत लिखा गया था"});
  r = Post(b, url, Form(fields));
  ASSERT_EQ(r.status, 303) << r.body;
  EXPECT_THAT(r.Header("location"), HasSubstr("done=corrected"));
  // The same form sent again (a retry): the same key, nothing new written.
  const int64_t after = Entries("0152");
  r = Post(b, url, Form(fields));
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(Entries("0152"), after);
  auto history = Get(b, "/staff/0152/register/" + id + "/history");
  ASSERT_EQ(history.status, 200);
  EXPECT_THAT(history.body, HasSubstr("पता गलत लिखा गया था"));
  EXPECT_THAT(history.body, HasSubstr("15 Nehru Nagar"));
  EXPECT_THAT(history.body, HasSubstr("14 Nehru Nagar"));
  EXPECT_THAT(history.body, HasSubstr("Indore revenue_officer"));  // who
}

TEST_F(OfficeWebTest, AReturnIsPricedBeforeItIsFiledAndARevisionSupersedes) {
  const std::string id = Register("गीता बाई");
  Browser b = SignIn("indore.revenue");
  const std::string fy =
      FinancialYear::Of(CivilDate::TodayIst(std::chrono::system_clock::now())).Format();
  const std::string base = "/staff/0152/register/" + id + "/returns";
  const int64_t before = Entries("0152");
  auto preview =
      Post(b, base + "/preview", Form({{"fy", fy}, {"filed_by", "staff"}, {"zone", ""}}));
  ASSERT_EQ(preview.status, 200) << preview.body;
  EXPECT_THAT(preview.body, HasSubstr("कर-योग्य (वार्षिक) मूल्य"));
  EXPECT_THAT(preview.body, HasSubstr("संपत्ति कर"));
  EXPECT_EQ(Entries("0152"), before);  // a preview writes nothing
  const std::string key = Hidden(preview.body, "key");
  auto filed = Post(b, base, Form({{"key", key}, {"fy", fy}, {"filed_by", "staff"}, {"zone", ""}}));
  ASSERT_EQ(filed.status, 303) << filed.body;
  auto second =
      Post(b, base,
           Form({{"key", std::string(64, 'b')}, {"fy", fy}, {"filed_by", "owner"}, {"zone", ""}}));
  ASSERT_EQ(second.status, 303) << second.body;
  auto list = Get(b, base + "?filed=1");
  EXPECT_THAT(list.body, HasSubstr("प्रतिस्थापित"));
  EXPECT_EQ(server_->Query("0152",
                           "SELECT MAX(revision) FROM pt_returns WHERE property_id = '" + id + "'"),
            "2");
  // A year that is not one, and one without rates: the form says so, nothing is written.
  const int64_t after = Entries("0152");
  auto bad = Post(b, base + "/preview", Form({{"fy", "2026"}, {"filed_by", "staff"}}));
  EXPECT_EQ(bad.status, 400);
  EXPECT_THAT(bad.body, HasSubstr("&apos;2026&apos; वित्तीय वर्ष नहीं है"));
  auto no_rates = Post(
      b, base, Form({{"key", std::string(64, 'c')}, {"fy", "2040-41"}, {"filed_by", "staff"}}));
  EXPECT_EQ(no_rates.status, 404);
  EXPECT_EQ(Entries("0152"), after);
}

TEST_F(OfficeWebTest, DemandRunsToAResultAndASecondRunChangesNothing) {
  const std::string id = Register("राधा बाई");  // not billed yet for this year
  Browser b = SignIn("indore.revenue");
  b.lang = "en";
  const std::string fy =
      FinancialYear::Of(CivilDate::TodayIst(std::chrono::system_clock::now())).Format();
  auto page = Get(b, "/staff/0152/demand");
  ASSERT_EQ(page.status, 200);
  // Bad input: the form again with the message, nothing started.
  auto bad = Post(b, "/staff/0152/demand", Form({{"fy", "26-27"}}));
  EXPECT_EQ(bad.status, 400);
  EXPECT_THAT(bad.body, HasSubstr("is not a financial year"));
  auto no_rates = Post(b, "/staff/0152/demand", Form({{"fy", "2040-41"}}));
  EXPECT_EQ(no_rates.status, 404);

  auto run = [&]() {
    auto r = Post(b, "/staff/0152/demand", Form({{"fy", fy}}));
    EXPECT_EQ(r.status, 303) << r.body;
    EXPECT_THAT(r.Header("location"), HasSubstr("/staff/0152/demand/" + fy));
    http::ClientResponse job;
    for (int i = 0; i < 300; ++i) {
      job = Get(b, "/staff/0152/demand/" + fy);
      if (job.body.find("http-equiv=\"refresh\"") == std::string::npos) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_EQ(job.status, 200);
    return job.body;
  };
  // Every property not billed for the year yet (this one, and any other test registered).
  const std::string unbilled =
      server_->Query("0152",
                     "SELECT COUNT(*) FROM properties WHERE id NOT IN (SELECT property_id FROM "
                     "pt_demands WHERE fy = '" +
                         fy + "')");
  ASSERT_NE(unbilled, "0");
  const std::string first = run();
  EXPECT_THAT(first, HasSubstr("The demand is raised.")) << first;
  EXPECT_THAT(first, HasSubstr("<dd id=\"billed-now\">" + unbilled + "</dd>"));
  EXPECT_EQ(server_->Query("0152", "SELECT COUNT(*) FROM pt_demands WHERE property_id = '" + id +
                                       "' AND fy = '" + fy + "'"),
            "1");
  const int64_t after = Entries("0152");
  const std::string second = run();
  EXPECT_THAT(second, HasSubstr("Nothing changed"));
  EXPECT_THAT(second, HasSubstr("<dd id=\"billed-now\">0</dd>"));
  EXPECT_EQ(Entries("0152"), after);
}

TEST_F(OfficeWebTest, UlbAdminAddsACashierButNoStateRoleAndNoOtherUlbsStaff) {
  Browser admin = SignIn("indore.admin");
  auto page = Get(admin, "/staff/0152/users");
  ASSERT_EQ(page.status, 200);
  EXPECT_THAT(page.body, HasSubstr("indore.cashier"));
  EXPECT_THAT(page.body, Not(HasSubstr("sehore.cashier")));
  EXPECT_THAT(page.body, Not(HasSubstr("value=\"state_admin\"")));
  // Bad input keeps the form: a short password.
  const int64_t state_before = Entries("state");
  auto bad = Post(admin, "/staff/0152/users",
                  Form({{"username", "indore.cash2"},
                        {"display_name", "राम लाल"},
                        {"password", "short"},
                        {"role", "cashier"}}));
  EXPECT_EQ(bad.status, 400);
  EXPECT_THAT(bad.body, HasSubstr("value=\"indore.cash2\""));
  EXPECT_THAT(bad.body, HasSubstr("value=\"राम लाल\""));
  EXPECT_EQ(Entries("state"), state_before);
  // Added: the one-time code set-up shown once, as a URI and a QR code.
  auto added = Post(admin, "/staff/0152/users",
                    Form({{"username", "indore.cash2"},
                          {"display_name", "राम लाल"},
                          {"password", kDemoPassword},
                          {"role", "cashier"}}));
  ASSERT_EQ(added.status, 201) << added.body;
  EXPECT_THAT(added.body, HasSubstr("otpauth://totp/"));
  EXPECT_THAT(added.body, HasSubstr("<svg"));
  EXPECT_THAT(Get(admin, "/staff/0152/users").body, Not(HasSubstr("otpauth://")));
  EXPECT_EQ(server_->Query("state",
                           "SELECT g.role || '@' || g.ulb FROM role_grants g JOIN users "
                           "u ON u.id = g.user_id WHERE u.username = 'indore.cash2'"),
            "cashier@0152");
  // The new cashier signs in with the first password and a code from the enrolment.
  Browser cash2 = SignIn("indore.cash2");
  EXPECT_EQ(Get(cash2, "/staff/0152").status, 200);

  // Grant and revoke a role of this ULB.
  auto g = Post(admin, "/staff/0152/users/indore.cash2/grant", Form({{"role", "accountant"}}));
  EXPECT_EQ(g.status, 303) << g.body;
  auto rv = Post(admin, "/staff/0152/users/indore.cash2/revoke", Form({{"role", "accountant"}}));
  EXPECT_EQ(rv.status, 303) << rv.body;
  // No administrator or state role, nobody of another ULB.
  const int64_t before = Entries("state");
  for (const char* role : {"ulb_admin", "state_admin"}) {
    auto r = Post(admin, "/staff/0152/users/indore.cash2/grant", Form({{"role", role}}));
    EXPECT_EQ(r.status, 403) << role;
    auto u = Post(admin, "/staff/0152/users",
                  Form({{"username", "indore.boss"}, {"password", kDemoPassword}, {"role", role}}));
    EXPECT_EQ(u.status, 403) << role;
  }
  auto other = Post(admin, "/staff/0152/users/sehore.cashier/disable", Form({}));
  EXPECT_EQ(other.status, 403);
  auto other_ulb = Post(admin, "/staff/0276/users/sehore.cashier/disable", Form({}));
  EXPECT_EQ(other_ulb.status, 403);
  EXPECT_EQ(Entries("state"), before);
  // Disabled: the cashier's session ends.
  auto d = Post(admin, "/staff/0152/users/indore.cash2/disable", Form({}));
  EXPECT_EQ(d.status, 303) << d.body;
  EXPECT_EQ(Get(cash2, "/staff/0152").status, 401);
  EXPECT_EQ(server_->Query("state", "SELECT active FROM users WHERE username = 'indore.cash2'"),
            "0");
  EXPECT_THAT(Get(admin, "/staff/0152/users").body,
              HasSubstr("action=\"/staff/0152/users/indore.cash2/enable\""));

  // Enabled again (user.enabled): another ULB's account is refused; the old session stays
  // ended, a new sign-in works; enabling an active user writes nothing.
  EXPECT_EQ(Post(admin, "/staff/0152/users/sehore.cashier/enable", Form({})).status, 403);
  auto e = Post(admin, "/staff/0152/users/indore.cash2/enable", Form({}));
  ASSERT_EQ(e.status, 303) << e.body;
  EXPECT_THAT(Get(admin, e.Header("location")).body,
              HasSubstr("indore.cash2 का खाता फिर चालू कर दिया गया"));
  EXPECT_EQ(server_->Query("state", "SELECT active FROM users WHERE username = 'indore.cash2'"),
            "1");
  EXPECT_EQ(
      server_->Query("state", "SELECT COUNT(*) FROM ledger_entries WHERE type = 'user.enabled'"),
      "1");
  EXPECT_EQ(Get(cash2, "/staff/0152").status, 401);
  const int64_t enabled = Entries("state");
  EXPECT_EQ(Post(admin, "/staff/0152/users/indore.cash2/enable", Form({})).status, 303);
  EXPECT_EQ(Entries("state"), enabled);
  Browser again;
  auto in = Post(again, "/staff/sign-in",
                 Form({{"username", "indore.cash2"},
                       {"password", kDemoPassword},
                       {"otp", server_->NextOtp("indore.cash2")}}));
  ASSERT_EQ(in.status, 303) << in.body;
  const std::string set_cookie = in.Header("set-cookie");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(set_cookie, m, std::regex("palika_staff=([^;]+);")));
  again.staff = m[1].str();
  EXPECT_EQ(Get(again, "/staff/0152").status, 200);
}

}  // namespace
}  // namespace palika::integration
