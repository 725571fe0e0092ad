// `palika move-ulb`, `ulb place` and `ulb where` on the demo data directory, between SQLite files
// (issue 6; the PostgreSQL moves are in pg_routing_test.cc): the move refuses while the server
// runs, copies and verifies, switches the shard map, keeps the source, and the server serves the
// moved ULB with everything it had, taking payments after.

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "integration/server_fixture.h"

namespace palika::integration {
namespace {

namespace json = boost::json;

class MoveUlbTest : public DemoServerTest {};

TEST_F(MoveUlbTest, MovesASqliteUlbKeepsTheSourceAndServesItAfter) {
  const std::string dir = server_->data_dir().string();
  const std::string cashier = server_->SignIn("indore.cashier");
  ASSERT_FALSE(cashier.empty());
  const std::string property =
      server_->Query(kIndore, "SELECT id FROM properties ORDER BY num LIMIT 1");
  auto pay = [&](const std::string& key) {
    json::object body{{"property", property}, {"amount_paise", 500'00}, {"mode", "cash"}};
    return server_->Request("POST", "/api/v1/ulbs/0152/payments", json::serialize(body), cashier,
                            {{"Content-Type", "application/json"}, {"Idempotency-Key", key}});
  };
  auto paid = pay("before-the-move");
  ASSERT_EQ(paid.status, 201) << paid.body;
  const std::string receipt = ParseJson(paid.body).at("receipt_no").as_string().c_str();

  // Refused while the server holds the directory: nothing changes.
  RunResult busy = RunPalika({"move-ulb", "--data", dir, "--ulb", kIndore, "--to", "sqlite"});
  EXPECT_EQ(busy.exit_code, 1) << busy.output;
  EXPECT_NE(busy.output.find("Stop it first"), std::string::npos) << busy.output;
  ASSERT_TRUE(server_->Stop());
  const auto entries = server_->EntryCounts()[kIndore];

  // Bad targets are refused with the way to write them.
  RunResult bad = RunPalika({"move-ulb", "--data", dir, "--ulb", kIndore, "--to", "mysql"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.output.find("postgres:NAME"), std::string::npos) << bad.output;
  RunResult unknown =
      RunPalika({"move-ulb", "--data", dir, "--ulb", kIndore, "--to", "postgres:east"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.output.find("--pg east=URL"), std::string::npos) << unknown.output;

  RunResult moved = RunPalika({"move-ulb", "--data", dir, "--ulb", kIndore, "--to", "sqlite"});
  ASSERT_EQ(moved.exit_code, 0) << moved.output;
  EXPECT_NE(moved.output.find("Moved ULB 0152 from sqlite to sqlite"), std::string::npos)
      << moved.output;
  EXPECT_NE(moved.output.find(std::to_string(entries) + " entries"), std::string::npos)
      << moved.output;
  EXPECT_NE(moved.output.find("kept, unused, as ulb/moved/0152-"), std::string::npos);

  // Both sides verify: the ULB where it lives now, and the kept source.
  RunResult verified = server_->Verify(kIndore);
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
  EXPECT_NE(verified.output.find("ok   0152 (moved away, kept as ulb/moved/0152-"),
            std::string::npos)
      << verified.output;
  RunResult where = RunPalika({"ulb", "where", "--data", dir});
  EXPECT_EQ(where.exit_code, 0) << where.output;
  EXPECT_NE(where.output.find("0152  sqlite  Indore"), std::string::npos) << where.output;
  EXPECT_NE(where.output.find("moved 0152 from sqlite to sqlite"), std::string::npos);

  // Placing a ULB that has a ledger is refused: moving is move-ulb's job.
  RunResult place =
      RunPalika({"ulb", "place", "--data", dir, "--ulb", kSehore, "--store", "sqlite"});
  EXPECT_EQ(place.exit_code, 1);
  EXPECT_NE(place.output.find("move-ulb"), std::string::npos) << place.output;

  // Served again with everything it had: the receipt reads back, and payments go on.
  ASSERT_TRUE(server_->Start());
  auto again = pay("before-the-move");         // the idempotency key moved with the ledger
  EXPECT_EQ(again.status, 200) << again.body;  // a replay
  EXPECT_EQ(ParseJson(again.body).at("receipt_no").as_string(), receipt);
  auto after = pay("after-the-move");
  ASSERT_EQ(after.status, 201) << after.body;
  EXPECT_TRUE(ReceiptNumberProblems(*server_, kIndore).empty());
  ASSERT_TRUE(server_->Stop());
  RunResult all = server_->Verify();
  EXPECT_EQ(all.exit_code, 0) << all.output;
}

}  // namespace
}  // namespace palika::integration
