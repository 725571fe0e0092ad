#pragma once
// C2SP signed notes (https://c2sp.org/signed-note, Go's golang.org/x/mod/sumdb/note), Ed25519 only:
// "<text ending in \n>\n— <key name> base64(key hash || signature)\n"..., where the key hash (the
// spec's key ID) is the first 4 bytes, big-endian, of SHA-256(name || "\n" || 0x01 || public key).
// Keys are values (thread-compatible; a signer zeroes its secret when destroyed). Parse failures
// are InvalidArgument; OpenNote's failures are listed beside it.

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/status.h"

namespace palika::ledger {

// A key name is non-empty, valid UTF-8, and holds no Unicode space and no '+'.
bool IsValidKeyName(std::string_view name);

// The key hash (the spec's key ID) of an Ed25519 key (32-byte public key), as a big-endian uint32.
uint32_t Ed25519KeyHash(std::string_view name, std::string_view public_key);

// A public key that checks signatures; its text form is "name+hexhash+base64(0x01 || public key)".
class NoteVerifier {
 public:
  static Result<NoteVerifier> Parse(std::string_view vkey);
  // public_key is the 32-byte Ed25519 public key.
  static Result<NoteVerifier> FromPublicKey(std::string_view name, std::string_view public_key);

  std::string ToString() const;
  const std::string& name() const { return name_; }
  uint32_t key_hash() const { return key_hash_; }
  std::string public_key() const;  // 32 raw bytes

  // True iff `signature` (64 raw bytes, without the key hash) is this key's signature of `text`.
  bool Verify(std::string_view text, std::string_view signature) const;

 private:
  friend class NoteSigner;  // builds its own verifier without re-checking the name
  NoteVerifier(std::string name, const std::array<uint8_t, 32>& public_key);

  std::string name_;
  uint32_t key_hash_ = 0;
  std::array<uint8_t, 32> public_key_{};
};

// A secret key that signs notes; its text form is "PRIVATE+KEY+name+hexhash+base64(0x01 || seed)".
// Whoever holds that text can sign as this node: keep it in a 0600 file (see node_key.h).
class NoteSigner {
 public:
  static Result<NoteSigner> Parse(std::string_view skey);
  // seed is the 32-byte Ed25519 secret seed (RFC 8032's private key).
  static Result<NoteSigner> FromSeed(std::string_view name, std::string_view seed);

  NoteSigner(const NoteSigner&) = default;
  NoteSigner& operator=(const NoteSigner&) = default;
  NoteSigner(NoteSigner&&) = default;
  NoteSigner& operator=(NoteSigner&&) = default;
  ~NoteSigner();

  // The PRIVATE+KEY string; Parse(Format()) gives this signer back.
  std::string Format() const;
  const std::string& name() const { return name_; }
  uint32_t key_hash() const { return key_hash_; }
  NoteVerifier Verifier() const;
  // The 32-byte Ed25519 public key (Verifier().public_key() without building a verifier).
  std::string_view public_key() const;
  // The same Ed25519 key under another name (so another key hash), e.g. one node key signing
  // several logs each under the log's own name. InvalidArgument for a bad name.
  Result<NoteSigner> WithName(std::string_view name) const;

  // The signed note for `text`, which must end in "\n" and be valid UTF-8 with no control
  // characters other than newline (InvalidArgument otherwise). Ed25519 is deterministic: the same
  // key and text always give the same note.
  Result<std::string> Sign(std::string_view text) const;
  // What Sign's signature line carries for `text`, unencoded: the 4-byte big-endian key hash and
  // the 64-byte Ed25519 signature (for formats that embed a note's signature, e.g. receipt codes).
  // The same checks and errors as Sign.
  Result<std::string> SignatureBytes(std::string_view text) const;

 private:
  NoteSigner(std::string name, const std::array<uint8_t, 32>& seed);

  std::string name_;
  uint32_t key_hash_ = 0;
  std::array<uint8_t, 64> secret_key_{};  // libsodium's form: seed || public key
};

// A fresh signer with a random key; InvalidArgument for a bad name, Internal if libsodium fails.
Result<NoteSigner> GenerateSigner(std::string_view name);

// The text of `note` if at least one signature by a key in `verifiers` is valid. Signatures by
// other keys are ignored. Fails with InvalidArgument "malformed_note" (not a well-formed note),
// InvalidArgument "note_unknown_key" (no signature by any of `verifiers`, or two different
// verifiers share a name and key hash), or Corruption (a known key's signature does not check:
// the text or signature was altered).
Result<std::string> OpenNote(std::string_view note, std::span<const NoteVerifier> verifiers);

}  // namespace palika::ledger
