#pragma once
// Hex and base64 (standard and URL-safe) encodings of byte strings, via libsodium.
// Decoders return nullopt on any malformed input (wrong alphabet, bad padding, stray characters).
// Thread-safe.

#include <optional>
#include <string>
#include <string_view>

namespace palika {

std::string HexEncode(std::string_view bytes);
std::optional<std::string> HexDecode(std::string_view hex);

// Standard alphabet with '=' padding (as signed notes and checkpoints use).
std::string Base64Encode(std::string_view bytes);
std::optional<std::string> Base64Decode(std::string_view text);

// URL-safe alphabet without padding (for tokens and codes in URLs).
std::string Base64UrlEncode(std::string_view bytes);
std::optional<std::string> Base64UrlDecode(std::string_view text);

// SHA-256 of bytes, as raw 32 bytes.
std::string Sha256(std::string_view bytes);

// n bytes from the operating system's CSPRNG.
std::string RandomBytes(size_t n);

}  // namespace palika
