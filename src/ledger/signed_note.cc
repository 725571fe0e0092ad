#include "ledger/signed_note.h"

#include <sodium.h>

#include <cstdio>
#include <cstring>
#include <optional>
#include <vector>

#include "core/encoding.h"

namespace palika::ledger {
namespace {

constexpr uint8_t kAlgEd25519 = 0x01;  // c2sp.org/signed-note signature type
constexpr std::string_view kPrivateKeyPrefix = "PRIVATE+KEY+";
constexpr std::string_view kSignaturePrefix = "\xE2\x80\x94 ";  // em dash U+2014, space
// The spec asks verifiers to accept at least 16 signatures; Go's implementation allows 100.
constexpr size_t kMaxSignatures = 100;

const unsigned char* U(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// Decodes one UTF-8 code point at s[i]; returns its length, or 0 if the bytes there are not
// well-formed UTF-8 (overlong forms, surrogates and values above U+10FFFF included).
size_t DecodeRune(std::string_view s, size_t i, char32_t& rune) {
  const auto b = [&](size_t k) { return static_cast<uint8_t>(s[i + k]); };
  const auto cont = [&](size_t k) { return i + k < s.size() && (b(k) & 0xC0) == 0x80; };
  const uint8_t b0 = b(0);
  if (b0 < 0x80) {
    rune = b0;
    return 1;
  }
  if (b0 >= 0xC2 && b0 <= 0xDF && cont(1)) {
    rune = (char32_t{b0} & 0x1F) << 6 | (b(1) & 0x3F);
    return 2;
  }
  if (b0 >= 0xE0 && b0 <= 0xEF && cont(1) && cont(2)) {
    rune = (char32_t{b0} & 0x0F) << 12 | (char32_t{b(1)} & 0x3F) << 6 | (b(2) & 0x3F);
    if (rune < 0x800 || (rune >= 0xD800 && rune <= 0xDFFF)) {
      return 0;
    }
    return 3;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4 && cont(1) && cont(2) && cont(3)) {
    rune = (char32_t{b0} & 0x07) << 18 | (char32_t{b(1)} & 0x3F) << 12 |
           (char32_t{b(2)} & 0x3F) << 6 | (b(3) & 0x3F);
    if (rune < 0x10000 || rune > 0x10FFFF) {
      return 0;
    }
    return 4;
  }
  return 0;
}

// Unicode White_Space, the set Go's unicode.IsSpace tests (the spec's "Unicode spaces").
bool IsUnicodeSpace(char32_t r) {
  switch (r) {
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case ' ':
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
      return true;
    default:
      return r >= 0x2000 && r <= 0x200A;
  }
}

// A note (and so its text) must be valid UTF-8 with no ASCII control character but newline.
bool IsValidNoteBytes(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    char32_t r = 0;
    const size_t n = DecodeRune(s, i, r);
    if (n == 0 || (r < 0x20 && r != '\n')) {
      return false;
    }
    i += n;
  }
  return true;
}

std::string Hex32(uint32_t v) {
  char buf[9];
  std::snprintf(buf, sizeof(buf), "%08x", v);
  return buf;
}

std::optional<uint32_t> ParseHex32(std::string_view s) {
  if (s.size() != 8) {
    return std::nullopt;
  }
  uint32_t v = 0;
  for (char c : s) {
    uint32_t d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      d = c - 'A' + 10;
    } else {
      return std::nullopt;
    }
    v = v << 4 | d;
  }
  return v;
}

std::string BigEndian32(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}

uint32_t GetBigEndian32(std::string_view s) {
  return uint32_t{static_cast<uint8_t>(s[0])} << 24 | uint32_t{static_cast<uint8_t>(s[1])} << 16 |
         uint32_t{static_cast<uint8_t>(s[2])} << 8 | uint32_t{static_cast<uint8_t>(s[3])};
}

// Splits "name+hexhash+base64" (the tail of both key forms); base64 may itself hold '+'.
struct KeyFields {
  std::string_view name;
  uint32_t key_hash;
  std::string key;  // decoded: algorithm byte || key material
};

std::optional<KeyFields> SplitKey(std::string_view s) {
  const size_t p1 = s.find('+');
  if (p1 == std::string_view::npos) {
    return std::nullopt;
  }
  const size_t p2 = s.find('+', p1 + 1);
  if (p2 == std::string_view::npos) {
    return std::nullopt;
  }
  std::optional<uint32_t> hash = ParseHex32(s.substr(p1 + 1, p2 - p1 - 1));
  std::optional<std::string> key = Base64Decode(s.substr(p2 + 1));
  if (!hash || !key || key->empty()) {
    return std::nullopt;
  }
  return KeyFields{s.substr(0, p1), *hash, std::move(*key)};
}

Status BadKey(std::string_view what, std::string_view why) {
  return Status::InvalidArgument("invalid_note_key",
                                 std::string(what) + " is not valid: " + std::string(why));
}

Status Malformed(std::string_view why) {
  return Status::InvalidArgument("malformed_note", "malformed signed note: " + std::string(why));
}

bool SodiumReady() { return sodium_init() >= 0; }  // idempotent and thread-safe

}  // namespace

bool IsValidKeyName(std::string_view name) {
  if (name.empty()) {
    return false;
  }
  for (size_t i = 0; i < name.size();) {
    char32_t r = 0;
    const size_t n = DecodeRune(name, i, r);
    if (n == 0 || r == '+' || IsUnicodeSpace(r)) {
      return false;
    }
    i += n;
  }
  return true;
}

uint32_t Ed25519KeyHash(std::string_view name, std::string_view public_key) {
  std::string input;
  input.reserve(name.size() + 2 + public_key.size());
  input.append(name);
  input.push_back('\n');
  input.push_back(static_cast<char>(kAlgEd25519));
  input.append(public_key);
  return GetBigEndian32(Sha256(input));
}

// ---- NoteVerifier ----

NoteVerifier::NoteVerifier(std::string name, const std::array<uint8_t, 32>& public_key)
    : name_(std::move(name)), public_key_(public_key) {
  key_hash_ = Ed25519KeyHash(name_, this->public_key());
}

Result<NoteVerifier> NoteVerifier::FromPublicKey(std::string_view name,
                                                 std::string_view public_key) {
  if (!IsValidKeyName(name)) {
    return BadKey("key name \"" + std::string(name) + "\"",
                  "a key name must be non-empty, with no spaces and no '+'");
  }
  if (public_key.size() != crypto_sign_PUBLICKEYBYTES) {
    return BadKey("Ed25519 public key",
                  "it must be 32 bytes, not " + std::to_string(public_key.size()));
  }
  std::array<uint8_t, 32> pk{};
  std::memcpy(pk.data(), public_key.data(), pk.size());
  return NoteVerifier(std::string(name), pk);
}

Result<NoteVerifier> NoteVerifier::Parse(std::string_view vkey) {
  constexpr std::string_view kWhat = "verifier key";
  std::optional<KeyFields> f = SplitKey(vkey);
  if (!f) {
    return BadKey(kWhat, "expected name+hexhash+base64key");
  }
  if (static_cast<uint8_t>(f->key[0]) != kAlgEd25519) {
    return BadKey(kWhat, "unknown signature algorithm " +
                             std::to_string(static_cast<uint8_t>(f->key[0])) +
                             " (only Ed25519, 1, is supported)");
  }
  PALIKA_ASSIGN_OR_RETURN(NoteVerifier v,
                          FromPublicKey(f->name, std::string_view(f->key).substr(1)));
  if (v.key_hash() != f->key_hash) {
    return BadKey(kWhat, "its key hash " + Hex32(f->key_hash) + " does not match the key (" +
                             Hex32(v.key_hash()) + ")");
  }
  return v;
}

std::string NoteVerifier::public_key() const {
  return std::string(reinterpret_cast<const char*>(public_key_.data()), public_key_.size());
}

std::string NoteVerifier::ToString() const {
  return name_ + "+" + Hex32(key_hash_) + "+" +
         Base64Encode(std::string(1, static_cast<char>(kAlgEd25519)) + public_key());
}

bool NoteVerifier::Verify(std::string_view text, std::string_view signature) const {
  if (signature.size() != crypto_sign_BYTES || !SodiumReady()) {
    return false;
  }
  return crypto_sign_verify_detached(U(signature), U(text), text.size(), public_key_.data()) == 0;
}

// ---- NoteSigner ----

NoteSigner::NoteSigner(std::string name, const std::array<uint8_t, 32>& seed)
    : name_(std::move(name)) {
  std::array<uint8_t, 32> pk{};
  crypto_sign_seed_keypair(pk.data(), secret_key_.data(), seed.data());
  key_hash_ =
      Ed25519KeyHash(name_, std::string_view(reinterpret_cast<const char*>(pk.data()), pk.size()));
}

NoteSigner::~NoteSigner() { sodium_memzero(secret_key_.data(), secret_key_.size()); }

Result<NoteSigner> NoteSigner::FromSeed(std::string_view name, std::string_view seed) {
  if (!IsValidKeyName(name)) {
    return BadKey("key name \"" + std::string(name) + "\"",
                  "a key name must be non-empty, with no spaces and no '+'");
  }
  if (seed.size() != crypto_sign_SEEDBYTES) {
    return BadKey("Ed25519 seed", "it must be 32 bytes, not " + std::to_string(seed.size()));
  }
  if (!SodiumReady()) {
    return Status::Internal("libsodium could not be initialised");
  }
  std::array<uint8_t, 32> s{};
  std::memcpy(s.data(), seed.data(), s.size());
  NoteSigner signer(std::string(name), s);
  sodium_memzero(s.data(), s.size());
  return signer;
}

Result<NoteSigner> NoteSigner::Parse(std::string_view skey) {
  // Never echo the key text itself into a message: it is a secret.
  constexpr std::string_view kWhat = "signer key";
  if (!skey.starts_with(kPrivateKeyPrefix)) {
    return BadKey(kWhat, "it must start with PRIVATE+KEY+");
  }
  std::optional<KeyFields> f = SplitKey(skey.substr(kPrivateKeyPrefix.size()));
  if (!f) {
    return BadKey(kWhat, "expected PRIVATE+KEY+name+hexhash+base64key");
  }
  if (static_cast<uint8_t>(f->key[0]) != kAlgEd25519) {
    sodium_memzero(f->key.data(), f->key.size());
    return BadKey(kWhat, "unknown signature algorithm (only Ed25519, 1, is supported)");
  }
  Result<NoteSigner> signer = FromSeed(f->name, std::string_view(f->key).substr(1));
  sodium_memzero(f->key.data(), f->key.size());
  if (!signer.ok()) {
    return signer.status();
  }
  if (signer->key_hash() != f->key_hash) {
    return BadKey(kWhat, "its key hash " + Hex32(f->key_hash) + " does not match the key (" +
                             Hex32(signer->key_hash()) + ")");
  }
  return signer;
}

std::string NoteSigner::Format() const {
  // libsodium's secret key is seed || public key; the text form carries the seed.
  std::string key(1, static_cast<char>(kAlgEd25519));
  key.append(reinterpret_cast<const char*>(secret_key_.data()), crypto_sign_SEEDBYTES);
  std::string out =
      std::string(kPrivateKeyPrefix) + name_ + "+" + Hex32(key_hash_) + "+" + Base64Encode(key);
  sodium_memzero(key.data(), key.size());
  return out;
}

NoteVerifier NoteSigner::Verifier() const {
  std::array<uint8_t, 32> pk{};
  std::memcpy(pk.data(), secret_key_.data() + crypto_sign_SEEDBYTES, pk.size());
  return NoteVerifier(name_, pk);
}

Result<NoteSigner> NoteSigner::WithName(std::string_view name) const {
  return FromSeed(name, std::string_view(reinterpret_cast<const char*>(secret_key_.data()),
                                         crypto_sign_SEEDBYTES));
}

std::string_view NoteSigner::public_key() const {
  return std::string_view(reinterpret_cast<const char*>(secret_key_.data()) + crypto_sign_SEEDBYTES,
                          crypto_sign_PUBLICKEYBYTES);
}

Result<std::string> NoteSigner::SignatureBytes(std::string_view text) const {
  if (!text.ends_with('\n')) {
    return Status::InvalidArgument("malformed_note", "a note's text must end with a newline");
  }
  if (!IsValidNoteBytes(text)) {
    return Status::InvalidArgument(
        "malformed_note", "a note's text must be UTF-8 with no control characters but newline");
  }
  if (!SodiumReady()) {
    return Status::Internal("libsodium could not be initialised");
  }
  std::string out = BigEndian32(key_hash_);
  out.resize(out.size() + crypto_sign_BYTES);
  crypto_sign_detached(
      reinterpret_cast<unsigned char*>(out.data()) + out.size() - crypto_sign_BYTES, nullptr,
      U(text), text.size(), secret_key_.data());
  return out;
}

Result<std::string> NoteSigner::Sign(std::string_view text) const {
  PALIKA_ASSIGN_OR_RETURN(std::string signature, SignatureBytes(text));
  std::string note;
  note.reserve(text.size() + name_.size() + 128);
  note.append(text);
  note.push_back('\n');
  note.append(kSignaturePrefix);
  note.append(name_);
  note.push_back(' ');
  note.append(Base64Encode(signature));
  note.push_back('\n');
  return note;
}

Result<NoteSigner> GenerateSigner(std::string_view name) {
  if (!SodiumReady()) {
    return Status::Internal("libsodium could not be initialised");
  }
  std::string seed = RandomBytes(crypto_sign_SEEDBYTES);
  Result<NoteSigner> signer = NoteSigner::FromSeed(name, seed);
  sodium_memzero(seed.data(), seed.size());
  return signer;
}

// ---- OpenNote ----

Result<std::string> OpenNote(std::string_view note, std::span<const NoteVerifier> verifiers) {
  if (!IsValidNoteBytes(note)) {
    return Malformed("it must be UTF-8 with no control characters but newline");
  }
  // The text ends at the last blank line; the signature lines follow it.
  const size_t split = note.rfind("\n\n");
  if (split == std::string_view::npos) {
    return Malformed("no blank line before the signatures");
  }
  const std::string_view text = note.substr(0, split + 1);
  std::string_view sigs = note.substr(split + 2);
  if (sigs.empty() || !sigs.ends_with('\n')) {
    return Malformed("the signature lines must end with a newline");
  }

  size_t verified = 0;
  size_t count = 0;
  std::string unknown;  // the keys that signed but are not among `verifiers`, for the message
  while (!sigs.empty()) {
    const size_t eol = sigs.find('\n');  // found: sigs ends with '\n'
    std::string_view line = sigs.substr(0, eol);
    sigs.remove_prefix(eol + 1);
    if (++count > kMaxSignatures) {
      return Malformed("more than " + std::to_string(kMaxSignatures) + " signatures");
    }
    if (!line.starts_with(kSignaturePrefix)) {
      return Malformed("a signature line must start with an em dash and a space");
    }
    line.remove_prefix(kSignaturePrefix.size());
    const size_t space = line.find(' ');
    if (space == std::string_view::npos) {
      return Malformed("a signature line has no signature");
    }
    const std::string_view name = line.substr(0, space);
    std::optional<std::string> raw = Base64Decode(line.substr(space + 1));
    if (!IsValidKeyName(name) || !raw || raw->size() < 5) {
      return Malformed("a signature line must be \"— <key name> <base64 signature>\"");
    }
    const uint32_t hash = GetBigEndian32(*raw);
    const std::string_view sig = std::string_view(*raw).substr(4);

    const NoteVerifier* match = nullptr;
    for (const NoteVerifier& v : verifiers) {
      if (v.name() != name || v.key_hash() != hash) {
        continue;
      }
      if (match != nullptr && match->public_key() != v.public_key()) {
        return Status::InvalidArgument(
            "note_unknown_key", "two different trusted keys are named " + std::string(name) + "+" +
                                    Hex32(hash) + "; remove the wrong one");
      }
      match = &v;
    }
    if (match == nullptr) {
      // The spec: verifiers MUST ignore signatures from unknown keys (witnesses, rotated keys).
      unknown += (unknown.empty() ? "" : ", ") + std::string(name) + "+" + Hex32(hash);
      continue;
    }
    // Every signature by a known key must check, not just the first: the spec says to reject the
    // whole note when one fails.
    if (!match->Verify(text, sig)) {
      return Status::Corruption("invalid signature for key " + std::string(name) + "+" +
                                Hex32(hash) + ": the note's text or signature was altered");
    }
    ++verified;
  }
  if (verified == 0) {
    return Status::InvalidArgument(
        "note_unknown_key", "the note is not signed by any trusted key (it is signed by " +
                                unknown + "); check that the right public key is configured");
  }
  return std::string(text);
}

}  // namespace palika::ledger
