// Online payments: the callback signature (HMAC-SHA256 over the canonical fields), and the
// settlement rules through a real ULB ledger and the real sandbox gateway (its own SQLite file):
// one collection per order however often it is confirmed, a bad signature or a wrong amount
// records nothing, a lost callback is found by reconciliation, a pending order is settled before
// a new one starts, an abandoned order expires. Each test that writes ends by replaying the ledger.

#include "services/payments/online_payments.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "ledger/verify.h"
#include "services/accounts/journal.h"
#include "services/accounts/reports.h"
#include "services/payments/payments_testing.h"
#include "services/payments/sandbox_gateway.h"
#include "services/property_tax/billing.h"
#include "services/property_tax/demand.h"
#include "services/registry/registry.h"

namespace palika::payments {
namespace {

namespace fs = std::filesystem;

TEST(GatewaySignature, SignedFieldsVerifyAndAnyChangeBreaksIt) {
  GatewayCallback cb{"0152-ON-00aa11bb22cc", "sbo_1", "SBXTXN01", 123456, "success", ""};
  EXPECT_EQ(CallbackSigningText(cb), "0152-ON-00aa11bb22cc|sbo_1|SBXTXN01|123456|success");
  cb.signature = SignCallback("merchant-secret", cb);
  // What any HMAC-SHA256 gives for that text and key (Python's hmac module, for one).
  EXPECT_EQ(cb.signature, "9ea8e5b10c73e67fd861a1474e6a82a1613710514c3d357138b216e34dab066e");
  EXPECT_TRUE(CallbackSignatureValid("merchant-secret", cb));
  EXPECT_FALSE(CallbackSignatureValid("another-secret", cb));
  EXPECT_FALSE(CallbackSignatureValid("", cb));  // no secret configured: nothing verifies

  auto tampered = [&](auto change) {
    GatewayCallback c = cb;
    change(c);
    return CallbackSignatureValid("merchant-secret", c);
  };
  EXPECT_FALSE(tampered([](auto& c) { c.order_id = "0152-ON-00aa11bb22cd"; }));
  EXPECT_FALSE(tampered([](auto& c) { c.gateway_order_id = "sbo_2"; }));
  EXPECT_FALSE(tampered([](auto& c) { c.txn_id = "SBXTXN02"; }));
  EXPECT_FALSE(tampered([](auto& c) { c.amount_paise = 100; }));
  EXPECT_FALSE(tampered([](auto& c) { c.status = "failure"; }));
  EXPECT_FALSE(tampered([](auto& c) { c.signature[0] = c.signature[0] == 'a' ? 'b' : 'a'; }));
  EXPECT_FALSE(tampered([](auto& c) { c.signature.pop_back(); }));
  EXPECT_FALSE(tampered([](auto& c) { c.signature = ""; }));
}

using test::kUlb;

// The payments fixture (ULB 0152, the demo demand, one property) with the real sandbox gateway.
class OnlinePaymentsTest : public test::PaymentsFixture {
 protected:
  void SetUp() override {
    PaymentsFixture::SetUp();
    if (HasFatalFailure()) return;
    OpenGateway(std::chrono::minutes(15));
  }
  void TearDown() override {
    online_.reset();
    gateway_.reset();
    PaymentsFixture::TearDown();
  }
  void OpenGateway(std::chrono::seconds ttl) {
    online_.reset();
    gateway_.reset();
    auto g = SandboxGateway::Open(dir_, ttl);
    ASSERT_TRUE(g.ok()) << g.status().ToString();
    gateway_ = std::move(*g);
    online_ = std::make_unique<OnlinePayments>(*ledgers_, gateway_.get(), gateway_->secret());
  }
  Result<StartedOrder> Start() {
    return online_->Start(kUlb, property_, "/u/0152/pay/return", "Indore", "इंदौर");
  }
  std::string GatewayId(const StartedOrder& s) {
    return s.redirect_url.substr(s.redirect_url.rfind('/') + 1);
  }
  int64_t Payments() { return Count("SELECT count(*) FROM payments"); }
  void ExpectReplayMatches() {
    online_.reset();
    PaymentsFixture::ExpectReplayMatches();
  }

  std::unique_ptr<SandboxGateway> gateway_;
  std::unique_ptr<OnlinePayments> online_;
};

TEST_F(OnlinePaymentsTest, SandboxSecretIsMadeOnceAndPrivate) {
  struct stat st {};
  ASSERT_EQ(::stat(SandboxGateway::SecretFile(dir_).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const std::string first = gateway_->secret();
  OpenGateway(std::chrono::minutes(15));
  EXPECT_EQ(gateway_->secret(), first);
  EXPECT_GE(first.size(), 64u);
}

TEST_F(OnlinePaymentsTest, SuccessCollectsTheOnlineDuesOnceHoweverOftenConfirmed) {
  auto online_dues = property_tax::Billing(*ledgers_).DuesOf(
      kUlb, property_, CivilDate::IstDateOfUtcMicros(NowMicros()), true);
  ASSERT_TRUE(online_dues.ok());
  auto started = Start();
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  EXPECT_EQ(started->order.amount, online_dues->net);
  EXPECT_EQ(started->order.status, "pending");
  EXPECT_FALSE(started->resumed);

  auto outcome = gateway_->Choose(GatewayId(*started), SandboxGateway::Choice::kSuccess);
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  auto paid = online_->HandleCallback(kUlb, outcome->callback);
  ASSERT_TRUE(paid.ok()) << paid.status().ToString();
  EXPECT_EQ(paid->status, "paid");
  EXPECT_THAT(paid->receipt_no, ::testing::HasSubstr("/ON/"));
  // The duplicate callback, and reconciliation after it: the same receipt, one payment.
  auto again = online_->HandleCallback(kUlb, outcome->callback);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->receipt_no, paid->receipt_no);
  EXPECT_EQ(online_->Reconcile(kUlb).checked, 0);
  EXPECT_EQ(Payments(), 1);
  auto p = payments::Payments(*ledgers_).Get(kUlb, paid->receipt_no);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->mode, "online");
  EXPECT_EQ(p->reference, outcome->callback.txn_id);
  EXPECT_EQ(p->amount, started->order.amount);
  // Posted to the gateway's clearing account (the gateway settles into the bank later), and still
  // counted as collected that day; the trial balance balances.
  EXPECT_EQ(Count("SELECT SUM(debit_paise) FROM journal_lines WHERE account = '450-10-52'"),
            p->amount.paise());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM journal_lines WHERE account = '450-21'"), 0);
  ASSERT_TRUE((*ledgers_->Ulb(kUlb))
                  ->Read([&](store::Transaction& tx) -> Status {
                    PALIKA_ASSIGN_OR_RETURN(auto reg, accounts::CollectionRegister(tx, p->date));
                    EXPECT_EQ(reg.net, p->amount);
                    PALIKA_ASSIGN_OR_RETURN(auto net, accounts::NetCollected(tx, p->date, p->date));
                    EXPECT_EQ(net, p->amount);
                    PALIKA_ASSIGN_OR_RETURN(auto tb, accounts::TrialBalance(tx, p->date));
                    EXPECT_EQ(tb.debit_balance, tb.credit_balance);
                    EXPECT_EQ(tb.debit, tb.credit);
                    return Status::OK();
                  })
                  .ok());
  ExpectReplayMatches();
}

// A wrong amount collects nothing, but it is kept (once) for the ULB to check with the gateway.
TEST_F(OnlinePaymentsTest, BadSignatureRecordsNothingAndAWrongAmountOnlyItsMismatch) {
  auto started = Start();
  ASSERT_TRUE(started.ok());
  auto outcome = gateway_->Choose(GatewayId(*started), SandboxGateway::Choice::kSuccess);
  ASSERT_TRUE(outcome.ok());
  const uint64_t entries = (*ledgers_->Ulb(kUlb))->size();

  GatewayCallback forged = outcome->callback;
  forged.signature = SignCallback("not-the-merchant-secret", forged);
  auto r = online_->HandleCallback(kUlb, forged);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), "bad_signature");

  GatewayCallback cheaper = outcome->callback;
  cheaper.amount_paise = 100;
  cheaper.signature = SignCallback(gateway_->secret(), cheaper);  // signed, but not the order's
  r = online_->HandleCallback(kUlb, cheaper);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), "amount_mismatch");
  EXPECT_EQ((*ledgers_->Ulb(kUlb))->size(), entries + 1);
  r = online_->HandleCallback(kUlb, cheaper);  // the same again: nothing more
  EXPECT_EQ(r.status().code(), "amount_mismatch");
  auto mismatches = online_->Mismatches(kUlb);
  ASSERT_TRUE(mismatches.ok());
  ASSERT_EQ(mismatches->size(), 1u);
  EXPECT_EQ((*mismatches)[0].order_id, started->order.order_id);
  EXPECT_EQ((*mismatches)[0].property_id, property_);
  EXPECT_EQ((*mismatches)[0].expected, started->order.amount);
  EXPECT_EQ((*mismatches)[0].reported, Money::FromPaise(100));
  EXPECT_EQ((*mismatches)[0].txn_id, cheaper.txn_id);

  GatewayCallback other = outcome->callback;
  other.order_id = "0152-ON-000000000000";
  other.signature = SignCallback(gateway_->secret(), other);
  r = online_->HandleCallback(kUlb, other);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), "order_not_found");

  EXPECT_EQ((*ledgers_->Ulb(kUlb))->size(), entries + 1);
  EXPECT_EQ(Payments(), 0);
  auto order = online_->Get(kUlb, started->order.order_id);
  ASSERT_TRUE(order.ok());
  EXPECT_EQ(order->status, "pending");
  ExpectReplayMatches();
}

TEST_F(OnlinePaymentsTest, FailureIsRecordedAndANewOrderMayFollow) {
  auto started = Start();
  ASSERT_TRUE(started.ok());
  auto outcome = gateway_->Choose(GatewayId(*started), SandboxGateway::Choice::kFailure);
  ASSERT_TRUE(outcome.ok());
  auto failed = online_->HandleCallback(kUlb, outcome->callback);
  ASSERT_TRUE(failed.ok()) << failed.status().ToString();
  EXPECT_EQ(failed->status, "failed");
  EXPECT_EQ(Payments(), 0);
  auto next = Start();
  ASSERT_TRUE(next.ok());
  EXPECT_NE(next->order.order_id, started->order.order_id);
  EXPECT_FALSE(next->resumed);
  ExpectReplayMatches();
}

TEST_F(OnlinePaymentsTest, LostCallbackIsFoundByReconciliation) {
  auto started = Start();
  ASSERT_TRUE(started.ok());
  auto outcome =
      gateway_->Choose(GatewayId(*started), SandboxGateway::Choice::kSuccessLoseCallback);
  ASSERT_TRUE(outcome.ok());
  EXPECT_FALSE(outcome->deliver);
  EXPECT_EQ(Payments(), 0);
  ReconcileReport report = online_->Reconcile("");
  EXPECT_EQ(report.checked, 1);
  EXPECT_EQ(report.paid, 1);
  EXPECT_TRUE(report.problems.empty());
  auto order = online_->Get(kUlb, started->order.order_id);
  ASSERT_TRUE(order.ok());
  EXPECT_EQ(order->status, "paid");
  EXPECT_EQ(order->txn_id, outcome->callback.txn_id);
  // The callback arriving late after all: the same receipt.
  auto late = online_->HandleCallback(kUlb, outcome->callback);
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(late->receipt_no, order->receipt_no);
  EXPECT_EQ(Payments(), 1);
  ExpectReplayMatches();
}

TEST_F(OnlinePaymentsTest, NewPaymentSettlesAPendingOrderFirstSoNobodyPaysTwice) {
  auto first = Start();
  ASSERT_TRUE(first.ok());
  // Still open at the gateway (the citizen pressed "Pay online" twice): the same order again.
  auto twice = Start();
  ASSERT_TRUE(twice.ok());
  EXPECT_TRUE(twice->resumed);
  EXPECT_EQ(twice->order.order_id, first->order.order_id);
  EXPECT_EQ(twice->redirect_url, first->redirect_url);

  // Paid at the gateway, callback lost; the citizen starts again: the first is collected and
  // nothing is left to pay.
  ASSERT_TRUE(
      gateway_->Choose(GatewayId(*first), SandboxGateway::Choice::kSuccessLoseCallback).ok());
  auto again = Start();
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), "nothing_due");
  EXPECT_EQ(Payments(), 1);
  auto order = online_->Get(kUlb, first->order.order_id);
  ASSERT_TRUE(order.ok());
  EXPECT_EQ(order->status, "paid");
  ExpectReplayMatches();
}

TEST_F(OnlinePaymentsTest, AnAbandonedOrderExpiresAtTheGatewayAndReconcilesAsFailed) {
  OpenGateway(std::chrono::seconds(0));
  auto started = Start();
  ASSERT_TRUE(started.ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ReconcileReport report = online_->Reconcile(kUlb);
  EXPECT_EQ(report.failed, 1);
  auto order = online_->Get(kUlb, started->order.order_id);
  ASSERT_TRUE(order.ok());
  EXPECT_EQ(order->status, "failed");
  EXPECT_EQ(order->reason, "expired");
  // Choosing "success" on the expired gateway page is refused there: it stays a failure.
  auto late = gateway_->Choose(GatewayId(*started), SandboxGateway::Choice::kSuccess);
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(late->callback.status, kGatewayFailure);
  EXPECT_EQ(Payments(), 0);
}

TEST_F(OnlinePaymentsTest, OffWithoutAGateway) {
  OnlinePayments off(*ledgers_, nullptr, "");
  auto r = off.Start(kUlb, property_, "/r", "Indore", "इंदौर");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), "online_payments_off");
}

}  // namespace
}  // namespace palika::payments
