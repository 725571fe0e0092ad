#pragma once
// Ledger: one append-only, tamper-evident log (the state's or one ULB's) with its projections,
// in one SQLite file. This is the one write path of Palika: decide -> events -> apply.
//
// Submit() hands a Command to the ledger's single writer thread. The writer takes every command
// waiting (group commit), and in one transaction, for each: runs decide against the current state,
// appends the events it returns as entries (gapless seq), applies each to the projections, and
// extends the Merkle tree; a command that fails is rolled back alone (savepoint) and answered with
// its Status. One COMMIT (one fsync, WAL + synchronous=FULL) makes the batch durable; only then
// does Submit return. A signed checkpoint (C2SP tlog-checkpoint, Ed25519) is written at least every
// `checkpoint_interval` while entries flow, and on Close.
//
// Idempotency: a command with a key that was seen before gets the stored answer and writes
// nothing; the key, a hash of the request and the answer are themselves an entry, so they survive
// restore. Read() runs on a pooled read connection over a snapshot and never waits for the writer.
// Thread-safe: Submit and Read may be called from any thread.

#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/metrics.h"
#include "ledger/checkpoint.h"
#include "ledger/entry.h"
#include "ledger/merkle_tree.h"
#include "ledger/projections.h"
#include "ledger/signed_note.h"
#include "store/sqlite/database.h"

namespace palika::ledger {

struct Event {
  std::string type;
  boost::json::object payload;
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
};

struct LedgerOptions {
  std::filesystem::path file;
  std::string ulb;     // "0152" or "state"
  std::string origin;  // this node's id
  const NoteSigner* signer = nullptr;
  const NoteVerifier* verifier = nullptr;
  const Projections* projections = nullptr;
  Metrics* metrics = nullptr;  // may be null
  std::chrono::milliseconds checkpoint_interval{1000};
  size_t max_batch = 512;
};

// The log name in checkpoints: "palika/<origin>/<ulb>".
std::string LogName(const std::string& origin, const std::string& ulb);

// The ledger's own tables (entries, checkpoints, idempotency keys).
const Projections& LedgerTables();

// Applies one entry to the ledger's own tables or to `projections`: the one apply path, used by
// the writer, by verify's replay and by restore.
Status ApplyEntry(const Projections& projections, store::Transaction& tx, const Entry& e);

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

  // Runs `fn` in a read snapshot on a reader connection.
  Status Read(const std::function<Status(store::Transaction&)>& fn);

  // Stops the writer after the queued commands and writes a final checkpoint. Idempotent.
  void Close();

  const std::string& ulb() const { return options_.ulb; }
  uint64_t size() const;                     // entries committed
  std::string LatestCheckpointNote() const;  // the last signed checkpoint ("" if none yet)

 private:
  struct Pending {
    Command command;
    std::promise<Result<CommitResult>> promise;
  };

  explicit Ledger(const LedgerOptions& options);
  Status Initialise(bool create);
  void WriterLoop();
  void CommitBatch(std::vector<std::unique_ptr<Pending>>& batch);
  Result<CommitResult> RunCommand(Command& command, int64_t now_us);
  Status AppendEvent(const std::string& actor, const Event& event, int64_t now_us);
  // Signs and stores a checkpoint of the current tree inside the open transaction.
  Result<std::string> WriteCheckpoint(int64_t now_us);
  int64_t NextTime();

  LedgerOptions options_;
  std::unique_ptr<store::sqlite::Database> writer_db_;  // used only by the writer thread
  std::string log_name_;

  // Writer-thread state (touched only by the writer thread after Open).
  CompactRange tree_;
  uint64_t next_seq_ = 1;
  uint64_t checkpointed_size_ = 0;
  std::chrono::steady_clock::time_point last_checkpoint_;
  int64_t last_time_us_ = 0;

  mutable std::mutex mu_;  // guards queue_, stopping_, committed_size_, latest_note_
  std::condition_variable cv_;
  std::deque<std::unique_ptr<Pending>> queue_;
  bool stopping_ = false;
  uint64_t committed_size_ = 0;
  std::string latest_note_;

  std::mutex readers_mu_;  // guards readers_
  std::vector<std::unique_ptr<store::sqlite::Database>> readers_;

  std::thread writer_;
};

}  // namespace palika::ledger
