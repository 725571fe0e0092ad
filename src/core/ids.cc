#include "core/ids.h"

#include <cstdint>

#include "core/encoding.h"

namespace palika {
namespace {

constexpr size_t kIdRandomBytes = 16;  // 128 bits: unguessable and, in practice, never reused

std::string_view WithoutUnderscore(std::string_view prefix) {
  if (prefix.ends_with('_')) {
    prefix.remove_suffix(1);
  }
  return prefix;
}

bool IsLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

}  // namespace

std::string NewId(std::string_view prefix) {
  std::string id(WithoutUnderscore(prefix));
  id += '_';
  id += HexEncode(RandomBytes(kIdRandomBytes));
  return id;
}

bool IsValidId(std::string_view id, std::string_view prefix) {
  prefix = WithoutUnderscore(prefix);
  if (id.size() != prefix.size() + 1 + 2 * kIdRandomBytes || !id.starts_with(prefix) ||
      id[prefix.size()] != '_') {
    return false;
  }
  for (char c : id.substr(prefix.size() + 1)) {
    if (!IsLowerHex(c)) {
      return false;
    }
  }
  return true;
}

bool IsValidUlbCode(std::string_view code) {
  if (code.size() != 4) {
    return false;
  }
  for (char c : code) {
    if (c < '0' || c > '9') {
      return false;
    }
  }
  return true;
}

bool IsValidUsername(std::string_view username) {
  if (username.size() < 3 || username.size() > 32) {
    return false;
  }
  if (username[0] < 'a' || username[0] > 'z') {
    return false;
  }
  for (char c : username) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) {
      return false;
    }
  }
  return true;
}

bool IsValidUtf8(std::string_view text) {
  // RFC 3629 section 4: the second byte's range depends on the first, which excludes overlong
  // forms, surrogates and code points above U+10FFFF.
  size_t i = 0;
  while (i < text.size()) {
    const auto b0 = static_cast<uint8_t>(text[i]);
    if (b0 < 0x80) {
      ++i;
      continue;
    }
    size_t length = 0;
    uint8_t low = 0x80, high = 0xBF;  // allowed range of the second byte
    if (b0 >= 0xC2 && b0 <= 0xDF) {
      length = 2;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
      length = 3;
      if (b0 == 0xE0) {
        low = 0xA0;  // overlong below U+0800
      }
      if (b0 == 0xED) {
        high = 0x9F;  // surrogates U+D800–U+DFFF
      }
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
      length = 4;
      if (b0 == 0xF0) {
        low = 0x90;  // overlong below U+10000
      }
      if (b0 == 0xF4) {
        high = 0x8F;  // above U+10FFFF
      }
    } else {
      return false;  // continuation byte, C0/C1 overlong lead, or F5–FF
    }
    if (i + length > text.size()) {
      return false;
    }
    const auto b1 = static_cast<uint8_t>(text[i + 1]);
    if (b1 < low || b1 > high) {
      return false;
    }
    for (size_t k = 2; k < length; ++k) {
      const auto b = static_cast<uint8_t>(text[i + k]);
      if (b < 0x80 || b > 0xBF) {
        return false;
      }
    }
    i += length;
  }
  return true;
}

}  // namespace palika
