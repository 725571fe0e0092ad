#include "ledger/backup_key.h"

#include <sodium.h>
#include <sys/stat.h>

#include <cstring>

#include "core/encoding.h"
#include "ledger/durable_file.h"

namespace palika::ledger {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kPubPrefix = "palika-backup+";
constexpr std::string_view kKeyPrefix = "PRIVATE+KEY+palika-backup+";
constexpr size_t kMaxKeyFileBytes = 4096;

Status Invalid(std::string_view why) {
  return Status::InvalidArgument(
      "backup_key_invalid",
      "not a Palika backup key (" + std::string(why) +
          "); use the backup.pub / backup.key written by `palika backup keygen`",
      "यह Palika बैकअप कुंजी नहीं है (" + std::string(why) +
          "); `palika backup keygen` से बनी backup.pub / backup.key दें");
}

// "<key id>+<base64 of 32 bytes>" after the prefix.
Result<std::string> ParseBody(std::string_view text, std::string_view prefix) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  if (!text.starts_with(prefix)) return Invalid("wrong prefix");
  text.remove_prefix(prefix.size());
  const size_t plus = text.find('+');
  if (plus != 8) return Invalid("no key id");
  std::optional<std::string> bytes = Base64Decode(text.substr(plus + 1));
  if (!bytes || bytes->size() != 32) return Invalid("not 32 bytes of base64");
  return std::string(text.substr(0, 8)) + *bytes;  // id (8 chars) then the 32 bytes
}

Result<std::string> ReadKeyText(const fs::path& file) {
  Result<std::string> text = ReadWholeFile(file, kMaxKeyFileBytes);
  if (!text.ok() && text.status().kind() == StatusKind::kNotFound) {
    return Status::NotFound("backup_key_missing", "there is no backup key at " + file.string(),
                            file.string() + " पर बैकअप कुंजी नहीं है");
  }
  if (!text.ok() && text.status().kind() == StatusKind::kTooLarge) {
    return Invalid(file.string() + " is too large");
  }
  return text;
}

}  // namespace

std::string SealKey::KeyId() const {
  const std::string digest =
      Sha256(std::string_view(reinterpret_cast<const char*>(public_key.data()), 32));
  return HexEncode(std::string_view(digest).substr(0, 4));
}

std::string SealKey::Format() const {
  return std::string(kPubPrefix) + KeyId() + "+" +
         Base64Encode(std::string_view(reinterpret_cast<const char*>(public_key.data()), 32));
}

Result<SealKey> SealKey::Parse(std::string_view text) {
  PALIKA_ASSIGN_OR_RETURN(std::string body, ParseBody(text, kPubPrefix));
  SealKey key;
  std::memcpy(key.public_key.data(), body.data() + 8, 32);
  if (key.KeyId() != body.substr(0, 8)) return Invalid("key id does not match the key");
  return key;
}

OpenKey::~OpenKey() { sodium_memzero(secret_key.data(), secret_key.size()); }

std::string OpenKey::Format() const {
  return std::string(kKeyPrefix) + KeyId() + "+" +
         Base64Encode(std::string_view(reinterpret_cast<const char*>(secret_key.data()), 32));
}

Result<OpenKey> OpenKey::Parse(std::string_view text) {
  PALIKA_ASSIGN_OR_RETURN(std::string body, ParseBody(text, kKeyPrefix));
  OpenKey key;
  const std::string id = body.substr(0, 8);
  std::memcpy(key.secret_key.data(), body.data() + 8, 32);
  sodium_memzero(body.data(), body.size());
  crypto_scalarmult_base(key.seal.public_key.data(), key.secret_key.data());
  if (key.KeyId() != id) return Invalid("key id does not match the key");
  return key;
}

Result<SealKey> GenerateBackupKeyFiles(const fs::path& dir) {
  const fs::path pub = dir / "backup.pub";
  const fs::path sec = dir / "backup.key";
  for (const fs::path& f : {pub, sec}) {
    if (fs::exists(f)) {
      return Status::Conflict("backup_key_exists",
                              f.string() + " already exists; it is kept (choose another --out)",
                              f.string() + " पहले से है; उसे बदला नहीं गया (कोई और --out चुनें)");
    }
  }
  OpenKey key;
  crypto_box_keypair(key.seal.public_key.data(), key.secret_key.data());
  std::string secret = key.Format() + "\n";
  Status s = WriteFileNoReplace(sec, secret, 0600);
  sodium_memzero(secret.data(), secret.size());
  PALIKA_RETURN_IF_ERROR(s);
  PALIKA_RETURN_IF_ERROR(WriteFileNoReplace(pub, key.seal.Format() + "\n", 0644));
  return key.seal;
}

Result<SealKey> LoadSealKey(const fs::path& file) {
  PALIKA_ASSIGN_OR_RETURN(std::string text, ReadKeyText(file));
  return SealKey::Parse(text);
}

Result<OpenKey> LoadOpenKey(const fs::path& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
    return Status::PermissionDenied(
        "backup_key_insecure",
        "the backup private key " + file.string() + " may be read by other users; run `chmod 600 " +
            file.string() + "`",
        "बैकअप निजी कुंजी " + file.string() + " अन्य उपयोगकर्ता पढ़ सकते हैं; `chmod 600 " + file.string() +
            "` चलाएँ");
  }
  PALIKA_ASSIGN_OR_RETURN(std::string text, ReadKeyText(file));
  Result<OpenKey> key = OpenKey::Parse(text);
  sodium_memzero(text.data(), text.size());
  return key;
}

}  // namespace palika::ledger
