#pragma once
// Message catalogues: every string a page shows, in Hindi (web/i18n/hi) and English
// (web/i18n/en). The format is one message per line, `key = text`; blank lines and lines starting
// with '#' are ignored; keys are [a-z0-9_]; a text may hold placeholders like {amount}, filled
// by Text(). Both catalogues must have the same keys (a unit test checks that, and that every
// key a template uses exists). Thread-safe: the embedded catalogues are parsed once, read-only
// after.

#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "core/status.h"

namespace palika::web {

enum class Lang { kHi, kEn };

// "hi" / "en".
std::string_view LangCode(Lang lang);

class Catalog {
 public:
  // InvalidArgument naming the line for a line without '=', a bad key or a key given twice.
  static Result<Catalog> Parse(std::string_view text);

  // The text of key, or nullptr.
  const std::string* Find(std::string_view key) const;
  const std::map<std::string, std::string, std::less<>>& entries() const { return entries_; }

 private:
  std::map<std::string, std::string, std::less<>> entries_;
};

// The embedded catalogue of a language (aborts at start-up if it does not parse: the unit test
// parses both, so a broken catalogue never reaches a build that runs).
const Catalog& CatalogFor(Lang lang);

using TextArgs = std::initializer_list<std::pair<std::string_view, std::string>>;

// The text of key in lang with each {name} replaced by its argument. A missing key gives the key
// itself, so a gap shows on the page instead of crashing it.
std::string Text(Lang lang, std::string_view key, TextArgs args = {});

// A Status's message in lang (message_hi() for Hindi, falling back to message()).
std::string StatusText(Lang lang, const Status& status);

}  // namespace palika::web
