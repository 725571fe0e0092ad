#include "ledger/verify.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/encoding.h"
#include "ledger/checkpoint.h"
#include "ledger/ledger.h"
#include "ledger/ledger_set.h"
#include "store/sqlite/database.h"

namespace palika::ledger {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace std::chrono_literals;

constexpr char kOrigin[] = "node-verifytest";
constexpr char kUlb[] = "0152";

Projections MakeWards() {
  Projections p;
  p.AddTable("wards",
             "CREATE TABLE IF NOT EXISTS wards(number INTEGER PRIMARY KEY, name_hi TEXT NOT NULL,"
             " zone TEXT NOT NULL)",
             "number");
  p.AddUnrecordedTable("ward_cache", "CREATE TABLE IF NOT EXISTS ward_cache(k TEXT, v TEXT)",
                       "a cache, rebuilt on demand");
  p.OnEvent("ward.added", [](store::Transaction& tx, const Entry& e) -> Status {
    auto o = json::parse(e.payload).as_object();
    return tx.Exec("INSERT INTO wards(number, name_hi, zone) VALUES (?, ?, ?)",
                   {o.at("number").as_int64(), std::string(o.at("name_hi").as_string()),
                    std::string(o.at("zone").as_string())});
  });
  return p;
}

const Projections& Wards() {
  static const Projections p = MakeWards();
  return p;
}

Command AddWard(int64_t number, const std::string& zone, std::string key = {}) {
  Command c;
  c.actor = "usr_clerk";
  c.idempotency_key = key;
  c.request_hash = key.empty() ? "" : "hash-" + key;
  c.decide = [number, zone](store::Transaction&, int64_t) -> Result<Decision> {
    json::object fields{
        {"number", number}, {"name_hi", "वार्ड " + std::to_string(number)}, {"zone", zone}};
    return Decision{{Event{"ward.added", fields}}, fields};
  };
  return c;
}

bool HasProblem(const VerifyReport& r, const std::string& fragment) {
  for (const auto& p : r.problems) {
    if (p.find(fragment) != std::string::npos) return true;
  }
  return false;
}

std::string Problems(const VerifyReport& r) {
  std::string out;
  for (const auto& p : r.problems) out += "\n  - " + p;
  return out.empty() ? " (none)" : out;
}

class VerifyTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("palika_verify_test_" + HexEncode(RandomBytes(8)));
    ASSERT_TRUE(fs::create_directory(dir_));
    auto node = GenerateSigner(kOrigin);
    ASSERT_TRUE(node.ok());
    node_ = std::make_unique<NoteSigner>(std::move(node).value());
    BuildPristine();
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // Six entries: wards 1..4 in zones East/West, a fifth by an idempotent command (two entries);
  // a checkpoint at size 2 and one at size 6, each written by Close.
  void BuildPristine() {
    auto signer = node_->WithName(LogName(kOrigin, kUlb));
    ASSERT_TRUE(signer.ok());
    NoteVerifier verifier = signer->Verifier();
    LedgerOptions o;
    o.location = dir_ / "pristine.db";
    o.ulb = kUlb;
    o.origin = kOrigin;
    o.signer = &*signer;
    o.verifier = &verifier;
    o.projections = &Wards();
    o.checkpoint_interval = 1h;  // checkpoints only on Close: at sizes 2 and 6
    auto l = Ledger::Open(o, true);
    ASSERT_TRUE(l.ok()) << l.status().ToString();
    ASSERT_TRUE((*l)->Submit(AddWard(1, "East")).ok());
    ASSERT_TRUE((*l)->Submit(AddWard(2, "East")).ok());
    l->reset();
    l = Ledger::Open(o, false);
    ASSERT_TRUE(l.ok()) << l.status().ToString();
    ASSERT_TRUE((*l)->Submit(AddWard(3, "West")).ok());
    ASSERT_TRUE((*l)->Submit(AddWard(4, "West")).ok());
    ASSERT_TRUE((*l)->Submit(AddWard(5, "West", "req-5")).ok());
    ASSERT_EQ((*l)->size(), 6u);
    (*l)->Close();
    latest_note_ = (*l)->LatestCheckpointNote();
  }

  // A fresh copy of the intact file.
  fs::path Copy(const std::string& name) {
    const fs::path to = dir_ / (name + ".db");
    fs::copy_file(dir_ / "pristine.db", to);
    if (fs::exists(dir_ / "pristine.db-wal")) {
      fs::copy_file(dir_ / "pristine.db-wal", dir_ / (name + ".db-wal"));
    }
    return to;
  }

  // A fresh copy with `sql` run on it.
  fs::path Tampered(const std::string& name, const std::string& sql,
                    const std::vector<store::Value>& params = {}) {
    const fs::path file = Copy(name);
    auto db = store::sqlite::Database::Open(file, {});
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    if (!db.ok()) return file;
    int64_t changes = 0;
    if (params.empty()) {
      Status s = (*db)->ExecScript(sql);
      EXPECT_TRUE(s.ok()) << sql << ": " << s.ToString();
    } else {
      Status s = (*db)->Exec(sql, params, &changes);
      EXPECT_TRUE(s.ok()) << sql << ": " << s.ToString();
      EXPECT_GT(changes, 0) << sql;
    }
    return file;
  }

  VerifyReport Verify(const fs::path& file, const std::string& ulb = kUlb) {
    auto r = VerifyLedgerFile(file, ulb, kOrigin, Wards(), node_->Verifier());
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : VerifyReport{};
  }

  // Verifies a tampered file and expects a report naming `fragment`.
  void ExpectReported(const fs::path& file, const std::string& fragment) {
    VerifyReport r = Verify(file);
    EXPECT_FALSE(r.ok()) << "tampering not detected in " << file.filename();
    EXPECT_TRUE(HasProblem(r, fragment))
        << "expected a problem naming \"" << fragment << "\"; got:" << Problems(r);
  }

  fs::path dir_;
  std::unique_ptr<NoteSigner> node_;
  std::string latest_note_;
};

TEST_F(VerifyTest, IntactFileVerifiesWithCounts) {
  VerifyReport r = Verify(Copy("intact"));
  EXPECT_TRUE(r.ok()) << Problems(r);
  EXPECT_EQ(r.ulb, kUlb);
  EXPECT_EQ(r.entries, 6u);
  EXPECT_EQ(r.checkpoints, 2u);
  EXPECT_EQ(r.rows_compared, 6u);  // 5 wards and 1 idempotency key
  auto v = LogVerifier(node_->Verifier(), LogName(kOrigin, kUlb));
  ASSERT_TRUE(v.ok());
  auto cp = OpenCheckpoint(latest_note_, *v);
  ASSERT_TRUE(cp.ok()) << cp.status().ToString();
  EXPECT_EQ(r.root_hex, HashHex(cp->root));

  // Verify only reads: the original still opens and verifies the same.
  VerifyReport again = Verify(dir_ / "pristine.db");
  EXPECT_TRUE(again.ok()) << Problems(again);
  EXPECT_EQ(again.root_hex, r.root_hex);
}

TEST_F(VerifyTest, UnrecordedTablesMayHoldAnything) {
  VerifyReport r = Verify(Tampered("cache", "INSERT INTO ward_cache VALUES ('k', 'v')"));
  EXPECT_TRUE(r.ok()) << Problems(r);
}

TEST_F(VerifyTest, ReportsAnEditedEntryPayload) {
  const fs::path f =
      Tampered("edit_entry",
               "UPDATE ledger_entries SET payload = replace(payload, 'East', 'North') "
               "WHERE seq = 2");
  ExpectReported(f, "checkpoint at size 2");
  ExpectReported(f, "does not match the entries: an entry from 1 to 2 was altered");
  // The projection still says East; the replayed (edited) entry says North.
  ExpectReported(f,
                 "table wards: row (number=2) column zone is 'East' but the ledger says 'North'");
}

TEST_F(VerifyTest, ReportsAnEditedEntryTime) {
  ExpectReported(Tampered("edit_time",
                          "UPDATE ledger_entries SET time_us = time_us - 1 WHERE "
                          "seq = 4"),
                 "does not match the entries: an entry from 3 to 6");
}

TEST_F(VerifyTest, ReportsADeletedEntry) {
  const fs::path f = Tampered("delete_entry", "DELETE FROM ledger_entries WHERE seq = 3");
  ExpectReported(f, "entry 3 is missing (the next stored entry is 4)");
  ExpectReported(f, "checkpoint at size 6 covers more entries than the 5 present");
  ExpectReported(f, "table wards: row (number=3) is not explained by the ledger");
}

TEST_F(VerifyTest, ReportsAnInsertedEntry) {
  // Appended after the last checkpoint, with the projection row a forger would add too.
  const fs::path f =
      Tampered("insert_entry",
               "INSERT INTO ledger_entries(origin, seq, ulb, time_us, actor, type, payload) VALUES "
               "('node-verifytest', 7, '0152', 1, 'usr_clerk', 'ward.added', "
               "'{\"name_hi\":\"वार्ड 7\",\"number\":7,\"zone\":\"East\"}');"
               "INSERT INTO wards VALUES (7, 'वार्ड 7', 'East');");
  VerifyReport r = Verify(f);
  EXPECT_EQ(r.entries, 7u);
  ExpectReported(f, "entries 7 to 7 are not covered by any signed checkpoint");

  // Inserted in the middle (the later entries moved up one): the checkpoints no longer match.
  const fs::path g = Tampered("insert_middle",
                              "UPDATE ledger_entries SET seq = seq + 10 WHERE seq >= 3;"
                              "UPDATE ledger_entries SET seq = seq - 9 WHERE seq >= 13;"
                              "INSERT INTO ledger_entries(origin, seq, ulb, time_us, actor, type, "
                              "payload) SELECT origin, 3, ulb, time_us, actor, type, "
                              "replace(payload, ':2,', ':9,') FROM ledger_entries WHERE seq = 2;"
                              "INSERT INTO wards VALUES (9, 'वार्ड 2', 'East');");
  ExpectReported(g, "checkpoint at size 6 (written");
  ExpectReported(g, "does not match the entries: an entry from 3 to 6");
  ExpectReported(g, "entries 7 to 7 are not covered");
}

TEST_F(VerifyTest, ReportsSwappedEntryPayloads) {
  // Wards 3 and 4 swapped: the tables replay the same, only the tree can tell.
  const fs::path f = Tampered(
      "swap",
      "CREATE TEMP TABLE saved AS SELECT seq, payload FROM ledger_entries WHERE seq IN (3, 4);"
      "UPDATE ledger_entries SET payload = (SELECT payload FROM saved WHERE saved.seq = 7 - "
      "ledger_entries.seq) WHERE seq IN (3, 4);");
  VerifyReport r = Verify(f);
  EXPECT_FALSE(r.ok());
  ExpectReported(f, "checkpoint at size 6");
  ExpectReported(f, "an entry from 3 to 6 was altered, inserted, removed or reordered");
  EXPECT_EQ(r.problems.size(), 1u) << Problems(r);  // nothing else differs
}

TEST_F(VerifyTest, ReportsAnEditedProjectionRowNamingTableAndColumn) {
  const fs::path f =
      Tampered("edit_row", "UPDATE wards SET name_hi = 'नकली वार्ड' WHERE number = 4");
  VerifyReport r = Verify(f);
  ASSERT_EQ(r.problems.size(), 1u) << Problems(r);
  EXPECT_EQ(r.problems[0],
            "table wards: row (number=4) column name_hi is 'नकली वार्ड' but the ledger says "
            "'वार्ड 4'");
}

TEST_F(VerifyTest, ReportsADeletedProjectionRow) {
  const fs::path f = Tampered("delete_row", "DELETE FROM wards WHERE number = 2");
  ExpectReported(f, "table wards: row (number=2) is missing (deleted by hand?)");
  const fs::path g = Tampered("delete_last_row", "DELETE FROM wards WHERE number = 5");
  ExpectReported(g, "table wards: row (number=5) is missing");
}

TEST_F(VerifyTest, ReportsAnInsertedProjectionRow) {
  const fs::path f = Tampered("insert_row", "INSERT INTO wards VALUES (42, 'वार्ड 42', 'East')");
  ExpectReported(f, "table wards: row (number=42) is not explained by the ledger");
  const fs::path g = Tampered("insert_first_row", "INSERT INTO wards VALUES (0, 'x', 'East')");
  ExpectReported(g, "table wards: row (number=0) is not explained by the ledger");
}

TEST_F(VerifyTest, ReportsAnEditedIdempotencyRecord) {
  const fs::path f =
      Tampered("edit_idempotency",
               "UPDATE idempotency_keys SET response = replace(response, 'West', 'East')");
  ExpectReported(f, "table idempotency_keys: row (key='req-5') column response");
}

TEST_F(VerifyTest, ReportsDeletedCheckpoints) {
  const fs::path f = Tampered("no_checkpoints", "DELETE FROM ledger_checkpoints");
  VerifyReport r = Verify(f);
  EXPECT_EQ(r.checkpoints, 0u);
  ExpectReported(f, "entries 1 to 6 are not covered by any signed checkpoint");
  const fs::path g = Tampered("last_checkpoint", "DELETE FROM ledger_checkpoints WHERE size = 6");
  ExpectReported(g, "entries 3 to 6 are not covered by any signed checkpoint");
}

TEST_F(VerifyTest, ReportsAnEditedCheckpointNote) {
  const fs::path f =
      Tampered("edit_note",
               "UPDATE ledger_checkpoints SET note = replace(note, char(10) || '6' || char(10), "
               "char(10) || '5' || char(10)) WHERE size = 6");
  ExpectReported(f, "checkpoint at size 6");
  ExpectReported(f, "signature does not verify");
}

TEST_F(VerifyTest, ReportsACheckpointTreeThatDoesNotMatchItsRoot) {
  const fs::path f = Tampered("edit_tree",
                              "UPDATE ledger_checkpoints SET tree = (SELECT tree FROM "
                              "ledger_checkpoints WHERE size = 2) WHERE size = 6");
  ExpectReported(f, "checkpoint at size 6");
  ExpectReported(f, "its stored tree does not match its signed root");
}

TEST_F(VerifyTest, ReportsAnUnknownTableOrTrigger) {
  ExpectReported(Tampered("table", "CREATE TABLE exfil(data TEXT)"),
                 "table 'exfil' is not part of Palika's schema");
  ExpectReported(
      Tampered("trigger", "CREATE TRIGGER wards_spy AFTER INSERT ON wards BEGIN SELECT 1; END"),
      "trigger 'wards_spy' is not part of Palika's schema");
  ExpectReported(Tampered("view", "CREATE VIEW v AS SELECT * FROM wards"),
                 "view 'v' is not part of Palika's schema");
}

TEST_F(VerifyTest, ReportsAChangedTableSchema) {
  ExpectReported(Tampered("schema", "ALTER TABLE wards ADD COLUMN owner TEXT"),
                 "table wards has 4 columns, not the 3 Palika defines");
}

TEST_F(VerifyTest, ReportsAFileOfAnotherUlb) {
  const fs::path f = Copy("other_ulb");
  VerifyReport r = Verify(f, "0153");
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(HasProblem(r, "the file says it belongs to ULB 0152, not 0153")) << Problems(r);
  // Its checkpoints are signed for another log, and its entries name another ULB.
  EXPECT_TRUE(HasProblem(r, "signature does not verify")) << Problems(r);
  EXPECT_TRUE(HasProblem(r, "entry 1 names ULB 0152, not 0153")) << Problems(r);
}

TEST_F(VerifyTest, ReportsEntriesAndCheckpointsFromAnotherNode) {
  const fs::path f = Tampered(
      "other_node",
      "INSERT INTO ledger_entries(origin, seq, ulb, time_us, actor, type, payload) SELECT "
      "'node-evil', seq, ulb, time_us, actor, type, payload FROM ledger_entries WHERE seq = 1;"
      "INSERT INTO ledger_checkpoints(origin, size, time_us, note, tree) SELECT 'node-evil', "
      "size, time_us, note, tree FROM ledger_checkpoints WHERE size = 2;");
  ExpectReported(f, "entry 1 is from node 'node-evil'");
  ExpectReported(f, "is from node 'node-evil', which this key cannot vouch for");
}

TEST_F(VerifyTest, ReportsEveryCheckpointUnderAnotherNodeKey) {
  auto stranger = GenerateSigner(kOrigin);
  ASSERT_TRUE(stranger.ok());
  auto r = VerifyLedgerFile(Copy("stranger"), kUlb, kOrigin, Wards(), stranger->Verifier());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->ok());
  EXPECT_TRUE(HasProblem(*r, "checkpoint at size 2")) << Problems(*r);
  EXPECT_TRUE(HasProblem(*r, "checkpoint at size 6")) << Problems(*r);
}

TEST_F(VerifyTest, ReportsAFileThatIsNotALedger) {
  const fs::path f = dir_ / "plain.db";
  {
    store::sqlite::OpenOptions o;
    o.create = true;
    auto db = store::sqlite::Database::Open(f, o);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->ExecScript("CREATE TABLE t(x)").ok());
  }
  VerifyReport r = Verify(f);
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(HasProblem(r, "no ledger_meta record")) << Problems(r);

  auto missing = VerifyLedgerFile(dir_ / "missing.db", kUlb, kOrigin, Wards(), node_->Verifier());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().kind(), StatusKind::kNotFound);
}

}  // namespace
}  // namespace palika::ledger
