#pragma once
// C2SP tlog-checkpoint bodies (https://c2sp.org/tlog-checkpoint): "<origin>\n<size>\n<base64
// root>\n" then optional extension lines, signed as a note (signed_note.h) by a key named like the
// origin. Pure functions, thread-safe. Malformed text is InvalidArgument "malformed_checkpoint";
// the signature failures are OpenNote's.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "ledger/merkle_tree.h"
#include "ledger/signed_note.h"

namespace palika::ledger {

struct Checkpoint {
  std::string origin;                   // the log's name; the signing key carries the same name
  uint64_t size = 0;                    // number of leaves
  Hash root{};                          // RFC 6962 tree head of those leaves
  std::vector<std::string> extensions;  // opaque, non-empty lines; Palika writes none

  bool operator==(const Checkpoint&) const = default;
};

// The note text. Assumes a well-formed checkpoint (origin and extensions non-empty, no newline);
// SignCheckpoint checks that.
std::string FormatCheckpoint(const Checkpoint& checkpoint);
// Strict: at least three lines, none empty, text ends in "\n", size in decimal with no sign and no
// leading zero, root the canonical base64 of exactly 32 bytes.
Result<Checkpoint> ParseCheckpoint(std::string_view text);

// The signed note. InvalidArgument if the checkpoint is malformed or signer.name() != origin.
Result<std::string> SignCheckpoint(const Checkpoint& checkpoint, const NoteSigner& signer);
// The checkpoint in `note` if `verifier` signed it and its origin equals verifier.name()
// (InvalidArgument "checkpoint_origin_mismatch" otherwise); other signatures are ignored.
Result<Checkpoint> OpenCheckpoint(std::string_view note, const NoteVerifier& verifier);

}  // namespace palika::ledger
