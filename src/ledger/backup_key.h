#pragma once
// The backup encryption keypair (X25519, libsodium crypto_box): segments are sealed to the public
// key (backup.pub, safe to give to the primary and the backup host) and only the holder of the
// private key (backup.key, kept offline, mode 0600) can open them for a restore.
//
// Text forms, one line each:
//   backup.pub   palika-backup+<key id, 8 hex>+<base64 of the 32-byte public key>
//   backup.key   PRIVATE+KEY+palika-backup+<key id, 8 hex>+<base64 of the 32-byte secret key>
// The key id is the first 4 bytes of SHA-256(public key), in hex; a sealed segment names it so a
// wrong key is refused with a clear message before any decryption is tried.
// Errors: NotFound (no file), InvalidArgument "backup_key_invalid" (not a key),
// PermissionDenied "backup_key_insecure" (private key readable by others), Conflict
// "backup_key_exists" (keygen never overwrites). Values; thread-compatible.

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/status.h"

namespace palika::ledger {

// What a writer needs to encrypt a segment to the backup key.
struct SealKey {
  std::array<uint8_t, 32> public_key{};
  std::string KeyId() const;  // 8 lower-case hex digits
  std::string Format() const;
  static Result<SealKey> Parse(std::string_view text);
};

// What a restore needs to decrypt: the secret key and its public half.
struct OpenKey {
  SealKey seal;
  std::array<uint8_t, 32> secret_key{};
  ~OpenKey();
  OpenKey() = default;
  OpenKey(const OpenKey&) = default;
  OpenKey& operator=(const OpenKey&) = default;
  std::string KeyId() const { return seal.KeyId(); }
  std::string Format() const;
  static Result<OpenKey> Parse(std::string_view text);
};

// Writes a fresh keypair as <dir>/backup.pub (0644) and <dir>/backup.key (0600), fsynced; refuses
// to overwrite either file. Returns the public key.
Result<SealKey> GenerateBackupKeyFiles(const std::filesystem::path& dir);
Result<SealKey> LoadSealKey(const std::filesystem::path& file);
// Refuses a private key file that group or others may read.
Result<OpenKey> LoadOpenKey(const std::filesystem::path& file);

}  // namespace palika::ledger
