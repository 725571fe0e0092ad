#include "services/identity/totp.h"

#include <liboath/oath.h>
#include <sodium.h>

#include <cstdlib>

#include "core/check.h"
#include "core/encoding.h"

namespace palika::identity {
namespace {

constexpr size_t kTotpSecretBytes = 20;

void EnsureOath() {
  static const int rc = oath_init();  // once per process; thread-safe static initialisation
  PALIKA_ASSERT(rc == OATH_OK);
}

std::string HotpCode(std::string_view secret, uint64_t step) {
  EnsureOath();
  char code[kTotpDigits + 1] = {};
  const int rc = oath_hotp_generate(secret.data(), secret.size(), step, kTotpDigits,
                                    /*add_checksum=*/false, OATH_HOTP_DYNAMIC_TRUNCATION, code);
  PALIKA_ASSERT(rc == OATH_OK);
  return std::string(code, kTotpDigits);
}

int64_t StepAt(std::time_t now) {
  const auto t = static_cast<int64_t>(now);
  return t / kTotpPeriodSeconds - (t % kTotpPeriodSeconds < 0 ? 1 : 0);  // floor
}

// RFC 3986 percent-encoding: everything but the unreserved characters.
std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    const auto b = static_cast<unsigned char>(c);
    if ((b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '-' ||
        b == '.' || b == '_' || b == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[b >> 4];
      out += kHex[b & 0x0F];
    }
  }
  return out;
}

}  // namespace

std::string NewTotpSecret() { return RandomBytes(kTotpSecretBytes); }

std::string Base32Secret(std::string_view secret) {
  EnsureOath();
  char* encoded = nullptr;
  size_t length = 0;
  const int rc = oath_base32_encode(secret.data(), secret.size(), &encoded, &length);
  PALIKA_ASSERT(rc == OATH_OK);
  std::string out(encoded, length);
  std::free(encoded);
  // Authenticator apps expect the secret without RFC 4648 '=' padding.
  while (!out.empty() && out.back() == '=') {
    out.pop_back();
  }
  return out;
}

std::string OtpauthUri(std::string_view issuer, std::string_view account, std::string_view secret) {
  const std::string encoded_issuer = PercentEncode(issuer);
  return "otpauth://totp/" + encoded_issuer + ":" + PercentEncode(account) +
         "?secret=" + Base32Secret(secret) + "&issuer=" + encoded_issuer +
         "&algorithm=SHA1&digits=6&period=30";
}

std::string TotpCode(std::string_view secret, std::time_t now) {
  return HotpCode(secret, static_cast<uint64_t>(StepAt(now)));
}

std::optional<int64_t> VerifyTotp(std::string_view secret, std::string_view code, std::time_t now,
                                  int64_t last_used_step) {
  if (code.size() != kTotpDigits) {
    return std::nullopt;
  }
  for (char c : code) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
  }
  // Try all three steps without stopping early; keep the earliest unused one that matches, so
  // the user is not locked out of the next step.
  std::optional<int64_t> matched;
  const int64_t current = StepAt(now);
  for (int64_t step = current - 1; step <= current + 1; ++step) {
    if (step < 0) {
      continue;
    }
    const std::string expected = HotpCode(secret, static_cast<uint64_t>(step));
    const bool equal = sodium_memcmp(expected.data(), code.data(), kTotpDigits) == 0;
    if (equal && step > last_used_step && !matched) {
      matched = step;
    }
  }
  return matched;
}

}  // namespace palika::identity
