#pragma once
// JSON helpers shared by the ledger and the API.
//
// CanonicalJson: the byte form ledger payloads are hashed and stored in (RFC 8785 style): object
// keys sorted by their UTF-16 code units, no whitespace, integers only (money is paise), strings
// escaped minimally. A double anywhere is refused: floating point never enters the record.
//
// ObjectReader: reads a request body field by field with types and limits, and refuses unknown
// fields, so that every bad input gets one clear bilingual error naming the field.

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "core/status.h"

namespace palika {

// Canonical text of `v`; InvalidArgument if it holds a floating-point number.
Result<std::string> CanonicalJson(const boost::json::value& v);
// The same for an object, without copying it into a value first.
Result<std::string> CanonicalJson(const boost::json::object& o);

// Whether `a` and `b` are the same JSON with the same kinds throughout (an int64 is not a uint64
// of the same value, as boost::json's == would have it); object keys in any order.
bool JsonIdentical(const boost::json::value& a, const boost::json::value& b);

// A JSON string literal of `s`, escaped as CanonicalJson does, without validating it (the ledger
// encodes stored text with it, which must never fail even on a tampered record).
std::string QuoteJsonString(std::string_view s);

// Parses a request body: must be a JSON object, valid UTF-8, at most `max_depth` deep.
Result<boost::json::object> ParseJsonObject(std::string_view body);

class ObjectReader {
 public:
  explicit ObjectReader(const boost::json::object& obj) : obj_(obj) {}

  // Required / optional string field: valid UTF-8, trimmed length 1..max_chars (code points),
  // no control characters.
  Result<std::string> String(std::string_view key, size_t max_chars = 200);
  Result<std::optional<std::string>> OptionalString(std::string_view key, size_t max_chars = 200);
  Result<int64_t> Int(std::string_view key, int64_t min, int64_t max);
  Result<std::optional<int64_t>> OptionalInt(std::string_view key, int64_t min, int64_t max);
  Result<bool> Bool(std::string_view key, bool default_value);

  // After reading every known field: InvalidArgument naming the first unknown field, if any.
  Status Finish() const;

 private:
  Status Missing(std::string_view key) const;
  Status WrongType(std::string_view key, std::string_view want) const;

  const boost::json::object& obj_;
  std::set<std::string, std::less<>> seen_;
};

// Number of Unicode code points in valid UTF-8 text.
size_t Utf8Length(std::string_view s);

}  // namespace palika
