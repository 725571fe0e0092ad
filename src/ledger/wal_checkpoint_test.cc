// The WAL checkpoint off the ledger writer (ledger.h; docs/ledger-format.md, "Files"): under
// sustained commits the WAL stays bounded because a thread beside the writer copies it into the
// database file and it starts over; a crash in the middle of such a checkpoint loses no
// acknowledged command; past the hard limit the writer waits for a stuck checkpoint and then
// checkpoints itself instead of letting the WAL grow. Real ledger files; the checkpoint is held
// in the middle through the fault seam under SQLite (store/sqlite/fault_vfs.h, ControlSyncs
// "hold-db": the database file's sync, which comes after the checkpoint's pages are written).

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/encoding.h"
#include "core/metrics.h"
#include "ledger/ledger.h"
#include "ledger/sync_control_testing.h"
#include "ledger/verify.h"
#include "store/sqlite/fault_vfs.h"

namespace palika::ledger {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace std::chrono_literals;

constexpr char kOrigin[] = "node-walcktest";
constexpr uint32_t kThreshold = 64;  // pages; the hard limit is 10 times this

Projections MakeNotes() {
  Projections p;
  p.AddTable("notes", "CREATE TABLE IF NOT EXISTS notes(key TEXT PRIMARY KEY, text TEXT NOT NULL)",
             "key");
  p.OnEvent("note.added", [](store::Transaction& tx, const Entry& e) -> Status {
    auto o = json::parse(e.payload).as_object();
    return tx.Exec("INSERT INTO notes(key, text) VALUES (?, ?)",
                   {std::string(o.at("key").as_string()), std::string(o.at("text").as_string())});
  });
  return p;
}

// About 3 KB in the notes table and as much again in its entry: a page or two of WAL each.
Command AddNote(const std::string& key) {
  Command c;
  c.actor = "usr_test";
  c.idempotency_key = "key-" + key;
  c.request_hash = "hash-" + key;
  c.decide = [key](store::Transaction&, int64_t) -> Result<Decision> {
    json::object fields{{"key", key}, {"text", std::string(3000, 'n') + key}};
    return Decision{{Event{"note.added", fields}}, json::object{{"key", key}}};
  };
  return c;
}

class WalCheckpointTest : public test::SyncControlledLedgerTest {
 protected:
  WalCheckpointTest() : SyncControlledLedgerTest(kOrigin, MakeNotes()) {}

  std::unique_ptr<Ledger> Open(const fs::path& file, bool create) {
    LedgerOptions o = Options(file);
    o.wal_checkpoint_pages = kThreshold;
    return SyncControlledLedgerTest::Open(o, create);
  }

  double Metric(const std::string& name, MetricLabels labels = {{"ulb", kUlb}}) const {
    return metrics_.Value(name, labels);
  }
  double Checkpoints(const std::string& by) const {
    return Metric("palika_ledger_wal_checkpoints_total", {{"ulb", kUlb}, {"by", by}});
  }

  static bool WaitFor(const std::function<bool()>& done, std::chrono::milliseconds limit = 20s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(2ms);
    }
    return true;
  }

  // Every key is in the ledger at `file` (opened again: the quick check passes), which verifies.
  void ExpectHolds(const fs::path& file, const std::vector<std::string>& keys) {
    {
      auto l = Open(file, false);
      ASSERT_TRUE(l);
      EXPECT_GE(l->size(), 2 * keys.size());
      int64_t missing = 0;
      ASSERT_TRUE(l->Read([&](store::Transaction& tx) -> Status {
                     for (const auto& key : keys) {
                       PALIKA_ASSIGN_OR_RETURN(
                           auto row, tx.QueryOne("SELECT 1 FROM notes WHERE key = ?", {key}));
                       if (!row) ++missing;
                     }
                     return Status::OK();
                   }).ok());
      EXPECT_EQ(missing, 0) << "acknowledged notes lost";
    }
    auto report = VerifyLedgerFile(file, kUlb, kOrigin, projections_, *node_verifier_);
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    EXPECT_TRUE(report->ok()) << report->problems.front();
  }
};

TEST_F(WalCheckpointTest, SustainedCommitsKeepTheWalBoundedWithCheckpointsOffTheWriter) {
  const fs::path file = dir_ / "0152.db";
  auto l = Open(file, true);
  ASSERT_TRUE(l);
  const uintmax_t db_before = fs::file_size(file);

  // Watch the WAL's length and the database file while four cashiers commit without pause.
  std::atomic<bool> stop{false};
  double most_pages = 0;
  int restarts = 0;
  int db_grew = 0;
  uintmax_t largest_wal = 0;
  std::thread watcher([&] {
    double last_pages = 0;
    uintmax_t last_db = fs::file_size(file);
    while (!stop) {
      const double pages = Metric("palika_ledger_wal_pages");
      most_pages = std::max(most_pages, pages);
      if (pages < last_pages) ++restarts;
      last_pages = pages;
      std::error_code ec;
      const uintmax_t db = fs::file_size(file, ec);
      if (!ec && db > last_db) ++db_grew;
      if (!ec) last_db = db;
      const uintmax_t wal = fs::file_size(file.string() + "-wal", ec);
      if (!ec) largest_wal = std::max(largest_wal, wal);
      std::this_thread::sleep_for(1ms);
    }
  });
  std::vector<std::thread> cashiers;
  std::atomic<int> failed{0};
  for (int t = 0; t < 4; ++t) {
    cashiers.emplace_back([&, t] {
      for (int i = 0; i < 150; ++i) {
        if (!l->Submit(AddNote(std::to_string(t) + "-" + std::to_string(i))).ok()) ++failed;
      }
    });
  }
  for (auto& c : cashiers) c.join();
  stop = true;
  watcher.join();
  ASSERT_EQ(failed, 0);

  // ~3.6 MB went through a WAL never longer than a few thresholds, which started over again and
  // again while the writer committed: the checkpointer thread copied it into the database file.
  EXPECT_GE(Checkpoints("checkpointer"), 3);
  EXPECT_GE(restarts, 3) << "the WAL never started over";
  EXPECT_LT(most_pages, 10 * kThreshold) << "the WAL reached the hard limit";
  EXPECT_LT(largest_wal, uintmax_t{10} * kThreshold * 4120) << "the WAL file grew past the limit";
  EXPECT_GE(db_grew, 3) << "the database file did not grow while the writer committed";
  EXPECT_GT(fs::file_size(file), db_before + (1u << 20));
  EXPECT_EQ(Metric("palika_ledger_wal_over_limit"), 0);
  EXPECT_EQ(Metric("palika_ledger_wal_checkpoint_failures_total"), 0);
  l->Close();

  std::vector<std::string> keys;
  for (int t = 0; t < 4; ++t) {
    for (int i = 0; i < 150; ++i) keys.push_back(std::to_string(t) + "-" + std::to_string(i));
  }
  ExpectHolds(file, keys);
}

TEST_F(WalCheckpointTest, ACrashInTheMiddleOfACheckpointLosesNoAcknowledgedCommand) {
  const fs::path file = dir_ / "0152.db";
  auto l = Open(file, true);
  ASSERT_TRUE(l);
  // The checkpointer's next pass stops after writing its pages into the database file, before
  // the file's sync and before SQLite records the pages as copied.
  Syncs("hold-db");
  std::vector<std::string> acknowledged;
  for (int i = 0; i < 2000 && store::sqlite::HeldSyncs() == 0; ++i) {
    auto r = l->Submit(AddNote(std::to_string(i)));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    acknowledged.push_back(std::to_string(i));
  }
  ASSERT_TRUE(WaitFor([] { return store::sqlite::HeldSyncs() > 0; })) << "no checkpoint ran";
  EXPECT_GT(fs::file_size(file.string() + "-wal"), uintmax_t{kThreshold} * 4096);

  // What kill -9 would leave now: the database file half-way through the checkpoint, and the
  // WAL (the page cache's contents; the shared-memory index is rebuilt from the WAL).
  const fs::path crashed = dir_ / "crashed";
  ASSERT_TRUE(fs::create_directory(crashed));
  fs::copy_file(file, crashed / "0152.db");
  fs::copy_file(file.string() + "-wal", crashed / "0152.db-wal");

  Syncs("pass");
  l->Close();
  l.reset();
  ExpectHolds(crashed / "0152.db", acknowledged);
  // And the live file, whose checkpoint went on to the end.
  ExpectHolds(file, acknowledged);
}

TEST_F(WalCheckpointTest, PastTheHardLimitTheWriterWaitsForTheCheckpointAndCopiesItItself) {
  const fs::path file = dir_ / "0152.db";
  auto l = Open(file, true);
  ASSERT_TRUE(l);
  // The checkpointer sticks in the middle of a pass (a slow disk); cashiers keep paying.
  Syncs("hold-db");
  std::atomic<bool> stop{false};
  std::atomic<int> acknowledged{0};
  std::atomic<int> failed{0};
  std::mutex mu;
  std::vector<std::string> keys;  // acknowledged
  std::vector<std::thread> cashiers;
  for (int t = 0; t < 4; ++t) {
    cashiers.emplace_back([&, t] {
      for (int i = 0; !stop; ++i) {
        const std::string key = std::to_string(t) + "-" + std::to_string(i);
        if (l->Submit(AddNote(key)).ok()) {
          ++acknowledged;
          std::lock_guard lk(mu);
          keys.push_back(key);
        } else {
          ++failed;
        }
      }
    });
  }
  // The WAL reaches the hard limit: the writer says so and stops before the next transaction
  // instead of growing the WAL further.
  ASSERT_TRUE(WaitFor([&] { return Metric("palika_ledger_wal_over_limit") == 1; }))
      << "the WAL holds " << Metric("palika_ledger_wal_pages") << " pages";
  std::this_thread::sleep_for(100ms);
  const int stalled_at = acknowledged;
  const double pages = Metric("palika_ledger_wal_pages");
  const uintmax_t wal_bytes = fs::file_size(file.string() + "-wal");
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(acknowledged, stalled_at) << "the writer went on past the hard limit";
  EXPECT_EQ(fs::file_size(file.string() + "-wal"), wal_bytes);
  EXPECT_GE(pages, 10 * kThreshold);
  EXPECT_LT(pages, 10 * kThreshold + 200) << "more than one batch past the limit";
  EXPECT_EQ(Checkpoints("writer"), 0);

  // The disk answers again: the stuck pass ends, the writer copies the rest itself, the WAL
  // starts over and the payments go on.
  Syncs("pass");
  ASSERT_TRUE(WaitFor([&] { return Metric("palika_ledger_wal_over_limit") == 0; }));
  EXPECT_GE(Checkpoints("writer"), 1);
  ASSERT_TRUE(WaitFor([&] { return acknowledged > stalled_at + 20; }));
  EXPECT_LT(Metric("palika_ledger_wal_pages"), 10 * kThreshold);
  stop = true;
  for (auto& c : cashiers) c.join();
  EXPECT_EQ(failed, 0);
  l->Close();
  l.reset();
  ExpectHolds(file, keys);
}

TEST_F(WalCheckpointTest, AReaderHoldingAnOldSnapshotIsReportedAndDoesNotStopPayments) {
  const fs::path file = dir_ / "0152.db";
  auto l = Open(file, true);
  ASSERT_TRUE(l);
  ASSERT_TRUE(l->Submit(AddNote("first")).ok());
  // A long export: a read snapshot open while the cashiers go on. No checkpoint may copy the
  // pages committed after it, so the WAL cannot start over until it ends.
  std::promise<void> reading;
  std::promise<void> finish;
  std::thread reader([&] {
    EXPECT_TRUE(l->Read([&](store::Transaction& tx) -> Status {
                   PALIKA_ASSIGN_OR_RETURN(auto row, tx.QueryOne("SELECT COUNT(*) FROM notes"));
                   EXPECT_EQ(row->Int(0), 1);
                   reading.set_value();
                   finish.get_future().wait();
                   return Status::OK();
                 }).ok());
  });
  reading.get_future().wait();
  int i = 0;
  while (Metric("palika_ledger_wal_over_limit") == 0 && i < 3000) {
    auto r = l->Submit(AddNote(std::to_string(i++)));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  // Past the hard limit it is said (metric, log), and payments still go through.
  ASSERT_EQ(Metric("palika_ledger_wal_over_limit"), 1);
  for (int k = 0; k < 20; ++k) ASSERT_TRUE(l->Submit(AddNote(std::to_string(i++))).ok());
  // The export ends: the next checkpoint copies everything and the WAL starts over.
  finish.set_value();
  reader.join();
  for (int k = 0; k < 200 && Metric("palika_ledger_wal_over_limit") == 1; ++k) {
    ASSERT_TRUE(l->Submit(AddNote(std::to_string(i++))).ok());
  }
  EXPECT_EQ(Metric("palika_ledger_wal_over_limit"), 0);
  EXPECT_LT(Metric("palika_ledger_wal_pages"), kThreshold);
}

// A kill -9 can leave a WAL that no checkpoint copied; the next open copies it into the database
// file before the writer starts (no command waits for it), and the writer's first looks do not
// report it as a checkpointer behind.
TEST_F(WalCheckpointTest, AWalLeftByACrashIsCopiedIntoTheDatabaseFileAtOpen) {
  const fs::path file = dir_ / "0152.db";
  {
    auto l = Open(file, true);
    ASSERT_TRUE(l);
    ASSERT_TRUE(l->Submit(AddNote("first")).ok());
  }
  // Another connection writes ~25 times the threshold into the WAL and stays open, so nothing
  // copies it when it is done: what a crash in the middle of a busy day leaves.
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw,
                         "PRAGMA wal_autocheckpoint=0; CREATE TABLE scratch(x BLOB); WITH "
                         "RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < "
                         "1500) INSERT INTO scratch SELECT randomblob(3000) FROM n",
                         nullptr, nullptr, nullptr),
            SQLITE_OK)
      << sqlite3_errmsg(raw);
  auto l = Open(file, false);
  ASSERT_TRUE(l);
  // The database file alone (no WAL beside it) already holds what the WAL held.
  const fs::path copy = dir_ / "copy-of-the-database-file.db";
  fs::copy_file(file, copy);
  {
    sqlite3* c = nullptr;
    ASSERT_EQ(sqlite3_open(copy.c_str(), &c), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(c, "SELECT COUNT(*) FROM scratch", -1, &st, nullptr), SQLITE_OK)
        << sqlite3_errmsg(c);
    ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
    EXPECT_EQ(sqlite3_column_int(st, 0), 1500);
    sqlite3_finalize(st);
    sqlite3_close(c);
  }
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(l->Submit(AddNote("after-" + std::to_string(i))).ok());
    EXPECT_EQ(Metric("palika_ledger_wal_over_limit"), 0) << "after command " << i;
  }
  EXPECT_LT(Metric("palika_ledger_wal_pages"), kThreshold);
  sqlite3_close(raw);
}

}  // namespace
}  // namespace palika::ledger
