#include "http/request.h"

#include <cstdint>
#include <utility>

namespace palika::http {

namespace {

std::string Lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes %XX escapes (and '+' as a space if plus_is_space); false on a malformed escape.
bool PercentDecode(std::string_view in, bool plus_is_space, std::string* out) {
  out->clear();
  out->reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      int hi = HexValue(in[i + 1]);
      int lo = HexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out->push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out->push_back(' ');
    } else {
      out->push_back(c);
    }
  }
  return true;
}

bool IsControl(unsigned char c) { return c < 0x20 || c == 0x7f; }

Status BadPath(std::string_view reason_en, std::string_view reason_hi) {
  return Status::InvalidArgument(
      "bad_path",
      "The address (URL path) is not valid: " + std::string(reason_en) +
          ". Check the link, or type the address again.",
      "पता (URL पथ) मान्य नहीं है: " + std::string(reason_hi) + "। लिंक जाँचें, या पता फिर से लिखें।");
}

Status BadQuery(std::string_view reason_en, std::string_view reason_hi) {
  return Status::InvalidArgument("bad_query",
                                 "The query or form data is not valid: " + std::string(reason_en) +
                                     ". Check the link or the form, and try again.",
                                 "क्वेरी या फ़ॉर्म का डेटा मान्य नहीं है: " + std::string(reason_hi) +
                                     "। लिंक या फ़ॉर्म जाँचें और फिर से प्रयास करें।");
}

}  // namespace

bool IsValidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t length;
    uint32_t code_point;
    if ((c & 0xe0) == 0xc0) {
      length = 2;
      code_point = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      length = 3;
      code_point = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      length = 4;
      code_point = c & 0x07;
    } else {
      return false;  // a continuation byte or 0xf8..0xff where a sequence should start
    }
    if (i + length > text.size()) return false;
    for (size_t k = 1; k < length; ++k) {
      auto cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      code_point = (code_point << 6) | (cc & 0x3f);
    }
    static constexpr uint32_t kMinForLength[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code_point < kMinForLength[length]) return false;            // overlong
    if (code_point > 0x10ffff) return false;                         // beyond Unicode
    if (code_point >= 0xd800 && code_point <= 0xdfff) return false;  // UTF-16 surrogate
    i += length;
  }
  return true;
}

Status ParseTarget(std::string_view target, Request* request) {
  size_t question = target.find('?');
  std::string_view raw_path = target.substr(0, question);
  std::string_view raw_query =
      question == std::string_view::npos ? std::string_view() : target.substr(question + 1);

  if (raw_path.empty() || raw_path[0] != '/') {
    return BadPath("it must start with '/'", "यह '/' से शुरू होना चाहिए");
  }
  std::string path;
  std::string segment;
  size_t start = 1;
  // Decode segment by segment so that an encoded slash cannot create a segment boundary.
  while (true) {
    size_t slash = raw_path.find('/', start);
    std::string_view raw_segment = raw_path.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (!PercentDecode(raw_segment, /*plus_is_space=*/false, &segment)) {
      return BadPath(
          "it contains an invalid percent-escape (a '%' must be followed by two hex "
          "digits)",
          "इसमें अमान्य प्रतिशत-एस्केप है ('%' के बाद दो हेक्स अंक होने चाहिए)");
    }
    for (char c : segment) {
      if (c == '/' || c == '\\') {
        return BadPath("it contains a slash or backslash encoded inside a segment (%2F, %5C)",
                       "किसी खंड के भीतर एन्कोड किया हुआ स्लैश या बैकस्लैश (%2F, %5C) है");
      }
      if (IsControl(static_cast<unsigned char>(c))) {
        return BadPath("it contains a NUL byte or another control character",
                       "इसमें NUL बाइट या कोई अन्य नियंत्रण वर्ण है");
      }
      if (c == '#') {
        return BadPath("it contains a '#'", "इसमें '#' है");
      }
    }
    if (segment == "." || segment == "..") {
      return BadPath("it contains a '.' or '..' segment", "इसमें '.' या '..' खंड है");
    }
    path += '/';
    path += segment;
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (!IsValidUtf8(path)) {
    return BadPath("it is not valid UTF-8 text", "यह मान्य UTF-8 पाठ नहीं है");
  }

  auto query = ParseUrlEncoded(raw_query);
  if (!query.ok()) return query.status();
  request->path = std::move(path);
  request->query = std::move(query).value();
  return Status::OK();
}

Result<std::multimap<std::string, std::string>> ParseUrlEncoded(std::string_view text) {
  std::multimap<std::string, std::string> out;
  std::string name;
  std::string value;
  size_t start = 0;
  while (start <= text.size()) {
    size_t amp = text.find('&', start);
    std::string_view pair =
        text.substr(start, amp == std::string_view::npos ? std::string_view::npos : amp - start);
    start = amp == std::string_view::npos ? text.size() + 1 : amp + 1;
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string_view raw_name = pair.substr(0, eq);
    std::string_view raw_value =
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    if (!PercentDecode(raw_name, true, &name) || !PercentDecode(raw_value, true, &value)) {
      return BadQuery(
          "it contains an invalid percent-escape (a '%' must be followed by two hex "
          "digits)",
          "इसमें अमान्य प्रतिशत-एस्केप है ('%' के बाद दो हेक्स अंक होने चाहिए)");
    }
    for (const std::string* part : {&name, &value}) {
      for (char c : *part) {
        // Tabs and line breaks are allowed: a form's text area may hold several lines.
        if (IsControl(static_cast<unsigned char>(c)) && c != '\t' && c != '\n' && c != '\r') {
          return BadQuery("it contains a NUL byte or another control character",
                          "इसमें NUL बाइट या कोई अन्य नियंत्रण वर्ण है");
        }
      }
      if (!IsValidUtf8(*part)) {
        return BadQuery("it is not valid UTF-8 text", "यह मान्य UTF-8 पाठ नहीं है");
      }
    }
    out.emplace(name, value);
  }
  return out;
}

std::optional<std::string> Request::Header(std::string_view name) const {
  auto it = headers.find(Lowercase(name));
  if (it == headers.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> Request::Query(std::string_view name) const {
  auto it = query.find(std::string(name));
  if (it == query.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> Request::QueryAll(std::string_view name) const {
  std::vector<std::string> values;
  auto [first, last] = query.equal_range(std::string(name));
  for (auto it = first; it != last; ++it) values.push_back(it->second);
  return values;
}

std::optional<std::string> Request::Cookie(std::string_view name) const {
  auto header = headers.find("cookie");
  if (header == headers.end()) return std::nullopt;
  // cookie-string = cookie-pair *( ";" SP cookie-pair ) (RFC 6265 section 4.2.1); be lenient with
  // spaces, and accept ", " too since repeated Cookie headers are joined that way.
  std::string_view rest = header->second;
  while (!rest.empty()) {
    size_t end = rest.find_first_of(";,");
    std::string_view pair = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    while (!pair.empty() && (pair.front() == ' ' || pair.front() == '\t')) pair.remove_prefix(1);
    while (!pair.empty() && (pair.back() == ' ' || pair.back() == '\t')) pair.remove_suffix(1);
    size_t eq = pair.find('=');
    if (eq == std::string_view::npos || pair.substr(0, eq) != name) continue;
    std::string_view value = pair.substr(eq + 1);
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    return std::string(value);
  }
  return std::nullopt;
}

std::string Request::Param(std::string_view name) const {
  auto it = params.find(std::string(name));
  return it == params.end() ? std::string() : it->second;
}

}  // namespace palika::http
