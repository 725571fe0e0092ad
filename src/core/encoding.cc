#include "core/encoding.h"

#include <openssl/evp.h>
#include <sodium.h>

#include <vector>

#include "core/check.h"

namespace palika {
namespace {

// libsodium must be initialised once before use; sodium_init is idempotent and thread-safe.
const int kSodiumReady = sodium_init();

const unsigned char* U(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

std::string EncodeBase64(std::string_view bytes, int variant) {
  std::string out(sodium_base64_encoded_len(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), U(bytes), bytes.size(), variant);
  out.resize(out.size() - 1);  // drop the terminating NUL sodium writes
  return out;
}

std::optional<std::string> DecodeBase64(std::string_view text, int variant) {
  std::string out(text.size() * 3 / 4 + 3, '\0');
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &len, &end, variant) != 0) {
    return std::nullopt;
  }
  if (end != text.data() + text.size()) return std::nullopt;  // trailing garbage
  out.resize(len);
  // Reject non-canonical encodings (set padding bits) so that one value has one text.
  if (EncodeBase64(out, variant) != text) return std::nullopt;
  return out;
}

}  // namespace

std::string HexEncode(std::string_view bytes) {
  std::string out(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), U(bytes), bytes.size());
  out.resize(bytes.size() * 2);
  return out;
}

std::optional<std::string> HexDecode(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out(hex.size() / 2, '\0');
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_hex2bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), hex.data(),
                     hex.size(), nullptr, &len, &end) != 0 ||
      end != hex.data() + hex.size() || len != out.size()) {
    return std::nullopt;
  }
  return out;
}

std::string Base64Encode(std::string_view bytes) {
  return EncodeBase64(bytes, sodium_base64_VARIANT_ORIGINAL);
}
std::optional<std::string> Base64Decode(std::string_view text) {
  return DecodeBase64(text, sodium_base64_VARIANT_ORIGINAL);
}
std::string Base64UrlEncode(std::string_view bytes) {
  return EncodeBase64(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}
std::optional<std::string> Base64UrlDecode(std::string_view text) {
  return DecodeBase64(text, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

// Through libcrypto, which uses the CPU's SHA instructions where it has them (libsodium's is
// portable C, about four times slower): whole backup segments are hashed on every read. Each
// thread keeps one digest context (EVP_Digest makes and frees one a call, which costs more than
// hashing a session token or a request body: two of those on every payment).
std::string Sha256(std::string_view bytes) {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  struct Context {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Context() { EVP_MD_CTX_free(ctx); }
  };
  thread_local Context c;
  std::string out(crypto_hash_sha256_BYTES, '\0');
  unsigned int n = 0;
  const bool ok = md != nullptr && c.ctx != nullptr &&
                  EVP_DigestInit_ex2(c.ctx, md, nullptr) == 1 &&
                  EVP_DigestUpdate(c.ctx, bytes.data(), bytes.size()) == 1 &&
                  EVP_DigestFinal_ex(c.ctx, reinterpret_cast<unsigned char*>(out.data()), &n) == 1;
  PALIKA_ASSERT(ok && n == out.size());  // libcrypto without SHA-256 is a broken installation
  return out;
}

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  randombytes_buf(out.data(), n);
  return out;
}

}  // namespace palika
