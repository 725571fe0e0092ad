// Kill -9 while the server starts up (issue 4, "Fault tests"). Start-up opens every ledger: it
// reads the log, rebuilds its tree, checks it against the last signed checkpoint and, after a
// crash, signs the unsigned tail in a write of its own. A SIGKILL anywhere in that must leave a
// directory the next start opens cleanly: no ULB held back, every payment a cashier got a receipt
// for still there, receipt numbers gapless, `palika verify` passing.
//
// Each round: cashiers at Indore and Sehore are given receipts, the server is killed at once (so
// the last entries are usually not signed yet), started and killed again at a point of its
// start-up (delays spread over a measured clean start, so both the early part — exec, sanitizer
// set-up, the node key — and the ledgers' opening and recovery are hit), then started for real
// and checked.

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <iostream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "integration/server_fixture.h"

namespace palika::integration {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;
using ::testing::Not;
using Clock = std::chrono::steady_clock;

constexpr int kRounds = 6;
constexpr int kPaymentsPerRound = 3;  // per ULB

class StartupCrashTest : public DemoServerTest {};

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST_F(StartupCrashTest, KillNineDuringStartUpLeavesADirectoryTheNextStartOpensCleanly) {
  const std::map<std::string, std::string> cashiers = {
      {kIndore, server_->SignIn("indore.cashier")}, {kSehore, server_->SignIn("sehore.cashier")}};
  std::map<std::string, std::string> property;
  for (const auto& [ulb, token] : cashiers) {
    ASSERT_FALSE(token.empty()) << ulb;
    property[ulb] = server_->Query(ulb, "SELECT id FROM properties ORDER BY num LIMIT 1");
  }

  // How long a clean start takes here (a stop and a start; the sanitizers make it slow).
  ASSERT_TRUE(server_->Stop());
  const auto t0 = Clock::now();
  ASSERT_TRUE(server_->Start());
  const auto clean_start = Clock::now() - t0;
  std::cout << fmt::format(
      "a clean start takes {} ms\n",
      std::chrono::duration_cast<std::chrono::milliseconds>(clean_start).count());

  std::vector<std::pair<std::string, std::string>> receipts;  // (ulb, receipt_no)
  int killed_starting = 0;  // kills that came before the server announced it was serving
  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE(fmt::format("round {}", round));
    {
      auto client = server_->NewClient();
      for (int i = 0; i < kPaymentsPerRound; ++i) {
        for (const auto& [ulb, token] : cashiers) {
          json::object body{
              {"property", property[ulb]}, {"amount_paise", 10000 + round}, {"mode", "cash"}};
          auto r =
              client->Request("POST", "/api/v1/ulbs/" + ulb + "/payments", json::serialize(body),
                              {{"Authorization", "Bearer " + token},
                               {"Content-Type", "application/json"},
                               {"Idempotency-Key", fmt::format("boot-{}-{}-{}", round, ulb, i)}});
          ASSERT_EQ(r.status, 201) << r.body;
          receipts.emplace_back(ulb, std::string(ParseJson(r.body).at("receipt_no").as_string()));
        }
      }
    }
    // Killed right after the answers: the newest entries are most likely not signed yet, so the
    // start-up below has a tail to recover.
    server_->Kill();

    // Killed during start-up, at a point spread over a clean start (and once at the very start).
    const auto delay = clean_start * round / kRounds;
    const size_t served_before = Count(server_->ServerLog(), "Palika is serving");
    ASSERT_TRUE(server_->Launch());
    std::this_thread::sleep_for(delay);
    server_->Kill();
    killed_starting += Count(server_->ServerLog(), "Palika is serving") == served_before;

    ASSERT_TRUE(server_->Start());
    EXPECT_THAT(server_->ServerLog(), Not(HasSubstr("held back")));
    for (const auto& [ulb, receipt] : receipts) {
      EXPECT_EQ(
          server_->Query(ulb, "SELECT COUNT(*) FROM payments WHERE receipt_no = '" + receipt + "'"),
          "1")
          << ulb << " " << receipt << " was acknowledged before the crash";
    }
    for (const auto& [ulb, token] : cashiers) {
      EXPECT_THAT(ReceiptNumberProblems(*server_, ulb), ::testing::IsEmpty()) << ulb;
    }
    RunResult v = server_->Verify();
    ASSERT_EQ(v.exit_code, 0) << v.output;
    if (HasFailure()) return;
  }
  std::cout << fmt::format("{} of {} kills came before the server was serving\n", killed_starting,
                           kRounds);
  EXPECT_GE(killed_starting, kRounds / 2) << "the kills missed the start-up";
  ASSERT_TRUE(server_->Stop());
  RunResult v = server_->Verify();
  EXPECT_EQ(v.exit_code, 0) << v.output;
}

}  // namespace
}  // namespace palika::integration
