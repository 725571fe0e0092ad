// Kill -9 under payment load (issue 4, "Fault tests"). Cashiers collect at both counters of the
// three demo ULBs, each payment with its own Idempotency-Key, while the real server is killed with
// SIGKILL at a random moment, many times over: PALIKA_FAULT_CYCLES cycles (50 by default, which
// `make test` runs; `make fault` runs 1,000). After each restart:
// - every payment whose answer a cashier received is there, with the same receipt number and
//   amount (its receipt is read back over HTTP);
// - a payment whose answer was lost is either absent or there exactly once: retrying its key
//   gives back the receipt it got, or collects it now; never a second receipt;
// - the ULB holds exactly the payments the cashiers were given receipts for, no more;
// - every ULB/FY/series of receipt numbers runs 1..n with no gap and no number twice;
// - `palika verify` passes: right after the restart every PALIKA_FAULT_VERIFY_EVERY cycles (5),
//   and after a clean stop at the end.
// And SIGTERM under the same load: a clean exit, every acknowledged payment there, the ones in
// flight either done or refused with nothing saved.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "integration/server_fixture.h"

namespace palika::integration {
namespace {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

constexpr int kCashiersPerUlb = 2;  // one at counter C1, one at C2
constexpr int kPropertiesPerUlb = 6;
constexpr int kMaxSentBeforeKill = 40;

int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::max(1, std::atoi(v)) : fallback;
}

struct Payment {
  std::string ulb;
  std::string key;
  std::string body;  // as sent; a retry sends it again
  std::string property;
  int64_t amount = 0;
  std::string receipt_no;  // once acknowledged
};

// What the cashiers sent and were told, over every cycle. Thread-safe.
class Book {
 public:
  void Acknowledged(Payment p) {
    std::lock_guard lk(mu_);
    fresh_.push_back(p);
    paid_.push_back(std::move(p));
  }
  void Lost(Payment p) {
    std::lock_guard lk(mu_);
    lost_.push_back(std::move(p));
  }
  void Refused(Payment p) {
    std::lock_guard lk(mu_);
    refused_.push_back(std::move(p));
  }
  void Unexpected(std::string what) {
    std::lock_guard lk(mu_);
    unexpected_.push_back(std::move(what));
  }
  std::vector<Payment> TakeLost() {
    std::lock_guard lk(mu_);
    return std::exchange(lost_, {});
  }
  std::vector<Payment> TakeRefused() {
    std::lock_guard lk(mu_);
    return std::exchange(refused_, {});
  }
  std::vector<Payment> TakeFresh() {
    std::lock_guard lk(mu_);
    return std::exchange(fresh_, {});
  }
  std::vector<std::string> TakeUnexpected() {
    std::lock_guard lk(mu_);
    return std::exchange(unexpected_, {});
  }
  std::vector<Payment> paid() {
    std::lock_guard lk(mu_);
    return paid_;
  }

 private:
  std::mutex mu_;                 // guards everything below
  std::vector<Payment> paid_;     // acknowledged, every cycle
  std::vector<Payment> fresh_;    // acknowledged since the last TakeFresh
  std::vector<Payment> lost_;     // sent, no answer, not yet resolved
  std::vector<Payment> refused_;  // answered 503 "shutting_down", not yet retried
  std::vector<std::string> unexpected_;
};

struct Cashier {
  std::string ulb;
  std::string token;
  std::string counter;
  std::vector<std::string> properties;
};

std::string Target(const std::string& ulb) { return "/api/v1/ulbs/" + ulb + "/payments"; }

std::string ReceiptNoOf(const http::ClientResponse& r) {
  const json::value v = ParseJson(r.body);
  const auto* no = v.is_object() ? v.get_object().if_contains("receipt_no") : nullptr;
  return no && no->is_string() ? std::string(no->get_string()) : "";
}

int64_t AmountOf(const http::ClientResponse& r) {
  const json::value v = ParseJson(r.body);
  const auto* a = v.is_object() ? v.get_object().if_contains("amount_paise") : nullptr;
  return a && a->is_int64() ? a->as_int64() : -1;
}

http::ClientResponse Post(http::TestClient& client, const Cashier& c, const Payment& p) {
  return client.Request("POST", Target(p.ulb), p.body,
                        {{"Authorization", "Bearer " + c.token},
                         {"Content-Type", "application/json"},
                         {"Idempotency-Key", p.key}});
}

// One cashier's thread: collects until stopped or the server goes away.
void Collect(http::TestClient& client, const Cashier& c, const std::string& key_prefix,
             uint32_t seed, const std::atomic<bool>& stop, std::atomic<int>& sent, Book& book) {
  std::mt19937 random(seed);
  for (int n = 0; !stop; ++n) {
    Payment p;
    p.ulb = c.ulb;
    p.key = key_prefix + std::to_string(n);
    p.property = c.properties[static_cast<size_t>(n) % c.properties.size()];
    p.amount = std::uniform_int_distribution<int64_t>(1'00, 20'000'00)(random);
    json::object body{{"property", p.property}, {"amount_paise", p.amount}, {"counter", c.counter}};
    if (n % 3 == 2) {
      body["mode"] = "upi";
      body["reference"] = fmt::format("UPI {:012}", random() % 1'000'000'000'000);
    } else {
      body["mode"] = "cash";
    }
    p.body = json::serialize(body);
    ++sent;
    auto r = Post(client, c, p);
    if (r.status == 201 && !ReceiptNoOf(r).empty() && AmountOf(r) == p.amount) {
      p.receipt_no = ReceiptNoOf(r);
      book.Acknowledged(std::move(p));
    } else if (r.status == 0) {  // killed before it answered (or before it was even asked)
      book.Lost(std::move(p));
      return;
    } else if (r.status == 503 && r.body.find("shutting_down") != std::string::npos) {
      book.Refused(std::move(p));  // a graceful stop: "nothing was saved"
      return;
    } else {
      book.Unexpected(Describe("POST", Target(p.ulb) + " key " + p.key, r));
      return;
    }
  }
}

class PaymentCrashTest : public DemoServerTest {
 protected:
  void SetUp() override {
    DemoServerTest::SetUp();
    if (HasFatalFailure()) return;
    for (const auto& [ulb, prefix] :
         {std::pair{kIndore, "indore"}, {kSehore, "sehore"}, {kSanwer, "sanwer"}}) {
      const std::string token = server_->SignIn(std::string(prefix) + ".cashier");
      ASSERT_NE(token, "");
      std::vector<std::string> properties;
      std::istringstream ids(server_->Query(
          ulb, fmt::format("SELECT id FROM properties ORDER BY num LIMIT {}", kPropertiesPerUlb)));
      for (std::string id; std::getline(ids, id);) properties.push_back(id);
      ASSERT_FALSE(properties.empty()) << ulb;
      for (int i = 0; i < kCashiersPerUlb; ++i) {
        cashiers_.push_back({ulb, token, i % 2 == 0 ? "C1" : "C2", properties});
      }
      ulbs_.push_back(ulb);
      demo_payments_[ulb] = std::stoll(server_->Query(ulb, "SELECT COUNT(*) FROM payments"));
    }
  }

  const Cashier& CashierOf(const std::string& ulb) const {
    return *std::find_if(cashiers_.begin(), cashiers_.end(),
                         [&](const Cashier& c) { return c.ulb == ulb; });
  }

  // Payments whose answer was lost: which of them the ULB recorded (key -> receipt number), from
  // its idempotency keys, read before anything is retried.
  std::map<std::string, std::string> RecordedKeys(const std::vector<Payment>& lost) {
    std::map<std::string, std::string> out;
    for (const auto& ulb : ulbs_) {
      std::string keys;
      for (const auto& p : lost) {
        if (p.ulb == ulb) keys += (keys.empty() ? "'" : ",'") + p.key + "'";
      }
      if (keys.empty()) continue;
      std::istringstream rows(
          server_->Query(ulb,
                         "SELECT key || ' ' || json_extract(response, '$.receipt_no') FROM "
                         "idempotency_keys WHERE key IN (" +
                             keys + ")"));
      for (std::string key, no; rows >> key >> no;) out[key] = no;
    }
    return out;
  }

  // Everything the file comment promises, after a restart.
  void CheckAfterRestart() {
    // Lost answers first, before a retry changes anything.
    std::vector<Payment> lost = book_.TakeLost();
    const std::vector<Payment> refused = book_.TakeRefused();
    for (const auto& [key, no] : RecordedKeys(refused)) {
      ADD_FAILURE() << "payment " << key << " was refused (shutting down) but recorded as " << no;
    }
    refused_ += static_cast<int>(refused.size());
    lost.insert(lost.end(), refused.begin(), refused.end());  // retried: collected now, once
    const auto recorded = RecordedKeys(lost);
    auto client = server_->NewClient();
    for (auto& p : lost) {
      SCOPED_TRACE("lost answer, key " + p.key);
      auto r = Post(*client, CashierOf(p.ulb), p);
      auto it = recorded.find(p.key);
      if (it != recorded.end()) {
        ++lost_but_recorded_;
        EXPECT_EQ(r.status, 200) << Describe("POST", Target(p.ulb), r);
        EXPECT_EQ(r.Header("idempotent-replayed"), "true");
        EXPECT_EQ(ReceiptNoOf(r), it->second) << "a retry must give back the receipt it got";
      } else {
        ++lost_and_absent_;
        EXPECT_EQ(r.status, 201) << Describe("POST", Target(p.ulb), r);
      }
      EXPECT_EQ(AmountOf(r), p.amount);
      if (r.status != 200 && r.status != 201) continue;
      p.receipt_no = ReceiptNoOf(r);
      book_.Acknowledged(p);
    }

    // This cycle's receipts, read back over HTTP.
    for (const auto& p : book_.TakeFresh()) {
      const std::string target = "/api/v1/ulbs/" + p.ulb + "/receipts/" + p.receipt_no;
      auto r = client->Request("GET", target, "", Bearer(CashierOf(p.ulb).token));
      EXPECT_EQ(r.status, 200) << "acknowledged, key " << p.key << ": "
                               << Describe("GET", target, r);
      EXPECT_EQ(ReceiptNoOf(r), p.receipt_no);
      EXPECT_EQ(AmountOf(r), p.amount) << p.receipt_no;
    }

    // Every receipt of every cycle, and nothing else, in each ULB's payments; numbers gapless.
    std::map<std::string, std::map<std::string, const Payment*>> paid;  // ulb -> receipt -> payment
    const std::vector<Payment> all = book_.paid();
    for (const auto& p : all) {
      EXPECT_TRUE(paid[p.ulb].emplace(p.receipt_no, &p).second)
          << p.receipt_no << " was given to two payments";
    }
    for (const auto& ulb : ulbs_) {
      std::map<std::string, int64_t> stored;
      std::istringstream rows(
          server_->Query(ulb, "SELECT receipt_no || ' ' || amount_paise FROM payments"));
      for (std::string no; rows >> no;) rows >> stored[no];
      for (const auto& [no, p] : paid[ulb]) {
        auto it = stored.find(no);
        if (it == stored.end()) {
          ADD_FAILURE() << "acknowledged receipt " << no << " (key " << p->key << ") is lost";
        } else {
          EXPECT_EQ(it->second, p->amount) << no;
        }
      }
      EXPECT_EQ(stored.size(), static_cast<size_t>(demo_payments_[ulb]) + paid[ulb].size())
          << ulb << ": payments that no cashier was given a receipt for";
      for (const auto& problem : ReceiptNumberProblems(*server_, ulb)) ADD_FAILURE() << problem;
    }
  }

  std::vector<Cashier> cashiers_;
  std::vector<std::string> ulbs_;
  std::map<std::string, int64_t> demo_payments_;
  Book book_;
  int lost_but_recorded_ = 0;
  int lost_and_absent_ = 0;
  int refused_ = 0;
};

TEST_F(PaymentCrashTest, KillNineWhileCashiersCollectLosesNoReceiptAndLeavesNoGap) {
  const int cycles = EnvInt("PALIKA_FAULT_CYCLES", 50);
  const int verify_every = EnvInt("PALIKA_FAULT_VERIFY_EVERY", 5);
  const uint32_t seed = std::random_device{}();
  std::cout << "seed " << seed << "\n";
  std::mt19937 random(seed);
  const auto started = Clock::now();
  int killed_in_flight = 0;
  int verified = 0;
  for (int cycle = 0; cycle < cycles; ++cycle) {
    SCOPED_TRACE("cycle " + std::to_string(cycle) + " of seed " + std::to_string(seed));
    {
      std::atomic<bool> stop{false};
      std::atomic<int> sent{0};
      std::vector<std::thread> threads;
      for (size_t i = 0; i < cashiers_.size(); ++i) {
        threads.emplace_back([&, i, seed = random(), client = server_->NewClient()] {
          Collect(*client, cashiers_[i], fmt::format("crash-{}-{}-", cycle, i), seed, stop, sent,
                  book_);
        });
      }
      // Kill once a random number of payments has gone out, plus up to 3 ms: a different point
      // of the write path each time (parsing, deciding, committing, answering).
      const int kill_after = std::uniform_int_distribution<int>(1, kMaxSentBeforeKill)(random);
      const auto deadline = Clock::now() + std::chrono::seconds(30);
      while (sent < kill_after && Clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
      std::this_thread::sleep_for(
          std::chrono::microseconds(std::uniform_int_distribution<int>(0, 3000)(random)));
      server_->Kill();
      stop = true;
      for (auto& t : threads) t.join();
    }
    for (const auto& u : book_.TakeUnexpected()) ADD_FAILURE() << "unexpected answer: " << u;
    const int lost_before = lost_but_recorded_ + lost_and_absent_;
    ASSERT_TRUE(server_->Start());
    // What the crash left, before any retry writes more (entries a retry adds now would not be
    // under a signed checkpoint for up to a second, which verify rightly reports).
    if ((cycle + 1) % verify_every == 0) {
      RunResult v = server_->Verify();
      ASSERT_EQ(v.exit_code, 0) << v.output;
      ++verified;
    }
    CheckAfterRestart();
    if (lost_but_recorded_ + lost_and_absent_ > lost_before) ++killed_in_flight;
    if (HasFailure()) return;
    // A long run (make fault) says how far it got, so a log read mid-run is worth something.
    if ((cycle + 1) % 50 == 0) {
      std::cout << fmt::format("cycle {} of {} after {:.0f} s: {} payments acknowledged\n",
                               cycle + 1, cycles,
                               std::chrono::duration<double>(Clock::now() - started).count(),
                               book_.paid().size())
                << std::flush;
    }
  }
  // A clean stop closes with a final checkpoint; then everything verifies.
  ASSERT_TRUE(server_->Stop());
  RunResult v = server_->Verify();
  EXPECT_EQ(v.exit_code, 0) << v.output;
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  std::cout << fmt::format(
      "{} kill -9 cycles in {:.0f} s: {} payments acknowledged; {} answers lost in flight, of "
      "which {} had been recorded (the retry gave back the same receipt) and {} had not (the "
      "retry collected them once); killed with payments in flight in {} cycles; verify passed "
      "{} times\n",
      cycles, seconds, book_.paid().size(), lost_but_recorded_ + lost_and_absent_,
      lost_but_recorded_, lost_and_absent_, killed_in_flight, verified + 1);
  EXPECT_GT(killed_in_flight, cycles / 2);
}

// A graceful stop under the same load: SIGTERM while six cashiers collect. The server finishes
// what it took, refuses the rest with 503 "shutting_down" (nothing saved) or closes the
// connection, exits 0 after a final checkpoint, and verifies; after a restart every acknowledged
// receipt is there, and the refused and unanswered payments are each collected once on retry.
TEST_F(PaymentCrashTest, SigtermWhileCashiersCollectStopsCleanly) {
  int code = -1;
  {
    std::atomic<bool> stop{false};
    std::atomic<int> sent{0};
    std::vector<std::thread> threads;
    for (size_t i = 0; i < cashiers_.size(); ++i) {
      threads.emplace_back([&, i, client = server_->NewClient()] {
        Collect(*client, cashiers_[i], fmt::format("term-{}-", i), static_cast<uint32_t>(i), stop,
                sent, book_);
      });
    }
    const auto deadline = Clock::now() + std::chrono::seconds(30);
    while (book_.paid().size() < 30 && Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ASSERT_GE(book_.paid().size(), 30u);
    const auto stopping = Clock::now();
    ASSERT_TRUE(server_->Stop(&code, 20));
    EXPECT_LT(Clock::now() - stopping, std::chrono::seconds(11)) << "within the drain timeout";
    stop = true;
    for (auto& t : threads) t.join();
  }
  for (const auto& u : book_.TakeUnexpected()) ADD_FAILURE() << "unexpected answer: " << u;
  EXPECT_EQ(code, 0) << server_->ServerLog();
  EXPECT_NE(server_->ServerLog().find("ledgers closed with a final checkpoint"), std::string::npos);
  RunResult v = server_->Verify();
  ASSERT_EQ(v.exit_code, 0) << v.output;
  ASSERT_TRUE(server_->Start());
  CheckAfterRestart();
  std::cout << book_.paid().size() << " payments in all; at SIGTERM " << refused_
            << " were refused as shutting down and "
            << lost_but_recorded_ + lost_and_absent_ - refused_ << " went unanswered ("
            << lost_but_recorded_ << " of them recorded)\n";
}

}  // namespace
}  // namespace palika::integration
