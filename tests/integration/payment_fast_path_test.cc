// A counter payment's fast path (the payment's first half on the server's I/O thread, without a
// worker: Router::DispatchInline, InlineRouteHandler) against the usual path on a worker
// (Router::Dispatch), in one process on the demo data: the fast path answers only when the
// session, its grants and the ULB are known from memory, and then exactly as the worker would
// (a new payment, a replayed key, a refusal); an expired, signed-out or revoked session, or a
// last-seen time due to be written, is left to the worker, which refuses or writes as before.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <boost/json.hpp>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <future>
#include <memory>
#include <optional>
#include <string>

#include "cli/app.h"
#include "cli/demo.h"
#include "http/api/api.h"
#include "http/router.h"
#include "ledger/ledger_set.h"
#include "services/identity/totp.h"

namespace palika {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

class PaymentFastPathTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "palika-fast-path-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    ASSERT_TRUE(ledger::InitDataDir(dir_ / "data").ok());
    auto app = cli::App::Open(dir_ / "data");
    ASSERT_TRUE(app.ok()) << app.status().ToString();
    app_ = std::move(*app);
    ASSERT_TRUE(cli::LoadDemo(*app_, 20).ok());
    ctx_ = std::make_unique<http::ApiContext>(
        http::ApiContext{app_->ledgers(), app_->registry(), app_->sessions(), app_->metrics()});
    http::AddApiRoutes(router_, *ctx_);
    auto id = app_->ledgers().Ulb("0152");
    ASSERT_TRUE(id.ok());
    property_ = FirstProperty();
    ASSERT_FALSE(property_.empty());
  }

  void TearDown() override {
    router_ = http::Router();
    ctx_.reset();
    app_.reset();
    if (!getenv("PALIKA_KEEP_TEST_DIRS")) fs::remove_all(dir_);
  }

  std::string FirstProperty() {
    std::string id;
    auto ledger = app_->ledgers().Ulb("0152");
    EXPECT_TRUE(ledger.ok());
    Status s = (*ledger)->Read([&](store::Transaction& tx) -> Status {
      PALIKA_ASSIGN_OR_RETURN(auto row,
                              tx.QueryOne("SELECT id FROM properties ORDER BY num LIMIT 1", {}));
      if (row) id = row->Text(0);
      return Status::OK();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return id;
  }

  static http::Request MakeRequest(const std::string& method, const std::string& target,
                                   const std::string& token, const std::string& body,
                                   const std::string& key) {
    http::Request req;
    req.method = method;
    req.target = target;
    req.remote_address = "127.0.0.1";
    req.headers["content-type"] = "application/json";
    if (!token.empty()) req.headers["authorization"] = "Bearer " + token;
    if (!key.empty()) req.headers["idempotency-key"] = key;
    req.body = body;
    return req;
  }

  // The usual path: the route's handler, as a worker runs it.
  http::Response OnWorker(const std::string& method, const std::string& target,
                          const std::string& token, const std::string& body = "",
                          const std::string& key = "") {
    http::Request req = MakeRequest(method, target, token, body, key);
    return router_.Dispatch(req);
  }

  // The fast path, as the I/O thread runs it: nullopt when it declined (and answered nothing).
  std::optional<http::Response> OnIoThread(const std::string& method, const std::string& target,
                                           const std::string& token, const std::string& body = "",
                                           const std::string& key = "") {
    http::Request req = MakeRequest(method, target, token, body, key);
    auto answer = std::make_shared<std::promise<http::Reply>>();
    auto answered = std::make_shared<bool>(false);
    std::future<http::Reply> reply = answer->get_future();
    const bool inline_answered = router_.DispatchInline(req, [answer, answered](http::Reply r) {
      EXPECT_FALSE(*answered) << "answered twice";
      *answered = true;
      answer->set_value(std::move(r));
    });
    if (!inline_answered) {
      EXPECT_FALSE(*answered) << "a declined fast path must answer nothing";
      return std::nullopt;
    }
    EXPECT_EQ(reply.wait_for(std::chrono::seconds(30)), std::future_status::ready);
    http::Reply got = reply.get();
    return http::Router::Finish(got);
  }

  std::string SignIn(const std::string& username) {
    auto user = app_->registry().FindUser(username);
    EXPECT_TRUE(user.ok() && *user);
    const std::string otp = identity::TotpCode((**user).totp_secret, std::time(nullptr));
    auto r = OnWorker("POST", "/api/v1/session", "",
                      json::serialize(json::object{
                          {"username", username}, {"password", "palika-demo-2026"}, {"otp", otp}}));
    EXPECT_EQ(r.status, 201) << r.body;
    auto v = json::parse(r.body);
    return std::string(v.at("token").as_string());
  }

  std::string Cash(int64_t paise) const {
    return json::serialize(
        json::object{{"property", property_}, {"amount_paise", paise}, {"mode", "cash"}});
  }

  static std::string ErrorCode(const http::Response& r) {
    auto v = json::parse(r.body);
    return std::string(v.at("error").at("code").as_string());
  }

  static std::string Header(const http::Response& r, std::string_view name) {
    for (const auto& [n, v] : r.headers) {
      if (n == name) return v;
    }
    return "";
  }

  static constexpr char kPay[] = "/api/v1/ulbs/0152/payments";

  fs::path dir_;
  std::unique_ptr<cli::App> app_;
  std::unique_ptr<http::ApiContext> ctx_;
  http::Router router_;
  std::string property_;
};

TEST_F(PaymentFastPathTest, PaysAndReplaysOnTheIoThreadAsTheWorkerWould) {
  const std::string cashier = SignIn("indore.cashier");
  // The sign-in changed the state ledger (its audit entry): the cashier's grants are read again,
  // on a worker.
  EXPECT_FALSE(OnIoThread("POST", kPay, cashier, Cash(100'00), "fast-1").has_value());
  auto first = OnWorker("POST", kPay, cashier, Cash(100'00), "fast-1");
  ASSERT_EQ(first.status, 201) << first.body;

  // Now everything is known from memory: the fast path takes the next payment.
  auto second = OnIoThread("POST", kPay, cashier, Cash(200'00), "fast-2");
  ASSERT_TRUE(second.has_value());
  ASSERT_EQ(second->status, 201) << second->body;
  auto paid = json::parse(second->body).as_object();
  auto one = json::parse(first.body).as_object();
  const std::string no = std::string(paid.at("receipt_no").as_string());
  const std::string first_no = std::string(one.at("receipt_no").as_string());
  EXPECT_EQ(no.substr(0, no.size() - 6), first_no.substr(0, first_no.size() - 6));
  EXPECT_EQ(std::stoll(no.substr(no.size() - 6)),
            std::stoll(first_no.substr(first_no.size() - 6)) + 1);
  EXPECT_FALSE(paid.at("receipt_code").as_string().empty());

  // A replayed key: the same receipt, byte for byte, on either path (the fast path reads it back
  // on a worker: its Reply's make blocks).
  auto replay_fast = OnIoThread("POST", kPay, cashier, Cash(200'00), "fast-2");
  ASSERT_TRUE(replay_fast.has_value());
  auto replay_worker = OnWorker("POST", kPay, cashier, Cash(200'00), "fast-2");
  EXPECT_EQ(replay_fast->status, 200);
  EXPECT_EQ(Header(*replay_fast, "Idempotent-Replayed"), "true");
  EXPECT_EQ(replay_fast->body, replay_worker.body);
  EXPECT_EQ(replay_fast->headers, replay_worker.headers);
  EXPECT_EQ(json::parse(replay_fast->body).at("receipt_no").as_string(), no);
  EXPECT_EQ(json::parse(replay_fast->body).at("receipt_code"), paid.at("receipt_code"));
  // The same key with another body: refused the same way.
  auto reused = OnIoThread("POST", kPay, cashier, Cash(300'00), "fast-2");
  ASSERT_TRUE(reused.has_value());
  EXPECT_EQ(reused->status, 409);
  EXPECT_EQ(reused->body, OnWorker("POST", kPay, cashier, Cash(300'00), "fast-2").body);

  // Refusals decided from memory are the worker's, byte for byte.
  for (const auto& [body, key, status] :
       {std::tuple<std::string, std::string, int>{Cash(100'00), "", 400},
        {Cash(0), "fast-bad-amount", 400},
        {"{\"property\": 1}", "fast-bad-json", 400},
        {Cash(100'00) + "x", "fast-not-json", 400}}) {
    auto fast = OnIoThread("POST", kPay, cashier, body, key);
    ASSERT_TRUE(fast.has_value()) << body;
    EXPECT_EQ(fast->status, status) << fast->body;
    auto worker = OnWorker("POST", kPay, cashier, body, key);
    EXPECT_EQ(fast->body, worker.body);
    EXPECT_EQ(fast->status, worker.status);
  }
  // No token at all: refused on the spot, as on a worker.
  auto anonymous = OnIoThread("POST", kPay, "", Cash(100'00), "fast-anon");
  ASSERT_TRUE(anonymous.has_value());
  EXPECT_EQ(anonymous->status, 401);
  EXPECT_EQ(anonymous->body, OnWorker("POST", kPay, "", Cash(100'00), "fast-anon").body);
}

TEST_F(PaymentFastPathTest, WrongRoleAndWrongUlbAreRefusedAsOnAWorker) {
  const std::string revenue = SignIn("indore.revenue");
  const std::string sehore = SignIn("sehore.cashier");
  // The first request of each reads the grants (on a worker) and is refused there.
  auto revenue_worker = OnWorker("POST", kPay, revenue, Cash(100'00), "role-1");
  EXPECT_EQ(revenue_worker.status, 403);
  auto sehore_worker = OnWorker("POST", kPay, sehore, Cash(100'00), "ulb-1");
  EXPECT_EQ(sehore_worker.status, 403);
  // Then the fast path refuses them too, with the same answer, and writes nothing.
  auto ledger = app_->ledgers().Ulb("0152");
  ASSERT_TRUE(ledger.ok());
  const uint64_t entries = (*ledger)->size();
  auto revenue_fast = OnIoThread("POST", kPay, revenue, Cash(100'00), "role-2");
  ASSERT_TRUE(revenue_fast.has_value());
  EXPECT_EQ(revenue_fast->status, 403);
  EXPECT_EQ(ErrorCode(*revenue_fast), "forbidden");
  EXPECT_EQ(revenue_fast->body, revenue_worker.body);
  auto sehore_fast = OnIoThread("POST", kPay, sehore, Cash(100'00), "ulb-2");
  ASSERT_TRUE(sehore_fast.has_value());
  EXPECT_EQ(sehore_fast->status, 403);
  EXPECT_EQ(sehore_fast->body, sehore_worker.body);
  // A ULB that does not exist, or a malformed code: left to the worker (404, 400).
  EXPECT_FALSE(
      OnIoThread("POST", "/api/v1/ulbs/9999/payments", sehore, Cash(100'00), "ulb-3").has_value());
  EXPECT_EQ(OnWorker("POST", "/api/v1/ulbs/9999/payments", sehore, Cash(100'00), "ulb-3").status,
            404);
  EXPECT_FALSE(
      OnIoThread("POST", "/api/v1/ulbs/12/payments", sehore, Cash(100'00), "ulb-4").has_value());
  EXPECT_EQ((*ledger)->size(), entries);
}

TEST_F(PaymentFastPathTest, EndedSessionsAreLeftToTheWorkerWhichRefusesThem) {
  const std::string cashier = SignIn("indore.cashier");
  const std::string admin = SignIn("indore.admin");
  ASSERT_EQ(OnWorker("POST", kPay, cashier, Cash(100'00), "end-1").status, 201);
  auto fast = OnIoThread("POST", kPay, cashier, Cash(100'00), "end-2");
  ASSERT_TRUE(fast.has_value());
  ASSERT_EQ(fast->status, 201);

  // A last-seen time due to be written (once a minute): the worker writes it, then the fast path
  // takes over again.
  app_->sessions().AdvanceClockForTest(std::chrono::seconds(61));
  EXPECT_FALSE(OnIoThread("POST", kPay, cashier, Cash(100'00), "end-3").has_value());
  ASSERT_EQ(OnWorker("POST", kPay, cashier, Cash(100'00), "end-3").status, 201);
  auto again = OnIoThread("POST", kPay, cashier, Cash(100'00), "end-4");
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->status, 201);

  // A revoked grant takes effect on the very next request.
  auto revoked = OnWorker("POST", "/api/v1/ulbs/0152/grants/revoke", admin,
                          R"({"username": "indore.cashier", "role": "cashier"})");
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_FALSE(OnIoThread("POST", kPay, cashier, Cash(100'00), "end-5").has_value());
  auto refused = OnWorker("POST", kPay, cashier, Cash(100'00), "end-5");
  EXPECT_EQ(refused.status, 403);
  auto granted = OnWorker("POST", "/api/v1/ulbs/0152/grants", admin,
                          R"({"username": "indore.cashier", "role": "cashier"})");
  ASSERT_EQ(granted.status, 200) << granted.body;
  ASSERT_EQ(OnWorker("POST", kPay, cashier, Cash(100'00), "end-6").status, 201);

  // Idle for 16 minutes: expired at once, with the same refusal as before.
  app_->sessions().AdvanceClockForTest(std::chrono::minutes(16));
  EXPECT_FALSE(OnIoThread("POST", kPay, cashier, Cash(100'00), "end-7").has_value());
  auto expired = OnWorker("POST", kPay, cashier, Cash(100'00), "end-7");
  EXPECT_EQ(expired.status, 401);
  EXPECT_EQ(ErrorCode(expired), "session_expired");
  EXPECT_FALSE(OnIoThread("POST", kPay, cashier, Cash(100'00), "end-8").has_value());
  EXPECT_EQ(ErrorCode(OnWorker("POST", kPay, cashier, Cash(100'00), "end-8")), "not_signed_in");
}

TEST_F(PaymentFastPathTest, SignOutTakesEffectAtOnce) {
  const std::string cashier = SignIn("indore.cashier");
  ASSERT_EQ(OnWorker("POST", kPay, cashier, Cash(100'00), "out-1").status, 201);
  auto fast = OnIoThread("POST", kPay, cashier, Cash(100'00), "out-2");
  ASSERT_TRUE(fast.has_value());
  ASSERT_EQ(fast->status, 201);
  ASSERT_EQ(OnWorker("DELETE", "/api/v1/session", cashier).status, 200);
  EXPECT_FALSE(OnIoThread("POST", kPay, cashier, Cash(100'00), "out-3").has_value());
  auto refused = OnWorker("POST", kPay, cashier, Cash(100'00), "out-3");
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(ErrorCode(refused), "not_signed_in");
}

}  // namespace
}  // namespace palika
