// Kill -9 in the middle of the yearly demand (issue 3: the raise "is idempotent" and "reports
// progress"; "a crash or kill at any moment loses nothing that was acknowledged"). `palika demand
// raise` commits one command of properties at a time; a SIGKILL between two commands leaves the
// properties before it raised and the rest not. Running the raise again must finish the year
// without raising any property twice, and end with exactly the rows, entries' totals and verify
// result of a raise that was never interrupted.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include "core/civil_date.h"
#include "integration/server_fixture.h"
#include "services/property_tax/rates.h"

namespace palika::integration {
namespace {

using Clock = std::chrono::steady_clock;

constexpr char kYear[] = "2027-28";  // the demo has 2025-26 and 2026-27 raised already
// One property a command, so that the raise is many small transactions a kill can fall between.
constexpr char kBatch[] = "1";

// Every row the year's demand wrote, in key order (the raised_us column aside: a time).
std::string DemandRows(const PalikaServer& s) {
  return s.Query(kIndore,
                 fmt::format("SELECT property_id, annual_value_paise, total_paise, source, "
                             "advance_applied_paise FROM pt_demands WHERE fy = '{0}' "
                             "ORDER BY property_id; SELECT * FROM pt_account WHERE fy = '{0}' "
                             "ORDER BY property_id, head",
                             kYear));
}

int64_t Raised(const PalikaServer& s) {
  return std::stoll(
      s.Query(kIndore, fmt::format("SELECT count(*) FROM pt_demands WHERE fy = '{}'", kYear)));
}

std::vector<std::string> RaiseArgs(const PalikaServer& s) {
  return {"demand", "raise",   "--data", s.data_dir().string(), "--ulb", kIndore, "--fy",
          kYear,    "--batch", kBatch};
}

TEST(DemandCrashTest, KillNineDuringTheRaiseThenRunningItAgainRaisesEveryPropertyOnce) {
  auto server = PalikaServer::CreateDemo();
  ASSERT_TRUE(server);
  // The year's rate table (the demo's figures), set through the ledger like any other.
  const fs::path rates = server->root() / "rates-2027-28.json";
  {
    std::ofstream out(rates);
    out << boost::json::serialize(
        property_tax::RateTableToJson(property_tax::DemoRateTable(*FinancialYear::Parse(kYear))));
  }
  RunResult set =
      RunPalika({"rates", "set", "--data", server->data_dir().string(), "--ulb", kIndore, "--file",
                 rates.string(), "--reason", "संकल्प क्र. 7/2027 (Resolution 7/2027)"});
  ASSERT_EQ(set.exit_code, 0) << set.output;
  const int64_t properties = std::stoll(server->Query(kIndore, "SELECT count(*) FROM properties"));
  ASSERT_GT(properties, 100);

  // The same directory raised without interruption: what the end must look like.
  auto clean = server->CopyDataDir();
  RunResult whole = RunPalika(RaiseArgs(*clean));
  ASSERT_EQ(whole.exit_code, 0) << whole.output;
  EXPECT_EQ(Raised(*clean), properties);
  const std::string expected = DemandRows(*clean);

  // Killed once some commands are committed and (almost always) before the last one.
  int64_t at_kill = 0;
  {
    BackgroundPalika raise(RaiseArgs(*server), server->root() / "raise.log");
    const auto deadline = Clock::now() + std::chrono::seconds(120);
    while (Clock::now() < deadline && raise.running() && Raised(*server) == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    raise.Kill();
    at_kill = Raised(*server);
    std::cout << fmt::format("[          ] killed with {} of {} properties raised\n", at_kill,
                             properties);
  }
  EXPECT_GT(at_kill, 0) << "the raise was killed before its first command committed";

  // The next run finishes the year and says how much it found done.
  RunResult again = RunPalika(RaiseArgs(*server));
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find(fmt::format("{} already raised", at_kill)), std::string::npos)
      << again.output;
  EXPECT_EQ(Raised(*server), properties);
  EXPECT_EQ(DemandRows(*server), expected);

  // A third run raises nothing and writes nothing.
  const auto entries = server->EntryCounts();
  RunResult third = RunPalika(RaiseArgs(*server));
  ASSERT_EQ(third.exit_code, 0) << third.output;
  EXPECT_NE(third.output.find(" 0 raised"), std::string::npos) << third.output;
  EXPECT_EQ(server->EntryCounts(), entries);

  RunResult verify = server->Verify(kIndore);
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
}

}  // namespace
}  // namespace palika::integration
