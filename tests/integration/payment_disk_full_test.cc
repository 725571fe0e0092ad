// A full disk under payments (issue 4, "Fault tests"): the real server runs with its SQLite writes
// drawing on a simulated free space (PALIKA_TEST_DISK_SPACE_FILE, store/sqlite/fault_vfs.h), which
// the test shrinks to nothing, to a few bytes (so a commit's write is torn half way), and gives
// back. While it is full a payment gets 503 "storage_full" in English and Hindi (nothing was
// recorded, try later) and nothing of it is kept; reads keep working; when space returns the same
// server takes payments again, without a restart, and a retried key collects once. Receipt
// numbers stay gapless and `palika verify` passes, also after a restart.

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "integration/server_fixture.h"

namespace palika::integration {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

std::string ReceiptNoOf(const http::ClientResponse& r) {
  const json::value v = ParseJson(r.body);
  const auto* no = v.is_object() ? v.get_object().if_contains("receipt_no") : nullptr;
  return no && no->is_string() ? std::string(no->get_string()) : "";
}

class PaymentDiskFullTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = PalikaServer::CreateDemo();
    ASSERT_NE(server_, nullptr);
    space_file_ = server_->root() / "free-space";
    server_->SetServerEnv("PALIKA_TEST_DISK_SPACE_FILE", space_file_.string());
    ASSERT_TRUE(server_->Start());
    cashier_ = server_->SignIn("indore.cashier");
    ASSERT_NE(cashier_, "");
    std::istringstream ids(
        server_->Query(kIndore, "SELECT id FROM properties ORDER BY num LIMIT 4"));
    for (std::string id; std::getline(ids, id);) properties_.push_back(id);
    ASSERT_EQ(properties_.size(), 4u);
  }

  void TearDown() override {
    if (HasFailure() && server_) server_->PrintLogTail();
    server_.reset();
  }

  // Free space for the server's SQLite writes from now on; -1: unlimited (no file).
  void SetFreeSpace(int64_t bytes) {
    if (bytes < 0) {
      fs::remove(space_file_);
      return;
    }
    // Replaced by rename, so the server never reads half a number.
    const fs::path tmp = space_file_.string() + ".tmp";
    std::ofstream(tmp) << bytes << "\n";
    fs::rename(tmp, space_file_);
  }

  std::string Body(int n) const {
    return json::serialize(json::object{{"property", properties_[static_cast<size_t>(n) % 4]},
                                        {"amount_paise", 100'00 + n},
                                        {"mode", "cash"},
                                        {"counter", n % 2 == 0 ? "C1" : "C2"}});
  }

  http::ClientResponse Pay(http::TestClient& client, int n) {
    return client.Request("POST", "/api/v1/ulbs/0152/payments", Body(n),
                          {{"Authorization", "Bearer " + cashier_},
                           {"Content-Type", "application/json"},
                           {"Idempotency-Key", fmt::format("disk-{}", n)}});
  }
  http::ClientResponse Pay(int n) {
    auto client = server_->NewClient();
    return Pay(*client, n);
  }

  // Pays n = first.. first+count-1 from `count` cashiers at once (so that they share commits);
  // returns n -> answer.
  std::map<int, http::ClientResponse> PayTogether(int first, int count) {
    std::map<int, http::ClientResponse> out;
    std::mutex mu;
    std::vector<std::thread> threads;
    for (int n = first; n < first + count; ++n) {
      threads.emplace_back([&, n, client = server_->NewClient()] {
        auto r = Pay(*client, n);
        std::lock_guard lk(mu);
        out[n] = std::move(r);
      });
    }
    for (auto& t : threads) t.join();
    return out;
  }

  // The keys the ledger recorded, of disk-first.. disk-(first+count-1).
  std::set<std::string> RecordedKeys() {
    std::istringstream rows(
        server_->Query(kIndore, "SELECT key FROM idempotency_keys WHERE key LIKE 'disk-%'"));
    std::set<std::string> out;
    for (std::string key; rows >> key;) out.insert(key);
    return out;
  }

  int64_t Payments() {
    return std::stoll(server_->Query(kIndore, "SELECT COUNT(*) FROM payments"));
  }

  std::unique_ptr<PalikaServer> server_;
  fs::path space_file_;
  std::string cashier_;
  std::vector<std::string> properties_;
};

TEST_F(PaymentDiskFullTest, PaymentsGet503WhileFullNothingHalfWrittenAndResumeWhenSpaceReturns) {
  std::map<int, std::string> acked;  // n -> receipt number
  const int64_t demo_payments = Payments();
  for (int n = 0; n < 3; ++n) {
    auto r = Pay(n);
    ASSERT_EQ(r.status, 201) << r.body;
    acked[n] = ReceiptNoOf(r);
  }

  // No space at all: refused, in both languages, with nothing recorded.
  SetFreeSpace(0);
  auto full = Pay(3);
  ASSERT_TRUE(IsApiError(full, 503, "storage_full"));
  EXPECT_THAT(full.body, HasSubstr("nothing was saved"));
  EXPECT_THAT(full.body, HasSubstr("Try again later"));
  EXPECT_EQ(full.Header("retry-after"), "60");
  EXPECT_FALSE(RecordedKeys().contains("disk-3"));
  EXPECT_EQ(Payments(), demo_payments + 3);

  // Reads keep working: a receipt, the dues, the property register, the health check.
  auto receipt = server_->Request("GET", "/api/v1/ulbs/0152/receipts/" + acked[0], "", cashier_);
  EXPECT_EQ(receipt.status, 200) << receipt.body;
  EXPECT_EQ(ReceiptNoOf(receipt), acked[0]);
  auto dues = server_->Request("GET", "/api/v1/ulbs/0152/properties/" + properties_[0] + "/dues",
                               "", cashier_);
  EXPECT_EQ(dues.status, 200) << dues.body;
  auto search =
      server_->Request("GET", "/api/v1/ulbs/0152/properties?q=" + properties_[1], "", cashier_);
  EXPECT_EQ(search.status, 200) << search.body;
  EXPECT_EQ(server_->Request("GET", "/healthz").status, 200);

  // The disk fills in the middle of commits: each budget lets a commit write part of its pages
  // (a torn write) or a whole commit and part of the next. Whatever was answered 201 is kept;
  // whatever was answered 503 left nothing behind.
  int n = 4;
  std::set<int> refused = {3};
  for (int64_t budget : {1, 5000, 40000, 70000, 100000, 150000, 250000, 400000}) {
    SCOPED_TRACE("free space " + std::to_string(budget));
    SetFreeSpace(budget);
    for (const auto& [i, r] : PayTogether(n, 6)) {
      if (r.status == 201) {
        acked[i] = ReceiptNoOf(r);
      } else {
        EXPECT_TRUE(IsApiError(r, 503, "storage_full")) << "payment " << i;
        refused.insert(i);
      }
    }
    n += 6;
    const auto recorded = RecordedKeys();
    for (int i : refused) {
      EXPECT_FALSE(recorded.contains(fmt::format("disk-{}", i))) << "refused payment " << i;
    }
    for (const auto& [i, no] : acked) {
      EXPECT_TRUE(recorded.contains(fmt::format("disk-{}", i))) << "acknowledged " << no;
    }
    EXPECT_EQ(Payments(), demo_payments + static_cast<int64_t>(acked.size()));
    for (const auto& problem : ReceiptNumberProblems(*server_, kIndore)) ADD_FAILURE() << problem;
  }
  EXPECT_GE(refused.size(), 10u) << "the small budgets must refuse most payments";
  std::cout << "disk filling: " << refused.size() << " payments refused with 503, "
            << acked.size() - 3 << " acknowledged on what space was left\n";

  // Sign-in writes too (the audit entry): refused the same way, not a 500.
  SetFreeSpace(0);
  auto sign_in = server_->Request(
      "POST", "/api/v1/session",
      json::serialize(json::object{{"username", "indore.accountant"},
                                   {"password", kDemoPassword},
                                   {"otp", server_->NextOtp("indore.accountant")}}));
  EXPECT_TRUE(IsApiError(sign_in, 503, "storage_full"));

  // Space returns: the same server, no restart. The refused keys collect now, once each.
  SetFreeSpace(-1);
  for (int i : refused) {
    auto r = Pay(i);
    ASSERT_EQ(r.status, 201) << "payment " << i << ": " << r.body;
    acked[i] = ReceiptNoOf(r);
    auto again = Pay(i);
    EXPECT_EQ(again.status, 200) << again.body;
    EXPECT_EQ(ReceiptNoOf(again), acked[i]);
  }
  EXPECT_EQ(Payments(), demo_payments + static_cast<int64_t>(acked.size()));
  for (const auto& problem : ReceiptNumberProblems(*server_, kIndore)) ADD_FAILURE() << problem;
  EXPECT_THAT(server_->ServerLog(), HasSubstr("storage is full"));

  // A clean stop (the final checkpoint needs space too), verify, and every receipt after a
  // restart.
  ASSERT_TRUE(server_->Stop());
  RunResult v = server_->Verify();
  EXPECT_EQ(v.exit_code, 0) << v.output;
  ASSERT_TRUE(server_->Start());
  for (const auto& [i, no] : acked) {
    auto r = server_->Request("GET", "/api/v1/ulbs/0152/receipts/" + no, "", cashier_);
    EXPECT_EQ(r.status, 200) << no << ": " << r.body;
  }
}

}  // namespace
}  // namespace palika::integration
