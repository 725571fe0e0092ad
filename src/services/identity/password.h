#pragma once
// Staff passwords: the policy a new password must meet, and Argon2id hashing (libsodium).
//
// Hashes are libsodium's self-describing strings ("$argon2id$v=19$m=19456,t=2,p=1$…") with
// OWASP's minimum cost: 19 MiB of memory, 2 passes, 1 lane. A hash made with other parameters
// still verifies; PasswordNeedsRehash says when to replace it after a successful sign-in.
// All functions are thread-safe. Hashing and verifying each take tens of milliseconds and 19 MiB.

#include <string>
#include <string_view>

#include "core/status.h"

namespace palika::identity {

inline constexpr size_t kMinPasswordCodePoints = 12;
inline constexpr size_t kMaxPasswordBytes = 256;
inline constexpr unsigned long long kPasswordOpsLimit = 2;
inline constexpr size_t kPasswordMemLimitBytes = size_t{19} * 1024 * 1024;  // 19 MiB

// A hash, made with the parameters above, of a random password nobody knows. Verifying against it
// costs what a real check costs; VerifyDummyPassword is the way to use it.
inline constexpr std::string_view kDummyPasswordHash =
    "$argon2id$v=19$m=19456,t=2,p=1$Jp5/SB8vvFGwXVbfMo/8Xg$"
    "Oip5ZL9VlxI8Wn3+cf10XJICGxlPW3ZMrN4+rurJy98";

// OK, or InvalidArgument with code "password_invalid_utf8", "password_too_long" (over 256
// bytes), "password_too_short" (under 12 Unicode code points, so a Hindi password counts its
// letters and signs, not its bytes) or "password_one_character" (one character repeated).
Status CheckPasswordPolicy(std::string_view password);

// An Argon2id hash string with a fresh random salt. Does not apply the policy. Fails only when the
// machine cannot spare the memory: Unavailable "password_hash_failed".
Result<std::string> HashPassword(std::string_view password);

// Whether password matches hash. False for a malformed hash too. Compares in constant time.
bool VerifyPassword(std::string_view hash, std::string_view password);

// Spends what VerifyPassword spends, and matches nothing: call it when the user does not exist,
// so that the time taken does not tell whether a username is real.
void VerifyDummyPassword(std::string_view password);

// True if hash is not Argon2id with exactly the parameters above (or is malformed).
bool PasswordNeedsRehash(std::string_view hash);

}  // namespace palika::identity
