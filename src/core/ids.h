#pragma once
// Identifiers and the checks every identifier or text field from outside passes.
//
// NewId makes an opaque, unguessable record id: a short type prefix, '_', and 16 random bytes
// (128 bits) in lowercase hex, e.g. "usr_3f9c0a…" (36 characters for "usr"). The checks are pure
// functions of their argument. All functions are thread-safe.

#include <string>
#include <string_view>

namespace palika {

// NewId("usr") and NewId("usr_") both give "usr_" followed by 32 lowercase hex digits.
std::string NewId(std::string_view prefix);
// Whether id is what NewId(prefix) would make.
bool IsValidId(std::string_view id, std::string_view prefix);

// A ULB code: exactly four ASCII digits ("0152" is Indore).
bool IsValidUlbCode(std::string_view code);

// 3 to 32 characters of [a-z0-9._-], the first a letter.
bool IsValidUsername(std::string_view username);

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates (U+D800–U+DFFF), nothing above
// U+10FFFF, no truncated sequences.
bool IsValidUtf8(std::string_view text);

}  // namespace palika
