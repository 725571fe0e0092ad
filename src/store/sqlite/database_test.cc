#include "store/sqlite/database.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "core/encoding.h"
#include "store/sqlite/fault_vfs.h"

namespace palika::store::sqlite {
namespace {

namespace fs = std::filesystem;

int CountStatements(sqlite3* db) {
  int n = 0;
  for (sqlite3_stmt* s = sqlite3_next_stmt(db, nullptr); s; s = sqlite3_next_stmt(db, s)) ++n;
  return n;
}

class DatabaseTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("palika_database_test_" + HexEncode(RandomBytes(8)));
    ASSERT_TRUE(fs::create_directory(dir_));
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::unique_ptr<Database> OpenRw(const std::string& name = "test.db") {
    OpenOptions o;
    o.create = true;
    auto db = Database::Open(dir_ / name, o);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(db).value() : nullptr;
  }
  std::unique_ptr<Database> OpenRo(const std::string& name = "test.db") {
    OpenOptions o;
    o.read_only = true;
    auto db = Database::Open(dir_ / name, o);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(db).value() : nullptr;
  }

  fs::path dir_;
};

TEST_F(DatabaseTest, OpenCreatesTheFileInWalModeWithFullSync) {
  auto db = OpenRw();
  ASSERT_TRUE(db);
  EXPECT_TRUE(fs::exists(dir_ / "test.db"));
  EXPECT_EQ(db->path(), dir_ / "test.db");
  auto mode = db->QueryOne("PRAGMA journal_mode");
  ASSERT_TRUE(mode.ok()) << mode.status().ToString();
  ASSERT_TRUE(mode->has_value());
  EXPECT_EQ((*mode)->Text(0), "wal");
  auto sync = db->QueryOne("PRAGMA synchronous");
  ASSERT_TRUE(sync.ok());
  EXPECT_EQ((*sync)->Int(0), 2);  // FULL
  auto fk = db->QueryOne("PRAGMA foreign_keys");
  ASSERT_TRUE(fk.ok());
  EXPECT_EQ((*fk)->Int(0), 1);
}

// The ledger writer's connection: COMMIT does not sync (a sync that would fail does not stop it);
// SyncCommitted syncs the WAL, from another thread while commits go on, and reports a failure.
TEST_F(DatabaseTest, ADeferredSyncConnectionCommitsWithoutSyncAndSyncsOnRequest) {
  OpenOptions o;
  o.create = true;
  o.deferred_sync = true;
  auto opened = Database::Open(dir_ / "test.db", o);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  auto& db = **opened;
  auto sync = db.QueryOne("PRAGMA synchronous");
  ASSERT_TRUE(sync.ok());
  EXPECT_EQ((*sync)->Int(0), 1);  // NORMAL
  ASSERT_TRUE(db.ExecScript("CREATE TABLE t(x INTEGER)").ok());
  ASSERT_TRUE(db.BeginWrite().ok());
  ASSERT_TRUE(db.Exec("INSERT INTO t VALUES (1)").ok());
  ASSERT_TRUE(db.Commit().ok());
  EXPECT_TRUE(db.SyncCommitted().ok());

  const fs::path control = dir_ / "syncs";
  ControlSyncs(control);
  std::ofstream(control) << "fail\n";
  ASSERT_TRUE(db.BeginWrite().ok());
  ASSERT_TRUE(db.Exec("INSERT INTO t VALUES (2)").ok());
  ASSERT_TRUE(db.Commit().ok()) << "COMMIT synced the WAL";
  Status failed = db.SyncCommitted();
  EXPECT_EQ(failed.kind(), StatusKind::kIOError) << failed.ToString();
  EXPECT_NE(failed.message().find("test.db"), std::string::npos) << failed.message();
  std::ofstream(control) << "pass\n";
  ControlSyncs({});

  std::atomic<bool> done = false;
  std::thread syncer([&] {
    while (!done) EXPECT_TRUE(db.SyncCommitted().ok());
  });
  for (int i = 3; i < 200; ++i) {
    ASSERT_TRUE(db.BeginWrite().ok());
    ASSERT_TRUE(db.Exec("INSERT INTO t VALUES (?)", {int64_t{i}}).ok());
    ASSERT_TRUE(db.Commit().ok());
  }
  done = true;
  syncer.join();
  EXPECT_EQ(db.QueryOne("SELECT COUNT(*) FROM t").value()->Int(0), 199);
}

// The fault VFS holds a transaction's WAL frames and writes them as few large writes; all of
// them reach the file before COMMIT returns (what a process crash right after a COMMIT keeps),
// whatever the transaction's size, also while another thread syncs the WAL, and a transaction
// that spills frames before its commit reads them back.
TEST_F(DatabaseTest, ACommitsWalFramesAreInTheFileWhenCommitReturns) {
  OpenOptions o;
  o.create = true;
  o.deferred_sync = true;
  auto opened = Database::Open(dir_ / "test.db", o);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  auto& db = **opened;
  ASSERT_TRUE(db.ExecScript("CREATE TABLE t(n INTEGER PRIMARY KEY, b BLOB)").ok());
  auto reader = OpenRo();
  ASSERT_TRUE(reader);

  std::atomic<bool> done = false;
  std::thread syncer([&] {
    while (!done) {
      Status st = db.SyncCommitted();
      EXPECT_TRUE(st.ok()) << st.ToString();
    }
  });
  // Rows of 1 byte to 600 KiB: one frame a commit, more than one write's worth (128 KiB), and,
  // with a 16-page cache, frames spilled into the WAL before the commit.
  ASSERT_TRUE(db.ExecScript("PRAGMA cache_size=16").ok());
  const std::vector<int64_t> sizes = {1, 3000, 200'000, 1, 600'000, 70'000, 5};
  int64_t n = 0;
  for (int round = 0; round < 3; ++round) {
    for (int64_t size : sizes) {
      ASSERT_TRUE(db.BeginWrite().ok());
      ++n;
      ASSERT_TRUE(db.Exec("INSERT INTO t VALUES (?, zeroblob(?))", {n, size}).ok());
      // Read back what the transaction wrote (spilled frames are read from the WAL).
      auto total = db.QueryOne("SELECT SUM(length(b)) FROM t WHERE n = ?", {n});
      ASSERT_TRUE(total.ok() && *total);
      EXPECT_EQ((*total)->Int(0), size);
      ASSERT_TRUE(db.Commit().ok());

      // Another connection sees it at once.
      auto seen = reader->QueryOne("SELECT length(b) FROM t WHERE n = ?", {n});
      ASSERT_TRUE(seen.ok() && *seen) << "commit " << n << " not visible";
      EXPECT_EQ((*seen)->Int(0), size);

      // A copy of the files as they are now (a process killed here) holds the commit.
      const fs::path copy = dir_ / ("copy" + std::to_string(n));
      fs::create_directory(copy);
      fs::copy_file(dir_ / "test.db", copy / "test.db");
      fs::copy_file(dir_ / "test.db-wal", copy / "test.db-wal");
      {
        OpenOptions ro;
        auto c = Database::Open(copy / "test.db", ro);
        ASSERT_TRUE(c.ok()) << c.status().ToString();
        auto rows = (*c)->QueryOne("SELECT COUNT(*), SUM(length(b)) FROM t");
        ASSERT_TRUE(rows.ok() && *rows) << rows.status().ToString();
        EXPECT_EQ((*rows)->Int(0), n) << "a crash after COMMIT returned lost commit " << n;
      }
      fs::remove_all(copy);
    }
  }
  done = true;
  syncer.join();
  auto check = db.QueryOne("PRAGMA integrity_check");
  ASSERT_TRUE(check.ok() && *check);
  EXPECT_EQ((*check)->Text(0), "ok");
}

TEST_F(DatabaseTest, MissingFileIsNotFound) {
  auto db = Database::Open(dir_ / "missing.db", OpenOptions{});
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().kind(), StatusKind::kNotFound);
  EXPECT_EQ(db.status().code(), "database_missing");
  EXPECT_NE(db.status().message().find("missing.db"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir_ / "missing.db"));

  OpenOptions ro;
  ro.read_only = true;
  ro.create = true;  // a reader never creates
  auto reader = Database::Open(dir_ / "missing.db", ro);
  EXPECT_FALSE(reader.ok());
  EXPECT_FALSE(fs::exists(dir_ / "missing.db"));
}

TEST_F(DatabaseTest, AFileThatIsNotADatabaseIsCorruption) {
  std::ofstream(dir_ / "junk.db", std::ios::binary) << std::string(4096, 'x');
  auto db = Database::Open(dir_ / "junk.db", OpenOptions{});
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().kind(), StatusKind::kCorruption) << db.status().ToString();
}

TEST_F(DatabaseTest, RoundTripsEveryValueKind) {
  auto db = OpenRw();
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->ExecScript("CREATE TABLE t(id INTEGER PRIMARY KEY, n INTEGER, s TEXT, b BLOB, "
                             "z TEXT)")
                  .ok());
  const std::string hindi = "इंदौर नगर पालिक निगम — वार्ड १२";
  const Blob bytes{std::string("\x00\x01\xff\xfe\n'\"", 7)};
  int64_t changes = -1;
  Status s = db->Exec(
      "INSERT INTO t(id, n, s, b, z) VALUES (?, ?, ?, ?, ?)",
      {int64_t{1}, std::numeric_limits<int64_t>::min(), hindi, bytes, std::monostate{}}, &changes);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(changes, 1);
  // Edge values: the largest integer, empty text, an empty blob, text with a NUL inside.
  s = db->Exec("INSERT INTO t(id, n, s, b, z) VALUES (?, ?, ?, ?, ?)",
               {int64_t{2}, std::numeric_limits<int64_t>::max(), std::string(), Blob{},
                std::string("a\0b", 3)});
  ASSERT_TRUE(s.ok()) << s.ToString();

  auto rows = db->Query("SELECT id, n, s, b, z FROM t ORDER BY id");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 2u);
  const Row& r1 = (*rows)[0];
  EXPECT_EQ(r1.at(1), Value(std::numeric_limits<int64_t>::min()));
  EXPECT_EQ(r1.at(2), Value(hindi));
  EXPECT_EQ(r1.at(3), Value(bytes));
  EXPECT_TRUE(r1.IsNull(4));
  EXPECT_EQ(r1.Int(4), 0);
  EXPECT_EQ(r1.Text(4), "");
  EXPECT_EQ(r1.Text(3), bytes.bytes);  // a blob reads as its bytes
  EXPECT_EQ(r1.Text(1), std::to_string(std::numeric_limits<int64_t>::min()));
  const Row& r2 = (*rows)[1];
  EXPECT_EQ(r2.Int(1), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(r2.at(2), Value(std::string()));
  EXPECT_EQ(r2.at(3), Value(Blob{}));
  EXPECT_EQ(r2.at(4), Value(std::string("a\0b", 3)));

  // Parameters select by every kind, and the Hindi text compares byte for byte.
  auto one = db->QueryOne("SELECT id FROM t WHERE s = ? AND b = ?", {hindi, bytes});
  ASSERT_TRUE(one.ok());
  ASSERT_TRUE(one->has_value());
  EXPECT_EQ((*one)->Int(0), 1);
  auto none = db->QueryOne("SELECT id FROM t WHERE id = ?", {int64_t{99}});
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());

  EXPECT_EQ(ValueToString(Value()), "NULL");
  EXPECT_EQ(ValueToString(Value(int64_t{-5})), "-5");
  EXPECT_EQ(ValueToString(Value(std::string("वार्ड"))), "'वार्ड'");
  EXPECT_EQ(ValueToString(Value(Blob{"\x01\xff"})), "x'01ff'");
}

TEST_F(DatabaseTest, ForEachStreamsRowsAndStopsEarly) {
  auto db = OpenRw();
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->ExecScript("CREATE TABLE t(n INTEGER)").ok());
  for (int64_t i = 1; i <= 10; ++i) ASSERT_TRUE(db->Exec("INSERT INTO t VALUES (?)", {i}).ok());

  int64_t sum = 0;
  ASSERT_TRUE(
      db->ForEach("SELECT n FROM t WHERE n > ? ORDER BY n", {int64_t{5}}, [&](const Row& r) {
          sum += r.Int(0);
          return true;
        }).ok());
  EXPECT_EQ(sum, 6 + 7 + 8 + 9 + 10);

  std::vector<int64_t> seen;
  ASSERT_TRUE(
      db->ForEach("SELECT n FROM t WHERE n > ? ORDER BY n", {int64_t{0}}, [&](const Row& r) {
          seen.push_back(r.Int(0));
          return seen.size() < 3;
        }).ok());
  EXPECT_EQ(seen, (std::vector<int64_t>{1, 2, 3}));
  // The statement stopped early was reset: it runs again from the start.
  auto again = db->Query("SELECT n FROM t WHERE n > ? ORDER BY n", {int64_t{8}});
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again->size(), 2u);
  EXPECT_EQ((*again)[0].Int(0), 9);

  // QueryOne refuses a query that finds several rows.
  auto many = db->QueryOne("SELECT n FROM t");
  ASSERT_FALSE(many.ok());
  EXPECT_EQ(many.status().kind(), StatusKind::kInternal);
}

TEST_F(DatabaseTest, StatementsArePreparedOnceAndReused) {
  auto db = OpenRw();
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->ExecScript("CREATE TABLE t(n INTEGER)").ok());
  const int before = CountStatements(db->handle());
  for (int64_t i = 0; i < 20; ++i) ASSERT_TRUE(db->Exec("INSERT INTO t VALUES (?)", {i}).ok());
  EXPECT_EQ(CountStatements(db->handle()), before + 1);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(db->Query("SELECT COUNT(*) FROM t").ok());
  EXPECT_EQ(CountStatements(db->handle()), before + 2);
  // Bindings do not leak from one use to the next.
  auto r = db->QueryOne("SELECT COUNT(*) FROM t WHERE n >= ?", {int64_t{10}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)->Int(0), 10);
  r = db->QueryOne("SELECT COUNT(*) FROM t WHERE n >= ?", {int64_t{15}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)->Int(0), 5);
  EXPECT_EQ(CountStatements(db->handle()), before + 3);
}

TEST_F(DatabaseTest, WrongParameterCountAndBadSqlAreErrors) {
  auto db = OpenRw();
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->ExecScript("CREATE TABLE t(n INTEGER)").ok());
  Status s = db->Exec("INSERT INTO t VALUES (?)", {});
  EXPECT_EQ(s.kind(), StatusKind::kInternal) << s.ToString();
  s = db->Exec("INSERT INTO t VALUES (?)", {int64_t{1}, int64_t{2}});
  EXPECT_EQ(s.kind(), StatusKind::kInternal) << s.ToString();
  s = db->Exec("INSERT INTO nowhere VALUES (1)");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("nowhere"), std::string::npos) << s.message();
  EXPECT_FALSE(db->ExecScript("THIS IS NOT SQL").ok());
  // The connection is still usable.
  EXPECT_TRUE(db->Exec("INSERT INTO t VALUES (?)", {int64_t{1}}).ok());
}

TEST_F(DatabaseTest, ConstraintViolationIsConflict) {
  auto db = OpenRw();
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->ExecScript("CREATE TABLE t(code TEXT PRIMARY KEY, name TEXT NOT NULL)").ok());
  ASSERT_TRUE(
      db->Exec("INSERT INTO t VALUES (?, ?)", {std::string("0152"), std::string("इंदौर")}).ok());
  Status s = db->Exec("INSERT INTO t VALUES (?, ?)", {std::string("0152"), std::string("x")});
  EXPECT_EQ(s.kind(), StatusKind::kConflict) << s.ToString();
  EXPECT_EQ(s.code(), "constraint");
  EXPECT_NE(s.message_hi(), s.message());  // a Hindi message is given
  s = db->Exec("INSERT INTO t VALUES (?, ?)", {std::string("0153"), std::monostate{}});
  EXPECT_EQ(s.kind(), StatusKind::kConflict) << s.ToString();
  auto n = db->QueryOne("SELECT COUNT(*) FROM t");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ((*n)->Int(0), 1);
}

TEST_F(DatabaseTest, SavepointRollbackUndoesOnlyItsPart) {
  auto db = OpenRw();
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->ExecScript("CREATE TABLE t(n INTEGER PRIMARY KEY)").ok());
  EXPECT_FALSE(db->InTransaction());
  ASSERT_TRUE(db->BeginImmediate().ok());
  EXPECT_TRUE(db->InTransaction());
  ASSERT_TRUE(db->Exec("INSERT INTO t VALUES (1)").ok());

  ASSERT_TRUE(db->Savepoint("cmd").ok());
  ASSERT_TRUE(db->Exec("INSERT INTO t VALUES (2)").ok());
  // A failed statement inside the savepoint, then its rollback: the outer transaction goes on.
  EXPECT_EQ(db->Exec("INSERT INTO t VALUES (1)").kind(), StatusKind::kConflict);
  ASSERT_TRUE(db->RollbackToSavepoint("cmd").ok());
  EXPECT_TRUE(db->InTransaction());

  ASSERT_TRUE(db->Savepoint("cmd").ok());
  ASSERT_TRUE(db->Exec("INSERT INTO t VALUES (3)").ok());
  ASSERT_TRUE(db->ReleaseSavepoint("cmd").ok());
  ASSERT_TRUE(db->Commit().ok());
  EXPECT_FALSE(db->InTransaction());

  auto rows = db->Query("SELECT n FROM t ORDER BY n");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].Int(0), 1);
  EXPECT_EQ((*rows)[1].Int(0), 3);

  // A rolled-back transaction leaves nothing.
  ASSERT_TRUE(db->BeginImmediate().ok());
  ASSERT_TRUE(db->Exec("INSERT INTO t VALUES (4)").ok());
  ASSERT_TRUE(db->Rollback().ok());
  auto n = db->QueryOne("SELECT COUNT(*) FROM t");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ((*n)->Int(0), 2);
}

TEST_F(DatabaseTest, ReadOnlyConnectionCannotWrite) {
  auto db = OpenRw();
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->ExecScript("CREATE TABLE t(n INTEGER)").ok());
  ASSERT_TRUE(db->Exec("INSERT INTO t VALUES (1)").ok());

  auto ro = OpenRo();
  ASSERT_TRUE(ro);
  auto n = ro->QueryOne("SELECT COUNT(*) FROM t");
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ((*n)->Int(0), 1);
  EXPECT_FALSE(ro->Exec("INSERT INTO t VALUES (2)").ok());
  EXPECT_FALSE(ro->Exec("DELETE FROM t").ok());
  EXPECT_FALSE(ro->ExecScript("CREATE TABLE u(x)").ok());
  EXPECT_FALSE(ro->ExecScript("PRAGMA query_only=OFF; INSERT INTO t VALUES (3)").ok());

  n = db->QueryOne("SELECT COUNT(*) FROM t");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ((*n)->Int(0), 1);
}

TEST_F(DatabaseTest, ReaderKeepsItsSnapshotWhileTheWriterCommits) {
  auto db = OpenRw();
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->ExecScript("CREATE TABLE t(n INTEGER)").ok());
  ASSERT_TRUE(db->Exec("INSERT INTO t VALUES (1)").ok());
  auto ro = OpenRo();
  ASSERT_TRUE(ro);

  ASSERT_TRUE(db->BeginImmediate().ok());
  ASSERT_TRUE(db->Exec("INSERT INTO t VALUES (2)").ok());
  // The writer holds its lock; the reader does not wait and sees only what was committed.
  ASSERT_TRUE(ro->Begin().ok());
  auto n = ro->QueryOne("SELECT COUNT(*) FROM t");
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ((*n)->Int(0), 1);
  ASSERT_TRUE(db->Commit().ok());
  n = ro->QueryOne("SELECT COUNT(*) FROM t");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ((*n)->Int(0), 1);  // same snapshot until the read transaction ends
  ASSERT_TRUE(ro->Rollback().ok());
  n = ro->QueryOne("SELECT COUNT(*) FROM t");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ((*n)->Int(0), 2);
}

TEST_F(DatabaseTest, InMemoryDatabaseIsPrivate) {
  OpenOptions mem;
  mem.in_memory = true;
  auto a = Database::Open("", mem);
  auto b = Database::Open("", mem);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE((*a)->ExecScript("CREATE TABLE t(n INTEGER); INSERT INTO t VALUES (7)").ok());
  auto n = (*a)->QueryOne("SELECT n FROM t");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ((*n)->Int(0), 7);
  EXPECT_FALSE((*b)->Query("SELECT n FROM t").ok());  // not shared
  EXPECT_TRUE(fs::is_empty(dir_));
}

TEST_F(DatabaseTest, DataSurvivesReopening) {
  {
    auto db = OpenRw();
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->ExecScript("CREATE TABLE t(s TEXT)").ok());
    ASSERT_TRUE(db->Exec("INSERT INTO t VALUES (?)", {std::string("नगर परिषद")}).ok());
  }
  auto db = Database::Open(dir_ / "test.db", OpenOptions{});
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  auto s = (*db)->QueryOne("SELECT s FROM t");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ((*s)->Text(0), "नगर परिषद");
}

}  // namespace
}  // namespace palika::store::sqlite
