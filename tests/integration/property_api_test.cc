// The property register over the real server (issue 3, "Property register"): register with an
// Idempotency-Key and retry, read by full and short id, search by name in either script, mobile,
// id and address, correct with history, bilingual refusals that write nothing, the demo's
// properties, and `palika import properties` on the same data directory. Each test ends with
// `palika verify`.

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cctype>
#include <fstream>
#include <string>
#include <vector>

#include "integration/server_fixture.h"

namespace palika::integration {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

std::string Str(const json::value& v) { return v.is_string() ? std::string(v.get_string()) : ""; }

// Percent-encodes a query value (UTF-8 bytes).
std::string Encode(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

json::object NewProperty() {
  return json::object{{"ward", 3},
                      {"address", "221, Kanch Mandir Road, Rajwada"},
                      {"address_hi", "221, कांच मंदिर रोड, राजवाड़ा"},
                      {"plot_area_sqft", 1500},
                      {"owners", json::array{json::object{{"name", "Hemlata Zutshi"},
                                                          {"name_hi", "हेमलता ज़ुत्शी"},
                                                          {"mobile", "+91 99999 01234"},
                                                          {"share_bp", 7000}},
                                             json::object{{"name", "Ravindra Zutshi"},
                                                          {"name_hi", "रवींद्र ज़ुत्शी"},
                                                          {"share_bp", 3000}}}},
                      {"floors", json::array{json::object{{"floor", 0},
                                                          {"built_up_sqft", 1100},
                                                          {"construction", "rcc"},
                                                          {"use", "commercial_shop"},
                                                          {"occupancy", "rented"}},
                                             json::object{{"floor", 1},
                                                          {"built_up_sqft", 1000},
                                                          {"construction", "rcc"},
                                                          {"use", "residential"},
                                                          {"occupancy", "self"}}}}};
}

class PropertyApiTest : public DemoServerTest {
 protected:
  void SetUp() override {
    DemoServerTest::SetUp();
    if (HasFatalFailure()) return;
    revenue_ = server_->SignIn("indore.revenue");
    ASSERT_NE(revenue_, "");
  }

  json::value Get(const std::string& target, const std::string& token = "") {
    auto r = server_->Request("GET", target, "", token.empty() ? revenue_ : token);
    EXPECT_EQ(r.status, 200) << Describe("GET", target, r);
    return ParseJson(r.body);
  }

  // The ids a search finds (first page of up to 100).
  std::vector<std::string> Search(const std::string& q) {
    json::value v = Get("/api/v1/ulbs/0152/properties?limit=100&q=" + Encode(q));
    std::vector<std::string> ids;
    if (!v.is_object()) return ids;
    for (const auto& p : v.at("properties").as_array()) ids.push_back(Str(p.at("id")));
    return ids;
  }

  void StopAndVerify() {
    int code = -1;
    ASSERT_TRUE(server_->Stop(&code));
    EXPECT_EQ(code, 0) << server_->ServerLog();
    RunResult v = server_->Verify();
    EXPECT_EQ(v.exit_code, 0) << v.output;
    EXPECT_THAT(v.output, HasSubstr(" ledger(s) intact."));
  }

  std::string revenue_;
};

TEST_F(PropertyApiTest, RegisterRetryReadSearchCorrectAndHistory) {
  const std::string body = json::serialize(NewProperty());
  const Headers key = {{"Idempotency-Key", "counter-1-0001"}};
  auto created = server_->Request("POST", "/api/v1/ulbs/0152/properties", body, revenue_, key);
  ASSERT_EQ(created.status, 201) << created.body;
  json::value p = ParseJson(created.body);
  const std::string id = Str(p.at("id"));
  EXPECT_THAT(id, ::testing::MatchesRegex("03-[0-9]{6}"));
  EXPECT_EQ(p.at("version").as_int64(), 1);
  EXPECT_EQ(Str(p.at("zone")), "Zone 2");
  EXPECT_EQ(Str(p.at("owners").at(0).at("mobile")), "9999901234");

  // The retry gets the same property and writes nothing.
  const auto after_create = server_->EntryCounts();
  auto retry = server_->Request("POST", "/api/v1/ulbs/0152/properties", body, revenue_, key);
  ASSERT_EQ(retry.status, 201) << retry.body;
  EXPECT_EQ(Str(ParseJson(retry.body).at("id")), id);
  EXPECT_EQ(retry.Header("idempotent-replayed"), "true");
  EXPECT_EQ(server_->EntryCounts(), after_create);
  // The same key with another body is refused.
  json::object other = NewProperty();
  other["plot_area_sqft"] = 1600;
  auto reused = server_->Request("POST", "/api/v1/ulbs/0152/properties", json::serialize(other),
                                 revenue_, key);
  EXPECT_TRUE(IsApiError(reused, 409, "idempotency_key_reused"));
  EXPECT_EQ(server_->EntryCounts(), after_create);

  // Read by the full and the short id.
  auto n = id.substr(3);
  n.erase(0, n.find_first_not_of('0'));
  EXPECT_EQ(Str(Get("/api/v1/ulbs/0152/properties/" + id).at("id")), id);
  EXPECT_EQ(Str(Get("/api/v1/ulbs/0152/properties/3-" + n).at("id")), id);

  // Search: a cashier may too.
  const std::vector<std::string> just = {id};
  EXPECT_EQ(Search("zutshi"), just);
  EXPECT_EQ(Search("Hemlata Zut"), just);
  EXPECT_EQ(Search("ज़ुत्शी"), just);
  EXPECT_EQ(Search("हेमलता"), just);
  EXPECT_EQ(Search("9999901234"), just);
  EXPECT_EQ(Search(id), just);
  EXPECT_EQ(Search("kanch mandir zutshi"), just);
  const std::string cashier = server_->SignIn("indore.cashier");
  json::value found = Get("/api/v1/ulbs/0152/properties?q=zutshi", cashier);
  EXPECT_EQ(found.at("properties").as_array().size(), 1u);
  EXPECT_TRUE(found.at("next_after").is_null());

  // Correct: the full record, the reason, the version it was made against.
  json::object fixed = NewProperty();
  fixed["owners"].as_array()[1].as_object()["mobile"] = "8888801234";
  fixed["reason"] = "Second owner's mobile given at the counter";
  fixed["expected_version"] = 1;
  auto corrected = server_->Request("POST", "/api/v1/ulbs/0152/properties/" + id + "/corrections",
                                    json::serialize(fixed), revenue_);
  ASSERT_EQ(corrected.status, 200) << corrected.body;
  EXPECT_EQ(ParseJson(corrected.body).at("version").as_int64(), 2);
  EXPECT_TRUE(ParseJson(corrected.body).at("changed").as_bool());
  auto stale = server_->Request("POST", "/api/v1/ulbs/0152/properties/" + id + "/corrections",
                                json::serialize(fixed), revenue_);
  EXPECT_TRUE(IsApiError(stale, 409, "property_changed"));
  EXPECT_EQ(Search("8888801234"), just);
  auto by_cashier = server_->Request("POST", "/api/v1/ulbs/0152/properties/" + id + "/corrections",
                                     json::serialize(fixed), cashier);
  EXPECT_TRUE(IsApiError(by_cashier, 403, "forbidden"));

  json::value history = Get("/api/v1/ulbs/0152/properties/" + id + "/history");
  const auto& versions = history.at("history").as_array();
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(Str(versions[0].at("event")), "property.registered");
  EXPECT_TRUE(versions[0].at("reason").is_null());
  EXPECT_EQ(Str(versions[1].at("event")), "property.corrected");
  EXPECT_EQ(Str(versions[1].at("reason")), "Second owner's mobile given at the counter");
  EXPECT_THAT(Str(versions[1].at("actor_name")), HasSubstr("revenue"));
  EXPECT_FALSE(versions[0].at("record").at("owners").at(1).as_object().contains("mobile"));
  EXPECT_EQ(Str(versions[1].at("record").at("owners").at(1).at("mobile")), "8888801234");
  StopAndVerify();
}

TEST_F(PropertyApiTest, BadInputIsRefusedInBothLanguagesAndWritesNothing) {
  const std::string cashier_token = server_->SignIn("indore.cashier");
  const auto before = server_->EntryCounts();
  struct Case {
    std::string what;
    json::object body;
    std::string field;
  };
  std::vector<Case> cases;
  auto with = [](auto change) {
    json::object o = NewProperty();
    change(o);
    return o;
  };
  cases.push_back({"unknown ward", with([](json::object& o) { o["ward"] = 77; }), "ward"});
  cases.push_back({"bad mobile", with([](json::object& o) {
                     o["owners"].as_array()[0].as_object()["mobile"] = "5551234";
                   }),
                   "owners[0].mobile"});
  cases.push_back({"shares", with([](json::object& o) {
                     o["owners"].as_array()[0].as_object()["share_bp"] = 9000;
                   }),
                   "owners"});
  cases.push_back({"construction", with([](json::object& o) {
                     o["floors"].as_array()[1].as_object()["construction"] = "marble";
                   }),
                   "floors[1].construction"});
  cases.push_back({"Hindi address in English",
                   with([](json::object& o) { o["address_hi"] = "221 Kanch Mandir Road"; }),
                   "address_hi"});
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    auto r =
        server_->Request("POST", "/api/v1/ulbs/0152/properties", json::serialize(c.body), revenue_);
    EXPECT_TRUE(IsApiError(r, 400, "invalid_field"));
    EXPECT_THAT(r.body, HasSubstr("'" + c.field + "'"));
  }
  auto malformed = server_->Request("POST", "/api/v1/ulbs/0152/properties", "{", revenue_);
  EXPECT_TRUE(IsApiError(malformed, 400, "malformed_json"));
  auto bad_key =
      server_->Request("POST", "/api/v1/ulbs/0152/properties", json::serialize(NewProperty()),
                       revenue_, {{"Idempotency-Key", std::string(201, 'k')}});
  EXPECT_TRUE(IsApiError(bad_key, 400, "invalid_idempotency_key"));
  auto cashier = server_->Request("POST", "/api/v1/ulbs/0152/properties",
                                  json::serialize(NewProperty()), cashier_token);
  EXPECT_TRUE(IsApiError(cashier, 403, "forbidden"));
  auto elsewhere = server_->Request("POST", "/api/v1/ulbs/0276/properties",
                                    json::serialize(NewProperty()), revenue_);
  EXPECT_TRUE(IsApiError(elsewhere, 403, "forbidden"));
  auto no_reason = server_->Request("POST", "/api/v1/ulbs/0152/properties/01-000001/corrections",
                                    json::serialize(NewProperty()), revenue_);
  EXPECT_TRUE(IsApiError(no_reason, 400, "invalid_field"));
  EXPECT_EQ(server_->EntryCounts(), before);

  EXPECT_TRUE(
      IsApiError(server_->Request("GET", "/api/v1/ulbs/0152/properties/not-an-id", "", revenue_),
                 400, "invalid_property_id"));
  EXPECT_TRUE(
      IsApiError(server_->Request("GET", "/api/v1/ulbs/0152/properties/99-999999", "", revenue_),
                 404, "property_not_found"));
  for (const char* limit : {"0", "101", "abc", "-1"}) {
    EXPECT_TRUE(IsApiError(
        server_->Request("GET", std::string("/api/v1/ulbs/0152/properties?q=a&limit=") + limit, "",
                         revenue_),
        400, "invalid_field"))
        << limit;
  }
  StopAndVerify();
}

TEST_F(PropertyApiTest, TheDemoHasPropertiesToFindAndPageThrough) {
  json::value page = Get("/api/v1/ulbs/0152/properties?limit=100");
  ASSERT_EQ(page.at("properties").as_array().size(), 100u);
  const std::string after = Str(page.at("next_after"));
  EXPECT_EQ(after, Str(page.at("properties").as_array().back().at("id")));
  json::value next = Get("/api/v1/ulbs/0152/properties?limit=100&after=" + after);
  EXPECT_GT(Str(next.at("properties").as_array().front().at("id")), after);
  // Names in both scripts, in every demo ULB.
  EXPECT_FALSE(Search("sharma").empty());
  EXPECT_FALSE(Search("शर्मा").empty());
  EXPECT_EQ(Search("sharma").size(), Search("शर्मा").size());
  // Some demo properties were corrected: their history has two versions.
  EXPECT_NE(server_->Query(kIndore, "SELECT COUNT(*) FROM property_history WHERE version = 2"),
            "0");
  StopAndVerify();
}

TEST_F(PropertyApiTest, ImportCommandImportsReportsAndRerunsWithoutDuplicates) {
  int code = -1;
  ASSERT_TRUE(server_->Stop(&code));
  const fs::path csv = server_->data_dir().parent_path() / "legacy.csv";
  const fs::path report = server_->data_dir().parent_path() / "report.csv";
  std::ofstream(csv)
      << "legacy_id,ward,address,address_hi,plot_area_sqft,owner1_name,owner1_name_hi,"
         "owner1_mobile,floor1_floor,floor1_built_up_sqft,floor1_construction,floor1_use,"
         "floor1_occupancy\n"
         "OLD/1,1,\"5, Sirpur Road\",\"5, सिरपुर रोड\",900,Kunwar Zaidi,कुंवर ज़ैदी,9111111111,0,"
         "700,RCC,Residential,Self\n"
         "OLD/2,2,\"6, Sirpur Road\",\"6, सिरपुर रोड\",900,Kunwar Zaidi,कुंवर ज़ैदी,123,0,700,"
         "rcc,residential,self\n"
         "OLD/3,2,\"7, Sirpur Road\",\"7, सिरपुर रोड\",900,Kunwar Zaidi,कुंवर ज़ैदी,,,,,,\n";
  RunResult first = RunPalika({"import", "properties", "--data", server_->data_dir().string(),
                               "--ulb", kIndore, "--report", report.string(), csv.string()});
  EXPECT_EQ(first.exit_code, 2) << first.output;  // some rows refused
  EXPECT_THAT(first.output, HasSubstr("line 3, owner1_mobile:"));
  EXPECT_THAT(first.output, HasSubstr("Imported 2 new properties"));
  std::ifstream in(report);
  std::string report_text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_THAT(report_text, HasSubstr("\n2,OLD/1,imported,01-"));
  EXPECT_THAT(report_text, HasSubstr("\n3,OLD/2,refused,,owner1_mobile,"));

  RunResult again = RunPalika({"import", "properties", "--data", server_->data_dir().string(),
                               "--ulb", kIndore, csv.string()});
  EXPECT_EQ(again.exit_code, 2) << again.output;
  EXPECT_THAT(again.output, HasSubstr("Imported 0 new properties"));
  EXPECT_THAT(again.output, HasSubstr("2 rows were imported before"));

  ASSERT_TRUE(server_->Start());
  EXPECT_EQ(Search("zaidi").size(), 2u);
  EXPECT_EQ(Search("old/3").size(), 1u);
  StopAndVerify();
}

}  // namespace
}  // namespace palika::integration
