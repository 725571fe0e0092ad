// The shard map (where each ULB lives) and moving a ULB's ledger, on SQLite (issue 6). The same
// paths on PostgreSQL are tested in tests/integration/pg_routing_test.cc against real clusters;
// a cluster's recorded name (CheckClusterName) and its bounded connections here, against the test
// binary's clusters.

#include "ledger/shard_map.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "core/encoding.h"
#include "ledger/ledger_set.h"
#include "ledger/move_ulb.h"
#include "ledger/verify.h"
#include "pg_test_clusters.h"
#include "store/postgres/database.h"
#include "store/sqlite/database.h"

namespace palika::ledger {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

Projections MakeNotes(bool shard_map) {
  Projections p;
  p.AddTable("notes",
             "CREATE TABLE IF NOT EXISTS notes(seq INTEGER PRIMARY KEY, note TEXT NOT NULL)",
             "seq");
  p.OnEvent("note.added", [](store::Transaction& tx, const Entry& e) -> Status {
    auto o = json::parse(e.payload).as_object();
    return tx.Exec("INSERT INTO notes(seq, note) VALUES (?, ?)",
                   {static_cast<int64_t>(e.seq), std::string(o.at("text").as_string())});
  });
  if (shard_map) RegisterShardMapProjections(p);
  return p;
}

const Projections& StateNotes() {
  static const Projections p = MakeNotes(true);
  return p;
}
const Projections& UlbNotes() {
  static const Projections p = MakeNotes(false);
  return p;
}

Status AddNote(Ledger& l, const std::string& text) {
  Command c;
  c.actor = "system";
  c.decide = [text](store::Transaction&, int64_t) -> Result<Decision> {
    return Decision{{Event{"note.added", {{"text", text}}}}, nullptr};
  };
  return l.Submit(std::move(c)).status();
}

std::vector<std::string> Notes(Ledger& l) {
  std::vector<std::string> out;
  EXPECT_TRUE(l.Read([&](store::Transaction& tx) {
                 return tx.ForEach("SELECT note FROM notes ORDER BY seq", {},
                                   [&](const store::Row& r) {
                                     out.push_back(r.Text(0));
                                     return true;
                                   });
               }).ok());
  return out;
}

class ShardMapTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("palika_shard_map_test_" + HexEncode(RandomBytes(8)));
    data_ = dir_ / "data";
    ASSERT_TRUE(InitDataDir(data_).ok());
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::unique_ptr<LedgerSet> MustOpen(const StoreOptions& stores = {}) {
    auto set = LedgerSet::Open(data_, StateNotes(), UlbNotes(), &metrics_, stores);
    EXPECT_TRUE(set.ok()) << set.status().ToString();
    return set.ok() ? std::move(set).value() : nullptr;
  }

  // ULBs 0152 (three notes) and 0153 (one), closed.
  void MakeTwoUlbs() {
    auto set = MustOpen();
    ASSERT_TRUE(set);
    for (const char* code : {"0152", "0153"}) {
      auto l = set->CreateUlb(code);
      ASSERT_TRUE(l.ok()) << l.status().ToString();
      ASSERT_TRUE(AddNote(**l, std::string("नगर ") + code).ok());
    }
    auto indore = set->Ulb("0152");
    ASSERT_TRUE(AddNote(**indore, "two").ok());
    ASSERT_TRUE(AddNote(**indore, "three").ok());
  }

  VerifyReport Verify(LedgerSet& set, const fs::path& file, const std::string& ulb) {
    auto r = VerifyLedgerFile(file, ulb, set.origin(), UlbNotes(), set.node_verifier());
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : VerifyReport{};
  }

  fs::path dir_;
  fs::path data_;
  Metrics metrics_;
};

TEST(Placement, ParsesSqliteAndNamedClustersOnly) {
  EXPECT_EQ(ParsePlacement("sqlite")->ToString(), "sqlite");
  auto pg = ParsePlacement("postgres:east-1");
  ASSERT_TRUE(pg.ok());
  EXPECT_EQ(pg->store, "postgres");
  EXPECT_EQ(pg->cluster, "east-1");
  EXPECT_EQ(pg->ToString(), "postgres:east-1");
  for (const char* bad : {"", "postgres", "postgres:", "postgres:East", "mysql:a", "postgres:1a",
                          "postgres:a b", "sqlite:x"}) {
    auto p = ParsePlacement(bad);
    ASSERT_FALSE(p.ok()) << bad;
    EXPECT_EQ(p.status().code(), "invalid_placement");
    EXPECT_NE(p.status().message_hi(), p.status().message());
  }
}

TEST_F(ShardMapTest, AUlbWithoutPlacementIsSqliteAndAPlacementSurvivesReopening) {
  MakeTwoUlbs();
  StoreOptions stores;
  stores.clusters["east"] = "postgresql://127.0.0.1:1/none";
  {
    auto set = MustOpen(stores);
    ASSERT_TRUE(set);
    EXPECT_EQ(set->PlacementOf("0152").ToString(), "sqlite");
    // A ULB with a ledger is moved, never re-placed.
    Status s = set->PlaceUlb("cli", "0152", *ParsePlacement("postgres:east"));
    EXPECT_EQ(s.code(), "ulb_has_ledger");
    EXPECT_NE(s.message_hi(), s.message());
    // A cluster nobody named is refused.
    EXPECT_EQ(set->PlaceUlb("cli", "0276", *ParsePlacement("postgres:west")).code(),
              "cluster_unknown");
    ASSERT_TRUE(set->PlaceUlb("cli", "0276", *ParsePlacement("postgres:east")).ok());
    EXPECT_EQ(set->PlacementOf("0276").ToString(), "postgres:east");
  }
  auto set = MustOpen(stores);
  ASSERT_TRUE(set);
  EXPECT_EQ(set->PlacementOf("0276").ToString(), "postgres:east");
  EXPECT_EQ(set->Placements().size(), 1u);
}

TEST_F(ShardMapTest, AUlbInAClusterNotGivenAnswersStoreUnavailableWhileOthersWork) {
  MakeTwoUlbs();
  {
    StoreOptions stores;
    stores.clusters["east"] = "postgresql://127.0.0.1:1/none";
    auto set = MustOpen(stores);
    ASSERT_TRUE(set->PlaceUlb("cli", "0276", *ParsePlacement("postgres:east")).ok());
  }
  StoreOptions none;
  none.retry_after = std::chrono::milliseconds(0);
  auto set = MustOpen(none);  // started without --pg east
  ASSERT_TRUE(set);
  auto l = set->Ulb("0276");
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.status().kind(), StatusKind::kUnavailable);
  EXPECT_EQ(l.status().code(), "store_unavailable");
  EXPECT_NE(l.status().message().find("--pg east=URL"), std::string::npos);
  EXPECT_NE(l.status().message_hi(), l.status().message());
  // Asked again: tried again, the same answer; the SQLite ULBs keep working.
  EXPECT_EQ(set->Ulb("0276").status().code(), "store_unavailable");
  auto indore = set->Ulb("0152");
  ASSERT_TRUE(indore.ok());
  EXPECT_TRUE(AddNote(**indore, "four").ok());
  EXPECT_EQ(set->UlbCodes(), (std::vector<std::string>{"0152", "0153", "0276"}));
}

TEST_F(ShardMapTest, MoveUlbCopiesVerifiesSwitchesAndKeepsTheSource) {
  MakeTwoUlbs();
  {
    auto set = MustOpen();
    ASSERT_TRUE(set);
    std::vector<std::string> lines;
    auto moved = MoveUlb(*set, "0152", Placement{}, UlbNotes(), "cli",
                         [&](const std::string& line) { lines.push_back(line); });
    ASSERT_TRUE(moved.ok()) << moved.status().ToString();
    EXPECT_EQ(moved->copied.entries, 3u);
    EXPECT_GE(moved->copied.checkpoints, 1u);
    EXPECT_GT(moved->rows_compared, 0u);
    EXPECT_FALSE(lines.empty());
    ASSERT_TRUE(moved->kept_as.starts_with("ulb/moved/0152-"));
    EXPECT_TRUE(fs::exists(data_ / moved->kept_as));
    // Both sides verify, with the same root.
    VerifyReport kept = Verify(*set, data_ / moved->kept_as, "0152");
    VerifyReport now = Verify(*set, set->UlbFile("0152"), "0152");
    EXPECT_TRUE(kept.ok()) << kept.problems.front();
    EXPECT_TRUE(now.ok()) << now.problems.front();
    EXPECT_EQ(kept.root_hex, moved->copied.root_hex);
    EXPECT_EQ(now.root_hex, moved->copied.root_hex);
    // The ULB is closed in this set once moved (the command exits after).
    EXPECT_EQ(set->Ulb("0152").status().code(), "ulb_moving");
  }
  auto set = MustOpen();
  ASSERT_TRUE(set);
  auto l = set->Ulb("0152");
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  EXPECT_EQ(Notes(**l), (std::vector<std::string>{"नगर 0152", "two", "three"}));
  ASSERT_TRUE(AddNote(**l, "after the move").ok());
  EXPECT_EQ((*l)->size(), 4u);
  std::vector<UlbMove> moves;
  ASSERT_TRUE(set->state()
                  .Read([&](store::Transaction& tx) -> Status {
                    PALIKA_ASSIGN_OR_RETURN(moves, ReadMoves(tx, "0152"));
                    return Status::OK();
                  })
                  .ok());
  ASSERT_EQ(moves.size(), 1u);
  EXPECT_EQ(moves[0].entries, 3u);
  EXPECT_EQ(moves[0].from.ToString(), "sqlite");
  // The kept source is not served and not counted as a ULB.
  EXPECT_EQ(set->UlbCodes(), (std::vector<std::string>{"0152", "0153"}));
}

TEST_F(ShardMapTest, AMoveInterruptedAfterItWasRecordedIsFinishedAtTheNextOpen) {
  MakeTwoUlbs();
  std::string kept_as;
  {
    auto set = MustOpen();
    auto moved = MoveUlb(*set, "0152", Placement{}, UlbNotes(), "cli");
    ASSERT_TRUE(moved.ok()) << moved.status().ToString();
    kept_as = moved->kept_as;
  }
  // As if the process died right after recording the move: the files under their old names.
  const fs::path file = data_ / "ulb" / "0152.db";
  fs::rename(file, file.string() + ".moving");
  fs::rename(data_ / kept_as, file);
  auto set = MustOpen();
  ASSERT_TRUE(set);
  EXPECT_TRUE(fs::exists(data_ / kept_as));
  EXPECT_FALSE(fs::exists(file.string() + ".moving"));
  auto l = set->Ulb("0152");
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  EXPECT_EQ((*l)->size(), 3u);
}

TEST_F(ShardMapTest, CopyLedgerRefusesASourceWhoseCheckpointDisagreesWithItsEntries) {
  MakeTwoUlbs();
  const fs::path file = data_ / "ulb" / "0152.db";
  {
    auto db = store::sqlite::Database::Open(file, {});
    ASSERT_TRUE(db.ok());
    // A forged entry: the stored checkpoint's tree no longer matches the entries.
    ASSERT_TRUE(
        (*db)
            ->Exec("UPDATE ledger_entries SET payload = '{\"text\":\"forged\"}' WHERE seq = 2")
            .ok());
  }
  store::sqlite::OpenOptions ro;
  ro.read_only = true;
  auto source = store::sqlite::Database::Open(file, ro);
  ASSERT_TRUE(source.ok());
  store::sqlite::OpenOptions mem;
  mem.in_memory = true;
  auto target = store::sqlite::Database::Open("", mem);
  ASSERT_TRUE(target.ok());
  ASSERT_TRUE((*target)->Begin().ok());
  auto copied = CopyLedger(**source, **target, "0152", UlbNotes());
  ASSERT_FALSE(copied.ok());
  EXPECT_EQ(copied.status().kind(), StatusKind::kCorruption);
  EXPECT_NE(copied.status().message().find("palika verify"), std::string::npos);
  // Another ULB's ledger is not copied as this one.
  auto other = store::sqlite::Database::Open(data_ / "ulb" / "0153.db", ro);
  auto target2 = store::sqlite::Database::Open("", mem);
  ASSERT_TRUE((*target2)->Begin().ok());
  EXPECT_EQ(CopyLedger(**other, **target2, "0152", UlbNotes()).status().kind(),
            StatusKind::kCorruption);
}

// Two clusters given under each other's names (swapped --pg options) would route each ULB into
// the other cluster's schema ulb_<code>: the name each keeps is compared first.
TEST_F(ShardMapTest, AClusterKeepsItsNameAndASwappedPgIsRefused) {
  const std::string east = pgtest::NewDatabase(0);
  const std::string west = pgtest::NewDatabase(1);
  ASSERT_FALSE(east.empty());
  ASSERT_FALSE(west.empty());
  StoreOptions right;
  right.clusters = {{"east", east}, {"west", west}};
  ASSERT_TRUE(MustOpen(right));  // first use: each cluster records its name
  EXPECT_EQ(pgtest::Psql(east, "SELECT name FROM palika_cluster.cluster_name"), "east");
  EXPECT_EQ(pgtest::Psql(west, "SELECT name FROM palika_cluster.cluster_name"), "west");
  ASSERT_TRUE(MustOpen(right));  // and keeps it

  StoreOptions swapped;
  swapped.clusters = {{"east", west}, {"west", east}};
  auto set = LedgerSet::Open(data_, StateNotes(), UlbNotes(), &metrics_, swapped);
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.status().code(), "cluster_name_mismatch");
  EXPECT_NE(set.status().message().find("swapped"), std::string::npos) << set.status().message();
  EXPECT_NE(set.status().message_hi(), set.status().message());
  EXPECT_EQ(pgtest::Psql(east, "SELECT name FROM palika_cluster.cluster_name"), "east");

  // verify's read-only check: compares, never writes.
  EXPECT_EQ(CheckClusterName("west", east, false).code(), "cluster_name_mismatch");
  EXPECT_TRUE(CheckClusterName("east", east, false).ok());
  const std::string fresh = pgtest::NewDatabase(0);
  EXPECT_TRUE(CheckClusterName("north", fresh, false).ok());
  EXPECT_EQ(pgtest::Psql(fresh,
                         "SELECT COUNT(*) FROM pg_namespace WHERE nspname = "
                         "'palika_cluster'"),
            "0");
}

// A state has more ULBs than a cluster allows connections (413 against PostgreSQL's default
// max_connections of 100): its ULBs share a few connections, taken only while a writer or a read
// needs one. Here 20 ULBs write and read at once through a cluster restarted with
// max_connections = 12; and with every allowed connection held, the next waits, then answers
// store_busy saying what to do.
TEST_F(ShardMapTest, MoreUlbsThanTheClusterAllowsConnectionsShareThem) {
  const std::string base = pgtest::Url(1);
  ASSERT_FALSE(base.empty());
  pgtest::Psql(base, "ALTER SYSTEM SET max_connections = 12");
  ASSERT_TRUE(pgtest::Halt(1));
  ASSERT_TRUE(pgtest::Resume(1));
  struct Reset {  // the cluster is the test binary's: back to its setting afterwards
    std::string url;
    ~Reset() {
      pgtest::Psql(url, "ALTER SYSTEM RESET max_connections");
      EXPECT_TRUE(pgtest::Halt(1));
      EXPECT_TRUE(pgtest::Resume(1));
    }
  } reset{base};
  const std::string url = pgtest::NewDatabase(1);
  ASSERT_FALSE(url.empty());
  ASSERT_EQ(pgtest::Psql(url, "SHOW max_connections"), "12");

  StoreOptions stores;
  stores.clusters["small"] = url;
  stores.new_ulbs = Placement{"postgres", "small"};
  std::vector<std::string> codes;
  for (int i = 0; i < 20; ++i) codes.push_back(fmt::format("{:04d}", 1000 + i));
  {
    auto set = MustOpen(stores);
    ASSERT_TRUE(set);
    for (const auto& code : codes) {
      auto l = set->CreateUlb(code);
      ASSERT_TRUE(l.ok()) << code << ": " << l.status().ToString();
    }
    std::vector<std::thread> threads;
    std::vector<std::string> failures[4];
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (int round = 0; round < 3; ++round) {
          for (size_t i = static_cast<size_t>(t); i < codes.size(); i += 4) {
            auto l = set->Ulb(codes[i]);
            Status s = l.ok() ? AddNote(**l, fmt::format("{} {}", codes[i], round)) : l.status();
            if (s.ok()) {
              s = (*l)->Read([](store::Transaction& tx) {
                return tx.QueryOne("SELECT COUNT(*) FROM notes").status();
              });
            }
            if (!s.ok()) failures[t].push_back(codes[i] + ": " + s.ToString());
          }
        }
      });
    }
    for (auto& th : threads) th.join();
    for (const auto& f : failures) EXPECT_TRUE(f.empty()) << f.front();
    for (const auto& code : codes) {
      EXPECT_EQ(Notes(**set->Ulb(code)),
                (std::vector<std::string>{code + " 0", code + " 1", code + " 2"}));
    }
    const store::postgres::ConnectionCount count = store::postgres::Connections(url);
    EXPECT_EQ(count.limit, 6);  // 3/4 of (12 - 3 reserved for superusers)
    EXPECT_LE(count.open, count.limit);
    EXPECT_LE(std::stoi(pgtest::Psql(url,
                                     "SELECT COUNT(*) FROM pg_stat_activity WHERE "
                                     "application_name LIKE 'palika/%'")),
              6);
  }

  // Every allowed connection held: the next waits, then answers what to do, in both languages.
  const std::string other = pgtest::NewDatabase(1);
  store::postgres::SetConnectionLimit(other, 2, std::chrono::milliseconds(300));
  store::OpenOptions create;
  create.create = true;
  std::vector<std::unique_ptr<store::Database>> held;
  for (int i = 0; i < 3; ++i) {
    auto db = store::OpenDatabase(store::Location::Postgres(other, "held"), create);
    if (i < 2) {
      ASSERT_TRUE(db.ok()) << db.status().ToString();
      ASSERT_TRUE((*db)->BeginRead().ok());  // a snapshot holds its connection until it ends
      held.push_back(std::move(db).value());
      continue;
    }
    ASSERT_FALSE(db.ok());
    EXPECT_EQ(db.status().code(), "store_busy");
    EXPECT_EQ(db.status().kind(), StatusKind::kUnavailable);
    EXPECT_NE(db.status().message().find("pgbouncer"), std::string::npos);
    EXPECT_NE(db.status().message_hi(), db.status().message());
  }
  ASSERT_TRUE(held.back()->Rollback().ok());
  held.back()->Disconnect();  // handed back: the next one gets it
  auto db = store::OpenDatabase(store::Location::Postgres(other, "held"), create);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
}

}  // namespace
}  // namespace palika::ledger
