#pragma once
// TOTP second factor for staff (RFC 6238 over HOTP, RFC 4226; via liboath): HMAC-SHA1,
// 6 digits, 30-second steps, as every authenticator app expects.
//
// Secrets are raw bytes; Base32Secret is what a person types or a QR code carries. VerifyTotp
// accepts the previous, current and next step (clock drift of up to 30 s either way) and never a
// step at or before the one last used, so a code works once: the caller stores the returned step
// with the user. All functions are thread-safe.

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace palika::identity {

inline constexpr int kTotpDigits = 6;
inline constexpr int64_t kTotpPeriodSeconds = 30;

// 20 random bytes (160 bits, RFC 4226's recommended length).
std::string NewTotpSecret();

// RFC 4648 base32, upper case, without '=' padding.
std::string Base32Secret(std::string_view secret);

// "otpauth://totp/Issuer:account?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30", with issuer
// and account percent-encoded (UTF-8, so "पालिका इंदौर" works).
std::string OtpauthUri(std::string_view issuer, std::string_view account, std::string_view secret);

// The 6-digit code for the time step that contains now (Unix seconds).
std::string TotpCode(std::string_view secret, std::time_t now);

// The time step code belongs to, if it is exactly 6 ASCII digits, matches the step before, at or
// after now, and that step is greater than last_used_step (pass -1 if none was ever used).
std::optional<int64_t> VerifyTotp(std::string_view secret, std::string_view code, std::time_t now,
                                  int64_t last_used_step);

}  // namespace palika::identity
