#pragma once
// BackupLedgerFile: writes a ledger file's entries as backup segments (`palika backup local`),
// for a backup to an attached disk and for tests that need segments without a puller.
//
// Resumes after the last segment the backup already holds for the log (its stored tree is
// extended, so a ledger whose history does not extend what the backup holds is refused). Each new
// segment closes at a stored checkpoint of the ledger, at least `segment_entries` entries after
// the previous close (or at the last checkpoint); entries after the last checkpoint wait for the
// next run. Every close is checked before it is written: the checkpoint's signature under the
// node key and its root against the entries (Corruption naming the ledger file and the seq range
// otherwise: nothing forged is backed up). Reads the ledger in one read snapshot, so it runs
// beside a live server. Thread-compatible.

#include <cstdint>
#include <filesystem>
#include <string>

#include "core/status.h"
#include "ledger/backup_key.h"
#include "ledger/signed_note.h"

namespace palika::ledger {

struct LocalBackupResult {
  std::string ulb;
  uint64_t segments = 0;  // written now
  uint64_t entries = 0;   // written now
  uint64_t size = 0;      // entries the backup holds of this log afterwards
};

Result<LocalBackupResult> BackupLedgerFile(const std::filesystem::path& file,
                                           const std::string& ulb, const std::string& origin,
                                           const NoteVerifier& node,
                                           const std::filesystem::path& backup_dir,
                                           const SealKey* seal, uint64_t segment_entries = 4096);

}  // namespace palika::ledger
