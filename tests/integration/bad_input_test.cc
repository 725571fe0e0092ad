// Bad input over the real server (issue 2, "Bad input"): malformed JSON, wrong types, unknown
// fields, oversized bodies and headers, invalid UTF-8, path tricks, SQL metacharacters in every
// text field, ULB codes that do not exist or are not codes. Each refusal is a JSON error with a
// code and an English and a Hindi message, and writes nothing; text that is accepted is stored
// and returned byte for byte. Each test ends by stopping the server cleanly and running
// `palika verify`.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "integration/server_fixture.h"

namespace palika::integration {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

constexpr char kSqlInjection[] = "'; DROP TABLE wards; --";

std::string Str(const json::value& v) { return v.is_string() ? std::string(v.get_string()) : ""; }

class BadInputTest : public DemoServerTest {
 protected:
  void SetUp() override {
    DemoServerTest::SetUp();
    if (HasFatalFailure()) return;
    admin_ = server_->SignIn("state.admin");
    ASSERT_NE(admin_, "");
  }

  // Sends the request as the state administrator (who may do anything) and expects the error
  // `code` with HTTP `status`, and no ledger entry written anywhere.
  void ExpectRefused(const std::string& method, const std::string& target, const std::string& body,
                     int status, const std::string& code, const Headers& extra = {}) {
    SCOPED_TRACE(method + " " + target.substr(0, 120) + " " + body.substr(0, 120));
    const auto before = server_->EntryCounts();
    auto r = server_->Request(method, target, body, admin_, extra);
    EXPECT_TRUE(IsApiError(r, status, code));
    EXPECT_EQ(server_->EntryCounts(), before) << "a refused request wrote to a ledger";
  }

  // The wards of a ULB as the server lists them.
  json::array Wards(const std::string& ulb) {
    auto r = server_->Request("GET", "/api/v1/ulbs/" + ulb + "/wards", "", admin_);
    EXPECT_EQ(r.status, 200) << r.body;
    json::value v = ParseJson(r.body);
    return v.is_object() ? v.at("wards").as_array() : json::array{};
  }

  // Stops the server (SIGTERM: exit 0) and runs `palika verify` (exit 0).
  void StopAndVerify() {
    int code = -1;
    ASSERT_TRUE(server_->Stop(&code));
    EXPECT_EQ(code, 0) << server_->ServerLog();
    RunResult v = server_->Verify();
    EXPECT_EQ(v.exit_code, 0) << v.output;
    EXPECT_THAT(v.output, HasSubstr(" ledger(s) intact."));
  }

  std::string admin_;
};

TEST_F(BadInputTest, MalformedJsonIsRefused) {
  const std::string wards = "/api/v1/ulbs/0152/wards";
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "{\"a\":";
  deep += "1";
  for (int i = 0; i < 100; ++i) deep += "}";
  for (const std::string& body : {
           std::string("{"),
           std::string(R"({"number": 20, "name": "Ward", "name_hi": "वार्ड")"),
           std::string(R"({"number": 20, "name": "Ward", "name_hi": "वार्ड",})"),
           std::string(R"({number: 20})"),
           std::string(R"({'number': 20})"),
           std::string("not json at all"),
           std::string(""),
           std::string(R"({"number": 20} trailing)"),
           std::string(R"({"number": 20}{"number": 21})"),
           std::string(R"({"number": 20, "name": "a)"
                       "\n"
                       R"(b", "name_hi": "c"})"),
           deep,
       }) {
    ExpectRefused("POST", wards, body, 400, "malformed_json");
  }
  // Not an object.
  for (const std::string body : {R"([{"number": 20, "name": "Ward", "name_hi": "वार्ड"}])",
                                 R"("a string")", "42", "null", "true"}) {
    ExpectRefused("POST", wards, body, 400, "malformed_json");
  }
  // The same on every route that takes a body.
  ExpectRefused("POST", "/api/v1/session", "[]", 400, "malformed_json");
  ExpectRefused("POST", "/api/v1/ulbs", "{", 400, "malformed_json");
  ExpectRefused("POST", "/api/v1/ulbs/0152/users", "[1]", 400, "malformed_json");
  ExpectRefused("POST", "/api/v1/ulbs/0152/grants", "nope", 400, "malformed_json");
  ExpectRefused("POST", "/api/v1/ulbs/0152/grants/revoke", "", 400, "malformed_json");
  ExpectRefused("POST", "/api/v1/session/password", "{]", 400, "malformed_json");
  StopAndVerify();
}

TEST_F(BadInputTest, WrongTypesAreRefused) {
  const std::string wards = "/api/v1/ulbs/0152/wards";
  for (const char* body : {
           R"({"number": "20", "name": "Ward", "name_hi": "वार्ड"})",
           R"({"number": 20.5, "name": "Ward", "name_hi": "वार्ड"})",
           R"({"number": 2e1, "name": "Ward", "name_hi": "वार्ड"})",
           R"({"number": true, "name": "Ward", "name_hi": "वार्ड"})",
           R"({"number": [20], "name": "Ward", "name_hi": "वार्ड"})",
           R"({"number": 0, "name": "Ward", "name_hi": "वार्ड"})",
           R"({"number": 1000, "name": "Ward", "name_hi": "वार्ड"})",
           R"({"number": -7, "name": "Ward", "name_hi": "वार्ड"})",
           R"({"number": 18446744073709551615, "name": "Ward", "name_hi": "वार्ड"})",
           R"({"number": 99999999999999999999999, "name": "Ward", "name_hi": "वार्ड"})",
           R"({"number": 20, "name": 5, "name_hi": "वार्ड"})",
           R"({"number": 20, "name": {"en": "Ward"}, "name_hi": "वार्ड"})",
           R"({"number": 20, "name": null, "name_hi": "वार्ड"})",
           R"({"number": 20, "name": "   ", "name_hi": "वार्ड"})",
           R"({"number": 20, "name": "Ward"})",
           R"({"number": 20, "name": "Ward", "name_hi": "वार्ड", "zone": false})",
           R"({"number": 20, "name": "Ward\u0000X", "name_hi": "वार्ड"})",
           R"({"number": 20, "name": "Ward\nTwo", "name_hi": "वार्ड"})",
       }) {
    const auto before = server_->EntryCounts();
    auto r = server_->Request("POST", wards, body, admin_);
    EXPECT_TRUE(IsApiError(r, 400, "invalid_field")) << body;
    EXPECT_EQ(server_->EntryCounts(), before) << body;
    // The message names the field.
    EXPECT_THAT(r.body, ::testing::ContainsRegex("'(number|name|name_hi|zone)'")) << body;
  }
  auto too_long = json::serialize(
      json::object{{"number", 20}, {"name", std::string(101, 'x')}, {"name_hi", "वार्ड"}});
  ExpectRefused("POST", wards, too_long, 400, "invalid_field");
  ExpectRefused("POST", "/api/v1/session", R"({"username": 7, "password": "x", "otp": "1"})", 400,
                "invalid_field");
  ExpectRefused("POST", "/api/v1/ulbs/0152/users",
                R"({"username": "new.user", "password": ["palika-demo-2026"], "role": "cashier"})",
                400, "invalid_field");
  ExpectRefused("POST", "/api/v1/ulbs",
                R"({"code": 152, "name": "X", "name_hi": "क", "kind": "council", "district": "X"})",
                400, "invalid_field");
  ExpectRefused("POST", "/api/v1/ulbs",
                R"({"code": "0901", "name": "X", "name_hi": "क", "kind": "city", "district": "X"})",
                400, "invalid_ulb_kind");
  ExpectRefused("POST", "/api/v1/ulbs/0152/users",
                R"({"username": "new.user", "password": "short", "role": "cashier"})", 400,
                "password_too_short");
  EXPECT_EQ(Wards("0152").size(), 6u);
  StopAndVerify();
}

TEST_F(BadInputTest, UnknownFieldsAreRefused) {
  ExpectRefused("POST", "/api/v1/ulbs/0152/wards",
                R"({"number": 20, "name": "Ward", "name_hi": "वार्ड", "mayor": "X"})", 400,
                "unknown_field");
  ExpectRefused("POST", "/api/v1/ulbs/0152/users",
                R"({"username": "new.user", "password": "palika-demo-2026", "role": "cashier",
                    "ulb": "*"})",
                400, "unknown_field");
  ExpectRefused("POST", "/api/v1/ulbs/0152/grants",
                R"({"username": "indore.cashier", "role": "auditor", "ulb": "0276"})", 400,
                "unknown_field");
  ExpectRefused("POST", "/api/v1/ulbs",
                R"({"code": "0901", "name": "X", "name_hi": "क", "kind": "council",
                    "district": "X", "admin": "me"})",
                400, "unknown_field");
  ExpectRefused("POST", "/api/v1/session",
                R"({"username": "state.admin", "password": "palika-demo-2026", "otp": "123456",
                    "remember": true})",
                400, "unknown_field");
  auto r =
      server_->Request("POST", "/api/v1/ulbs/0152/wards",
                       R"({"number": 20, "name": "Ward", "name_hi": "वार्ड", "Number": 1})", admin_);
  EXPECT_THAT(r.body, HasSubstr("'Number'"));
  StopAndVerify();
}

TEST_F(BadInputTest, OversizedBodiesAndHeadersAreRefused) {
  const std::string wards = "/api/v1/ulbs/0152/wards";
  // A body of exactly 1 MiB is read (and refused for its content); one byte more is 413.
  auto body_of = [](size_t size) {
    std::string head = R"({"number": 20, "name_hi": "वार्ड", "name": ")";
    std::string tail = "\"}";
    return head + std::string(size - head.size() - tail.size(), 'x') + tail;
  };
  ExpectRefused("POST", wards, body_of(1024 * 1024), 400, "invalid_field");
  ExpectRefused("POST", wards, body_of(1024 * 1024 + 1), 413, "body_too_large");
  // A Content-Length the client will never send is refused before any body arrives.
  auto raw = server_->NewClient()->SendRaw(
      "POST /api/v1/ulbs/0152/wards HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: 99999999999\r\n\r\n{",
      std::chrono::seconds(5));
  EXPECT_THAT(raw, ::testing::StartsWith("HTTP/1.1 413"));
  EXPECT_THAT(raw, HasSubstr("body_too_large"));

  // Headers over 16 KiB: one huge header, a huge cookie, many headers.
  ExpectRefused("GET", "/api/v1/ulbs/0152/wards", "", 431, "headers_too_large",
                {{"X-Filler", std::string(20 * 1024, 'a')}});
  ExpectRefused("GET", "/api/v1/ulbs", "", 431, "headers_too_large",
                {{"Cookie", "palika_session=" + std::string(40 * 1024, 'b')}});
  Headers many;
  for (int i = 0; i < 2000; ++i) many.emplace_back("X-H" + std::to_string(i), "0123456789");
  ExpectRefused("POST", wards, R"({"number": 20, "name": "Ward", "name_hi": "वार्ड"})", 431,
                "headers_too_large", many);
  ExpectRefused("GET", "/api/v1/ulbs/0152/wards?q=" + std::string(20 * 1024, 'q'), "", 431,
                "headers_too_large");
  // The server is still fine.
  EXPECT_EQ(Wards("0152").size(), 6u);
  StopAndVerify();
}

TEST_F(BadInputTest, InvalidUtf8IsRefused) {
  const std::string wards = "/api/v1/ulbs/0152/wards";
  for (const std::string& name : {
           std::string("\xff\xfe"),                 // never valid
           std::string("Ward \xc0\xaf"),            // overlong '/'
           std::string("\xe0\xa4"),                 // truncated Devanagari
           std::string("\xed\xa0\x80"),             // an encoded surrogate
           std::string("\xf4\x90\x80\x80"),         // beyond U+10FFFF
           std::string("\x80 continuation first"),  //
       }) {
    ExpectRefused("POST", wards, R"({"number": 20, "name_hi": "वार्ड", "name": ")" + name + "\"}",
                  400, "malformed_json");
  }
  // Escaped lone surrogates are not text either.
  ExpectRefused("POST", wards, R"({"number": 20, "name_hi": "वार्ड", "name": "\ud800"})", 400,
                "malformed_json");
  ExpectRefused("POST", wards, R"({"number": 20, "name_hi": "वार्ड", "name": "\udc00x"})", 400,
                "malformed_json");
  // In the sign-in body too.
  ExpectRefused("POST", "/api/v1/session",
                "{\"username\": \"state.admin\xff\", \"password\": \"x\", \"otp\": \"1\"}", 400,
                "malformed_json");
  // In the path, escaped and raw.
  ExpectRefused("GET", "/api/v1/ulbs/%FF%FE/wards", "", 400, "bad_path");
  ExpectRefused("GET", "/api/v1/ulbs/0152/wards%C0%AF", "", 400, "bad_path");
  ExpectRefused("POST", "/api/v1/ulbs/%ED%A0%80/wards",
                R"({"number": 20, "name": "Ward", "name_hi": "वार्ड"})", 400, "bad_path");
  ExpectRefused("GET", "/api/v1/ulbs/\xff\xfe/wards", "", 400, "bad_path");
  ExpectRefused("GET", "/api/v1/ulbs/0152/wards?q=%FF", "", 400, "bad_query");
  EXPECT_EQ(Wards("0152").size(), 6u);
  StopAndVerify();
}

TEST_F(BadInputTest, PathTricksAreRefused) {
  const std::string ward = R"({"number": 20, "name": "Ward", "name_hi": "वार्ड"})";
  for (const std::string target : {
           "/api/v1/ulbs/../ulbs",
           "/api/v1/ulbs/./0152",
           "/api/v1/ulbs/0152/wards/..",
           "/api/v1/ulbs/%2e%2e/ulbs",
           "/api/v1/ulbs/%2E%2E/0152/wards",
           "/api/v1/ulbs/0152%2Fwards",
           "/api/v1/ulbs%2F0152%2Fwards",
           "/api/v1/ulbs/0152%5Cwards",
           "/api/v1/ulbs/0152/wards%00",
           "/api/v1/ulbs/0152%00/wards",
           "/api/v1/ulbs/0152/wards%0d%0aX-Injected:%201",
           "/api/v1/ulbs/0152/wards%",
           "/api/v1/ulbs/0152/wards%zz",
       }) {
    ExpectRefused("GET", target, "", 400, "bad_path");
  }
  // Writes through a tricky path reach nothing.
  ExpectRefused("POST", "/api/v1/ulbs/0276/../0152/wards", ward, 400, "bad_path");
  ExpectRefused("POST", "/api/v1/ulbs/0152%2F..%2F0276/wards", ward, 400, "bad_path");
  ExpectRefused("POST", "/api/v1/ulbs/0152%00/wards", ward, 400, "bad_path");
  // An empty segment matches no route, and a target that is not a path is not one.
  ExpectRefused("GET", "/api/v1/ulbs//wards", "", 404, "not_found");
  ExpectRefused("GET", "//api/v1/ulbs", "", 404, "not_found");
  EXPECT_EQ(Wards("0152").size(), 6u);
  EXPECT_EQ(Wards("0276").size(), 3u);
  StopAndVerify();
}

TEST_F(BadInputTest, SqlMetacharactersAreStoredVerbatim) {
  const std::vector<std::string> nasty = {
      kSqlInjection,        "Robert'); DELETE FROM ledger_entries; --",
      "\" OR \"1\"=\"1",    "x' UNION SELECT totp_secret FROM users --",
      "%_\\' ; /* */ `ls`",
  };
  // Wards: every text field.
  int number = 40;
  for (const auto& text : nasty) {
    SCOPED_TRACE(text);
    json::object ward{{"number", number}, {"name", text}, {"name_hi", text}, {"zone", text}};
    auto r = server_->Request("POST", "/api/v1/ulbs/0152/wards", json::serialize(ward), admin_);
    ASSERT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(Str(ParseJson(r.body).at("name")), text);
    ++number;
  }
  json::array wards = Wards("0152");
  ASSERT_EQ(wards.size(), 6u + nasty.size());
  for (size_t i = 0; i < nasty.size(); ++i) {
    const auto& w = wards[6 + i];
    EXPECT_EQ(Str(w.at("name")), nasty[i]);
    EXPECT_EQ(Str(w.at("name_hi")), nasty[i]);
    EXPECT_EQ(Str(w.at("zone")), nasty[i]);
  }
  EXPECT_EQ(server_->Query(kIndore, "SELECT name FROM wards WHERE number = 40"), kSqlInjection);

  // A ULB: name, Hindi name and district.
  json::object ulb{{"code", "0901"},
                   {"name", nasty[1]},
                   {"name_hi", nasty[2]},
                   {"kind", "parishad"},
                   {"district", nasty[3]}};
  auto added = server_->Request("POST", "/api/v1/ulbs", json::serialize(ulb), admin_);
  ASSERT_EQ(added.status, 201) << added.body;
  json::value got = ParseJson(server_->Request("GET", "/api/v1/ulbs/0901").body);
  EXPECT_EQ(Str(got.at("name")), nasty[1]);
  EXPECT_EQ(Str(got.at("name_hi")), nasty[2]);
  EXPECT_EQ(Str(got.at("district")), nasty[3]);

  // A user's display name is stored as given; usernames and roles are checked, not stored.
  json::object user{{"username", "sql.tester"},
                    {"display_name", nasty[0]},
                    {"password", kDemoPassword},
                    {"role", "auditor"}};
  auto created = server_->Request("POST", "/api/v1/ulbs/0152/users", json::serialize(user), admin_);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_THAT(server_->Request("GET", "/api/v1/ulbs/0152/users", "", admin_).body,
              HasSubstr(json::serialize(json::string(nasty[0]))));
  for (const auto& text : nasty) {
    SCOPED_TRACE(text);
    // Usernames and roles are at most 32 characters; longer text is refused for its length.
    const bool fits = text.size() <= 32;
    user["username"] = text;
    user["role"] = "cashier";
    ExpectRefused("POST", "/api/v1/ulbs/0152/users", json::serialize(user), 400,
                  fits ? "invalid_username" : "invalid_field");
    user["username"] = "sql.tester2";
    user["role"] = text;
    ExpectRefused("POST", "/api/v1/ulbs/0152/users", json::serialize(user), 400,
                  fits ? "unknown_role" : "invalid_field");
    ExpectRefused("POST", "/api/v1/ulbs/0152/grants",
                  json::serialize(json::object{{"username", text}, {"role", "auditor"}}),
                  fits ? 404 : 400, fits ? "user_not_found" : "invalid_field");
    ExpectRefused("POST", "/api/v1/ulbs/0152/grants/revoke",
                  json::serialize(json::object{{"username", "indore.cashier"}, {"role", text}}),
                  400, fits ? "unknown_role" : "invalid_field");
    ExpectRefused("POST", "/api/v1/session/password",
                  json::serialize(json::object{{"old_password", text},
                                               {"new_password", "another-password-2026"}}),
                  403, "wrong_password");
  }

  // Sign-in: each field. A refusal is audited with the username exactly as typed.
  const std::string texts[] = {kSqlInjection, "' OR '1'='1"};
  for (const auto& text : texts) {
    for (int field = 0; field < 3; ++field) {
      json::object body{{"username", field == 0 ? text : "state.admin"},
                        {"password", field == 1 ? text : "palika-demo-2026"},
                        {"otp", field == 2 ? text : "000000"}};
      auto r = server_->Request("POST", "/api/v1/session", json::serialize(body));
      // A one-time code is at most 16 characters.
      const bool too_long = field == 2 && text.size() > 16;
      EXPECT_TRUE(
          IsApiError(r, too_long ? 400 : 401, too_long ? "invalid_field" : "sign_in_failed"))
          << text << " in field " << field;
    }
    // A good sign-in from this address between the rounds keeps the throttle away.
    if (text == kSqlInjection) {
      EXPECT_NE(server_->SignIn("indore.auditor"), "");
    }
  }
  EXPECT_EQ(server_->Query("state",
                           "SELECT COUNT(*) FROM sign_in_audit WHERE username = '''; "
                           "DROP TABLE wards; --'"),
            "1");

  // Every table is still there and holds what the API says.
  EXPECT_EQ(server_->Query(kIndore, "SELECT COUNT(*) FROM wards"),
            std::to_string(6 + nasty.size()));
  EXPECT_EQ(server_->Query("state", "SELECT COUNT(*) FROM users WHERE username LIKE 'sql.%'"), "1");
  EXPECT_EQ(server_->Query("state", "SELECT COUNT(*) FROM ulbs"), "4");
  StopAndVerify();
}

TEST_F(BadInputTest, UlbCodesThatDoNotExistOrAreNotCodes) {
  const std::string ward = R"({"number": 20, "name": "Ward", "name_hi": "वार्ड"})";
  const std::string user = R"({"username": "ghost.user", "password": "palika-demo-2026",
                               "role": "cashier"})";
  // Well-formed codes of no ULB: 404.
  for (const std::string code : {"0999", "0000", "9999"}) {
    SCOPED_TRACE(code);
    ExpectRefused("GET", "/api/v1/ulbs/" + code, "", 404, "ulb_not_found");
    ExpectRefused("GET", "/api/v1/ulbs/" + code + "/wards", "", 404, "ulb_not_found");
    ExpectRefused("GET", "/api/v1/ulbs/" + code + "/ledger", "", 404, "ulb_not_found");
    ExpectRefused("POST", "/api/v1/ulbs/" + code + "/wards", ward, 404, "ulb_not_found");
    ExpectRefused("POST", "/api/v1/ulbs/" + code + "/users", user, 404, "ulb_not_found");
    ExpectRefused("POST", "/api/v1/ulbs/" + code + "/grants",
                  R"({"username": "indore.cashier", "role": "auditor"})", 404, "ulb_not_found");
  }
  // Not 4 digits: 400.
  for (const std::string code :
       {"152", "01520", "abcd", "0x98", "+152", "-152", "15%202",
        "%E0%A5%A6%E0%A5%A7%E0%A5%AB%E0%A5%A8", "0152%20", "%200152", "１５２"}) {
    SCOPED_TRACE(code);
    ExpectRefused("GET", "/api/v1/ulbs/" + code, "", 400, "invalid_ulb_code");
    ExpectRefused("GET", "/api/v1/ulbs/" + code + "/wards", "", 400, "invalid_ulb_code");
    ExpectRefused("POST", "/api/v1/ulbs/" + code + "/wards", ward, 400, "invalid_ulb_code");
    ExpectRefused("POST", "/api/v1/ulbs/" + code + "/users", user, 400, "invalid_ulb_code");
  }
  // Adding a ULB with a bad code, or one that exists.
  ExpectRefused(
      "POST", "/api/v1/ulbs",
      R"({"code": "152", "name": "X", "name_hi": "क", "kind": "council", "district": "X"})", 400,
      "invalid_ulb_code");
  ExpectRefused(
      "POST", "/api/v1/ulbs",
      R"({"code": "0152", "name": "X", "name_hi": "क", "kind": "council", "district": "X"})", 409,
      "ulb_exists");
  ExpectRefused("POST", "/api/v1/ulbs/0152/wards",
                R"({"number": 3, "name": "Again", "name_hi": "फिर"})", 409, "ward_exists");
  EXPECT_FALSE(fs::exists(server_->ulb_db("0999")));
  StopAndVerify();
}

TEST_F(BadInputTest, HindiTextRoundTrips) {
  const std::string name_hi = "वार्ड नंबर एक";
  const std::string zone = "ज़ोन ४ (पूर्व)";
  json::object ward{
      {"number", 31}, {"name", "Ward Number One"}, {"name_hi", name_hi}, {"zone", zone}};
  auto r = server_->Request("POST", "/api/v1/ulbs/0276/wards", json::serialize(ward), admin_);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(Str(ParseJson(r.body).at("name_hi")), name_hi);
  bool found = false;
  for (const auto& w : Wards("0276")) {
    if (w.at("number").as_int64() != 31) continue;
    found = true;
    EXPECT_EQ(Str(w.at("name_hi")), name_hi);
    EXPECT_EQ(Str(w.at("zone")), zone);
  }
  EXPECT_TRUE(found);
  // Stored as the same UTF-8 bytes (NFC or not, nothing is rewritten).
  EXPECT_EQ(server_->Query(kSehore, "SELECT hex(name_hi) FROM wards WHERE number = 31"),
            "E0A4B5E0A4BEE0A4B0E0A58DE0A4A120E0A4A8E0A482E0A4ACE0A4B020E0A48FE0A495");
  // Escaped in JSON (\uXXXX) it means the same text.
  auto escaped = server_->Request(
      "POST", "/api/v1/ulbs/0276/wards",
      R"({"number": 32, "name": "Two", "name_hi": "\u0935\u093e\u0930\u094d\u0921 \u0926\u094b"})",
      admin_);
  ASSERT_EQ(escaped.status, 201) << escaped.body;
  EXPECT_EQ(server_->Query(kSehore, "SELECT name_hi FROM wards WHERE number = 32"), "वार्ड दो");
  // Hindi in a ULB's name and the district, and in a user's display name.
  auto ulb = server_->Request("POST", "/api/v1/ulbs",
                              json::serialize(json::object{{"code", "0902"},
                                                           {"name", "Mhow"},
                                                           {"name_hi", "महू"},
                                                           {"kind", "council"},
                                                           {"district", "इंदौर"}}),
                              admin_);
  ASSERT_EQ(ulb.status, 201) << ulb.body;
  json::value got = ParseJson(server_->Request("GET", "/api/v1/ulbs/0902").body);
  EXPECT_EQ(Str(got.at("name_hi")), "महू");
  EXPECT_EQ(Str(got.at("district")), "इंदौर");
  // Hindi counts as characters, not bytes: 100 Devanagari letters fit the 100-character limit.
  std::string hundred;
  for (int i = 0; i < 100; ++i) hundred += "क";
  auto long_hi = server_->Request(
      "POST", "/api/v1/ulbs/0276/wards",
      json::serialize(json::object{{"number", 33}, {"name", "Long"}, {"name_hi", hundred}}),
      admin_);
  EXPECT_EQ(long_hi.status, 201) << long_hi.body;
  ExpectRefused(
      "POST", "/api/v1/ulbs/0276/wards",
      json::serialize(json::object{{"number", 34}, {"name", "Long"}, {"name_hi", hundred + "क"}}),
      400, "invalid_field");
  StopAndVerify();
}

}  // namespace
}  // namespace palika::integration
