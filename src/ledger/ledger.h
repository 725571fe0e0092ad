#pragma once
// Ledger: one append-only, tamper-evident log (the state's or one ULB's) with its projections,
// in one SQLite file or PostgreSQL schema. This is the one write path: decide -> events -> apply.
//
// Submit() hands a Command to the ledger's single writer thread. The writer takes every command
// waiting (group commit), and in one transaction, for each: runs decide against the current state,
// appends the events it returns as entries (gapless seq), applies each to the projections, and
// extends the Merkle tree; a command that fails is rolled back alone (savepoint) and answered with
// its Status. One COMMIT ends the batch. On PostgreSQL it is durable (synchronous_commit). On
// SQLite the writer runs synchronous=NORMAL: COMMIT writes the WAL frames without an fsync, the
// writer hands "sync the WAL up to here" to the ledger's sync thread and goes on with the next
// batch at once; the sync thread syncs the WAL (one fsync for every batch committed meanwhile) and
// only then answers the batch's commands and publishes its size and checkpoint. So Submit returns
// once the command is durable, as before, and nothing leaves the process (a checkpoint served to
// a backup, a lag figure) before its sync; readers of projections may see a batch up to one fsync
// early (nobody has been answered for it yet). A failed sync answers that batch and every batch
// committed on top of it with Unavailable "storage_sync_failed" and halts the ledger: it takes no
// more writes until the server restarts (a failed fsync is never retried: the page cache may have
// dropped what it reported on). Open syncs the WAL once before it signs or serves anything (after
// a kill -9 the WAL may hold committed frames that only the page cache has).
// The writer's COMMIT runs no WAL checkpoint (SQLite's automatic one cost it ~11% of its CPU): a
// third thread ("walckpt-<ulb>", a connection of its own) copies the WAL into the database file
// with passive checkpoints each time it has grown by `wal_checkpoint_pages`, and the writer,
// between two transactions, copies the last commit or two that the checkpointer could not see, so
// that the WAL starts over. Past 10x the threshold (readers holding old snapshots, failing or slow
// checkpoints) the writer checkpoints itself before each transaction and says so in the log; a
// failed sync in a checkpoint halts the ledger as a failed WAL sync does.
// A signed checkpoint (C2SP tlog-checkpoint, Ed25519) is written at least every
// `checkpoint_interval` while entries flow, and on Close.
//
// Idempotency: a command with a key that was seen before gets the stored answer and writes
// nothing; the key, a hash of the request and the answer are themselves an entry, so they survive
// restore. Read() runs on a pooled read connection over a snapshot and never waits for the writer.
// On PostgreSQL, connections are the cluster's shared, bounded ones: the writer takes one when
// commands come and hands it back after `idle_disconnect` without any; a read holds one for its
// snapshot only.
//
// Replication: ReadCheckpointed() serves the entries after a backup's size up to a stored
// checkpoint that closes them; WaitForCheckpoint() lets a long poll sleep until a new checkpoint
// exists. With `backups` in synchronous mode (BackupAcks::RequireSync) the writer signs a
// checkpoint in every batch, and Submit returns only once enough backup hosts hold the command's
// entries (Unavailable "backup_not_confirmed" after the timeout: committed here, not yet copied).
// Thread-safe: Submit and Read may be called from any thread.

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/metrics.h"
#include "ledger/backup_acks.h"
#include "ledger/checkpoint.h"
#include "ledger/entry.h"
#include "ledger/merkle_tree.h"
#include "ledger/projections.h"
#include "ledger/signed_note.h"
#include "store/database.h"

namespace palika::ledger {

struct Event {
  std::string type;
  boost::json::object payload;
  // CanonicalJson(payload), when decide has it already (computed off the writer: the yearly
  // demand's priced batches); empty: the writer computes it. Debug builds check they agree.
  std::string canonical = {};
};

// What decide concluded: the events to append (possibly none) and the answer for the caller.
struct Decision {
  std::vector<Event> events;
  boost::json::value response;
};

// Runs on the writer thread inside the batch transaction; sees every earlier command's effects.
// Must not block on anything but the transaction. `now_us` is the time the entries will carry.
using DecideFn = std::function<Result<Decision>(store::Transaction& tx, int64_t now_us)>;

struct Command {
  std::string actor;            // user id, or "system"
  std::string idempotency_key;  // empty: none
  std::string request_hash;     // fingerprint of the request the key was given with
  DecideFn decide;
};

struct CommitResult {
  boost::json::value response;
  uint64_t first_seq = 0;  // 0 when nothing was appended
  uint64_t last_seq = 0;
  bool replayed = false;  // the idempotency key was seen before; this is the stored answer
  // The entry a backup must hold for this answer to survive the loss of this server: last_seq,
  // or for a replayed answer the entry that recorded it; 0 when nothing was recorded.
  uint64_t backup_seq = 0;
};

// Wakes whoever waits for a new checkpoint in any of several ledgers (the replication list's long
// poll): every ledger sharing it calls Notify() after it stores a checkpoint. Thread-safe.
class CheckpointSignal {
 public:
  CheckpointSignal();
  // Random per process: a generation is meaningful only with the instance it came from (a
  // restarted server counts from 0 again).
  const std::string& instance() const { return instance_; }
  uint64_t generation() const;
  // Returns once generation() > seen, or at the deadline; returns generation().
  uint64_t WaitAfter(uint64_t seen, std::chrono::steady_clock::time_point deadline) const;
  void Notify();

 private:
  mutable std::mutex mu_;  // guards generation_
  mutable std::condition_variable cv_;
  uint64_t generation_ = 0;
  const std::string instance_;
};

// Entries after some size, closed by a stored signed checkpoint (what a backup needs to write a
// segment that ends at a checkpoint).
struct CheckpointedEntries {
  std::vector<Entry> entries;  // seq after+1 .. checkpoint_size; empty if nothing new
  uint64_t checkpoint_size = 0;
  std::string checkpoint;  // the signed note at checkpoint_size ("" when entries is empty)
};

struct LedgerOptions {
  store::Location location;  // a SQLite file, or a PostgreSQL schema
  std::string ulb;           // "0152" or "state"
  std::string origin;        // this node's id
  const NoteSigner* signer = nullptr;
  const NoteVerifier* verifier = nullptr;
  const Projections* projections = nullptr;
  Metrics* metrics = nullptr;                     // may be null
  BackupAcks* backups = nullptr;                  // may be null: no lag, no synchronous mode
  CheckpointSignal* checkpoint_signal = nullptr;  // may be null
  std::chrono::milliseconds checkpoint_interval{1000};
  size_t max_batch = 512;
  // A PostgreSQL writer lets go of its connection after this long without a command, so that a
  // cluster's bounded connections serve the ULBs that are busy (store/postgres/database.h).
  std::chrono::milliseconds idle_disconnect{250};
  // SQLite: the WAL is checkpointed off the writer each time it has grown by this many pages
  // (4 KiB each) beyond what was last copied into the database file; past 10 times this the
  // writer checkpoints it itself. PostgreSQL: unused. 4,000 rather than SQLite's 1,000: a page
  // rewritten by many commits is copied once per checkpoint, and in the payment benchmark the
  // checkpointer's CPU fell from ~16 to ~7 us a payment (README.md, issue 3).
  uint32_t wal_checkpoint_pages = 4000;
};

// The log name in checkpoints: "palika/<origin>/<ulb>".
std::string LogName(const std::string& origin, const std::string& ulb);

// The ledger's own tables (entries, checkpoints, idempotency keys).
const Projections& LedgerTables();

// Applies one entry to the ledger's own tables or to `projections`: the one apply path, used by
// the writer, by verify's replay and by restore. The writer also passes the payload object that
// e.payload was serialised from (Projections::Apply); a replay passes none.
Status ApplyEntry(const Projections& projections, store::Transaction& tx, const Entry& e,
                  const boost::json::object* payload = nullptr);

class Ledger {
 public:
  // Opens (creating when `create`) the ledger file, creates missing tables, runs the quick check
  // (the last checkpoint's signature and tree size against the entries) and starts the writer.
  // Corruption, with a message saying how to investigate, when the quick check fails.
  static Result<std::unique_ptr<Ledger>> Open(const LedgerOptions& options, bool create);
  ~Ledger();
  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;

  // Decides, appends and applies one command; returns once it is durable or refused.
  Result<CommitResult> Submit(Command command);
  // The same without holding the caller's thread: `done` gets what Submit would return, once.
  // It runs on the caller's thread when the command is refused at once (and in synchronous
  // backup mode, where this waits as Submit does), otherwise on the thread that makes the batch
  // durable (the sync thread), which every later batch waits for: `done` must only hand the
  // answer on (post it to another thread), never block or do slow work.
  using Done = std::function<void(Result<CommitResult>)>;
  void Submit(Command command, Done done);
  // True when Submit(command, done) waits on the caller's thread (synchronous backup mode), so a
  // thread that must not block (a server's I/O thread) hands the command to one that may.
  bool SubmitWaits() const { return SyncMode(); }

  // Runs `fn` in a read snapshot on a reader connection.
  Status Read(const std::function<Status(store::Transaction&)>& fn);

  // Stops the writer after the queued commands and writes a final checkpoint. Idempotent.
  void Close();

  const std::string& ulb() const { return options_.ulb; }
  const std::string& origin() const { return options_.origin; }
  uint64_t size() const;                     // entries committed and synced
  std::string LatestCheckpointNote() const;  // the last signed checkpoint ("" if none yet)
  uint64_t checkpointed_size() const;        // the tree size of that checkpoint

  // Blocks until a checkpoint larger than `above` is stored, the deadline passes, or the ledger
  // closes; returns checkpointed_size().
  uint64_t WaitForCheckpoint(uint64_t above, std::chrono::steady_clock::time_point deadline) const;
  // This node's entries after `after`, in a read snapshot, up to the largest stored checkpoint of
  // at most after + limit entries; if none is that small, up to the smallest beyond `after` (a
  // checkpoint is never split). Empty when no checkpoint lies beyond `after`.
  Result<CheckpointedEntries> ReadCheckpointed(uint64_t after, size_t limit);

 private:
  struct Pending {
    Command command;
    Done done;  // called once, with the command's answer
  };
  // A committed transaction waiting for the sync that makes it durable: a batch and its answers,
  // or only a checkpoint. Published (sizes, checkpoint, answers) once a sync after its COMMIT
  // returned OK; failed with the halt status otherwise.
  struct Unsynced {
    std::vector<std::unique_ptr<Pending>> batch;
    std::vector<Result<CommitResult>> results;
    uint64_t size = 0;  // entries committed up to and including this transaction
    std::string note;   // the checkpoint it stored at `size` ("" none)
  };

  explicit Ledger(const LedgerOptions& options);
  // Queues a command for the writer; `done` gets its answer (at once when refused).
  void Enqueue(Command command, Done done);
  Status Initialise(bool create);
  // The quick check, and the writer's tree and counters from what the store holds (at open, and
  // again after a lost connection left it unknown whether the last COMMIT went through).
  Status LoadState();
  void WriterLoop();
  // `attempt` counts the runs of a batch the store asked to retry (a serialization failure).
  void CommitBatch(std::vector<std::unique_ptr<Pending>>& batch, int attempt = 0);
  Result<CommitResult> RunCommand(Command& command, int64_t now_us);
  Status AppendEvent(const std::string& actor, const Event& event, int64_t now_us);
  // Signs and stores a checkpoint of the current tree inside the open transaction.
  Result<std::string> WriteCheckpoint(int64_t now_us);
  int64_t NextTime();
  // Synchronous mode applies to this ledger (a ULB's, with BackupAcks requiring hosts).
  bool SyncMode() const;
  // How often checkpoints are signed: every batch in synchronous mode, else the option.
  std::chrono::milliseconds CheckpointInterval() const;
  // After a checkpoint is stored and synced (mu_ not held).
  void CheckpointStored(uint64_t size, std::string note);
  // Writer thread, after a COMMIT: to the sync thread, or (no sync thread: PostgreSQL, whose
  // COMMIT is durable) synced and published at once.
  void AfterCommit(Unsynced work);
  // The sync thread: one SyncCommitted() for everything committed meanwhile, then Publish.
  void SyncLoop();
  void Publish(Unsynced& work);
  // Records a failed sync (the first one wins) and returns what every affected command is told.
  Status Halt(const Status& cause);
  Status Halted() const;  // OK unless a sync failed

  // The WAL checkpoint off the writer (SQLite). Writer thread, before each transaction: asks the
  // checkpointer for a pass, copies the rest itself once the checkpointer is nearly level with
  // the WAL's end, and past the hard limit waits for a pass in progress and checkpoints itself.
  void KeepWalBounded();
  void CheckpointWalHere();  // writer thread
  void WalCheckpointLoop();  // the checkpointer thread
  // Counts, logs and, after a failed sync, halts; either thread.
  void WalCheckpointDone(const Result<store::WalCheckpoint>& r, const char* by);

  LedgerOptions options_;
  std::unique_ptr<store::Database> writer_db_;  // used only by the writer thread
  std::string log_name_;

  // Writer-thread state (touched only by the writer thread after Open).
  CompactRange tree_;
  uint64_t next_seq_ = 1;
  uint64_t checkpointed_size_ = 0;
  std::chrono::steady_clock::time_point last_checkpoint_;
  int64_t last_time_us_ = 0;
  bool reload_ = false;  // the store went away mid-batch: LoadState before the next batch
  std::chrono::steady_clock::time_point last_write_;  // the writer's last batch or checkpoint
  bool writer_idle_ = false;  // the writer's connection was handed back (PostgreSQL)

  // guards queue_, stopping_, committed_size_, latest_note_, latest_size_, halted_
  mutable std::mutex mu_;
  std::condition_variable cv_;
  mutable std::condition_variable checkpoint_cv_;  // latest_size_ grew, or stopping_
  std::deque<std::unique_ptr<Pending>> queue_;
  bool stopping_ = false;
  uint64_t committed_size_ = 0;
  std::string latest_note_;
  uint64_t latest_size_ = 0;  // synced: the most ReadCheckpointed serves
  Status halted_;             // not OK once a sync failed: no more writes

  std::mutex sync_mu_;                 // guards unsynced_, in_sync_, sync_stopping_
  std::condition_variable sync_cv_;    // unsynced_ grew, or sync_stopping_
  std::condition_variable synced_cv_;  // in_sync_ fell
  std::deque<Unsynced> unsynced_;
  int in_sync_ = 0;  // commits handed to the sync thread and not yet published
  bool sync_stopping_ = false;

  std::mutex readers_mu_;  // guards readers_
  std::vector<std::unique_ptr<store::Database>> readers_;

  // The WAL as the writer last saw it (writer thread only).
  uint64_t wal_seen_ = 0;                 // WalFrames() at the last look
  uint64_t wal_backfilled_ = 0;           // of the current WAL, pages known copied
  uint64_t wal_requested_at_ = 0;         // WalFrames() when the last pass was asked for
  uint64_t wal_caught_up_at_ = 0;         // WalFrames() at the writer's last own checkpoint
  uint64_t wal_last_commit_ = 0;          // pages the last transaction added to the WAL
  bool wal_over_limit_ = false;           // past the hard limit (logged once until it starts over)
  std::atomic<bool> wal_failing_{false};  // a checkpoint failure was logged, no success since

  std::mutex wal_mu_;                    // guards wal_wanted_ ... wal_result_
  std::condition_variable wal_cv_;       // wal_wanted_, or wal_stopping_
  std::condition_variable wal_idle_cv_;  // wal_running_ fell
  bool wal_wanted_ = false;              // the writer asked for a pass
  bool wal_running_ = false;             // a pass is running
  bool wal_stopping_ = false;
  bool wal_held_back_ = false;  // the last pass stopped short of the WAL's end (readers)
  std::optional<store::WalCheckpoint> wal_result_;  // the last pass's, not yet taken by the writer
  std::unique_ptr<store::Database> wal_db_;         // the checkpointer thread's connection

  std::thread writer_;
  std::thread syncer_;            // SQLite only
  std::thread wal_checkpointer_;  // SQLite only
};

}  // namespace palika::ledger
