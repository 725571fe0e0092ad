// A cluster keeps the name it was first used under (issue 6): `palika serve`, `ulb place` and
// `verify` given two clusters under each other's names (swapped --pg options) refuse, saying so in
// English and Hindi, instead of serving each ULB from the other cluster's schema.

#include <gtest/gtest.h>

#include <string>

#include "integration/server_fixture.h"
#include "pg_test_clusters.h"

namespace palika::integration {
namespace {

TEST(PgClusterNameTest, SwappedPgOptionsAreRefusedBeforeAnythingIsServed) {
  const std::string east = pgtest::NewDatabase(0);
  const std::string west = pgtest::NewDatabase(1);
  ASSERT_FALSE(east.empty());
  ASSERT_FALSE(west.empty());
  auto server = PalikaServer::CreateDemo();
  ASSERT_TRUE(server);
  const std::string dir = server->data_dir().string();

  RunResult placed = RunPalika({"ulb", "place", "--data", dir, "--ulb", "0901", "--store",
                                "postgres:east", "--pg", "east=" + east, "--pg", "west=" + west});
  ASSERT_EQ(placed.exit_code, 0) << placed.output;
  EXPECT_EQ(pgtest::Psql(east, "SELECT name FROM palika_cluster.cluster_name"), "east");

  const std::vector<std::string> swapped = {"--pg", "east=" + west, "--pg", "west=" + east};
  server->set_serve_args(swapped);
  EXPECT_FALSE(server->Start());
  EXPECT_NE(server->ServerLog().find("look swapped"), std::string::npos) << server->ServerLog();

  std::vector<std::string> place = {"ulb",   "place", "--data",  dir,
                                    "--ulb", "0902",  "--store", "postgres:west"};
  place.insert(place.end(), swapped.begin(), swapped.end());
  RunResult refused = RunPalika(place);
  EXPECT_NE(refused.exit_code, 0) << refused.output;
  // Clusters are checked by name: east first, which is given west's URL.
  EXPECT_NE(refused.output.find("--pg east=" + west + " is the cluster named 'west'"),
            std::string::npos)
      << refused.output;
  EXPECT_NE(refused.output.find("बदले"), std::string::npos) << refused.output;

  std::vector<std::string> verify = {"verify", "--data", dir};
  verify.insert(verify.end(), swapped.begin(), swapped.end());
  RunResult verified = RunPalika(verify);
  EXPECT_EQ(verified.exit_code, 3) << verified.output;
  EXPECT_NE(verified.output.find("FAIL 0901"), std::string::npos) << verified.output;
  EXPECT_NE(verified.output.find("look swapped"), std::string::npos) << verified.output;

  // Given the right way round, the server starts.
  server->set_serve_args({"--pg", "east=" + east, "--pg", "west=" + west});
  EXPECT_TRUE(server->Start()) << server->ServerLog();
}

}  // namespace
}  // namespace palika::integration
