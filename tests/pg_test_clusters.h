#pragma once
// Two throw-away PostgreSQL 15 clusters for the test binary (issue 6), so that `make test` needs
// nothing started by hand.
//
// The first call of Url() starts both clusters with scripts/pg-test-cluster.sh, each in its own
// temporary directory on a free loopback port, exports their URLs as PALIKA_TEST_PG_URL and
// PALIKA_TEST_PG_URL2 (so `palika` processes a test starts see them too) and stops them when the
// test binary ends (a gtest environment; a watcher process stops them if the binary crashes).
// Tests that never call Url() start nothing. When both variables are already set (clusters
// started by hand: `scripts/pg-test-cluster.sh start DIR PORT`), those are used; Halt() and
// Resume() then refuse, since the clusters are not ours to stop.
//
// Thread-safe. Failures are gtest failures with the script's output; the value is then empty.

#include <gtest/gtest.h>

#include <string>

namespace palika::pgtest {

inline constexpr int kClusters = 2;

// The URL of cluster i (0 or 1): postgresql://palika@127.0.0.1:PORT/palika. "" (and a test
// failure) if the clusters could not start.
std::string Url(int i = 0);

// A new, empty database on cluster i (CREATE DATABASE t_N) and its URL: a test's own namespace,
// so tests that share the process's clusters do not see each other's schemas. "" and a test
// failure if it could not be created.
std::string NewDatabase(int i = 0);

// An outage of cluster i: its server stops and keeps its data; open connections break. With
// crash, an immediate shutdown (as if the machine lost power: what was committed stays, the rest
// is gone; the next start runs crash recovery, a few seconds); otherwise an orderly one.
// Resume() starts it again on the same port.
::testing::AssertionResult Halt(int i, bool crash = false);
::testing::AssertionResult Resume(int i);

// `psql URL -v ON_ERROR_STOP=1 -tAq -c SQL`: the output without its final newline, and a test
// failure if psql failed.
std::string Psql(const std::string& url, const std::string& sql);

}  // namespace palika::pgtest
