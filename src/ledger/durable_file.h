#pragma once
// Whole files written once and never replaced, durably: the bytes go to a hidden temporary file in
// the same directory, which is fsynced, then linked under its final name (link(2) fails rather
// than replace an existing file), and the directory is fsynced so the name survives a crash. A
// crash at any moment leaves either no file under the name or the complete file (a stray hidden
// temporary at worst, which readers ignore). Used for backup segments and key files.
// ReplaceFileDurably is the one exception to "never replaced", for small state files.
// Errors: Conflict "file_exists" when the name is taken; IOError naming the file otherwise.
// Thread-safe (no shared state); two writers of the same name: one wins, the other gets Conflict.

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <string_view>

#include "core/status.h"

namespace palika::ledger {

Status WriteFileNoReplace(const std::filesystem::path& file, std::string_view data, mode_t mode);

// A small file that is replaced whole (kept state, not a record): the bytes go to a hidden
// temporary file, which is fsynced and renamed over `file`, then the directory is fsynced. A crash
// leaves the old file or the new one, never a mix. IOError naming the file on failure.
Status ReplaceFileDurably(const std::filesystem::path& file, std::string_view data, mode_t mode);

// fsync of a directory, so entries created in it are durable.
Status SyncDirectory(const std::filesystem::path& dir);

// The whole file; NotFound if it does not exist, TooLarge beyond max_bytes, IOError otherwise.
Result<std::string> ReadWholeFile(const std::filesystem::path& file, size_t max_bytes);

}  // namespace palika::ledger
