#pragma once
// RestoreBackup: a backup directory replayed into a fresh data directory (`palika restore`).
//
// Each log is verified as it is read (backup_verify.h: segments contiguous, each intact, the tree
// recomputed, every closing checkpoint signed by the backup's node.pub with the recomputed root)
// and its entries are replayed with the one apply path (ApplyEntry, the projections given, which
// are the ones App builds) into a new ledger file, in one transaction with synchronous=OFF and a
// full sync before the file is renamed into place; a log that fails leaves no file, and the other
// logs still restore. The result is a data directory that `palika serve` and `palika verify`
// accept: palika.json with the backup's node id (so the log continues under the same origin),
// node.pub, node.key, state.db and ulb/<code>.db.
//
// Speed: the replay runs in one transaction per log with journal_mode=OFF and synchronous=OFF
// (nothing in the file needs to survive a crash before its final sync), and the projections'
// bulk indexes (the property search index) are built once after the replay, not row by row.
// An interrupted restore is never served: the directory holds RESTORE-INCOMPLETE
// (ledger_set.h) from the start until every file is durable, and everything that opens a data
// directory refuses one that holds it (Unavailable "restore_incomplete": delete and restore
// again), as do init and a second restore into it.
//
// The node key. A backup never holds the node's private key. With `node_key` (the primary's
// node.key from the offline safe, checked against the backup's node.pub) the restored files carry
// the original signed checkpoints byte for byte and the node signs on as before. Without it a new
// key is made under the same node id; every checkpoint is re-signed with it after it verified
// under the old key, and the old node.pub is kept as previous-node.pub (old receipts' QR codes and
// the backup's checkpoints stay verifiable with it). Restoring to a point between two checkpoints
// (--seq, --until) signs one more checkpoint at that point with the key in use.
// Errors: Conflict "restore_target_not_empty"; Unavailable "restore_incomplete"; the node key's
// errors; per-log problems are in the report, not a Status. Several logs restore at once, one
// thread each (`threads`); the report keeps the backup's order. One restore per target at a time.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/status.h"
#include "ledger/backup_key.h"
#include "ledger/backup_verify.h"
#include "ledger/projections.h"

namespace palika::ledger {

struct RestoreOptions {
  std::filesystem::path from;
  std::filesystem::path to;  // must not exist, or be empty
  std::string only_ulb;      // empty: every ULB; else that ULB and the state ledger
  WalkLimit limit;           // --seq (with only_ulb: that ULB's log only) or --until (every log)
  const OpenKey* key = nullptr;    // for sealed segments
  std::filesystem::path node_key;  // the primary's node.key; empty: make a new key
  const Projections* state_projections = nullptr;
  const Projections* ulb_projections = nullptr;
  std::function<void(const std::string& line)> progress;  // may be empty; called under a lock
  int threads = 0;                                        // logs restored at once; 0: one per CPU
};

struct RestoredLog {
  std::string ulb;
  uint64_t entries = 0;         // entries replayed
  uint64_t checkpoints = 0;     // checkpoints stored
  std::string checkpoint_note;  // the last one, as stored in the restored file
  std::string root_hex;
  std::vector<std::string> problems;  // non-empty: this log was not restored
  bool ok() const { return problems.empty(); }
};

struct RestoreReport {
  std::string node;           // the node id the restored directory carries on
  bool new_node_key = false;  // checkpoints were re-signed with a new key
  std::vector<RestoredLog> logs;
  double seconds = 0;
  uint64_t entries() const {
    uint64_t n = 0;
    for (const auto& l : logs) n += l.entries;
    return n;
  }
  bool ok() const {
    for (const auto& l : logs) {
      if (!l.ok()) return false;
    }
    return !logs.empty();
  }
};

Result<RestoreReport> RestoreBackup(const RestoreOptions& options);

}  // namespace palika::ledger
