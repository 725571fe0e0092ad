// Online payment through the sandbox gateway over the real server and a real port, as a browser
// with JavaScript off would do it (forms and redirects): a success and its duplicate callback (one
// receipt), a forged signature (403) and a signed wrong amount (400) that record nothing, a
// failed payment, a lost callback found by the server's own reconciler, and one found by
// `palika gateway reconcile` while the server is stopped. Ends with `palika verify`.

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <string>
#include <thread>

#include "integration/server_fixture.h"
#include "services/payments/gateway.h"

namespace palika::integration {
namespace {

using ::testing::HasSubstr;

class OnlinePaymentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = PalikaServer::CreateDemo();
    ASSERT_NE(server_, nullptr);
    server_->set_serve_args({"--reconcile-every", "1"});
    ASSERT_TRUE(server_->Start());
    client_ = server_->NewClient();
    // A CSRF cookie, as any first page gives a browser.
    auto home = Get("/");
    ASSERT_EQ(home.status, 200);
    std::smatch m;
    const std::string cookies = home.Header("set-cookie");
    ASSERT_TRUE(std::regex_search(cookies, m, std::regex("palika_csrf=([0-9a-f]{64})")));
    csrf_ = m[1].str();
  }
  void TearDown() override {
    if (HasFailure() && server_) std::cerr << server_->ServerLog();
  }

  http::ClientResponse Get(const std::string& target) {
    return client_->Request("GET", target, "",
                            {{"Cookie", "palika_lang=en; palika_csrf=" + csrf_}});
  }
  http::ClientResponse Post(const std::string& target, const std::string& form) {
    return client_->Request("POST", target, form,
                            {{"Cookie", "palika_lang=en; palika_csrf=" + csrf_},
                             {"Content-Type", "application/x-www-form-urlencoded"}});
  }
  // Properties of Indore with something to pay online today, in id order.
  std::vector<std::string> PayableProperties(size_t n) {
    std::vector<std::string> out;
    for (int serial = 1; serial <= 60 && out.size() < n; ++serial) {
      const std::string id = fmt::format("01-{:06d}", serial);
      if (Get("/u/0152/p/" + id).body.find("id=\"pay-online\"") != std::string::npos) {
        out.push_back(id);
      }
    }
    return out;
  }
  // "Pay online" on the property page: the gateway page's address.
  std::string Start(const std::string& property) {
    auto r = Post("/u/0152/p/" + property + "/pay", "csrf=" + csrf_);
    EXPECT_EQ(r.status, 303) << r.body;
    const std::string to = r.Header("location");
    EXPECT_THAT(to, ::testing::StartsWith("/sandbox-gateway/pay/sbo_"));
    return to;
  }
  int64_t Count(const std::string& sql) { return std::stoll(server_->Query(kIndore, sql)); }
  int64_t OnlinePayments() { return Count("SELECT count(*) FROM payments WHERE mode = 'online'"); }
  std::string OrderStatus(const std::string& property) {
    return server_->Query(kIndore,
                          "SELECT group_concat(status) FROM online_orders WHERE "
                          "property_id = '" +
                              property + "'");
  }

  std::unique_ptr<PalikaServer> server_;
  std::unique_ptr<http::TestClient> client_;
  std::string csrf_;
};

TEST_F(OnlinePaymentTest, CallbacksAreCheckedSettledOnceAndLostOnesReconciled) {
  const auto props = PayableProperties(4);
  ASSERT_EQ(props.size(), 4u);

  // 1. Success: the gateway page is marked as a sandbox; paying comes back with a receipt.
  const std::string page = Start(props[0]);
  auto gateway = Get(page);
  ASSERT_EQ(gateway.status, 200);
  EXPECT_THAT(gateway.body, HasSubstr("SANDBOX — no real money"));
  auto paid = Post(page, "csrf=" + csrf_ + "&choice=success");
  ASSERT_EQ(paid.status, 303) << paid.body;
  const std::string callback = paid.Header("location");
  ASSERT_THAT(callback, ::testing::StartsWith("/u/0152/pay/return?order_id=0152-ON-"));
  auto back = Get(callback);
  ASSERT_EQ(back.status, 303) << back.body;
  const std::string outcome_url = back.Header("location");
  auto outcome = Get(outcome_url);
  ASSERT_EQ(outcome.status, 200);
  EXPECT_THAT(outcome.body, HasSubstr("Payment received"));
  std::smatch m;
  ASSERT_TRUE(std::regex_search(
      outcome.body, m,
      std::regex("href=\"(/u/0152/p/" + props[0] + "/receipts/0152-[0-9-]+-ON-[0-9]+\\.pdf)")));
  auto pdf = Get(m[1].str());
  EXPECT_EQ(pdf.status, 200);
  EXPECT_EQ(pdf.Header("content-type"), "application/pdf");
  EXPECT_EQ(pdf.body.substr(0, 5), "%PDF-");
  // The same number without the property id is refused (a receipt carries the payer's name).
  auto by_number =
      Get(std::regex_replace(m[1].str(), std::regex("/p/[^/]+/receipts/"), "/receipts/"));
  EXPECT_EQ(by_number.status, 404);
  EXPECT_THAT(by_number.body, HasSubstr("property id and receipt number"));
  // The duplicate callback: the same outcome, no second payment.
  auto dup = Get(callback);
  EXPECT_EQ(dup.status, 303);
  EXPECT_EQ(dup.Header("location"), outcome_url);
  EXPECT_EQ(OnlinePayments(), 1);
  EXPECT_EQ(OrderStatus(props[0]), "paid");

  // 2. A forged signature and a signed wrong amount: refused, nothing recorded.
  const auto entries = server_->EntryCounts()[kIndore];
  std::string forged = callback;
  char& last = forged.back();
  last = last == '0' ? '1' : '0';
  auto r = Get(forged);
  EXPECT_EQ(r.status, 403);
  EXPECT_THAT(r.body, HasSubstr("not signed by the payment gateway"));
  const std::string secret = [&] {
    std::ifstream in(server_->data_dir() / "sandbox-gateway" / "secret");
    std::string s;
    in >> s;
    return s;
  }();
  ASSERT_EQ(secret.size(), 64u);
  const std::string other = Start(props[1]);
  const std::string gid = other.substr(other.rfind('/') + 1);
  const std::string order_id =
      server_->Query(kIndore, "SELECT order_id FROM online_orders WHERE property_id = '" +
                                  props[1] + "' AND status = 'pending'");
  payments::GatewayCallback cheap{order_id, gid, "SBXTXNFAKE", 100, "success", ""};
  cheap.signature = payments::SignCallback(secret, cheap);
  r = Get("/u/0152/pay/return?order_id=" + order_id + "&gateway_order_id=" + gid +
          "&txn_id=SBXTXNFAKE&amount_paise=100&status=success&signature=" + cheap.signature);
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("Nothing was recorded"));
  // props[1]'s order_created, and the mismatch kept for the accountant (nothing collected).
  EXPECT_EQ(server_->EntryCounts()[kIndore], entries + 2);
  {
    auto in = Post("/staff/sign-in", "csrf=" + csrf_ +
                                         "&username=indore.accountant&password=" + kDemoPassword +
                                         "&otp=" + server_->NextOtp("indore.accountant"));
    ASSERT_EQ(in.status, 303) << in.body;
    std::smatch s;
    const std::string set_cookie = in.Header("set-cookie");
    ASSERT_TRUE(std::regex_search(set_cookie, s, std::regex("palika_staff=([^;]+);")));
    auto report = client_->Request(
        "GET", "/staff/0152/reports/collections", "",
        {{"Cookie", "palika_lang=en; palika_csrf=" + csrf_ + "; palika_staff=" + s[1].str()}});
    ASSERT_EQ(report.status, 200) << report.body;
    EXPECT_THAT(report.body, HasSubstr("Online payments to check with the gateway"));
    EXPECT_THAT(report.body, HasSubstr(order_id));
    EXPECT_THAT(report.body, HasSubstr("SBXTXNFAKE"));
    EXPECT_THAT(report.body, HasSubstr("₹1.00"));
  }
  EXPECT_EQ(OnlinePayments(), 1);

  // 3. The citizen fails the payment at the gateway: a clear failure, recorded as failed.
  auto failed = Post(other, "csrf=" + csrf_ + "&choice=failure");
  ASSERT_EQ(failed.status, 303);
  auto failed_back = Get(failed.Header("location"));
  ASSERT_EQ(failed_back.status, 303);
  auto failed_page = Get(failed_back.Header("location"));
  EXPECT_THAT(failed_page.body, HasSubstr("The payment did not go through"));
  EXPECT_THAT(failed_page.body, HasSubstr("No money was taken"));
  EXPECT_EQ(OrderStatus(props[1]), "failed");
  EXPECT_EQ(OnlinePayments(), 1);

  // 4. Paid, but the callback is lost: the server's reconciler (every second here) finds it.
  const std::string lost_page = Start(props[2]);
  auto lost = Post(lost_page, "csrf=" + csrf_ + "&choice=lost");
  ASSERT_EQ(lost.status, 200);
  EXPECT_THAT(lost.body, HasSubstr("SANDBOX — no real money"));
  for (int i = 0; i < 100 && OrderStatus(props[2]) != "paid"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(OrderStatus(props[2]), "paid");
  EXPECT_EQ(OnlinePayments(), 2);
  // Nothing is left to pay, so no second order can start.
  auto again = Post("/u/0152/p/" + props[2] + "/pay", "csrf=" + csrf_);
  EXPECT_EQ(again.status, 409);
  EXPECT_THAT(again.body, HasSubstr("nothing to pay"));

  // 5. Lost while the server goes down: `palika gateway reconcile` completes it by hand.
  ASSERT_TRUE(server_->Stop());
  server_->set_serve_args({"--reconcile-every", "3600"});
  ASSERT_TRUE(server_->Start());
  client_ = server_->NewClient();
  const std::string late_page = Start(props[3]);
  ASSERT_EQ(Post(late_page, "csrf=" + csrf_ + "&choice=lost").status, 200);
  ASSERT_TRUE(server_->Stop());
  EXPECT_EQ(OrderStatus(props[3]), "pending");
  RunResult rec = RunPalika({"gateway", "reconcile", "--data", server_->data_dir().string()});
  EXPECT_EQ(rec.exit_code, 0) << rec.output;
  EXPECT_THAT(rec.output, HasSubstr("1 pending checked with the gateway, 1 paid"));
  EXPECT_EQ(OrderStatus(props[3]), "paid");
  EXPECT_EQ(OnlinePayments(), 3);
  EXPECT_TRUE(ReceiptNumberProblems(*server_, kIndore).empty());
  RunResult v = server_->Verify();
  EXPECT_EQ(v.exit_code, 0) << v.output;
}

}  // namespace
}  // namespace palika::integration
