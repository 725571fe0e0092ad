#include "services/property_tax/rates_json.h"

#include <fmt/format.h>

#include "core/ids.h"
#include "core/json.h"

namespace palika::property_tax::detail {
namespace json = boost::json;

Status FieldError(std::string_view path, std::string_view en, std::string_view hi) {
  return Status::InvalidArgument("invalid_field", fmt::format("Field '{}': {}", path, en),
                                 fmt::format("फ़ील्ड '{}': {}", path, hi));
}

namespace {

std::string Join(std::string_view path, std::string_view key) {
  return path.empty() ? std::string(key) : fmt::format("{}.{}", path, key);
}

std::string Index(std::string_view path, size_t i) { return fmt::format("{}[{}]", path, i); }

Status WrongType(std::string_view path, std::string_view en, std::string_view hi) {
  return FieldError(path, fmt::format("must be {}.", en), fmt::format("{} होना चाहिए।", hi));
}

Result<std::string> CheckText(const json::value& v, std::string_view path, size_t max_chars) {
  if (!v.is_string()) return WrongType(path, "text", "एक टेक्स्ट (स्ट्रिंग)");
  std::string_view s = v.get_string();
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (s.empty()) return FieldError(path, "must not be empty.", "खाली नहीं होना चाहिए।");
  if (!IsValidUtf8(s)) {
    return FieldError(path, "is not valid UTF-8 text.", "मान्य UTF-8 टेक्स्ट नहीं है।");
  }
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) {
      return FieldError(path, "must not contain control characters.",
                        "में नियंत्रण वर्ण नहीं होने चाहिए।");
    }
  }
  if (Utf8Length(s) > max_chars) {
    return FieldError(path, fmt::format("is longer than {} characters.", max_chars),
                      fmt::format("{} वर्णों से लंबा है।", max_chars));
  }
  return std::string(s);
}

}  // namespace

std::string FieldReader::Path(std::string_view key) const { return Join(path_, key); }

Result<const json::value*> FieldReader::Required(std::string_view key) {
  seen_.emplace(key);
  const json::value* v = obj_.if_contains(key);
  if (!v || v->is_null()) return FieldError(Path(key), "is required.", "आवश्यक है।");
  return v;
}

Result<std::optional<int64_t>> FieldReader::OptionalInt(std::string_view key, int64_t min,
                                                        int64_t max) {
  seen_.emplace(key);
  const json::value* v = obj_.if_contains(key);
  if (!v || v->is_null()) return std::optional<int64_t>();
  if (v->is_uint64()) return FieldError(Path(key), "is too large.", "बहुत बड़ा है।");
  if (!v->is_int64()) return WrongType(Path(key), "a whole number", "एक पूर्णांक संख्या");
  const int64_t n = v->get_int64();
  if (n < min || n > max) {
    return FieldError(Path(key), fmt::format("must be between {} and {}.", min, max),
                      fmt::format("{} और {} के बीच होना चाहिए।", min, max));
  }
  return std::optional<int64_t>(n);
}

Result<int64_t> FieldReader::Int(std::string_view key, int64_t min, int64_t max) {
  PALIKA_ASSIGN_OR_RETURN(auto n, OptionalInt(key, min, max));
  if (!n) return FieldError(Path(key), "is required.", "आवश्यक है।");
  return *n;
}

Result<bool> FieldReader::Bool(std::string_view key) {
  PALIKA_ASSIGN_OR_RETURN(const json::value* v, Required(key));
  if (!v->is_bool()) return WrongType(Path(key), "true or false", "true या false");
  return v->get_bool();
}

Result<std::string> FieldReader::String(std::string_view key, size_t max_chars) {
  PALIKA_ASSIGN_OR_RETURN(const json::value* v, Required(key));
  return CheckText(*v, Path(key), max_chars);
}

Result<CivilDate> FieldReader::Date(std::string_view key) {
  PALIKA_ASSIGN_OR_RETURN(const json::value* v, Required(key));
  if (!v->is_string())
    return WrongType(Path(key), "a date like 2026-06-30", "2026-06-30 जैसी तारीख");
  auto d = CivilDate::Parse(std::string_view(v->get_string()));
  if (!d.ok()) {
    return FieldError(Path(key), "is not a date; write it as YYYY-MM-DD, like 2026-06-30.",
                      "तारीख सही नहीं है; इसे YYYY-MM-DD रूप में लिखें, जैसे 2026-06-30।");
  }
  return *d;
}

Result<FinancialYear> FieldReader::Year(std::string_view key) {
  PALIKA_ASSIGN_OR_RETURN(const json::value* v, Required(key));
  if (!v->is_string()) {
    return WrongType(Path(key), "a financial year like 2026-27", "2026-27 जैसा वित्तीय वर्ष");
  }
  auto fy = FinancialYear::Parse(std::string_view(v->get_string()));
  if (!fy.ok()) {
    return FieldError(Path(key), "is not a financial year; write it like 2026-27.",
                      "वित्तीय वर्ष सही नहीं है; इसे 2026-27 जैसा लिखें।");
  }
  return *fy;
}

Result<const json::array*> FieldReader::Array(std::string_view key, size_t max_items) {
  PALIKA_ASSIGN_OR_RETURN(const json::value* v, Required(key));
  if (!v->is_array()) return WrongType(Path(key), "a list", "एक सूची");
  if (v->get_array().size() > max_items) {
    return FieldError(Path(key), fmt::format("has more than {} items.", max_items),
                      fmt::format("में {} से अधिक प्रविष्टियाँ हैं।", max_items));
  }
  return &v->get_array();
}

Result<const json::object*> FieldReader::Object(std::string_view key) {
  PALIKA_ASSIGN_OR_RETURN(const json::value* v, Required(key));
  if (!v->is_object()) return WrongType(Path(key), "an object", "एक ऑब्जेक्ट");
  return &v->get_object();
}

Status FieldReader::Finish() const {
  for (const auto& kv : obj_) {
    const std::string_view key = kv.key();
    if (!seen_.contains(key)) {
      const std::string path = Path(key);
      return Status::InvalidArgument(
          "unknown_field",
          fmt::format("Unknown field '{}'. Remove it or check its spelling.", path),
          fmt::format("अज्ञात फ़ील्ड '{}'। इसे हटाएँ या वर्तनी जाँचें।", path));
    }
  }
  return Status::OK();
}

Result<const json::object*> ElementObject(const json::array& array, size_t i,
                                          std::string_view path) {
  const json::value& v = array.at(i);
  if (!v.is_object()) return WrongType(Index(path, i), "an object", "एक ऑब्जेक्ट");
  return &v.get_object();
}

Result<std::string> ElementString(const json::array& array, size_t i, std::string_view path,
                                  size_t max_chars) {
  return CheckText(array.at(i), Index(path, i), max_chars);
}

}  // namespace palika::property_tax::detail
