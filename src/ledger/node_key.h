#pragma once
// The node's Ed25519 signing key on disk: one file holding the PRIVATE+KEY string (signed_note.h)
// and a newline, mode 0600. CreateNodeKey makes a fresh key and never overwrites (Conflict if the
// file exists, IOError if the OS fails); LoadNodeKey refuses a file that group or others may read
// (PermissionDenied "node_key_insecure"). Thread-safe; no state besides the file.

#include <filesystem>
#include <string_view>

#include "core/status.h"
#include "ledger/signed_note.h"

namespace palika::ledger {

// Writes a new key named `name` to `file` with mode 0600, then fsyncs the file and its directory.
Status CreateNodeKey(const std::filesystem::path& file, std::string_view name);

// Reads and parses the key; NotFound if there is no file, InvalidArgument if it is not a key.
Result<NoteSigner> LoadNodeKey(const std::filesystem::path& file);

}  // namespace palika::ledger
