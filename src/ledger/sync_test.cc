// The SQLite writer's pipelined sync (ledger.h): COMMIT leaves the WAL unsynced and the ledger's
// sync thread syncs it. A command is answered only after that sync, a checkpoint is served to a
// backup only after it, and a failed sync fails the batch and everything committed on top of it
// and halts the ledger. The syncs are held and failed through the fault seam under SQLite
// (store/sqlite/fault_vfs.h, ControlSyncs) on a real ledger file.

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "core/encoding.h"
#include "core/metrics.h"
#include "ledger/ledger.h"
#include "ledger/sync_control_testing.h"
#include "store/sqlite/fault_vfs.h"

namespace palika::ledger {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace std::chrono_literals;

constexpr char kOrigin[] = "node-synctest";

Projections MakeKv() {
  Projections p;
  p.AddTable("kv", "CREATE TABLE IF NOT EXISTS kv(key TEXT PRIMARY KEY, value INTEGER NOT NULL)",
             "key");
  p.OnEvent("kv.set", [](store::Transaction& tx, const Entry& e) -> Status {
    auto o = json::parse(e.payload).as_object();
    return tx.Exec("INSERT INTO kv(key, value) VALUES (?, ?)",
                   {std::string(o.at("key").as_string()), o.at("value").as_int64()});
  });
  return p;
}

// Two entries: the event and the idempotency record.
Command SetKey(const std::string& key) {
  Command c;
  c.actor = "usr_test";
  c.idempotency_key = "key-" + key;
  c.request_hash = "hash-" + key;
  c.decide = [key](store::Transaction&, int64_t) -> Result<Decision> {
    json::object fields{{"key", key}, {"value", 1}};
    return Decision{{Event{"kv.set", fields}}, fields};
  };
  return c;
}

class LedgerSyncTest : public test::SyncControlledLedgerTest {
 protected:
  LedgerSyncTest() : SyncControlledLedgerTest(kOrigin, MakeKv()) {}

  std::unique_ptr<Ledger> Open() {
    return SyncControlledLedgerTest::Open(Options(dir_ / "0152.db"), true);
  }

  // What a reader of the projections sees: whether `key` is set.
  static bool Visible(Ledger& l, const std::string& key) {
    bool found = false;
    EXPECT_TRUE(l.Read([&](store::Transaction& tx) -> Status {
                   PALIKA_ASSIGN_OR_RETURN(auto row,
                                           tx.QueryOne("SELECT 1 FROM kv WHERE key = ?", {key}));
                   found = row.has_value();
                   return Status::OK();
                 }).ok());
    return found;
  }
  static bool WaitVisible(Ledger& l, const std::string& key) {
    for (int i = 0; i < 500; ++i) {
      if (Visible(l, key)) return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }
  // The largest checkpoint stored in the file, synced or not.
  static int64_t StoredCheckpoint(Ledger& l) {
    int64_t size = -1;
    EXPECT_TRUE(l.Read([&](store::Transaction& tx) -> Status {
                   PALIKA_ASSIGN_OR_RETURN(auto row,
                                           tx.QueryOne("SELECT MAX(size) FROM ledger_checkpoints"));
                   size = row ? row->Int(0) : -1;
                   return Status::OK();
                 }).ok());
    return size;
  }
};

TEST_F(LedgerSyncTest, NoAnswerAndNoCheckpointLeavesBeforeTheSync) {
  auto l = Open();
  ASSERT_TRUE(l);
  ASSERT_TRUE(l->Submit(SetKey("a")).ok());
  ASSERT_EQ(l->WaitForCheckpoint(0, std::chrono::steady_clock::now() + 5s), 2u);

  Syncs("hold");
  auto answer = std::async(std::launch::async, [&] { return l->Submit(SetKey("b")); });
  // Committed (a reader of the projections sees it) and checkpointed in the file...
  ASSERT_TRUE(WaitVisible(*l, "b"));
  for (int i = 0; i < 500 && StoredCheckpoint(*l) < 4; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(StoredCheckpoint(*l), 4);
  // ...but not synced: no answer, no size, no checkpoint for a backup.
  EXPECT_EQ(answer.wait_for(300ms), std::future_status::timeout) << "answered before its sync";
  EXPECT_EQ(l->size(), 2u);
  EXPECT_EQ(l->checkpointed_size(), 2u);
  EXPECT_EQ(l->WaitForCheckpoint(2, std::chrono::steady_clock::now() + 50ms), 2u);
  auto served = l->ReadCheckpointed(2, 100);
  ASSERT_TRUE(served.ok()) << served.status().ToString();
  EXPECT_TRUE(served->entries.empty()) << "served entry " << served->entries.front().seq;
  auto all = l->ReadCheckpointed(0, 100);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->checkpoint_size, 2u);
  ASSERT_EQ(all->entries.size(), 2u);

  Syncs("pass");
  auto r = answer.get();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->last_seq, 4u);
  EXPECT_EQ(l->size(), 4u);
  ASSERT_EQ(l->WaitForCheckpoint(2, std::chrono::steady_clock::now() + 5s), 4u);
  served = l->ReadCheckpointed(2, 100);
  ASSERT_TRUE(served.ok());
  ASSERT_EQ(served->entries.size(), 2u);
  EXPECT_EQ(served->entries[0].seq, 3u);
}

TEST_F(LedgerSyncTest, AFailedSyncFailsEveryBatchOnTopAndHaltsTheLedger) {
  // A checkpoint signed between b and c would take the second unsynced commit and leave c
  // queued behind the held sync (on a loaded machine the default 20 ms falls due in that gap):
  // after a's checkpoint, none is due for the rest of the held part.
  LedgerOptions o = Options(dir_ / "0152.db");
  o.checkpoint_interval = 2s;
  auto l = SyncControlledLedgerTest::Open(o, true);
  ASSERT_TRUE(l);
  ASSERT_TRUE(l->Submit(SetKey("a")).ok());
  ASSERT_EQ(l->WaitForCheckpoint(0, std::chrono::steady_clock::now() + 5s), 2u);

  // b's sync is held; c commits on top of b in a batch of its own.
  Syncs("hold");
  auto b = std::async(std::launch::async, [&] { return l->Submit(SetKey("b")); });
  ASSERT_TRUE(WaitVisible(*l, "b"));
  auto c = std::async(std::launch::async, [&] { return l->Submit(SetKey("c")); });
  ASSERT_TRUE(WaitVisible(*l, "c"));
  Syncs("fail");
  for (auto* f : {&b, &c}) {
    auto r = f->get();
    ASSERT_FALSE(r.ok()) << "a command whose sync failed was acknowledged";
    EXPECT_EQ(r.status().kind(), StatusKind::kUnavailable);
    EXPECT_EQ(r.status().code(), "storage_sync_failed");
    EXPECT_NE(r.status().message().find("restarted"), std::string::npos);
    EXPECT_NE(r.status().message_hi(), r.status().message());
  }
  // Halted: no more writes, even once the disk answers again; nothing more is published.
  Syncs("pass");
  auto d = l->Submit(SetKey("d"));
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), "storage_sync_failed");
  EXPECT_FALSE(Visible(*l, "d"));
  EXPECT_EQ(l->size(), 2u);
  EXPECT_EQ(l->checkpointed_size(), 2u);
  auto served = l->ReadCheckpointed(2, 100);
  ASSERT_TRUE(served.ok());
  EXPECT_TRUE(served->entries.empty());
  EXPECT_EQ(metrics_.Value("palika_ledger_halted", {{"ulb", kUlb}}), 1);
  l->Close();

  // A restart syncs the WAL before anything else and takes writes again. Whatever of b and c
  // the disk kept is there once (here the page cache still had it); a retry with the same key
  // gets the stored answer, not a second entry.
  l = Open();
  ASSERT_TRUE(l);
  EXPECT_EQ(l->size(), 6u);
  auto retried = l->Submit(SetKey("b"));
  ASSERT_TRUE(retried.ok()) << retried.status().ToString();
  EXPECT_TRUE(retried->replayed);
  ASSERT_TRUE(l->Submit(SetKey("d")).ok());
  EXPECT_EQ(l->size(), 8u);
}

// The benchmark's and an operator's view of the pipeline's waits: while a sync is held the
// writer commits one more transaction (a batch, or a checkpoint it signs), then waits for the
// sync, and the counters say so.
TEST_F(LedgerSyncTest, TheWritersWaitForTheSyncIsCounted) {
  auto l = Open();
  ASSERT_TRUE(l);
  ASSERT_TRUE(l->Submit(SetKey("a")).ok());
  ASSERT_EQ(l->WaitForCheckpoint(0, std::chrono::steady_clock::now() + 5s), 2u);
  const MetricLabels ulb{{"ulb", kUlb}};
  EXPECT_GT(metrics_.Value("palika_ledger_commit_seconds_total", ulb), 0);
  EXPECT_GT(metrics_.Value("palika_ledger_sync_seconds_total", ulb), 0);
  const double waited = metrics_.Value("palika_ledger_writer_sync_wait_seconds_total", ulb);

  Syncs("hold");
  // A failed assertion below must not leave the sync held: the ledger's close would wait on it.
  std::shared_ptr<void> release(nullptr, [&](void*) { Syncs("pass"); });
  auto b = std::async(std::launch::async, [&] { return l->Submit(SetKey("b")); });
  ASSERT_TRUE(WaitVisible(*l, "b"));
  auto c = std::async(std::launch::async, [&] { return l->Submit(SetKey("c")); });
  auto d = std::async(std::launch::async, [&] { return l->Submit(SetKey("d")); });
  std::this_thread::sleep_for(400ms);
  EXPECT_EQ(l->size(), 2u) << "answered before the sync";
  Syncs("pass");
  for (auto* f : {&b, &c, &d}) ASSERT_TRUE(f->get().ok());
  EXPECT_GE(metrics_.Value("palika_ledger_writer_sync_wait_seconds_total", ulb) - waited, 0.25);
  EXPECT_GE(metrics_.Value("palika_ledger_sync_seconds_total", ulb), 0.25);
  EXPECT_GT(metrics_.Value("palika_ledger_writer_idle_seconds_total", ulb), 0);
}

TEST_F(LedgerSyncTest, OpenRefusesToServeWhenItsFirstSyncFails) {
  {
    auto l = Open();
    ASSERT_TRUE(l);
    ASSERT_TRUE(l->Submit(SetKey("a")).ok());
  }
  Syncs("fail");
  const LedgerOptions o = Options(dir_ / "0152.db");
  auto l = Ledger::Open(o, false);
  ASSERT_FALSE(l.ok()) << "opened on a WAL it could not sync";
  Syncs("pass");
  EXPECT_TRUE(Ledger::Open(o, false).ok());
}

}  // namespace
}  // namespace palika::ledger
