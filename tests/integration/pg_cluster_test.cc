// The throw-away PostgreSQL clusters of tests/pg_test_clusters.h: two of them, each answering on
// its own port, an outage that keeps what was committed, and databases of a test's own.

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "pg_test_clusters.h"

namespace palika::pgtest {
namespace {

TEST(PgTestClusters, TwoClustersOnTheirOwnPortsExportedToTheEnvironment) {
  const std::string a = Url(0);
  const std::string b = Url(1);
  ASSERT_FALSE(a.empty());
  ASSERT_FALSE(b.empty());
  EXPECT_NE(a, b);
  EXPECT_EQ(std::getenv("PALIKA_TEST_PG_URL"), a);
  EXPECT_EQ(std::getenv("PALIKA_TEST_PG_URL2"), b);
  EXPECT_EQ(Psql(a, "SELECT current_database()"), "palika");
  // fsync stays on: these clusters back tests of "nothing acknowledged is lost".
  EXPECT_EQ(Psql(b, "SHOW fsync"), "on");
  EXPECT_EQ(Psql(b, "SHOW synchronous_commit"), "on");
}

TEST(PgTestClusters, AnOutageKeepsWhatWasCommittedAndTheOtherClusterAnswers) {
  const std::string db = NewDatabase(0);
  ASSERT_FALSE(db.empty());
  Psql(db, "CREATE TABLE t (x int); INSERT INTO t VALUES (42)");
  ASSERT_TRUE(Halt(0));
  const std::string other = NewDatabase(1);
  EXPECT_EQ(Psql(other, "SELECT 7"), "7");  // cluster 1 keeps answering
  ASSERT_TRUE(Resume(0));
  EXPECT_EQ(Psql(db, "SELECT x FROM t"), "42");
}

}  // namespace
}  // namespace palika::pgtest
