#include "core/json.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "core/ids.h"

namespace palika {
namespace json = boost::json;
namespace {

// RFC 8785 sorts keys by UTF-16 code units; for keys within the BMP that equals code point order,
// and UTF-8 byte order equals code point order, so comparing bytes is right except for
// supplementary-plane characters, which Palika's keys (ASCII identifiers) never contain.
void AppendString(std::string& out, std::string_view s) {  // escapes; no validation
  out.push_back('"');
  size_t plain = 0;  // start of the run of characters copied as they are
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + plain, i - plain);
    plain = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += fmt::format("\\u{:04x}", c);  // the other control characters
    }
  }
  out.append(s.data() + plain, s.size() - plain);
  out.push_back('"');
}

Status Append(std::string& out, const json::value& v);

Status AppendObject(std::string& out, const json::object& obj) {
  std::vector<const json::key_value_pair*> kvs;
  kvs.reserve(obj.size());
  for (const auto& kv : obj) kvs.push_back(&kv);
  std::sort(kvs.begin(), kvs.end(), [](auto* a, auto* b) { return a->key() < b->key(); });
  out.push_back('{');
  bool first = true;
  for (const auto* kv : kvs) {
    if (!first) out.push_back(',');
    first = false;
    AppendString(out, kv->key());
    out.push_back(':');
    PALIKA_RETURN_IF_ERROR(Append(out, kv->value()));
  }
  out.push_back('}');
  return Status::OK();
}

Status Append(std::string& out, const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
      out += "null";
      break;
    case json::kind::bool_:
      out += v.get_bool() ? "true" : "false";
      break;
    case json::kind::int64:
      out += std::to_string(v.get_int64());
      break;
    case json::kind::uint64:
      out += std::to_string(v.get_uint64());
      break;
    case json::kind::double_:
      return Status::InvalidArgument("float_in_record",
                                     "Numbers must be whole (money in paise); decimals are not "
                                     "allowed here.",
                                     "संख्याएँ पूर्णांक होनी चाहिए (राशि पैसे में); दशमलव की अनुमति नहीं है।");
    case json::kind::string:
      AppendString(out, v.get_string());
      break;
    case json::kind::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& e : v.get_array()) {
        if (!first) out.push_back(',');
        first = false;
        PALIKA_RETURN_IF_ERROR(Append(out, e));
      }
      out.push_back(']');
      break;
    }
    case json::kind::object:
      return AppendObject(out, v.get_object());
  }
  return Status::OK();
}

Status BadField(std::string_view key, std::string en, std::string hi) {
  return Status::InvalidArgument("invalid_field", fmt::format("Field '{}': {}", key, en),
                                 fmt::format("फ़ील्ड '{}': {}", key, hi));
}

}  // namespace

bool JsonIdentical(const json::value& a, const json::value& b) {
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case json::kind::object: {
      const json::object& x = a.get_object();
      const json::object& y = b.get_object();
      if (x.size() != y.size()) return false;
      for (const auto& [k, v] : x) {
        const json::value* w = y.if_contains(k);
        if (!w || !JsonIdentical(v, *w)) return false;
      }
      return true;
    }
    case json::kind::array: {
      const json::array& x = a.get_array();
      const json::array& y = b.get_array();
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i) {
        if (!JsonIdentical(x[i], y[i])) return false;
      }
      return true;
    }
    default:
      return a == b;
  }
}

std::string QuoteJsonString(std::string_view s) {
  std::string out;
  AppendString(out, s);
  return out;
}

Result<std::string> CanonicalJson(const json::value& v) {
  std::string out;
  PALIKA_RETURN_IF_ERROR(Append(out, v));
  return out;
}

Result<std::string> CanonicalJson(const json::object& o) {
  std::string out;
  out.reserve(256);
  PALIKA_RETURN_IF_ERROR(AppendObject(out, o));
  return out;
}

size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

Result<json::object> ParseJsonObject(std::string_view body) {
  json::parse_options opts;
  opts.max_depth = 16;
  opts.allow_invalid_utf8 = false;
  boost::system::error_code ec;
  json::value v = json::parse(body, ec, {}, opts);
  if (ec) {
    return Status::InvalidArgument(
        "malformed_json",
        "The request body is not valid JSON (" + ec.message() + "). Send a JSON object.",
        "अनुरोध का मुख्य भाग मान्य JSON नहीं है। एक JSON ऑब्जेक्ट भेजें।");
  }
  if (!v.is_object()) {
    return Status::InvalidArgument("malformed_json", "The request body must be a JSON object.",
                                   "अनुरोध का मुख्य भाग एक JSON ऑब्जेक्ट होना चाहिए।");
  }
  return std::move(v.get_object());
}

Status ObjectReader::Missing(std::string_view key) const {
  return BadField(key, "is required.", "आवश्यक है।");
}

Status ObjectReader::WrongType(std::string_view key, std::string_view want) const {
  return BadField(key, fmt::format("must be {}.", want),
                  want == "a number" ? "एक पूर्णांक संख्या होनी चाहिए।"
                  : want == "true or false" ? "true या false होना चाहिए।"
                                            : "एक टेक्स्ट (स्ट्रिंग) होना चाहिए।");
}

Result<std::optional<std::string>> ObjectReader::OptionalString(std::string_view key,
                                                                size_t max_chars) {
  seen_.emplace(key);
  const json::value* v = obj_.if_contains(key);
  if (!v || v->is_null()) return std::optional<std::string>();
  if (!v->is_string()) return WrongType(key, "text");
  std::string_view s = v->get_string();
  while (!s.empty() && (s.front() == ' ')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ')) s.remove_suffix(1);
  if (s.empty()) return Missing(key);
  // The object may have been built in code rather than parsed: check the encoding here too, or
  // Utf8Length below would count stray bytes as fewer characters than they are.
  if (!IsValidUtf8(s)) {
    return BadField(key, "is not valid UTF-8 text.", "मान्य UTF-8 टेक्स्ट नहीं है।");
  }
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) {
      return BadField(key, "must not contain control characters.", "में नियंत्रण वर्ण नहीं होने चाहिए।");
    }
  }
  if (Utf8Length(s) > max_chars) {
    return BadField(key, fmt::format("is longer than {} characters.", max_chars),
                    fmt::format("{} वर्णों से लंबा है।", max_chars));
  }
  return std::optional<std::string>(std::string(s));
}

Result<std::string> ObjectReader::String(std::string_view key, size_t max_chars) {
  PALIKA_ASSIGN_OR_RETURN(auto s, OptionalString(key, max_chars));
  if (!s) return Missing(key);
  return *s;
}

Result<std::optional<int64_t>> ObjectReader::OptionalInt(std::string_view key, int64_t min,
                                                         int64_t max) {
  seen_.emplace(key);
  const json::value* v = obj_.if_contains(key);
  if (!v || v->is_null()) return std::optional<int64_t>();
  int64_t n;
  if (v->is_int64()) {
    n = v->get_int64();
  } else if (v->is_uint64()) {
    return BadField(key, "is too large.", "बहुत बड़ा है।");
  } else {
    return WrongType(key, "a number");
  }
  if (n < min || n > max) {
    return BadField(key, fmt::format("must be between {} and {}.", min, max),
                    fmt::format("{} और {} के बीच होना चाहिए।", min, max));
  }
  return std::optional<int64_t>(n);
}

Result<int64_t> ObjectReader::Int(std::string_view key, int64_t min, int64_t max) {
  PALIKA_ASSIGN_OR_RETURN(auto n, OptionalInt(key, min, max));
  if (!n) return Missing(key);
  return *n;
}

Result<bool> ObjectReader::Bool(std::string_view key, bool default_value) {
  seen_.emplace(key);
  const json::value* v = obj_.if_contains(key);
  if (!v || v->is_null()) return default_value;
  if (!v->is_bool()) return WrongType(key, "true or false");
  return v->get_bool();
}

Status ObjectReader::Finish() const {
  for (const auto& kv : obj_) {
    if (!seen_.contains(std::string_view(kv.key()))) {
      return Status::InvalidArgument(
          "unknown_field",
          fmt::format("Unknown field '{}'. Remove it or check its spelling.",
                      std::string_view(kv.key())),
          fmt::format("अज्ञात फ़ील्ड '{}'। इसे हटाएँ या वर्तनी जाँचें।", std::string_view(kv.key())));
    }
  }
  return Status::OK();
}

}  // namespace palika
