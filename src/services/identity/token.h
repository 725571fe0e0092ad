#pragma once
// Bearer tokens for sessions and replication: 256 random bits, base64url (43 characters).
// Only TokenHash(token) is stored, so a copy of the database cannot be used to sign in.
// Thread-safe.

#include <string>
#include <string_view>

namespace palika::identity {

// 32 bytes from the operating system's CSPRNG, base64url without padding.
std::string NewToken();

// Lower-case hex SHA-256 of the token's text (64 characters): the value to store and look up.
std::string TokenHash(std::string_view token);

}  // namespace palika::identity
