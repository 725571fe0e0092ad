// Property-tax billing over the real server: rates set through the API (refused for the wrong role,
// another ULB's user and a bad body, with nothing written), a self-assessment return, the demand
// raised twice (the second changes nothing), dues before and after the rebate deadline and the
// surcharge steps with DOMAIN.md's figures (6.25% rebate by 30 June, +1% online; 5% surcharge from
// 1 January, 10% from 1 February), a declared outage shifting them, a Lok Adalat waiver, and
// `palika verify` afterwards. The demo already has 2025-26 and 2026-27 rates and demand
// (LoadDemoBilling), so the test bills the next year, 2027-28, from nothing.

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "integration/server_fixture.h"
#include "services/property_tax/rates.h"

namespace palika::integration {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

std::string Str(const json::value& v) { return v.is_string() ? std::string(v.get_string()) : ""; }

// A rate of `bp` on `paise`, rounded to the rupee, half up (the demo tables' rounding).
int64_t RupeeRounded(int64_t paise, int64_t bp) { return (paise * bp + 500'000) / 1'000'000 * 100; }

json::object DemoRates(const std::string& fy, const std::string& reason) {
  json::object body =
      property_tax::RateTableToJson(property_tax::DemoRateTable(*FinancialYear::Parse(fy)));
  body["reason"] = reason;
  return body;
}

json::object NewProperty() {
  return json::object{{"ward", 3},
                      {"address", "17, Sarafa Bazaar, Rajwada"},
                      {"address_hi", "17, सराफा बाज़ार, राजवाड़ा"},
                      {"plot_area_sqft", 1000},
                      {"owners", json::array{json::object{{"name", "Kamla Devi Joshi"},
                                                          {"name_hi", "कमला देवी जोशी"},
                                                          {"share_bp", 10000}}}},
                      {"floors", json::array{json::object{{"floor", 0},
                                                          {"built_up_sqft", 800},
                                                          {"construction", "rcc"},
                                                          {"use", "commercial_shop"},
                                                          {"occupancy", "self"}},
                                             json::object{{"floor", 1},
                                                          {"built_up_sqft", 800},
                                                          {"construction", "rcc"},
                                                          {"use", "residential"},
                                                          {"occupancy", "rented"}}}}};
}

class BillingApiTest : public DemoServerTest {
 protected:
  void SetUp() override {
    DemoServerTest::SetUp();
    if (HasFatalFailure()) return;
    admin_ = server_->SignIn("indore.admin");
    revenue_ = server_->SignIn("indore.revenue");
    ASSERT_NE(admin_, "");
    ASSERT_NE(revenue_, "");
  }

  http::ClientResponse Call(const std::string& method, const std::string& target,
                            const json::value& body, const std::string& token,
                            const Headers& extra = {}) {
    return server_->Request(method, target, body.is_null() ? "" : json::serialize(body), token,
                            extra);
  }

  json::object Ok(const std::string& method, const std::string& target, const json::value& body,
                  const std::string& token, int status = 200) {
    auto r = Call(method, target, body, token);
    EXPECT_EQ(r.status, status) << Describe(method, target, r);
    json::value v = ParseJson(r.body);
    return v.is_object() ? v.as_object() : json::object{};
  }

  json::object Dues(const std::string& id, const std::string& on, bool online = false) {
    return Ok("GET",
              fmt::format("/api/v1/ulbs/0152/properties/{}/dues?on={}{}", id, on,
                          online ? "&online=true" : ""),
              nullptr, revenue_);
  }

  void StopAndVerify() {
    int code = -1;
    ASSERT_TRUE(server_->Stop(&code));
    EXPECT_EQ(code, 0) << server_->ServerLog();
    RunResult v = server_->Verify();
    EXPECT_EQ(v.exit_code, 0) << v.output;
    EXPECT_THAT(v.output, HasSubstr(" ledger(s) intact."));
  }

  std::string admin_;
  std::string revenue_;
};

TEST_F(BillingApiTest, RatesReturnDemandDuesOutageAndWaiver) {
  const std::string rates = "/api/v1/ulbs/0152/rates/2027-28";
  const json::object body = DemoRates("2027-28", "संकल्प क्र. 12/2027 (Resolution 12/2027)");
  // Refusals write nothing: the wrong role, another ULB's administrator, a bad body, a wrong year.
  const std::string cashier = server_->SignIn("indore.cashier");
  const std::string sehore_admin = server_->SignIn("sehore.admin");
  const auto before = server_->EntryCounts();  // after the sign-ins, which the state records
  EXPECT_TRUE(IsApiError(Call("PUT", rates, body, cashier), 403, "forbidden"));
  EXPECT_TRUE(IsApiError(Call("PUT", rates, body, sehore_admin), 403, "forbidden"));
  EXPECT_TRUE(IsApiError(Call("PUT", rates, body, ""), 401, "not_signed_in"));
  json::object unknown = body;
  unknown["propery_tax_bp"] = 900;
  EXPECT_TRUE(IsApiError(Call("PUT", rates, unknown, admin_), 400, "unknown_field"));
  json::object bad_rate = body;
  bad_rate["property_tax_bp"] = -5;
  auto refused = Call("PUT", rates, bad_rate, admin_);
  EXPECT_TRUE(IsApiError(refused, 400, "invalid_field"));
  EXPECT_THAT(refused.body, HasSubstr("property_tax_bp"));
  EXPECT_TRUE(
      IsApiError(Call("PUT", "/api/v1/ulbs/0152/rates/2028-29", body, admin_), 400, "fy_mismatch"));
  json::object no_reason = body;
  no_reason.erase("reason");
  EXPECT_TRUE(IsApiError(Call("PUT", rates, no_reason, admin_), 400, "invalid_field"));
  EXPECT_EQ(server_->EntryCounts(), before);
  EXPECT_TRUE(IsApiError(Call("GET", rates, nullptr, ""), 404, "rate_table_missing"));

  // Set, and a retry with the same Idempotency-Key gets the same answer and writes nothing.
  const Headers key{{"Idempotency-Key", "rates-2026-27-a"}};
  auto set = Call("PUT", rates, body, admin_, key);
  ASSERT_EQ(set.status, 200) << Describe("PUT", rates, set);
  EXPECT_EQ(ParseJson(set.body).at("version").as_int64(), 1);
  const auto after_set = server_->EntryCounts();
  auto retry = Call("PUT", rates, body, admin_, key);
  EXPECT_EQ(retry.status, 200);
  EXPECT_EQ(retry.Header("idempotent-replayed"), "true");
  EXPECT_EQ(server_->EntryCounts(), after_set);
  // Rates are public resolutions: anyone may read them.
  json::object shown = Ok("GET", rates, nullptr, "");
  EXPECT_EQ(shown.at("version").as_int64(), 1);
  EXPECT_EQ(Str(shown.at("reason")), "संकल्प क्र. 12/2027 (Resolution 12/2027)");
  EXPECT_EQ(
      shown.at("table").as_object(),
      property_tax::RateTableToJson(property_tax::DemoRateTable(*FinancialYear::Parse("2027-28"))));

  // A property and the owner's return: the first floor is in fact self-occupied.
  json::object created = Ok("POST", "/api/v1/ulbs/0152/properties", NewProperty(), revenue_, 201);
  const std::string id = Str(created.at("id"));
  ASSERT_FALSE(id.empty());
  const std::string returns = "/api/v1/ulbs/0152/properties/" + id + "/returns";
  EXPECT_TRUE(IsApiError(Call("POST", returns, json::object{{"fy", "2027-28"}}, revenue_), 400,
                         "invalid_field"));
  EXPECT_TRUE(IsApiError(
      Call("POST", returns, json::object{{"fy", "2027-28"}, {"filed_by", "owner"}}, cashier), 403,
      "forbidden"));
  json::object first =
      Ok("POST", returns, json::object{{"fy", "2027-28"}, {"filed_by", "owner"}}, revenue_, 201);
  EXPECT_EQ(first.at("revision").as_int64(), 1);
  json::array floors = NewProperty().at("floors").as_array();
  floors[1].as_object()["occupancy"] = "self";
  json::object revised =
      Ok("POST", returns,
         json::object{{"fy", "2027-28"}, {"filed_by", "staff"}, {"floors", floors}}, revenue_, 201);
  EXPECT_EQ(revised.at("revision").as_int64(), 2);
  const json::object& assessment = revised.at("assessment").as_object();
  EXPECT_LT(assessment.at("total_paise").as_int64(),
            first.at("assessment").at("total_paise").as_int64());
  json::object listed = Ok("GET", returns + "?fy=2027-28", nullptr, revenue_);
  EXPECT_EQ(listed.at("returns").as_array().size(), 2u);

  // The demand, twice: the second run raises nothing and writes nothing.
  const std::string demands = "/api/v1/ulbs/0152/demands";
  EXPECT_TRUE(IsApiError(Call("POST", demands, json::object{{"fy", "2027-28"}}, cashier), 403,
                         "forbidden"));
  EXPECT_TRUE(IsApiError(Call("POST", demands, json::object{{"fy", "2027-2028"}}, admin_), 400,
                         "invalid_field"));
  json::object run = Ok("POST", demands, json::object{{"fy", "2027-28"}}, admin_);
  const int64_t properties = run.at("properties").as_int64();
  EXPECT_GT(properties, 100);
  EXPECT_EQ(run.at("raised").as_int64(), properties) << json::serialize(run.at("failures"));
  EXPECT_EQ(run.at("failed").as_int64(), 0);
  const auto after_demand = server_->EntryCounts();
  json::object again = Ok("POST", demands, json::object{{"fy", "2027-28"}}, admin_);
  EXPECT_EQ(again.at("raised").as_int64(), 0);
  EXPECT_EQ(again.at("already_raised").as_int64(), properties);
  EXPECT_EQ(server_->EntryCounts(), after_demand);
  json::object progress = Ok("GET", demands + "/2027-28", nullptr, revenue_);
  EXPECT_EQ(progress.at("raised").as_int64(), properties);
  EXPECT_EQ(progress.at("total_demand_paise"), run.at("total_paise"));
  // Once raised, the year's return can no longer change the demand.
  EXPECT_TRUE(IsApiError(
      Call("POST", returns, json::object{{"fy", "2027-28"}, {"filed_by", "owner"}}, revenue_), 409,
      "demand_already_raised"));

  // Dues: the revised return's bill with DOMAIN.md's rebate and surcharge.
  const int64_t total = assessment.at("total_paise").as_int64();
  int64_t tax = 0;
  for (const auto& h : assessment.at("heads").as_array()) {
    if (Str(h.at("head")) == "property_tax") tax = h.at("amount_paise").as_int64();
  }
  ASSERT_GT(tax, 0);
  EXPECT_EQ(Dues(id, "2027-06-30").at("net_paise").as_int64(), total - RupeeRounded(tax, 625));
  EXPECT_EQ(Dues(id, "2027-06-30", true).at("net_paise").as_int64(),
            total - RupeeRounded(tax, 725));
  EXPECT_EQ(Dues(id, "2027-07-01").at("net_paise").as_int64(), total);
  EXPECT_EQ(Dues(id, "2027-12-31").at("net_paise").as_int64(), total);
  EXPECT_EQ(Dues(id, "2028-01-01").at("net_paise").as_int64(), total + RupeeRounded(tax, 500));
  EXPECT_EQ(Dues(id, "2028-02-01").at("net_paise").as_int64(), total + RupeeRounded(tax, 1000));
  EXPECT_EQ(Str(Dues(id, "2028-02-01").at("property_id")), id);
  auto bad_date =
      Call("GET", "/api/v1/ulbs/0152/properties/" + id + "/dues?on=2028-02-30", nullptr, revenue_);
  EXPECT_TRUE(IsApiError(bad_date, 400, "invalid_field"));
  EXPECT_THAT(bad_date.body, HasSubstr("YYYY-MM-DD"));
  EXPECT_TRUE(
      IsApiError(Call("GET", "/api/v1/ulbs/0276/properties/" + id + "/dues", nullptr, revenue_),
                 403, "forbidden"));

  // An outage 21 December – 15 January (26 days), declared by the state: the 1 January step
  // takes effect on 27 January, the 1 February step on 27 February.
  const json::object outage{{"from", "2027-12-21"},
                            {"to", "2028-01-15"},
                            {"reason", "साइबर हमला: सभी सर्वर बंद (cyber attack)"},
                            {"ulbs", json::array{"0152"}}};
  EXPECT_TRUE(IsApiError(Call("POST", "/api/v1/outages", outage, admin_), 403, "forbidden"));
  json::object backwards = outage;
  backwards["to"] = "2027-12-01";
  const std::string state_admin = server_->SignIn("state.admin");
  const auto before_outage = server_->EntryCounts();
  EXPECT_TRUE(
      IsApiError(Call("POST", "/api/v1/outages", backwards, state_admin), 400, "invalid_outage"));
  EXPECT_EQ(server_->EntryCounts(), before_outage);
  json::object declared = Ok("POST", "/api/v1/outages", outage, state_admin, 201);
  EXPECT_EQ(declared.at("days").as_int64(), 26);
  EXPECT_EQ(server_->EntryCounts().at("0276"), before_outage.at("0276"));  // not Sehore's
  EXPECT_EQ(server_->EntryCounts().at("0152"), before_outage.at("0152") + 1);
  EXPECT_EQ(Ok("GET", "/api/v1/outages", nullptr, "").at("outages").as_array().size(), 1u);
  EXPECT_EQ(Dues(id, "2028-01-26").at("net_paise").as_int64(), total);
  EXPECT_EQ(Dues(id, "2028-01-27").at("net_paise").as_int64(), total + RupeeRounded(tax, 500));
  EXPECT_EQ(Dues(id, "2028-02-26").at("net_paise").as_int64(), total + RupeeRounded(tax, 500));
  EXPECT_EQ(Dues(id, "2028-02-27").at("net_paise").as_int64(), total + RupeeRounded(tax, 1000));

  // A Lok Adalat: the whole surcharge is waived on its day (tax + surcharge <= ₹50,000).
  const json::object lok{
      {"name", "लोक अदालत 13 मार्च 2028"},
      {"from", "2028-03-13"},
      {"to", "2028-03-13"},
      {"slabs", json::array{json::object{{"up_to_paise", 5000000}, {"waiver_bp", 10000}},
                            json::object{{"up_to_paise", 10000000}, {"waiver_bp", 5000}},
                            json::object{{"waiver_bp", 2500}}}}};
  EXPECT_TRUE(
      IsApiError(Call("POST", "/api/v1/ulbs/0152/waivers", lok, revenue_), 403, "forbidden"));
  Ok("POST", "/api/v1/ulbs/0152/waivers", lok, admin_, 201);
  EXPECT_TRUE(
      IsApiError(Call("POST", "/api/v1/ulbs/0152/waivers", lok, admin_), 409, "waiver_overlaps"));
  json::object on_the_day = Dues(id, "2028-03-13");
  EXPECT_EQ(on_the_day.at("waiver_paise"), on_the_day.at("surcharge_paise"));
  EXPECT_EQ(on_the_day.at("net_paise").as_int64(), total);
  EXPECT_EQ(Ok("GET", "/api/v1/ulbs/0152/waivers", nullptr, "").at("waivers").as_array().size(),
            1u);

  // After a restart everything reads back the same.
  const json::object before_restart = Dues(id, "2028-02-27");
  ASSERT_TRUE(server_->Restart());
  revenue_ = server_->SignIn("indore.revenue");
  EXPECT_EQ(Dues(id, "2028-02-27"), before_restart);
  EXPECT_EQ(Ok("GET", rates, nullptr, "").at("version").as_int64(), 1);

  StopAndVerify();
}

}  // namespace
}  // namespace palika::integration
