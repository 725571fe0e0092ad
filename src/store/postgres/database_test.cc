#include "store/postgres/database.h"

#include <gtest/gtest.h>

#include "core/encoding.h"
#include "pg_test_clusters.h"

namespace palika::store::postgres {
namespace {

TEST(PostgresSql, PlaceholdersAreNumberedOutsideQuotes) {
  int n = 0;
  EXPECT_EQ(NumberPlaceholders("SELECT a FROM t WHERE b = ? AND c = '?' AND \"d?\" = ? -- ?\n"
                               "AND e = 'it''s ?' AND f = ?",
                               &n),
            "SELECT a FROM t WHERE b = $1 AND c = '?' AND \"d?\" = $2 -- ?\n"
            "AND e = 'it''s ?' AND f = $3");
  EXPECT_EQ(n, 3);
}

// SQLite's numbered form, which a query uses to name one value twice (the demand's batch read).
TEST(PostgresSql, NumberedPlaceholdersKeepTheirNumbers) {
  int n = 0;
  EXPECT_EQ(NumberPlaceholders("SELECT a FROM t WHERE b = ?3 AND c > ?1 AND d = ?3 LIMIT ?2", &n),
            "SELECT a FROM t WHERE b = $3 AND c > $1 AND d = $3 LIMIT $2");
  EXPECT_EQ(n, 3);
  EXPECT_EQ(NumberPlaceholders("SELECT ?2, ?, '?7'", &n), "SELECT $2, $3, '?7'");
  EXPECT_EQ(n, 3);
}

TEST(PostgresSql, DdlIsTranslated) {
  EXPECT_EQ(TranslateDdl("CREATE TABLE t(a INTEGER PRIMARY KEY, b BLOB NOT NULL, c text "
                         "DEFAULT 'INTEGER BLOB', integers INTEGER) WITHOUT ROWID"),
            "CREATE TABLE t(a BIGINT PRIMARY KEY, b BYTEA NOT NULL, c TEXT COLLATE \"C\" "
            "DEFAULT 'INTEGER BLOB', integers BIGINT)");
}

TEST(PostgresSql, SchemaPerUlb) {
  EXPECT_EQ(SchemaFor("0152"), "ulb_0152");
  EXPECT_EQ(SchemaFor("state"), "state");
}

class PostgresDatabase : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = pgtest::Url();  // starts the test binary's throw-away clusters on first use
    ASSERT_FALSE(url_.empty());
    schema_ = "test_" + HexEncode(RandomBytes(6));
  }
  void TearDown() override {
    if (url_.empty()) return;
    auto admin = Database::OpenScratch(url_);
    ASSERT_TRUE(admin.ok()) << admin.status().ToString();
    EXPECT_TRUE((*admin)->ExecScript("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE").ok());
  }
  std::unique_ptr<Database> Open(bool create = true, bool read_only = false) {
    OpenOptions o;
    o.create = create;
    o.read_only = read_only;
    auto db = Database::Open(Location::Postgres(url_, schema_), o);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(db).value() : nullptr;
  }
  std::string url_;
  std::string schema_;
};

TEST_F(PostgresDatabase, ValuesRoundTrip) {
  auto db = Open();
  ASSERT_TRUE(db);
  ASSERT_TRUE(
      db->ExecScript("CREATE TABLE v(k INTEGER PRIMARY KEY, n INTEGER, t TEXT, b BLOB)").ok());
  const std::string bytes("\x00\x01\xff\x80 '\\x", 8);
  const std::vector<Value> row = {int64_t{1}, int64_t{-9007199254740993}, std::string("इंदौर 'x'"),
                                  Blob{bytes}};
  ASSERT_TRUE(db->Exec("INSERT INTO v(k, n, t, b) VALUES (?, ?, ?, ?)", row).ok());
  ASSERT_TRUE(db->Exec("INSERT INTO v(k, n, t, b) VALUES (?, ?, ?, ?)",
                       {int64_t{2}, Value(), Value(), Value()})
                  .ok());
  auto rows = db->Query("SELECT k, n, t, b FROM v ORDER BY k");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].values(), row);
  EXPECT_TRUE((*rows)[1].IsNull(1) && (*rows)[1].IsNull(2) && (*rows)[1].IsNull(3));
  // SUM over bigint is numeric in PostgreSQL; it reads back as an integer, as in SQLite.
  auto sum = db->QueryOne("SELECT SUM(n), COUNT(*) FROM v");
  ASSERT_TRUE(sum.ok() && *sum);
  EXPECT_EQ((*sum)->at(0), Value(int64_t{-9007199254740993}));
  EXPECT_EQ((*sum)->at(1), Value(int64_t{2}));
  auto cols = db->TableColumns("v");
  ASSERT_TRUE(cols.ok());
  EXPECT_EQ(*cols, (std::vector<std::string>{"k", "n", "t", "b"}));
  EXPECT_TRUE(*db->TableExists("v"));
  EXPECT_FALSE(*db->TableExists("w"));
  // Text sorts by bytes, as SQLite's BINARY collation does.
  ASSERT_TRUE(db->Exec("INSERT INTO v(k, t) VALUES (3, 'a'), (4, 'B'), (5, 'Z')").ok());
  auto sorted = db->Query("SELECT t FROM v WHERE k > 2 ORDER BY t");
  ASSERT_TRUE(sorted.ok());
  EXPECT_EQ((*sorted)[0].Text(0), "B");
  EXPECT_EQ((*sorted)[2].Text(0), "a");
}

TEST_F(PostgresDatabase, SavepointsCommitsAndSnapshots) {
  auto db = Open();
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->ExecScript("CREATE TABLE t(k INTEGER PRIMARY KEY)").ok());
  auto reader = Open(false, true);
  ASSERT_TRUE(reader);

  ASSERT_TRUE(db->BeginWrite().ok());
  EXPECT_TRUE(db->InTransaction());
  ASSERT_TRUE(db->Exec("INSERT INTO t(k) VALUES (?)", {int64_t{1}}).ok());
  ASSERT_TRUE(db->Savepoint("cmd").ok());
  ASSERT_TRUE(db->Exec("INSERT INTO t(k) VALUES (?)", {int64_t{2}}).ok());
  // A constraint failure is a Conflict, and the savepoint undoes only this command.
  Status dup = db->Exec("INSERT INTO t(k) VALUES (?)", {int64_t{1}});
  EXPECT_EQ(dup.kind(), StatusKind::kConflict) << dup.ToString();
  ASSERT_TRUE(db->RollbackToSavepoint("cmd").ok());
  EXPECT_TRUE(db->InTransaction());
  ASSERT_TRUE(reader->BeginRead().ok());
  EXPECT_TRUE(reader->Query("SELECT k FROM t")->empty());  // nothing committed yet
  ASSERT_TRUE(db->Commit().ok());
  EXPECT_FALSE(db->InTransaction());
  // The reader's snapshot was taken before the commit.
  EXPECT_TRUE(reader->Query("SELECT k FROM t")->empty());
  ASSERT_TRUE(reader->Rollback().ok());
  ASSERT_TRUE(reader->BeginRead().ok());
  auto rows = reader->Query("SELECT k FROM t ORDER BY k");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].Int(0), 1);
  // A read snapshot refuses writes.
  EXPECT_FALSE(reader->Exec("INSERT INTO t(k) VALUES (?)", {int64_t{5}}).ok());
  ASSERT_TRUE(reader->Rollback().ok());
}

TEST_F(PostgresDatabase, MissingSchemaIsNotFound) {
  OpenOptions o;
  auto db = Database::Open(Location::Postgres(url_, schema_), o);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), "database_missing");
}

TEST_F(PostgresDatabase, ServerThatCannotBeReachedIsUnavailable) {
  // Port 1 on loopback: nothing listens there.
  auto db = Database::Open(Location::Postgres("postgresql://nobody@127.0.0.1:1/none", schema_), {});
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().kind(), StatusKind::kUnavailable);
  EXPECT_EQ(db.status().code(), "store_unavailable");
  EXPECT_NE(db.status().message().find("Try again shortly"), std::string::npos);
  EXPECT_FALSE(db.status().message_hi().empty());
  // The password of a URL never appears in a message.
  auto secret =
      Database::Open(Location::Postgres("postgresql://u:hunter2@127.0.0.1:1/none", schema_), {});
  EXPECT_EQ(secret.status().message().find("hunter2"), std::string::npos);
}

TEST_F(PostgresDatabase, ReconnectsAfterTheConnectionIsLost) {
  auto db = Open();
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->ExecScript("CREATE TABLE t(k INTEGER PRIMARY KEY)").ok());
  auto pid = db->QueryOne("SELECT pg_backend_pid()");
  ASSERT_TRUE(pid.ok() && *pid);
  ASSERT_TRUE(db->BeginWrite().ok());
  ASSERT_TRUE(db->Exec("INSERT INTO t(k) VALUES (1)").ok());
  // Another session ends this one, as a server restart or a network cut would.
  auto admin = Open();
  ASSERT_TRUE(admin);
  ASSERT_TRUE(admin->Exec("SELECT pg_terminate_backend(?::int)", {(*pid)->Int(0)}).ok());
  Status lost = db->Exec("INSERT INTO t(k) VALUES (2)");
  EXPECT_EQ(lost.code(), "store_unavailable") << lost.ToString();
  EXPECT_FALSE(db->InTransaction());
  // The next transaction reconnects; the lost one left nothing behind.
  ASSERT_TRUE(db->BeginWrite().ok());
  ASSERT_TRUE(db->Exec("INSERT INTO t(k) VALUES (3)").ok());
  ASSERT_TRUE(db->Commit().ok());
  auto rows = db->Query("SELECT k FROM t ORDER BY k");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].Int(0), 3);
}

TEST_F(PostgresDatabase, ScratchSchemaIsDroppedOnClose) {
  std::string name;
  {
    auto scratch = Database::OpenScratch(url_);
    ASSERT_TRUE(scratch.ok()) << scratch.status().ToString();
    name = (*scratch)->schema();
    ASSERT_TRUE((*scratch)->ExecScript("CREATE TABLE x(a INTEGER)").ok());
  }
  auto db = Open();
  ASSERT_TRUE(db);
  auto found = db->QueryOne("SELECT 1 FROM pg_namespace WHERE nspname = ?", {name});
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
}

}  // namespace
}  // namespace palika::store::postgres
