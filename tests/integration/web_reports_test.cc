// The report pages and the state dashboard over a real port: the real `palika serve` on a fresh
// demo data directory, signed in through the sign-in form as a browser would. What a user would
// notice: the pages show the same figures as the accounts API (the services behind both), the
// charts are there with their accessible names, the CSV and .xlsx downloads open, bad input is a
// page that says what to write, and the wrong role or another ULB's officer gets a 403 page.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <sstream>

#include "core/civil_date.h"
#include "core/money.h"
#include "integration/server_fixture.h"

namespace palika::integration {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kCsrf(64, 'c');

class WebReportsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = PalikaServer::CreateDemo().release();
    ASSERT_NE(server_, nullptr);
    ASSERT_TRUE(server_->Start());
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void TearDown() override {
    if (HasFailure() && server_) std::cerr << server_->ServerLog().substr(0, 4000);
  }

  // Signs in through the web form; the browser's cookies afterwards (staff session and CSRF).
  static std::string WebSignIn(const std::string& username) {
    const std::string form = "csrf=" + kCsrf + "&username=" + username +
                             "&password=" + kDemoPassword + "&otp=" + server_->NextOtp(username);
    // A client of its own: the fixture's Request() labels a body as JSON.
    auto r = server_->NewClient()->Request("POST", "/staff/sign-in", form,
                                           {{"Content-Type", "application/x-www-form-urlencoded"},
                                            {"Cookie", "palika_csrf=" + kCsrf}});
    EXPECT_EQ(r.status, 303) << r.body;
    const std::string cookies = r.Header("set-cookie");
    const auto at = cookies.find("palika_staff=");
    EXPECT_NE(at, std::string::npos) << cookies;
    if (at == std::string::npos) return "";
    return cookies.substr(at, cookies.find(';', at) - at) + "; palika_csrf=" + kCsrf;
  }

  static http::ClientResponse Page(const std::string& target, const std::string& cookies,
                                   const std::string& lang = "en") {
    return server_->Request("GET", target, "", "", {{"Cookie", cookies + "; palika_lang=" + lang}});
  }

  static json::object ApiJson(const std::string& target, const std::string& token) {
    auto r = server_->Request("GET", target, "", token);
    EXPECT_EQ(r.status, 200) << Describe("GET", target, r);
    return ParseJson(r.body).as_object();
  }

  static std::string Rupees(int64_t paise) { return Money::FromPaise(paise).Format(); }

  static inline PalikaServer* server_ = nullptr;
};

std::string Today() { return CivilDate::TodayIst(std::chrono::system_clock::now()).Format(); }

TEST_F(WebReportsTest, CollectionsPageShowsTheRegistersFiguresWithChartsAndCsv) {
  const std::string web = WebSignIn("indore.accountant");
  const std::string api = server_->SignIn("indore.accountant");
  const std::string today = Today();
  auto reg = ApiJson("/api/v1/ulbs/0152/accounts/collections?date=" + today, api);
  const int64_t net = reg.at("net_paise").as_int64();
  ASSERT_GT(net, 0) << "the demo has collections today";

  const std::string path = "/staff/0152/reports/collections?from=" + today + "&to=" + today;
  auto page = Page(path, web);
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_THAT(page.body, HasSubstr("<strong>" + Rupees(net) + "</strong>"));
  // Three charts, each an image with a name, and tables for screen readers.
  EXPECT_THAT(page.body, HasSubstr("role=\"img\" aria-labelledby=\"chart-days-title\""));
  EXPECT_THAT(page.body, HasSubstr("aria-labelledby=\"chart-wards-title\""));
  EXPECT_THAT(page.body, HasSubstr("<title id=\"chart-modes-title\">Net collections by mode"));
  EXPECT_THAT(page.body, HasSubstr("<th scope=\"row\">Cash</th>"));
  EXPECT_THAT(page.body, HasSubstr("<th scope=\"row\">Ward 1 · "));
  EXPECT_LT(page.body.size(), 100'000u);

  // In Hindi: the labels, amounts still in Indian grouping.
  auto hi = Page(path, web, "hi");
  EXPECT_THAT(hi.body, HasSubstr("<html lang=\"hi\">"));
  EXPECT_THAT(hi.body, HasSubstr("दिन-वार शुद्ध वसूली"));
  EXPECT_THAT(hi.body, HasSubstr("<th scope=\"row\">नकद</th>"));
  EXPECT_THAT(hi.body, HasSubstr(Rupees(net)));

  auto csv = Page(path + "&format=csv", web);
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.Header("content-type"), "text/csv; charset=utf-8");
  EXPECT_THAT(csv.Header("content-disposition"),
              HasSubstr("collections-0152-" + today + "-" + today + ".csv"));
  EXPECT_THAT(csv.body, HasSubstr("section,key,name,name_hi,receipts,reversals,net\r\n"));
  EXPECT_THAT(csv.body, HasSubstr("total," + today + " to " + today + ",,,"));
  EXPECT_THAT(csv.body, HasSubstr("," + Money::FromPaise(net).FormatPlain() + "\r\n"));

  auto xlsx = Page(path + "&format=xlsx", web);
  ASSERT_EQ(xlsx.status, 200);
  EXPECT_EQ(xlsx.body.substr(0, 2), "PK");  // a zip: the workbook
  EXPECT_NE(xlsx.body.find("xl/worksheets/sheet1.xml"), std::string::npos);
  EXPECT_THAT(xlsx.Header("content-disposition"),
              HasSubstr("collections-0152-" + today + "-" + today + ".xlsx"));

  // Bad input changes nothing and says what to write, in the user's language.
  auto bad = Page("/staff/0152/reports/collections?from=yesterday&to=" + today, web);
  EXPECT_EQ(bad.status, 400);
  EXPECT_THAT(bad.body, HasSubstr("Write the date as on a calendar"));
  auto reversed = Page("/staff/0152/reports/collections?from=" + today + "&to=2020-01-01", web);
  EXPECT_EQ(reversed.status, 400);
  EXPECT_THAT(reversed.body, HasSubstr("role=\"alert\""));
  // A year is shown by month, and the page stays small.
  auto year = Page("/staff/0152/reports/collections?from=2025-12-01&to=" + today, web);
  ASSERT_EQ(year.status, 200);
  EXPECT_THAT(year.body, HasSubstr("<title id=\"chart-days-title\">Net collections by month"));
  EXPECT_THAT(year.body, HasSubstr("<th scope=\"row\">12/2025</th>"));
  EXPECT_LT(year.body.size(), 100'000u);
  auto bad_hi = Page("/staff/0152/reports/collections?from=2020-01-01&to=" + today, web, "hi");
  EXPECT_EQ(bad_hi.status, 400);
  EXPECT_THAT(bad_hi.body, HasSubstr("अधिकतम 366 दिन"));
}

TEST_F(WebReportsTest, DcbAndTrialBalanceMatchTheApiAndDownloadAsCsvAndXlsx) {
  const std::string web = WebSignIn("indore.auditor");
  const std::string api = server_->SignIn("indore.auditor");
  const std::string fy = FinancialYear::Of(CivilDate::Parse(Today()).value()).Format();

  auto dcb = ApiJson("/api/v1/ulbs/0152/reports/dcb?fy=" + fy, api);
  const auto& total = dcb.at("total").as_object().at("total").as_object();
  auto page = Page("/staff/0152/reports/dcb?fy=" + fy, web);
  ASSERT_EQ(page.status, 200);
  EXPECT_THAT(page.body, HasSubstr(Rupees(total.at("demand_paise").as_int64())));
  EXPECT_THAT(page.body, HasSubstr(Rupees(total.at("balance_paise").as_int64())));
  EXPECT_THAT(page.body, HasSubstr("<title id=\"chart-dcb-title\">Property tax outstanding"));
  auto csv = Page("/staff/0152/reports/dcb?fy=" + fy + "&format=csv", web);
  ASSERT_EQ(csv.status, 200);
  EXPECT_TRUE(csv.body.starts_with("\xEF\xBB\xBFward,ward_name"));
  auto xlsx = Page("/staff/0152/reports/dcb?fy=" + fy + "&format=xlsx", web);
  ASSERT_EQ(xlsx.status, 200);
  EXPECT_EQ(xlsx.body.substr(0, 2), "PK");  // a zip: the workbook
  EXPECT_NE(xlsx.body.find("xl/worksheets/sheet1.xml"), std::string::npos);
  EXPECT_THAT(xlsx.Header("content-disposition"), HasSubstr("dcb-0152-" + fy + ".xlsx"));
  EXPECT_EQ(Page("/staff/0152/reports/dcb?fy=26", web).status, 400);
  EXPECT_EQ(Page("/staff/0152/reports/dcb?format=pdf", web).status, 400);

  auto tb = ApiJson("/api/v1/ulbs/0152/accounts/trial-balance?on=" + Today(), api);
  auto tb_page = Page("/staff/0152/reports/trial-balance?on=" + Today(), web);
  ASSERT_EQ(tb_page.status, 200);
  EXPECT_THAT(tb_page.body, HasSubstr(Rupees(tb.at("debit_paise").as_int64())));
  EXPECT_THAT(tb_page.body, HasSubstr("Debits equal credits"));
  auto tb_xlsx = Page("/staff/0152/reports/trial-balance?on=" + Today() + "&format=xlsx", web);
  ASSERT_EQ(tb_xlsx.status, 200);
  EXPECT_EQ(tb_xlsx.body.substr(0, 2), "PK");
  EXPECT_EQ(tb_xlsx.Header("content-type"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  auto tb_csv = Page("/staff/0152/reports/trial-balance?on=" + Today() + "&format=csv", web);
  ASSERT_EQ(tb_csv.status, 200);
  EXPECT_THAT(
      tb_csv.body,
      HasSubstr("total,,," + Money::FromPaise(tb.at("debit_paise").as_int64()).FormatPlain()));
}

TEST_F(WebReportsTest, WrongRoleOrOtherUlbGets403AndNoSessionTheSignInPage) {
  const std::string cashier = WebSignIn("indore.cashier");
  auto r = Page("/staff/0152/reports/collections", cashier);
  EXPECT_EQ(r.status, 403);
  EXPECT_THAT(r.body, HasSubstr("You cannot see the accounts of Indore"));
  EXPECT_THAT(r.body, Not(HasSubstr("chart-days")));
  const std::string sehore = WebSignIn("sehore.accountant");
  for (const char* path :
       {"/staff/0152/reports/collections", "/staff/0152/reports/dcb",
        "/staff/0152/reports/trial-balance?format=csv", "/staff/0152/reports/dcb?format=xlsx"}) {
    auto other = Page(path, sehore, "hi");
    EXPECT_EQ(other.status, 403) << path;
    EXPECT_THAT(other.body, HasSubstr("इंदौर के खाते नहीं देख सकते")) << path;
  }
  EXPECT_EQ(Page("/staff/0276/reports/collections", sehore).status, 200);
  // Only the state administrator sees the dashboard.
  EXPECT_EQ(Page("/state", sehore).status, 403);
  EXPECT_EQ(Page("/state", WebSignIn("indore.admin")).status, 403);
  auto none = Page("/staff/0152/reports/dcb", "palika_csrf=" + kCsrf);
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(Page("/state", "palika_csrf=" + kCsrf).status, 401);
}

TEST_F(WebReportsTest, DashboardShowsEveryUlbsCollectionsBackupStateAndOutages) {
  // A backup host ("backup-1", a replication token) that holds all of Sehore's ledger.
  ASSERT_TRUE(server_->Stop());
  RunResult added = RunPalika({"token", "add", "--data", server_->data_dir().string(), "--role",
                               "replication", "--name", "backup-1"});
  ASSERT_EQ(added.exit_code, 0) << added.output;
  std::string backup_token;
  std::istringstream lines(added.output);
  for (std::string line; std::getline(lines, line);) {
    if (line.size() == 43 && line.find(' ') == std::string::npos) backup_token = line;
  }
  ASSERT_EQ(backup_token.size(), 43u) << added.output;
  const int64_t sehore_entries = server_->EntryCounts().at("0276");
  ASSERT_TRUE(server_->Start());
  auto acked = server_->Request(
      "POST", "/api/v1/replication/acks",
      R"({"ledgers":[{"ulb":"0276","size":)" + std::to_string(sehore_entries) + "}]}",
      backup_token);
  ASSERT_EQ(acked.status, 200) << acked.body;

  const std::string api_admin = server_->SignIn("state.admin");
  // A declared outage shows on the dashboard.
  auto declared = server_->Request(
      "POST", "/api/v1/outages",
      R"({"from":"2026-11-02","to":"2026-11-03","reason":"Power failure at the data centre"})",
      api_admin, {{"Idempotency-Key", "web-reports-outage-1"}});
  ASSERT_EQ(declared.status, 201) << declared.body;

  const std::string web = WebSignIn("state.admin");
  auto page = Page("/state", web);
  ASSERT_EQ(page.status, 200) << page.body;
  for (const char* ulb : {"0152", "0157", "0276"}) {
    auto reg = ApiJson(std::string("/api/v1/ulbs/") + ulb + "/accounts/collections?date=" + Today(),
                       api_admin);
    const std::string href = std::string("href=\"/staff/") + ulb + "/reports\"";
    const auto at = page.body.find(href);
    ASSERT_NE(at, std::string::npos) << ulb;
    // The row's first amount is today's collections.
    const auto row_end = page.body.find("</tr>", at);
    EXPECT_NE(page.body.substr(at, row_end - at).find(Rupees(reg.at("net_paise").as_int64())),
              std::string::npos)
        << ulb;
  }
  // Sehore's backup host holds everything: green. Nobody pulled Indore's: red. In words too.
  const auto sehore = page.body.find("href=\"/staff/0276/reports\"");
  const std::string sehore_row = page.body.substr(sehore, page.body.find("</tr>", sehore) - sehore);
  EXPECT_THAT(sehore_row, HasSubstr("<td class=\"health green\">Green: all well</td>"));
  EXPECT_THAT(sehore_row, HasSubstr("1 host(s); the one furthest behind (backup-1) lacks "));
  const auto indore = page.body.find("href=\"/staff/0152/reports\"");
  const std::string indore_row = page.body.substr(indore, page.body.find("</tr>", indore) - indore);
  EXPECT_THAT(indore_row, HasSubstr("<td class=\"health red\">Red: act now</td>"));
  EXPECT_THAT(indore_row, HasSubstr("<td>No backup host has reported yet.</td>"));
  EXPECT_THAT(page.body, HasSubstr("trails by at most 10 seconds"));
  EXPECT_THAT(page.body, HasSubstr("signature verified"));
  EXPECT_THAT(page.body, HasSubstr("Power failure at the data centre"));
  EXPECT_THAT(page.body, HasSubstr("02/11/2026"));
  EXPECT_THAT(page.body, HasSubstr("aria-labelledby=\"chart-ulbs-title\""));
  EXPECT_THAT(page.body, HasSubstr("Read from 3 ULBs in"));
  auto hi = Page("/state", web, "hi");
  EXPECT_THAT(hi.body, HasSubstr("राज्य डैशबोर्ड"));
  EXPECT_THAT(hi.body, HasSubstr("लाल: तुरंत कार्रवाई करें"));
  // The staff home links to it.
  auto home = Page("/staff", web);
  EXPECT_THAT(home.body, HasSubstr("href=\"/state\""));
}

}  // namespace
}  // namespace palika::integration
