#pragma once
// VerifyBackup: checks a backup directory without restoring it (`palika verify --backup DIR`),
// and WalkBackupLog, the one pass over a log's segments that both verify and restore use.
//
// Per (ulb, origin) log: the segments in order must run from seq 1 without a gap or an overlap
// (a gap names the missing seqs and the files around it); each file must read back intact
// (segment.h: SHA-256, name, seq run); the Merkle tree is recomputed across segments and every
// closing checkpoint must be signed by the node key in <backup dir>/node.pub under the log's name
// with a root equal to the recomputed one (a mismatch names the file and the seq range). The first
// problem stops that log; other logs go on. Sealed segments need the backup private key; without
// it only their headers (signatures, sizes) are checked and the report says so.
// Reads only; VerifyBackup checks several logs at once (one thread per CPU).

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "ledger/backup_key.h"
#include "ledger/segment.h"
#include "ledger/signed_note.h"

namespace palika::ledger {

struct BackupLogReport {
  std::string ulb, origin;
  uint64_t segments = 0;
  uint64_t entries = 0;         // entries checked against the tree (or replayed)
  uint64_t size = 0;            // tree size of the last good checkpoint
  std::string checkpoint_note;  // the last good closing checkpoint
  std::string root_hex;
  bool entries_unchecked = false;     // sealed segments read without the key
  std::vector<std::string> problems;  // the first stops the log
  bool ok() const { return problems.empty(); }
};

struct BackupReport {
  std::vector<BackupLogReport> logs;  // sorted by ulb, then origin
  bool ok() const {
    for (const auto& l : logs) {
      if (!l.ok()) return false;
    }
    return true;
  }
};

// How far a walk goes: every entry, up to a seq, or up to a time (inclusive).
struct WalkLimit {
  std::optional<uint64_t> seq;
  std::optional<int64_t> until_us;
};

// Called for every segment once its checkpoint has verified, with the entries within the limit
// (possibly none of the segment's, never past the limit). A non-OK Status stops the walk and
// becomes the log's problem.
using SegmentSink = std::function<Status(const Segment& segment, size_t entries_within_limit)>;

// The node's verifier from <backup dir>/node.pub; NotFound "backup_node_pub_missing" without one.
Result<NoteVerifier> LoadBackupNodeKey(const std::filesystem::path& backup_dir);

// Walks one log; `key` may be null (sealed segments then stop the walk if `sink` is set, or are
// checked by header only if not).
BackupLogReport WalkBackupLog(const LogListing& log, const NoteVerifier& node, const OpenKey* key,
                              const WalkLimit& limit, const SegmentSink& sink);

// Every log of the backup (or the logs of one ulb, when `only_ulb` is not empty).
Result<BackupReport> VerifyBackup(const std::filesystem::path& backup_dir, const OpenKey* key,
                                  const std::string& only_ulb);

}  // namespace palika::ledger
