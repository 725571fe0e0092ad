#pragma once
// Backup segments: immutable files holding a run of one log's entries (seq first..last) and the
// signed checkpoint that closes them (tree size == last), laid out on a backup host as
//   <backup dir>/<ulb>/<origin>/<first>-<last>.seg     (both numbers zero-padded to 12 digits)
// so that a log's segments, listed in order, are contiguous from seq 1. The byte format (plain and
// sealed to a backup key) is in docs/ledger-format.md, "Backup segments".
//
// WriteSegment checks the segment is well formed (seq run, ulb/origin of every entry, checkpoint
// and tree sizes), then writes it via a hidden temporary file, fsync, a no-replace link and an
// fsync of the directory (durable_file.h): a name on disk is always a complete segment, and an
// existing segment is never overwritten (Conflict "segment_exists"). It does not check signatures
// or the Merkle tree: that is VerifyBackup's job (backup_verify.h) and the puller's.
// ReadSegment checks the trailing SHA-256 (a torn, truncated or altered file is Corruption naming
// the file), the name against the header (a renamed or moved segment is Corruption), and the run
// of entries (naming the seq). A sealed segment needs the backup private key: InvalidArgument
// "segment_key_needed" without one, "segment_wrong_key" with another key, Corruption when the
// ciphertext does not authenticate. Every error names the file. Pure functions; thread-safe.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/status.h"
#include "ledger/backup_key.h"
#include "ledger/entry.h"

namespace palika::ledger {

struct Segment {
  std::string ulb;              // "0152" or "state"
  std::string origin;           // the node that wrote the entries
  uint64_t first = 0;           // seq of the first entry, >= 1
  uint64_t last = 0;            // seq of the last entry, >= first
  std::vector<Entry> entries;   // seq first..last in order, each with this ulb and origin
  std::string checkpoint_note;  // the log's signed checkpoint at tree size `last`
  std::string tree;  // CompactRange::Serialize() of the log at size `last`: lets a reader without
                     // the entries (a puller resuming over sealed segments) extend the tree
};

// What a segment says about itself without its entries: readable without the private key.
struct SegmentHeader {
  std::string ulb, origin;
  uint64_t first = 0, last = 0;
  std::string checkpoint_note;
  std::string tree;
  bool sealed = false;
  std::string key_id;  // the backup key a sealed segment is encrypted to ("" when plain)
};

// "000000000001-000000000500.seg".
std::string SegmentFileName(uint64_t first, uint64_t last);
// <backup_dir>/<ulb>/<origin>/<SegmentFileName>.
std::filesystem::path SegmentPath(const std::filesystem::path& backup_dir, const std::string& ulb,
                                  const std::string& origin, uint64_t first, uint64_t last);

// Writes the segment (sealed to `encrypt_to` when not null), creating <ulb>/<origin>/ as needed.
// InvalidArgument "segment_invalid" for a malformed segment, Conflict "segment_exists", IOError.
Status WriteSegment(const std::filesystem::path& backup_dir, const Segment& segment,
                    const SealKey* encrypt_to);

// Reads and checks one segment file; `decrypt_with` may be null for a plain segment.
Result<Segment> ReadSegment(const std::filesystem::path& file, const OpenKey* decrypt_with);
// The header only (checks the trailing SHA-256 and the name too); needs no key.
Result<SegmentHeader> ReadSegmentHeader(const std::filesystem::path& file);

struct SegmentFile {
  std::filesystem::path path;
  uint64_t first = 0, last = 0;  // as the name says (ReadSegment checks the header agrees)
};
struct LogListing {
  std::string ulb, origin;
  std::vector<SegmentFile> segments;          // sorted by first, then last
  std::vector<std::filesystem::path> strays;  // other files in the log's folder (not hidden ones)
};
// Every log held in a backup directory: each <ulb>/<origin>/ folder, sorted by ulb then origin.
// Hidden files (a writer's temporaries) are skipped. NotFound if the directory does not exist.
Result<std::vector<LogListing>> ListBackupLogs(const std::filesystem::path& backup_dir);
// One log's listing (empty when the folder does not exist).
Result<LogListing> ListLogSegments(const std::filesystem::path& backup_dir, const std::string& ulb,
                                   const std::string& origin);

}  // namespace palika::ledger
