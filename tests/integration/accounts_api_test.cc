// The accounts over the real server: counter payments post journals that appear in the day's
// journal, the collection register and the trial balance (which balances, and survives a
// restart); the cashier closes the day once (a retry with the key replays, a second close is
// 409, later payments on that counter are refused); refusals (wrong role, other ULB, bad input)
// are bilingual and write nothing; the DCB register downloads as JSON, CSV and .xlsx, and
// `palika report dcb` writes the same workbook. Each test ends with `palika verify`.

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>

#include "core/civil_date.h"
#include "integration/server_fixture.h"

namespace palika::integration {
namespace {

namespace json = boost::json;

std::string Str(const json::value& v) { return v.is_string() ? std::string(v.get_string()) : ""; }

class AccountsApiTest : public DemoServerTest {
 protected:
  void SetUp() override {
    DemoServerTest::SetUp();
    if (HasFatalFailure()) return;
    cashier_ = server_->SignIn("indore.cashier");
    accountant_ = server_->SignIn("indore.accountant");
    ASSERT_NE(cashier_, "");
    ASSERT_NE(accountant_, "");
    property_ = server_->Query(kIndore, "SELECT id FROM properties ORDER BY num LIMIT 1");
    ASSERT_FALSE(property_.empty());
    today_ = CivilDate::TodayIst(std::chrono::system_clock::now()).Format();
  }

  void TearDown() override {
    if (server_ && !HasFailure()) {
      ASSERT_TRUE(server_->Stop());
      RunResult v = server_->Verify();
      EXPECT_EQ(v.exit_code, 0) << v.output;
    }
    DemoServerTest::TearDown();
  }

  http::ClientResponse Pay(int64_t paise, const std::string& mode, const std::string& key) {
    json::object body{{"property", property_}, {"amount_paise", paise}, {"mode", mode}};
    if (mode != "cash") body["reference"] = "REF 412345678901";
    return server_->Request("POST", "/api/v1/ulbs/0152/payments", json::serialize(body), cashier_,
                            {{"Content-Type", "application/json"}, {"Idempotency-Key", key}});
  }

  http::ClientResponse CloseDay(const std::string& body, const std::string& token,
                                const std::string& key = "", const std::string& ulb = kIndore) {
    Headers h{{"Content-Type", "application/json"}};
    if (!key.empty()) h.push_back({"Idempotency-Key", key});
    return server_->Request("POST", "/api/v1/ulbs/" + ulb + "/accounts/day-close", body, token, h);
  }

  json::object GetJson(const std::string& target, const std::string& token) {
    auto r = server_->Request("GET", target, "", token);
    EXPECT_EQ(r.status, 200) << Describe("GET", target, r);
    json::value v = ParseJson(r.body);
    return v.is_object() ? v.as_object() : json::object();
  }

  int64_t Entries() { return server_->EntryCounts()[kIndore]; }

  // The register's net for a counter and mode (0 if it has no row).
  static int64_t NetOf(const json::object& reg, const std::string& counter,
                       const std::string& mode) {
    for (const auto& r : reg.at("rows").as_array()) {
      if (Str(r.at("counter")) == counter && Str(r.at("mode")) == mode) {
        return r.at("net_paise").as_int64();
      }
    }
    return 0;
  }

  // An account's debit balance less its credit balance in a trial balance (0 if absent).
  static int64_t BalanceOf(const json::object& tb, const std::string& account) {
    for (const auto& a : tb.at("accounts").as_array()) {
      if (Str(a.at("account")) == account) {
        return a.at("debit_balance_paise").as_int64() - a.at("credit_balance_paise").as_int64();
      }
    }
    return 0;
  }

  std::string cashier_;
  std::string accountant_;
  std::string property_;
  std::string today_;
};

TEST_F(AccountsApiTest, PaymentsReachTheJournalRegisterAndTrialBalance) {
  // The demo already collected some of today's payments: everything below is relative to it.
  const std::string journal_path = "/api/v1/ulbs/0152/accounts/journal?date=" + today_;
  const std::string register_path = "/api/v1/ulbs/0152/accounts/collections?date=" + today_;
  const std::string tb_path = "/api/v1/ulbs/0152/accounts/trial-balance?on=" + today_;
  const size_t vouchers_before = GetJson(journal_path, accountant_)["journal"].as_array().size();
  json::object reg_before = GetJson(register_path, accountant_);
  json::object tb_before = GetJson(tb_path, accountant_);

  auto cash = Pay(1'000'00, "cash", "acc-pay-1");
  ASSERT_EQ(cash.status, 201) << cash.body;
  const std::string receipt = Str(ParseJson(cash.body).at("receipt_no"));
  auto upi = Pay(250'50, "upi", "acc-pay-2");
  ASSERT_EQ(upi.status, 201) << upi.body;

  // The day's journal: one collection voucher per receipt, numbered on from the last.
  json::object journal = GetJson(journal_path, accountant_);
  const json::array& vouchers = journal["journal"].as_array();
  ASSERT_EQ(vouchers.size(), vouchers_before + 2);
  const json::value& mine = vouchers[vouchers.size() - 2];
  EXPECT_EQ(vouchers.back().at("voucher_no").as_int64(), mine.at("voucher_no").as_int64() + 1);
  EXPECT_EQ(Str(mine.at("voucher")), "collection");
  EXPECT_EQ(Str(mine.at("reference")), receipt);
  EXPECT_EQ(Str(mine.at("counter")), "C1");
  EXPECT_EQ(Str(mine.at("lines").as_array()[0].at("account")), "450-10");
  EXPECT_EQ(Str(mine.at("lines").as_array()[0].at("name_hi")), "हाथ में नकद (रोकड़)");
  EXPECT_EQ(mine.at("lines").as_array()[0].at("debit_paise").as_int64(), 1'000'00);
  EXPECT_EQ(Str(vouchers.back().at("lines").as_array()[0].at("account")), "450-21");

  // The collection register: counter C1, by mode, up by exactly these two.
  json::object reg = GetJson(register_path, accountant_);
  EXPECT_EQ(NetOf(reg, "C1", "cash") - NetOf(reg_before, "C1", "cash"), 1'000'00);
  EXPECT_EQ(NetOf(reg, "C1", "upi") - NetOf(reg_before, "C1", "upi"), 250'50);
  EXPECT_EQ(reg["net_paise"].as_int64() - reg_before["net_paise"].as_int64(), 1'250'50);

  // The trial balance balances, with the cash and the bank up on the debit side.
  json::object tb = GetJson(tb_path, accountant_);
  EXPECT_TRUE(tb["balanced"].as_bool()) << json::serialize(tb);
  EXPECT_EQ(tb["debit_paise"].as_int64(), tb["credit_paise"].as_int64());
  EXPECT_EQ(tb["debit_paise"].as_int64() - tb_before["debit_paise"].as_int64(), 1'250'50);
  EXPECT_EQ(BalanceOf(tb, "450-10") - BalanceOf(tb_before, "450-10"), 1'000'00);
  EXPECT_EQ(BalanceOf(tb, "450-21") - BalanceOf(tb_before, "450-21"), 250'50);
  // Up to yesterday, the totals are today's less today's vouchers.
  int64_t today_debits = 0;
  for (const auto& v : vouchers) {
    for (const auto& l : v.at("lines").as_array()) today_debits += l.at("debit_paise").as_int64();
  }
  const CivilDate yesterday = CivilDate::Parse(today_).value().AddDays(-1);
  json::object tb_yesterday =
      GetJson("/api/v1/ulbs/0152/accounts/trial-balance?on=" + yesterday.Format(), accountant_);
  EXPECT_TRUE(tb_yesterday["balanced"].as_bool());
  EXPECT_EQ(tb_yesterday["debit_paise"].as_int64(), tb["debit_paise"].as_int64() - today_debits);

  // A restart loses nothing.
  ASSERT_TRUE(server_->Restart());
  accountant_ = server_->SignIn("indore.accountant");
  json::object after = GetJson(tb_path, accountant_);
  EXPECT_EQ(json::serialize(after), json::serialize(tb));
}

TEST_F(AccountsApiTest, TheCashierClosesTheDayOnce) {
  const std::string register_path = "/api/v1/ulbs/0152/accounts/collections?date=" + today_;
  const int64_t cash_before = NetOf(GetJson(register_path, accountant_), "C1", "cash");
  ASSERT_EQ(Pay(700'00, "cash", "acc-close-1").status, 201);
  ASSERT_EQ(Pay(300'00, "upi", "acc-close-2").status, 201);
  const int64_t expected = cash_before + 700'00;  // the UPI payment is not cash
  const std::string body = json::serialize(json::object{{"date", today_},
                                                        {"counter", "C1"},
                                                        {"declared_cash_paise", expected - 10'00},
                                                        {"note", "₹10 कम — गिनती दोबारा की"}});
  // Bad input, the wrong role and another ULB write nothing.
  const int64_t entries = Entries();
  EXPECT_TRUE(IsApiError(
      CloseDay(R"({"date":"29/11/2026","counter":"C1","declared_cash_paise":1})", cashier_), 400,
      "invalid_field"));
  EXPECT_TRUE(IsApiError(
      CloseDay(R"({"date":"2026-11-20","counter":"C1","declared_cash_paise":-5})", cashier_), 400,
      "invalid_field"));
  EXPECT_TRUE(IsApiError(CloseDay(body, server_->SignIn("indore.revenue")), 403, "forbidden"));
  EXPECT_TRUE(IsApiError(CloseDay(body, cashier_, "", kSehore), 403, "forbidden"));
  EXPECT_TRUE(
      IsApiError(server_->Request("GET", "/api/v1/ulbs/0152/accounts/trial-balance", "", cashier_),
                 403, "forbidden"));
  EXPECT_TRUE(IsApiError(
      server_->Request("GET", "/api/v1/ulbs/0276/accounts/trial-balance", "", accountant_), 403,
      "forbidden"));
  EXPECT_EQ(Entries(), entries);

  auto closed = CloseDay(body, cashier_, "close-1");
  ASSERT_EQ(closed.status, 201) << closed.body;
  json::object rec = ParseJson(closed.body).as_object();
  EXPECT_EQ(rec["expected_paise"].as_int64(), expected);
  EXPECT_EQ(rec["declared_paise"].as_int64(), expected - 10'00);
  EXPECT_EQ(rec["difference_paise"].as_int64(), -10'00);
  EXPECT_EQ(Str(rec["note"]), "₹10 कम — गिनती दोबारा की");
  EXPECT_FALSE(Str(rec["cashier_name"]).empty());

  // A retry with the key: the same record; without it: 409, nothing written.
  const int64_t after_close = Entries();
  auto retry = CloseDay(body, cashier_, "close-1");
  ASSERT_EQ(retry.status, 201) << retry.body;
  EXPECT_EQ(retry.Header("idempotent-replayed"), "true");
  EXPECT_EQ(ParseJson(retry.body).at("difference_paise").as_int64(), -10'00);
  EXPECT_TRUE(IsApiError(CloseDay(body, cashier_), 409, "day_already_closed"));
  EXPECT_EQ(Entries(), after_close);

  // The counter takes no more payments today.
  EXPECT_TRUE(IsApiError(Pay(100'00, "cash", "acc-close-3"), 409, "counter_day_closed"));

  json::object list = GetJson("/api/v1/ulbs/0152/accounts/day-close?date=" + today_, accountant_);
  ASSERT_EQ(list["day_closes"].as_array().size(), 1u);
  EXPECT_EQ(Str(list["day_closes"].as_array()[0].at("counter")), "C1");
  json::object reg = GetJson("/api/v1/ulbs/0152/accounts/collections?date=" + today_, accountant_);
  EXPECT_EQ(reg["closed_counters"].as_array().size(), 1u);
  EXPECT_EQ(server_->Query(kIndore, "SELECT COUNT(*) FROM day_closes"), "1");
}

TEST_F(AccountsApiTest, DcbDownloadsAsJsonCsvAndXlsx) {
  json::object dcb = GetJson("/api/v1/ulbs/0152/reports/dcb?fy=2026-27", accountant_);
  EXPECT_EQ(Str(dcb["fy"]), "2026-27");
  ASSERT_FALSE(dcb["wards"].as_array().empty());
  // The demo raised two years' demand and collected some of it today.
  const json::object& total = dcb["total"].as_object().at("total").as_object();
  EXPECT_GT(total.at("demand_paise").as_int64(), 0);
  EXPECT_GT(total.at("collection_paise").as_int64(), 0);
  EXPECT_EQ(total.at("balance_paise").as_int64(),
            total.at("demand_paise").as_int64() - total.at("collection_paise").as_int64());
  EXPECT_FALSE(Str(dcb["wards"].as_array()[0].at("ward_name_hi")).empty());

  auto csv = server_->Request("GET", "/api/v1/ulbs/0152/reports/dcb?fy=2026-27&format=csv", "",
                              accountant_);
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.body.substr(0, 3), "\xEF\xBB\xBF");
  EXPECT_NE(csv.body.find("सिरपुर"), std::string::npos);

  auto xlsx = server_->Request("GET", "/api/v1/ulbs/0152/reports/dcb?fy=2026-27&format=xlsx", "",
                               accountant_);
  ASSERT_EQ(xlsx.status, 200);
  EXPECT_EQ(xlsx.body.substr(0, 2), "PK");
  EXPECT_NE(xlsx.body.find("xl/worksheets/sheet1.xml"), std::string::npos);
  EXPECT_EQ(xlsx.Header("content-type"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");

  EXPECT_TRUE(
      IsApiError(server_->Request("GET", "/api/v1/ulbs/0152/reports/dcb?fy=26", "", accountant_),
                 400, "invalid_field"));
  EXPECT_TRUE(IsApiError(
      server_->Request("GET", "/api/v1/ulbs/0152/reports/dcb?format=pdf", "", accountant_), 400,
      "invalid_field"));
  EXPECT_TRUE(IsApiError(server_->Request("GET", "/api/v1/ulbs/0152/reports/dcb", "", cashier_),
                         403, "forbidden"));

  // The CLI writes the same workbook from the data directory (the server holds its lock).
  ASSERT_TRUE(server_->Stop());
  const std::string out = (server_->data_dir().parent_path() / "dcb.xlsx").string();
  RunResult r = RunPalika({"report", "dcb", "--data", server_->data_dir().string(), "--ulb",
                           kIndore, "--fy", "2026-27", "--out", out});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::ifstream in(out, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  EXPECT_EQ(bytes.str().substr(0, 2), "PK");
  RunResult bad = RunPalika({"report", "dcb", "--data", server_->data_dir().string(), "--ulb",
                             kIndore, "--fy", "2026-27", "--out", out + ".pdf"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.output.find("--out"), std::string::npos) << bad.output;
  ASSERT_TRUE(server_->Start());
}

}  // namespace
}  // namespace palika::integration
