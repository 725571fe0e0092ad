#include "ledger/checkpoint.h"

#include <limits>
#include <optional>
#include <span>

#include "core/encoding.h"

namespace palika::ledger {
namespace {

Status Malformed(std::string_view why) {
  return Status::InvalidArgument("malformed_checkpoint",
                                 "malformed checkpoint: " + std::string(why));
}

// Decimal, no sign, no leading zero (but "0" itself), and within uint64_t.
std::optional<uint64_t> ParseTreeSize(std::string_view s) {
  if (s.empty() || (s.size() > 1 && s[0] == '0')) {
    return std::nullopt;
  }
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    const uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (std::numeric_limits<uint64_t>::max() - d) / 10) {
      return std::nullopt;
    }
    v = v * 10 + d;
  }
  return v;
}

}  // namespace

std::string FormatCheckpoint(const Checkpoint& checkpoint) {
  std::string out = checkpoint.origin + "\n" + std::to_string(checkpoint.size) + "\n" +
                    Base64Encode(HashBytes(checkpoint.root)) + "\n";
  for (const std::string& line : checkpoint.extensions) {
    out += line + "\n";
  }
  return out;
}

Result<Checkpoint> ParseCheckpoint(std::string_view text) {
  if (!text.ends_with('\n')) {
    return Malformed("the text must end with a newline");
  }
  std::vector<std::string_view> lines;
  for (std::string_view rest = text; !rest.empty();) {
    const size_t eol = rest.find('\n');  // found: text ends with '\n'
    if (eol == 0) {
      return Malformed("line " + std::to_string(lines.size() + 1) + " is empty");
    }
    lines.push_back(rest.substr(0, eol));
    rest.remove_prefix(eol + 1);
  }
  if (lines.size() < 3) {
    return Malformed("it needs an origin, a tree size and a root hash line");
  }

  Checkpoint cp;
  cp.origin = std::string(lines[0]);
  std::optional<uint64_t> size = ParseTreeSize(lines[1]);
  if (!size) {
    return Malformed("the tree size \"" + std::string(lines[1]) +
                     "\" is not a decimal number without leading zeros");
  }
  cp.size = *size;
  std::optional<std::string> root_bytes = Base64Decode(lines[2]);
  std::optional<Hash> root = root_bytes ? HashFromBytes(*root_bytes) : std::nullopt;
  if (!root) {
    return Malformed("the root hash is not the base64 of 32 bytes");
  }
  cp.root = *root;
  for (size_t i = 3; i < lines.size(); ++i) {
    cp.extensions.emplace_back(lines[i]);
  }
  return cp;
}

Result<std::string> SignCheckpoint(const Checkpoint& checkpoint, const NoteSigner& signer) {
  if (signer.name() != checkpoint.origin) {
    return Status::InvalidArgument("checkpoint_origin_mismatch",
                                   "the checkpoint's origin \"" + checkpoint.origin +
                                       "\" differs from the signing key's name \"" + signer.name() +
                                       "\"");
  }
  const std::string text = FormatCheckpoint(checkpoint);
  // Formatting then parsing back catches empty or multi-line fields in one place.
  Result<Checkpoint> reparsed = ParseCheckpoint(text);
  if (!reparsed.ok()) {
    return reparsed.status();
  }
  if (*reparsed != checkpoint) {
    return Malformed("the origin and extension lines must be non-empty single lines");
  }
  return signer.Sign(text);
}

Result<Checkpoint> OpenCheckpoint(std::string_view note, const NoteVerifier& verifier) {
  PALIKA_ASSIGN_OR_RETURN(std::string text, OpenNote(note, std::span(&verifier, 1)));
  PALIKA_ASSIGN_OR_RETURN(Checkpoint cp, ParseCheckpoint(text));
  // tlog-checkpoint: the log's key name should match the origin line; Palika requires it, so a
  // checkpoint of one log can never pass as another's.
  if (cp.origin != verifier.name()) {
    return Status::InvalidArgument("checkpoint_origin_mismatch",
                                   "the checkpoint is for log \"" + cp.origin +
                                       "\" but was checked with the key of \"" + verifier.name() +
                                       "\"");
  }
  return cp;
}

}  // namespace palika::ledger
