// Identity and access over the real server (issue 2, "Identity and access"): staff sign-in with
// password and one-time code, tokens, sign-out, the sign-in audit, the throttle, and the whole
// role x ULB x route matrix of ApiRoutes(), each allowed write succeeding and each refusal
// writing nothing.

#include "services/identity/access.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <functional>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "http/api/api.h"
#include "integration/server_fixture.h"

namespace palika::integration {
namespace {

namespace json = boost::json;
using identity::Role;
using ::testing::HasSubstr;

std::string SignInBody(const std::string& username, const std::string& password,
                       const std::string& otp) {
  return json::serialize(
      json::object{{"username", username}, {"password", password}, {"otp", otp}});
}

// The demo accounts of Indore (0152) and the state administrator, with the role each holds.
struct DemoAccount {
  std::string username;
  Role role;
  std::string ulb;  // the grant's ULB, "*" for state-wide
};

const std::vector<DemoAccount>& DemoAccounts() {
  static const std::vector<DemoAccount> accounts = {
      {"state.admin", Role::kStateAdmin, "*"},
      {"indore.admin", Role::kUlbAdmin, kIndore},
      {"indore.revenue", Role::kRevenueOfficer, kIndore},
      {"indore.cashier", Role::kCashier, kIndore},
      {"indore.registrar", Role::kRegistrar, kIndore},
      {"indore.licensing", Role::kLicensingOfficer, kIndore},
      {"indore.grievance", Role::kGrievanceOfficer, kIndore},
      {"indore.accountant", Role::kAccountant, kIndore},
      {"indore.auditor", Role::kAuditor, kIndore},
  };
  return accounts;
}

// A JSON string's text ("" for anything else), for comparisons.
std::string Str(const json::value& v) { return v.is_string() ? std::string(v.get_string()) : ""; }

// The route's path for `ulb` (also for a replication route's {ledger}); any other path parameter
// ({id}, {receipt_no}.pdf, ...) becomes "1".
std::string Target(const std::string& pattern, const std::string& ulb) {
  std::string out;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '{') {
      out += pattern[i];
      continue;
    }
    const size_t close = pattern.find('}', i);
    const std::string name = pattern.substr(i, close - i + 1);
    out += name == "{ulb}" || name == "{ledger}" ? ulb
           : name == "{id}"                      ? "01-000001"
           : name == "{fy}"                      ? "2026-27"
                                                 : "1";
    i = close;
  }
  return out;
}

// A property record valid in ward 1 of every demo ULB.
json::object MatrixProperty(const std::string& address) {
  return json::object{
      {"ward", 1},
      {"address", address},
      {"address_hi", "मैट्रिक्स मार्ग"},
      {"plot_area_sqft", 1200},
      {"owners", json::array{json::object{
                     {"name", "Matrix Owner"}, {"name_hi", "मैट्रिक्स स्वामी"}, {"share_bp", 10000}}}},
      {"floors", json::array{json::object{{"floor", 0},
                                          {"built_up_sqft", 900},
                                          {"construction", "rcc"},
                                          {"use", "residential"},
                                          {"occupancy", "self"}}}}};
}

class AccessTest : public DemoServerTest {};

TEST_F(AccessTest, SignInReturnsATokenThatWorks) {
  const std::string otp = server_->NextOtp("indore.cashier");
  auto r =
      server_->Request("POST", "/api/v1/session", SignInBody("indore.cashier", kDemoPassword, otp));
  ASSERT_EQ(r.status, 201) << r.body;
  json::value v = ParseJson(r.body);
  const std::string token(v.at("token").as_string());
  EXPECT_GE(token.size(), 22u) << "at least 128 random bits";
  EXPECT_TRUE(v.at("expires_at").is_string());
  EXPECT_EQ(Str(v.at("user").at("username")), "indore.cashier");
  const auto& grants = v.at("user").at("grants").as_array();
  ASSERT_EQ(grants.size(), 1u);
  EXPECT_EQ(Str(grants[0].at("role")), "cashier");
  EXPECT_EQ(Str(grants[0].at("ulb")), kIndore);

  auto me = server_->Request("GET", "/api/v1/session", "", token);
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(Str(ParseJson(me.body).at("user").at("username")), "indore.cashier");
  auto wards = server_->Request("GET", "/api/v1/ulbs/0152/wards", "", token);
  ASSERT_EQ(wards.status, 200) << wards.body;
  EXPECT_EQ(ParseJson(wards.body).at("wards").as_array().size(), 6u);
  // The token is not stored in the clear anywhere in the data directory's databases.
  EXPECT_EQ(server_->Query("state", "SELECT COUNT(*) FROM ledger_entries WHERE payload LIKE '%" +
                                        token + "%'"),
            "0");
}

TEST_F(AccessTest, WrongPasswordWrongOtpAndUnknownUserGetTheSameAnswer) {
  const std::string good_otp = server_->NextOtp("indore.cashier");
  const std::string wrong_otp = good_otp == "000000" ? "111111" : "000000";
  struct Attempt {
    std::string what, username, password, otp;
  } attempts[] = {
      {"wrong password", "indore.cashier", "not-the-password-2026", good_otp},
      {"wrong one-time code", "indore.cashier", kDemoPassword, wrong_otp},
      {"unknown user", "indore.nobody", kDemoPassword, good_otp},
  };
  std::string first_body;
  for (const auto& a : attempts) {
    SCOPED_TRACE(a.what);
    auto r = server_->Request("POST", "/api/v1/session", SignInBody(a.username, a.password, a.otp));
    EXPECT_TRUE(IsApiError(r, 401, "sign_in_failed"));
    if (first_body.empty()) first_body = r.body;
    EXPECT_EQ(r.body, first_body) << "the answer must not tell which part was wrong";
  }
  // The code that was not spent on the refused attempts still works.
  auto ok = server_->Request("POST", "/api/v1/session",
                             SignInBody("indore.cashier", kDemoPassword, good_otp));
  EXPECT_EQ(ok.status, 201) << ok.body;

  // Each attempt is in the sign-in audit (a state ledger projection), with its reason.
  EXPECT_EQ(server_->Query("state",
                           "SELECT outcome, username, address, reason FROM sign_in_audit "
                           "WHERE username LIKE 'indore.%' ORDER BY seq"),
            "refused|indore.cashier|127.0.0.1|wrong_password\n"
            "refused|indore.cashier|127.0.0.1|wrong_otp\n"
            "refused|indore.nobody|127.0.0.1|unknown_user\n"
            "opened|indore.cashier|127.0.0.1|");
  EXPECT_EQ(server_->Query("state",
                           "SELECT COUNT(*) FROM ledger_entries WHERE type IN "
                           "('session.opened', 'session.refused')"),
            "4");
}

TEST_F(AccessTest, AOneTimeCodeWorksOnce) {
  const std::string otp = server_->NextOtp("indore.revenue");
  auto first =
      server_->Request("POST", "/api/v1/session", SignInBody("indore.revenue", kDemoPassword, otp));
  ASSERT_EQ(first.status, 201) << first.body;
  auto replay =
      server_->Request("POST", "/api/v1/session", SignInBody("indore.revenue", kDemoPassword, otp));
  EXPECT_TRUE(IsApiError(replay, 401, "sign_in_failed"));
  EXPECT_EQ(server_->Query("state", "SELECT reason FROM sign_in_audit ORDER BY seq DESC LIMIT 1"),
            "wrong_otp");
  // Even after a restart (the last step used is kept beside the ledgers).
  ASSERT_TRUE(server_->Restart());
  replay =
      server_->Request("POST", "/api/v1/session", SignInBody("indore.revenue", kDemoPassword, otp));
  EXPECT_TRUE(IsApiError(replay, 401, "sign_in_failed"));
  // The next code does work.
  EXPECT_NE(server_->SignIn("indore.revenue"), "");
}

TEST_F(AccessTest, ProtectedRoutesNeedAValidToken) {
  const std::vector<std::pair<std::string, Headers>> cases = {
      {"no token", {}},
      {"garbage bearer token", {{"Authorization", "Bearer not-a-real-token"}}},
      {"empty bearer token", {{"Authorization", "Bearer "}}},
      {"basic auth", {{"Authorization", "Basic c3RhdGUuYWRtaW46cGFsaWthLWRlbW8tMjAyNg=="}}},
      {"garbage cookie",
       {{"Cookie", "palika_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}}},
  };
  const auto before = server_->EntryCounts();
  for (const auto& [what, headers] : cases) {
    SCOPED_TRACE(what);
    for (const auto& [method, target] :
         std::vector<std::pair<std::string, std::string>>{{"GET", "/api/v1/session"},
                                                          {"GET", "/api/v1/ulbs/0152/wards"},
                                                          {"GET", "/api/v1/ulbs/0152/ledger"},
                                                          {"POST", "/api/v1/ulbs/0152/wards"}}) {
      std::string body = method == "POST" ? R"({"number": 50, "name": "X", "name_hi": "क"})" : "";
      auto r = server_->Request(method, target, body, "", headers);
      EXPECT_TRUE(IsApiError(r, 401, "not_signed_in")) << method << " " << target;
    }
  }
  EXPECT_EQ(server_->EntryCounts(), before);
  // Public routes need none.
  EXPECT_EQ(server_->Request("GET", "/api/v1/ulbs").status, 200);
  EXPECT_EQ(server_->Request("GET", "/api/v1/ulbs/0152").status, 200);
}

TEST_F(AccessTest, SignOutEndsThatTokenOnly) {
  const std::string first = server_->SignIn("indore.admin");
  const std::string second = server_->SignIn("indore.admin");
  ASSERT_NE(first, "");
  ASSERT_NE(second, "");
  ASSERT_NE(first, second);
  auto out = server_->Request("DELETE", "/api/v1/session", "", first);
  ASSERT_EQ(out.status, 200) << out.body;
  EXPECT_TRUE(
      IsApiError(server_->Request("GET", "/api/v1/session", "", first), 401, "not_signed_in"));
  EXPECT_TRUE(IsApiError(server_->Request("GET", "/api/v1/ulbs/0152/users", "", first), 401,
                         "not_signed_in"));
  EXPECT_EQ(server_->Request("GET", "/api/v1/ulbs/0152/users", "", second).status, 200);
  // Signed out stays signed out after a restart; the other session survives it.
  ASSERT_TRUE(server_->Restart());
  EXPECT_EQ(server_->Request("GET", "/api/v1/session", "", first).status, 401);
  EXPECT_EQ(server_->Request("GET", "/api/v1/session", "", second).status, 200);
}

TEST_F(AccessTest, FailedSignInsFromOneAddressAreThrottled) {
  for (int i = 0; i < 5; ++i) {
    auto r = server_->Request(
        "POST", "/api/v1/session",
        SignInBody("indore.cashier", "wrong-password-" + std::to_string(i), "123456"));
    ASSERT_TRUE(IsApiError(r, 401, "sign_in_failed")) << "attempt " << i + 1;
  }
  // The sixth attempt is refused before the password is looked at, even with the right one.
  auto throttled = server_->Request(
      "POST", "/api/v1/session",
      SignInBody("indore.cashier", kDemoPassword, server_->NextOtp("indore.cashier")));
  ASSERT_TRUE(IsApiError(throttled, 429, "sign_in_throttled"));
  EXPECT_EQ(throttled.Header("retry-after"), "1");  // whole seconds, as RFC 9110 says
  const json::value body = ParseJson(throttled.body);
  const auto& error = body.at("error");
  EXPECT_THAT(std::string(error.at("message").as_string()), HasSubstr("Try again in"));
  EXPECT_THAT(std::string(error.at("message_hi").as_string()), HasSubstr("सेकंड"));
  // Other accounts from the same address too.
  EXPECT_EQ(
      server_
          ->Request("POST", "/api/v1/session", SignInBody("state.admin", kDemoPassword, "000000"))
          .status,
      429);
  EXPECT_EQ(
      server_->Query("state", "SELECT COUNT(*) FROM sign_in_audit WHERE reason = 'throttled'"),
      "2");

  // The first back-off is one second; after it the right credentials work again.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  EXPECT_NE(server_->SignIn("indore.cashier"), "");
}

// Every role x ULB x route of ApiRoutes() that names a permission: allowed exactly when the
// role has the permission on that ULB (or state-wide); an allowed write succeeds, a refused one
// is a 403 that writes nothing.
TEST_F(AccessTest, RoleUlbRouteMatrix) {
  std::map<std::string, std::string> tokens;
  for (const auto& a : DemoAccounts()) {
    tokens[a.username] = server_->SignIn(a.username);
    ASSERT_NE(tokens[a.username], "") << a.username;
    // The demo account holds exactly the grant the matrix assumes.
    auto me = server_->Request("GET", "/api/v1/session", "", tokens[a.username]);
    const json::value v = ParseJson(me.body);
    const auto& grants = v.at("user").at("grants").as_array();
    ASSERT_EQ(grants.size(), 1u) << a.username;
    EXPECT_EQ(Str(grants[0].at("role")), identity::RoleName(a.role)) << a.username;
    EXPECT_EQ(Str(grants[0].at("ulb")), a.ulb) << a.username;
  }
  // A user for the grant routes to change (not one of the accounts under test).
  auto target = server_->Request(
      "POST", "/api/v1/ulbs/0152/users",
      R"({"username": "matrix.target", "password": "palika-demo-2026", "role": "cashier"})",
      tokens["state.admin"]);
  ASSERT_EQ(target.status, 201) << target.body;

  // A valid body for each write route this test knows, so that an allowed request succeeds, and
  // the status it succeeds with.
  int next_ulb = 900;
  int next_ward = 100;
  int next_user = 1;
  struct Known {
    std::function<std::string()> body;
    int success;
  };
  const std::map<std::string, Known> known = {
      {"POST /api/v1/ulbs",
       {[&] {
          return json::serialize(json::object{{"code", "0" + std::to_string(next_ulb++)},
                                              {"name", "Matrix Nagar"},
                                              {"name_hi", "मैट्रिक्स नगर"},
                                              {"kind", "parishad"},
                                              {"district", "Indore"}});
        },
        201}},
      {"POST /api/v1/ulbs/{ulb}/wards",
       {[&] {
          return json::serialize(
              json::object{{"number", next_ward++}, {"name", "Matrix"}, {"name_hi", "मैट्रिक्स"}});
        },
        201}},
      {"POST /api/v1/ulbs/{ulb}/users",
       {[&] {
          return json::serialize(
              json::object{{"username", "matrix.u" + std::to_string(next_user++)},
                           {"password", kDemoPassword},
                           {"role", "cashier"}});
        },
        201}},
      {"POST /api/v1/ulbs/{ulb}/grants",
       {[] { return std::string(R"({"username": "matrix.target", "role": "auditor"})"); }, 200}},
      {"POST /api/v1/ulbs/{ulb}/grants/revoke",
       {[] { return std::string(R"({"username": "matrix.target", "role": "auditor"})"); }, 200}},
      {"POST /api/v1/ulbs/{ulb}/properties",
       {[] { return json::serialize(MatrixProperty("Matrix Road")); }, 201}},
      {"POST /api/v1/ulbs/{ulb}/properties/{id}/corrections",
       {[&] {
          // Each correction changes the address, so that an allowed one writes something.
          json::object body = MatrixProperty("Matrix Lane " + std::to_string(next_user++));
          body["reason"] = "Address corrected after a survey";
          return json::serialize(body);
        },
        200}},
      {"GET /api/v1/ulbs/{ulb}/properties", {[] { return std::string(); }, 200}},
      {"GET /api/v1/ulbs/{ulb}/properties/{id}", {[] { return std::string(); }, 200}},
      {"GET /api/v1/ulbs/{ulb}/properties/{id}/history", {[] { return std::string(); }, 200}},
      {"GET /api/v1/ulbs/{ulb}/wards", {[] { return std::string(); }, 200}},
      // Billing, payments and accounts: the reads.
      {"GET /api/v1/ulbs/{ulb}/properties/{id}/returns", {[] { return std::string(); }, 200}},
      {"GET /api/v1/ulbs/{ulb}/properties/{id}/dues", {[] { return std::string(); }, 200}},
      {"GET /api/v1/ulbs/{ulb}/properties/{id}/payments", {[] { return std::string(); }, 200}},
      {"GET /api/v1/ulbs/{ulb}/demands/{fy}", {[] { return std::string(); }, 200}},
      {"GET /api/v1/ulbs/{ulb}/accounts/chart", {[] { return std::string(); }, 200}},
      {"GET /api/v1/ulbs/{ulb}/accounts/journal", {[] { return std::string(); }, 200}},
      {"GET /api/v1/ulbs/{ulb}/accounts/collections", {[] { return std::string(); }, 200}},
      {"GET /api/v1/ulbs/{ulb}/accounts/trial-balance", {[] { return std::string(); }, 200}},
      {"GET /api/v1/ulbs/{ulb}/accounts/day-close", {[] { return std::string(); }, 200}},
      {"GET /api/v1/ulbs/{ulb}/reports/dcb", {[] { return std::string(); }, 200}},
      {"GET /api/v1/ulbs/{ulb}/users", {[] { return std::string(); }, 200}},
      {"GET /api/v1/ulbs/{ulb}/ledger", {[] { return std::string(); }, 200}},
  };

  int checked_known = 0;
  int allowed_known = 0;
  std::set<std::string> access_only;  // routes added since this test was written
  auto counts = server_->EntryCounts();
  for (const auto& account : DemoAccounts()) {
    for (const std::string ulb : {kIndore, kSehore}) {
      for (const auto& route : http::ApiRoutes()) {
        if (route.access == http::Access::kReplication) {
          // No staff role holds replication.read: only a replication token reads these.
          ASSERT_FALSE(identity::RoleHas(account.role, *route.permission)) << route.pattern;
          auto r = server_->Request(route.method, Target(route.pattern, ulb),
                                    route.method == "GET" ? "" : "{}", tokens[account.username]);
          EXPECT_TRUE(IsApiError(r, 403, "forbidden")) << account.username << " " << route.pattern;
          continue;
        }
        if (route.access != http::Access::kUlb && route.access != http::Access::kState) continue;
        ASSERT_TRUE(route.permission.has_value()) << route.pattern;
        const std::string scope = route.access == http::Access::kState ? "*" : ulb;
        const bool allowed = identity::RoleHas(account.role, *route.permission) &&
                             (account.ulb == "*" || account.ulb == scope);
        const std::string path = Target(route.pattern, ulb);
        auto k = known.find(route.method + " " + route.pattern);
        const std::string body = k != known.end()        ? k->second.body()
                                 : route.method == "GET" ? ""
                                                         : "{}";
        SCOPED_TRACE(account.username + " " + route.method + " " + path + " " + body);
        auto r = server_->Request(route.method, path, body, tokens[account.username]);
        auto after = server_->EntryCounts();
        if (k != known.end()) {
          ++checked_known;
          allowed_known += allowed;
        } else {
          access_only.insert(route.method + " " + route.pattern);
        }
        if (allowed && k != known.end()) {
          EXPECT_EQ(r.status, k->second.success) << Describe(route.method, path, r);
          if (route.method == "POST") {
            EXPECT_NE(after, counts) << "an allowed write wrote nothing";
          }
        } else if (allowed) {
          // A route this test has no valid body for: the access check must at least pass.
          EXPECT_TRUE(r.status != 0 && r.status != 401 && r.status != 403)
              << Describe(route.method, path, r);
        } else {
          EXPECT_TRUE(IsApiError(r, 403, "forbidden"));
          EXPECT_EQ(after, counts) << "a refused request wrote to a ledger";
        }
        counts = after;
      }
    }
  }
  // 9 accounts x 2 ULBs x the 23 routes above. Pinned independently of the permission table: the
  // state admin may use the 8 registry routes in both ULBs; Indore's admin the 7 ULB routes in
  // 0152; the auditor wards and ledger; the six other roles only the wards; nobody of Indore
  // anything in Sehore. The 7 property reads (register, returns, dues, payments, demand
  // progress): the state admin in both ULBs and Indore's admin, revenue officer, cashier,
  // licensing officer, accountant and auditor in 0152; the 2 register writes: Indore's revenue
  // officer alone. The 6 accounts reads: the state admin in both ULBs and Indore's admin,
  // accountant and auditor in 0152.
  EXPECT_EQ(checked_known, 9 * 2 * 23);
  EXPECT_EQ(allowed_known, 16 + 7 + 2 + 6 + 7 * (2 + 6) + 2 + 6 * (2 + 3));
  for (const auto& route : access_only) {
    std::cout << "access checked, but no valid body known for " << route
              << " (add it to this test)\n";
  }
}

// The replication principal's row: a replication token (`palika token add --role replication`)
// may use the replication routes, which read entries and checkpoints, and nothing else — every
// other protected route is a 403 that writes nothing.
TEST_F(AccessTest, ReplicationTokenRow) {
  ASSERT_TRUE(server_->Stop());
  RunResult added = RunPalika({"token", "add", "--data", server_->data_dir().string(), "--role",
                               "replication", "--name", "matrix-backup"});
  ASSERT_EQ(added.exit_code, 0) << added.output;
  std::string token;
  std::istringstream lines(added.output);
  for (std::string line; std::getline(lines, line);) {
    if (line.size() == 43 && line.find(' ') == std::string::npos) token = line;
  }
  ASSERT_EQ(token.size(), 43u) << added.output;
  ASSERT_TRUE(server_->Start());
  int replication_routes = 0;
  auto counts = server_->EntryCounts();
  for (const auto& route : http::ApiRoutes()) {
    if (route.access == http::Access::kPublic) continue;
    const std::string path = Target(route.pattern, kIndore);
    SCOPED_TRACE(route.method + " " + path);
    if (route.access == http::Access::kReplication) {
      ++replication_routes;
      const std::string body =
          route.method == "POST" ? R"({"ledgers": [{"ulb": "0152", "size": 1}]})" : "";
      auto r = server_->Request(route.method, Target(route.pattern, kIndore), body, token);
      EXPECT_EQ(r.status, 200) << Describe(route.method, path, r);
    } else {
      auto r = server_->Request(route.method, path, route.method == "GET" ? "" : "{}", token);
      EXPECT_TRUE(IsApiError(r, 403, "forbidden")) << Describe(route.method, path, r);
    }
    auto after = server_->EntryCounts();
    EXPECT_EQ(after, counts) << "the replication token wrote to a ledger";
    counts = after;
  }
  EXPECT_EQ(replication_routes, 5);
}

// While throttled, a flood of attempts is audited once a minute per account and address, not
// once per attempt: the audit stays readable and the state ledger cannot be flooded.
TEST_F(AccessTest, AFloodOfThrottledSignInsIsAuditedOnce) {
  for (int i = 0; i < 5; ++i) {
    server_->Request("POST", "/api/v1/session", SignInBody("indore.auditor", "wrong", "123456"));
  }
  for (int i = 0; i < 20; ++i) {
    auto r = server_->Request("POST", "/api/v1/session",
                              SignInBody("indore.auditor", "wrong", "123456"));
    ASSERT_EQ(r.status, 429);
  }
  EXPECT_EQ(
      server_->Query("state", "SELECT COUNT(*) FROM sign_in_audit WHERE reason = 'throttled'"),
      "1");
}

// Changing the password ends every other session of that user (a stolen token stops working);
// the session that changed it goes on.
TEST_F(AccessTest, PasswordChangeEndsTheUsersOtherSessions) {
  const std::string laptop = server_->SignIn("indore.accountant");
  ASSERT_NE(laptop, "");
  const std::string phone = server_->SignIn("indore.accountant");
  ASSERT_NE(phone, "");
  const std::string other = server_->SignIn("indore.auditor");
  auto changed = server_->Request(
      "POST", "/api/v1/session/password",
      R"({"old_password": "palika-demo-2026", "new_password": "a new long passphrase"})", phone);
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(server_->Request("GET", "/api/v1/session", "", phone).status, 200);
  EXPECT_TRUE(
      IsApiError(server_->Request("GET", "/api/v1/session", "", laptop), 401, "not_signed_in"));
  EXPECT_EQ(server_->Request("GET", "/api/v1/session", "", other).status, 200);  // another user
}

TEST_F(AccessTest, CashierCannotCreateUsers) {
  const std::string cashier = server_->SignIn("indore.cashier");
  const auto before = server_->EntryCounts();
  for (const std::string role : {"cashier", "auditor", "ulb_admin", "state_admin"}) {
    auto r = server_->Request("POST", "/api/v1/ulbs/0152/users",
                              R"({"username": "cashier.friend", "password": "palika-demo-2026",
                                  "role": ")" +
                                  role + "\"}",
                              cashier);
    EXPECT_TRUE(IsApiError(r, 403, "forbidden")) << role;
    auto g =
        server_->Request("POST", "/api/v1/ulbs/0152/grants",
                         R"({"username": "indore.cashier", "role": ")" + role + "\"}", cashier);
    EXPECT_TRUE(IsApiError(g, 403, "forbidden")) << role;
  }
  EXPECT_EQ(server_->EntryCounts(), before);
  EXPECT_EQ(server_->Query("state", "SELECT COUNT(*) FROM users WHERE username = 'cashier.friend'"),
            "0");
}

TEST_F(AccessTest, UlbAdminCannotAppointAdministrators) {
  const std::string admin = server_->SignIn("indore.admin");
  const auto before = server_->EntryCounts();
  for (const std::string role : {"ulb_admin", "state_admin"}) {
    SCOPED_TRACE(role);
    auto r = server_->Request("POST", "/api/v1/ulbs/0152/users",
                              R"({"username": "second.admin", "password": "palika-demo-2026",
                                  "role": ")" +
                                  role + "\"}",
                              admin);
    EXPECT_TRUE(IsApiError(r, 403, "forbidden"));
    auto g = server_->Request("POST", "/api/v1/ulbs/0152/grants",
                              R"({"username": "indore.cashier", "role": ")" + role + "\"}", admin);
    EXPECT_TRUE(IsApiError(g, 403, "forbidden"));
  }
  EXPECT_EQ(server_->EntryCounts(), before);
  EXPECT_EQ(server_->Query("state",
                           "SELECT COUNT(*) FROM role_grants g JOIN users u ON "
                           "u.id = g.user_id WHERE u.username = 'indore.cashier'"),
            "1");

  // What a ULB admin may do: add staff of other roles in their own ULB, and nowhere else.
  auto cashier = server_->Request(
      "POST", "/api/v1/ulbs/0152/users",
      R"({"username": "indore.cashier2", "password": "palika-demo-2026", "role": "cashier"})",
      admin);
  EXPECT_EQ(cashier.status, 201) << cashier.body;
  auto elsewhere = server_->Request(
      "POST", "/api/v1/ulbs/0276/users",
      R"({"username": "sehore.cashier2", "password": "palika-demo-2026", "role": "cashier"})",
      admin);
  EXPECT_TRUE(IsApiError(elsewhere, 403, "forbidden"));
  // The state administrator may appoint a ULB admin.
  auto appointed = server_->Request(
      "POST", "/api/v1/ulbs/0152/users",
      R"({"username": "indore.admin2", "password": "palika-demo-2026", "role": "ulb_admin"})",
      server_->SignIn("state.admin"));
  EXPECT_EQ(appointed.status, 201) << appointed.body;
}

}  // namespace
}  // namespace palika::integration
