// The ledger writer's pipelined WAL sync under payments, on the real server (docs/ledger-format.md,
// "Files"): the server runs with its SQLite syncs under the test's control
// (PALIKA_TEST_SYNC_FAULT_FILE, store/sqlite/fault_vfs.h). While a payment's sync is held, the
// payment is committed (in the file) but the cashier gets no answer and a backup puller gets no
// entry of it, not even once a checkpoint covering it is stored; when the sync passes, both
// arrive. When the sync fails, the cashier gets 503 storage_sync_failed, never 201, the ULB takes
// no more payments until a restart, and after it a retry with the same key collects once.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <fstream>
#include <future>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "integration/server_fixture.h"

namespace palika::integration {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

class PaymentSyncTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = PalikaServer::CreateDemo();
    ASSERT_NE(server_, nullptr);
    RunResult r = RunPalika({"token", "add", "--data", server_->data_dir().string(), "--role",
                             "replication", "--name", "backup-1"});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    std::istringstream lines(r.output);
    for (std::string line; std::getline(lines, line);) {
      if (line.size() == 43 && line.find(' ') == std::string::npos) token_ = line;
    }
    ASSERT_EQ(token_.size(), 43u) << r.output;
    control_ = server_->root() / "syncs";
    server_->SetServerEnv("PALIKA_TEST_SYNC_FAULT_FILE", control_.string());
    ASSERT_TRUE(server_->Start());
    cashier_ = server_->SignIn("indore.cashier");
    ASSERT_NE(cashier_, "");
    std::istringstream ids(
        server_->Query(kIndore, "SELECT id FROM properties ORDER BY num LIMIT 2"));
    for (std::string id; std::getline(ids, id);) properties_.push_back(id);
    ASSERT_EQ(properties_.size(), 2u);
  }

  void TearDown() override {
    if (HasFailure() && server_) server_->PrintLogTail();
    server_.reset();
  }

  // "hold", "fail" or "pass" for every SQLite sync of the server from now on.
  void Syncs(const std::string& word) {
    const fs::path tmp = control_.string() + ".tmp";
    std::ofstream(tmp) << word << "\n";
    fs::rename(tmp, control_);
  }

  http::ClientResponse Pay(int n) {
    auto client = server_->NewClient();
    return client->Request(
        "POST", "/api/v1/ulbs/0152/payments",
        json::serialize(json::object{{"property", properties_[static_cast<size_t>(n) % 2]},
                                     {"amount_paise", 100'00 + n},
                                     {"mode", "cash"},
                                     {"counter", "C1"}}),
        {{"Authorization", "Bearer " + cashier_},
         {"Content-Type", "application/json"},
         {"Idempotency-Key", fmt::format("sync-{}", n)}});
  }

  // Whether the ledger file holds payment n's key (committed, synced or not).
  bool Recorded(int n) {
    return server_->Query(kIndore, fmt::format("SELECT COUNT(*) FROM idempotency_keys WHERE key "
                                               "= 'sync-{}'",
                                               n)) == "1";
  }
  bool WaitRecorded(int n) {
    for (int i = 0; i < 300; ++i) {
      if (Recorded(n)) return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }
  int64_t StoredCheckpoint() {
    return std::stoll(server_->Query(kIndore, "SELECT MAX(size) FROM ledger_checkpoints"));
  }

  // What a backup puller is served after `after` (waiting up to `wait` s for a checkpoint).
  json::object Entries(uint64_t after, int wait = 0) {
    auto r = server_->Request(
        "GET",
        fmt::format("/api/v1/replication/ledgers/0152/entries?after={}&limit=50000&wait={}", after,
                    wait),
        "", token_);
    EXPECT_EQ(r.status, 200) << r.body;
    json::value v = ParseJson(r.body);
    return v.is_object() ? v.get_object() : json::object{};
  }

  std::unique_ptr<PalikaServer> server_;
  fs::path control_;
  std::string token_;
  std::string cashier_;
  std::vector<std::string> properties_;
};

TEST_F(PaymentSyncTest, NoReceiptAndNoEntryForABackupBeforeThePaymentsSync) {
  ASSERT_EQ(Pay(0).status, 201);
  // What a backup may have: up to the checkpoint over the first payment (signed within 1 s).
  const auto synced = std::stoull(server_->Query(kIndore, "SELECT COUNT(*) FROM ledger_entries"));
  uint64_t served = 0;
  for (int i = 0; i < 100 && served != synced; ++i) {
    served = Entries(synced - 1, 1)["checkpoint_size"].to_number<uint64_t>();
  }
  ASSERT_EQ(served, synced);

  Syncs("hold");
  auto paid = std::async(std::launch::async, [&] { return Pay(1); });
  ASSERT_TRUE(WaitRecorded(1)) << "the payment was never committed";
  // Past the checkpoint interval: the file holds a checkpoint over the payment...
  std::this_thread::sleep_for(1500ms);
  EXPECT_GT(StoredCheckpoint(), static_cast<int64_t>(synced));
  // ...but the cashier has no receipt and a backup gets nothing of it.
  ASSERT_EQ(paid.wait_for(0s), std::future_status::timeout) << "answered before its sync";
  json::object none = Entries(synced, 1);
  EXPECT_EQ(none["entries"].as_array().size(), 0u) << json::serialize(none);
  EXPECT_EQ(none["checkpoint_size"].to_number<uint64_t>(), 0u);
  EXPECT_EQ(none["size"].to_number<uint64_t>(), synced);

  Syncs("pass");
  auto r = paid.get();
  ASSERT_EQ(r.status, 201) << r.body;
  json::object next = Entries(synced, 10);
  ASSERT_GT(next["entries"].as_array().size(), 0u) << json::serialize(next);
  bool found = false;
  for (const auto& e : next["entries"].as_array()) {
    found |= std::string(e.at("payload").as_string()).find("sync-1") != std::string::npos;
  }
  EXPECT_TRUE(found) << "the payment's entries did not reach the backup after its sync";
}

TEST_F(PaymentSyncTest, AFailedSyncGivesNo201AndStopsTheUlbsWritesUntilARestart) {
  ASSERT_EQ(Pay(0).status, 201);
  Syncs("hold");
  auto paid = std::async(std::launch::async, [&] { return Pay(1); });
  ASSERT_TRUE(WaitRecorded(1));
  Syncs("fail");
  auto failed = paid.get();
  EXPECT_TRUE(IsApiError(failed, 503, "storage_sync_failed")) << failed.body;

  // Halted, even though the disk answers again: no payment is taken, none is half taken.
  Syncs("pass");
  EXPECT_TRUE(IsApiError(Pay(2), 503, "storage_sync_failed"));
  EXPECT_FALSE(Recorded(2));
  EXPECT_NE(server_->ServerLog().find("syncing the WAL failed"), std::string::npos);
  // Reads keep working.
  EXPECT_EQ(server_->Request("GET", "/api/v1/ulbs/0152/properties/" + properties_[0], "", cashier_)
                .status,
            200);

  // A restart syncs the WAL before serving; the retried keys collect once each.
  ASSERT_TRUE(server_->Restart());
  cashier_ = server_->SignIn("indore.cashier");
  // Payment 1 was committed before its sync failed; here the page cache still had it, so its key
  // answers with the stored receipt (200). Payment 2 was never taken.
  auto one = Pay(1);
  EXPECT_TRUE(one.status == 200 || one.status == 201) << one.body;
  auto two = Pay(2);
  EXPECT_EQ(two.status, 201) << two.body;
  auto again = Pay(1);
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(ParseJson(again.body).at("receipt_no"), ParseJson(one.body).at("receipt_no"));
  EXPECT_EQ(
      server_->Query(kIndore, "SELECT COUNT(*) FROM idempotency_keys WHERE key LIKE 'sync-%'"),
      "3");
  EXPECT_TRUE(ReceiptNumberProblems(*server_, kIndore).empty());
  ASSERT_TRUE(server_->Stop());
  RunResult v = server_->Verify();
  EXPECT_EQ(v.exit_code, 0) << v.output;
}

}  // namespace
}  // namespace palika::integration
