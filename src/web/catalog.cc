#include "web/catalog.h"

#include <cstdlib>
#include <iostream>

#include "web/assets.h"

namespace palika::web {

std::string_view LangCode(Lang lang) { return lang == Lang::kEn ? "en" : "hi"; }

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

bool IsKey(std::string_view key) {
  if (key.empty()) return false;
  for (char c : key) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

Catalog LoadEmbedded(std::string_view path) {
  auto text = Asset(path);
  auto parsed = text ? Catalog::Parse(*text)
                     : Result<Catalog>(Status::Internal(std::string(path) + " is not embedded"));
  if (!parsed.ok()) {
    // A build whose catalogue does not parse must not serve pages with holes in them.
    std::cerr << "web/" << path << ": " << parsed.status().ToString() << std::endl;
    std::abort();
  }
  return std::move(*parsed);
}

}  // namespace

Result<Catalog> Catalog::Parse(std::string_view text) {
  Catalog out;
  int number = 0;
  while (!text.empty()) {
    ++number;
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    line = Trim(line);
    if (line.empty() || line.front() == '#') continue;
    size_t eq = line.find('=');
    const std::string where = "line " + std::to_string(number);
    if (eq == std::string_view::npos) {
      return Status::InvalidArgument("bad_catalog", where + ": expected 'key = text'.",
                                     where + ": 'key = text' अपेक्षित है।");
    }
    std::string_view key = Trim(line.substr(0, eq));
    if (!IsKey(key)) {
      return Status::InvalidArgument("bad_catalog", where + ": a key is made of a-z, 0-9 and _.",
                                     where + ": कुंजी में केवल a-z, 0-9 और _ हों।");
    }
    if (!out.entries_.emplace(std::string(key), std::string(Trim(line.substr(eq + 1)))).second) {
      return Status::InvalidArgument("bad_catalog",
                                     where + ": key '" + std::string(key) + "' is given twice.",
                                     where + ": कुंजी '" + std::string(key) + "' दो बार है।");
    }
  }
  return out;
}

const std::string* Catalog::Find(std::string_view key) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : &it->second;
}

const Catalog& CatalogFor(Lang lang) {
  static const Catalog hi = LoadEmbedded("i18n/hi");
  static const Catalog en = LoadEmbedded("i18n/en");
  return lang == Lang::kEn ? en : hi;
}

std::string Text(Lang lang, std::string_view key, TextArgs args) {
  const std::string* text = CatalogFor(lang).Find(key);
  if (text == nullptr) return std::string(key);
  std::string out;
  out.reserve(text->size());
  for (size_t i = 0; i < text->size();) {
    if ((*text)[i] == '{') {
      size_t close = text->find('}', i);
      if (close != std::string::npos) {
        std::string_view name(text->data() + i + 1, close - i - 1);
        bool found = false;
        for (const auto& [n, v] : args) {
          if (n == name) {
            out += v;
            found = true;
            break;
          }
        }
        if (found) {
          i = close + 1;
          continue;
        }
      }
    }
    out += (*text)[i++];
  }
  return out;
}

std::string StatusText(Lang lang, const Status& status) {
  if (lang == Lang::kHi && !status.message_hi().empty()) return status.message_hi();
  return status.message();
}

}  // namespace palika::web
