// Two ULBs on two PostgreSQL clusters behind one `palika serve` (issue 6): both take payments over
// HTTP; when one cluster stops, its ULB answers 503 store_unavailable with Retry-After while the
// other keeps taking payments; when it comes back its ULB works again without a restart, with
// every acknowledged payment there and receipt numbers gapless; `verify` passes, and catches a row
// edited with psql. The ULBs get there with `move-ulb` from the demo's SQLite files.

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include "integration/server_fixture.h"
#include "pg_test_clusters.h"

namespace palika::integration {
namespace {

namespace json = boost::json;

// Receipt numbers of a ULB's schema: "count distinct min max" per series, one line each.
std::string SeriesSummary(const std::string& url, const std::string& schema) {
  return pgtest::Psql(url,
                      "SELECT COUNT(*) || ' ' || COUNT(DISTINCT serial) || ' ' || "
                      "MIN(serial) || ' ' || MAX(serial) || ' ' || MAX(s.last_serial) FROM " +
                          schema + ".payments p JOIN " + schema +
                          ".receipt_series s USING (fy, series) GROUP BY fy, series");
}

TEST(PgRoutingTest, AClusterDownStopsOnlyItsUlbAndNothingAcknowledgedIsLost) {
  const std::string east = pgtest::NewDatabase(0);
  const std::string west = pgtest::NewDatabase(1);
  ASSERT_FALSE(east.empty());
  ASSERT_FALSE(west.empty());
  auto server = PalikaServer::CreateDemo();
  ASSERT_TRUE(server);
  const std::string dir = server->data_dir().string();
  const std::string pg_east = "east=" + east;
  const std::string pg_west = "west=" + west;
  const std::string indore_property =
      server->Query(kIndore, "SELECT id FROM properties ORDER BY num LIMIT 1");
  const std::string sehore_property =
      server->Query(kSehore, "SELECT id FROM properties ORDER BY num LIMIT 1");

  for (const auto& [ulb, to] : {std::pair{kIndore, "postgres:east"}, {kSehore, "postgres:west"}}) {
    RunResult moved = RunPalika(
        {"move-ulb", "--data", dir, "--ulb", ulb, "--to", to, "--pg", pg_east, "--pg", pg_west});
    ASSERT_EQ(moved.exit_code, 0) << moved.output;
  }
  server->set_serve_args({"--pg", pg_east, "--pg", pg_west});
  ASSERT_TRUE(server->Start());
  const std::string indore = server->SignIn("indore.cashier");
  const std::string sehore = server->SignIn("sehore.cashier");
  ASSERT_FALSE(indore.empty());
  ASSERT_FALSE(sehore.empty());
  int key = 0;
  auto pay = [&](const std::string& ulb, const std::string& property, const std::string& token) {
    json::object body{{"property", property}, {"amount_paise", 100'00}, {"mode", "cash"}};
    return server->Request("POST", "/api/v1/ulbs/" + ulb + "/payments", json::serialize(body),
                           token,
                           {{"Content-Type", "application/json"},
                            {"Idempotency-Key", "pg-routing-" + std::to_string(++key)}});
  };
  std::set<std::string> acknowledged[2];  // receipt numbers: Indore, Sehore
  auto take = [&](int i, const http::ClientResponse& r) {
    ASSERT_EQ(r.status, 201) << r.body;
    acknowledged[i].insert(ParseJson(r.body).at("receipt_no").as_string().c_str());
  };
  for (int n = 0; n < 3; ++n) {
    take(0, pay(kIndore, indore_property, indore));
    take(1, pay(kSehore, sehore_property, sehore));
  }

  // West stops: Sehore answers 503 with Retry-After, Indore keeps taking payments.
  ASSERT_TRUE(pgtest::Halt(1));
  auto down = pay(kSehore, sehore_property, sehore);
  EXPECT_TRUE(IsApiError(down, 503, "store_unavailable")) << down.body;
  EXPECT_EQ(down.Header("retry-after"), "5");
  for (int n = 0; n < 3; ++n) take(0, pay(kIndore, indore_property, indore));

  // West is back: Sehore takes payments again, with no restart of palika.
  ASSERT_TRUE(pgtest::Resume(1));
  http::ClientResponse again;
  for (int tries = 0; tries < 40; ++tries) {
    again = pay(kSehore, sehore_property, sehore);
    if (again.status != 503) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  take(1, again);
  take(0, pay(kIndore, indore_property, indore));

  // The year's demand, already raised by the demo before the move, is found raised on PostgreSQL
  // too (its batch read names a parameter twice, SQLite's `?3`).
  const std::string admin = server->SignIn("indore.admin");
  auto demand = server->Request("POST", "/api/v1/ulbs/0152/demands",
                                json::serialize(json::object{{"fy", "2026-27"}}), admin);
  ASSERT_EQ(demand.status, 200) << demand.body;
  EXPECT_EQ(ParseJson(demand.body).at("raised").as_int64(), 0) << demand.body;
  EXPECT_GT(ParseJson(demand.body).at("already_raised").as_int64(), 0) << demand.body;

  // Every acknowledged receipt is there, numbered without a gap.
  const std::string urls[2] = {east, west};
  const char* codes[2] = {kIndore, kSehore};
  for (int i = 0; i < 2; ++i) {
    const std::string schema = std::string("ulb_") + codes[i];
    for (const auto& receipt : acknowledged[i]) {
      EXPECT_EQ(pgtest::Psql(urls[i], "SELECT COUNT(*) FROM " + schema +
                                          ".payments WHERE receipt_no = '" + receipt + "'"),
                "1")
          << receipt;
    }
    std::istringstream summary(SeriesSummary(urls[i], schema));
    for (std::string line; std::getline(summary, line);) {
      std::istringstream in(line);
      int64_t count = -1, distinct = -1, min = -1, max = -1, last = -1;
      in >> count >> distinct >> min >> max >> last;
      EXPECT_TRUE(count == distinct && min == 1 && max == count && last == max)
          << codes[i] << ": " << line;
    }
  }

  ASSERT_TRUE(server->Stop());
  RunResult verified = RunPalika({"verify", "--data", dir, "--pg", pg_east, "--pg", pg_west});
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
  EXPECT_NE(verified.output.find("ok   0276 (postgres:west)"), std::string::npos)
      << verified.output;
  RunResult without = RunPalika({"verify", "--data", dir});
  EXPECT_EQ(without.exit_code, 3) << without.output;
  EXPECT_NE(without.output.find("--pg east=URL"), std::string::npos) << without.output;

  // A row edited behind Palika's back: verify fails and names the table.
  pgtest::Psql(west,
               "UPDATE ulb_0276.payments SET amount_paise = amount_paise + 1 WHERE "
               "receipt_no = '" +
                   *acknowledged[1].begin() + "'");
  RunResult tampered = RunPalika({"verify", "--data", dir, "--pg", pg_east, "--pg", pg_west});
  EXPECT_EQ(tampered.exit_code, 3) << tampered.output;
  EXPECT_NE(tampered.output.find("FAIL 0276"), std::string::npos) << tampered.output;
  EXPECT_NE(tampered.output.find("payments"), std::string::npos) << tampered.output;
  EXPECT_NE(tampered.output.find("ok   0152 (postgres:east)"), std::string::npos)
      << tampered.output;
}

// SQLite -> PostgreSQL -> SQLite: the same entries on every side, verify passes on each, and both
// sources are kept (a file under ulb/moved/, a renamed schema).
TEST(PgRoutingTest, MovesAUlbIntoPostgresAndBackVerifiedOnBothSides) {
  const std::string east = pgtest::NewDatabase(0);
  ASSERT_FALSE(east.empty());
  auto server = PalikaServer::CreateDemo();
  ASSERT_TRUE(server);
  const std::string dir = server->data_dir().string();
  const std::string pg = "east=" + east;
  const int64_t entries = server->EntryCounts()[kSanwer];
  ASSERT_GT(entries, 0);

  RunResult there =
      RunPalika({"move-ulb", "--data", dir, "--ulb", kSanwer, "--to", "postgres:east", "--pg", pg});
  ASSERT_EQ(there.exit_code, 0) << there.output;
  EXPECT_FALSE(fs::exists(server->ulb_db(kSanwer)));
  EXPECT_EQ(pgtest::Psql(east, "SELECT COUNT(*) FROM ulb_0157.ledger_entries"),
            std::to_string(entries));
  RunResult verified = RunPalika({"verify", "--data", dir, "--pg", pg});
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
  EXPECT_NE(verified.output.find("ok   0157 (postgres:east): " + std::to_string(entries)),
            std::string::npos)
      << verified.output;
  EXPECT_NE(verified.output.find("ok   0157 (moved away, kept as ulb/moved/0157-"),
            std::string::npos)
      << verified.output;

  RunResult back =
      RunPalika({"move-ulb", "--data", dir, "--ulb", kSanwer, "--to", "sqlite", "--pg", pg});
  ASSERT_EQ(back.exit_code, 0) << back.output;
  EXPECT_NE(back.output.find("kept, unused, as ulb_0157_moved_"), std::string::npos) << back.output;
  EXPECT_EQ(server->EntryCounts()[kSanwer], entries);
  // The PostgreSQL source is renamed, not dropped; ulb_0157 is free for a later move.
  EXPECT_EQ(pgtest::Psql(east, "SELECT COUNT(*) FROM pg_namespace WHERE nspname = 'ulb_0157'"),
            "0");
  EXPECT_EQ(pgtest::Psql(east,
                         "SELECT COUNT(*) FROM pg_namespace WHERE nspname LIKE "
                         "'ulb\\_0157\\_moved\\_%'"),
            "1");
  RunResult again = server->Verify();
  EXPECT_EQ(again.exit_code, 0) << again.output;
  ASSERT_TRUE(server->Start());
  auto ulb = server->Request("GET", "/api/v1/ulbs/0157");
  EXPECT_EQ(ulb.status, 200) << ulb.body;
}

}  // namespace
}  // namespace palika::integration
