#include "services/identity/token.h"

#include "core/encoding.h"

namespace palika::identity {
namespace {

constexpr size_t kTokenBytes = 32;  // 256 bits, twice the 128 bits needed against guessing

}  // namespace

std::string NewToken() { return Base64UrlEncode(RandomBytes(kTokenBytes)); }

// A plain SHA-256 suffices: the token is random, so there is nothing to brute-force.
std::string TokenHash(std::string_view token) { return HexEncode(Sha256(token)); }

}  // namespace palika::identity
