#pragma once
// Strict JSON field reading for the property-tax rule types (rate tables, waiver schemes,
// allocations): every error is InvalidArgument, in English and Hindi, and names the field by its
// full path ("rebate.heads[1]", "value_rates[3].paise_per_sqft") so an officer can find it.
// Internal to property_tax; thread-compatible (a reader borrows the object it reads).

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "core/civil_date.h"
#include "core/status.h"

namespace palika::property_tax::detail {

// InvalidArgument "invalid_field": "Field 'path': <en>" / "फ़ील्ड 'path': <hi>".
Status FieldError(std::string_view path, std::string_view en, std::string_view hi);

class FieldReader {
 public:
  // `path` names `obj` in errors ("" for the top level).
  FieldReader(const boost::json::object& obj, std::string path)
      : obj_(obj), path_(std::move(path)) {}

  // The full path of a field of this object, for errors.
  std::string Path(std::string_view key) const;

  Result<int64_t> Int(std::string_view key, int64_t min, int64_t max);
  Result<std::optional<int64_t>> OptionalInt(std::string_view key, int64_t min, int64_t max);
  // Required boolean.
  Result<bool> Bool(std::string_view key);
  // Trimmed, 1..max_chars code points, valid UTF-8, no control characters.
  Result<std::string> String(std::string_view key, size_t max_chars);
  // Strict ISO date "2026-06-30".
  Result<CivilDate> Date(std::string_view key);
  // "2026-27".
  Result<FinancialYear> Year(std::string_view key);
  // A required array of at most max_items elements.
  Result<const boost::json::array*> Array(std::string_view key, size_t max_items);
  // A required nested object.
  Result<const boost::json::object*> Object(std::string_view key);

  // After reading every known field: error "unknown_field" naming the first field not read.
  Status Finish() const;

 private:
  Result<const boost::json::value*> Required(std::string_view key);

  const boost::json::object& obj_;
  std::string path_;
  std::set<std::string, std::less<>> seen_;
};

// Element i of an array that must be an object; `path` names the array.
Result<const boost::json::object*> ElementObject(const boost::json::array& array, size_t i,
                                                 std::string_view path);
// Element i of an array that must be a string; `path` names the array.
Result<std::string> ElementString(const boost::json::array& array, size_t i, std::string_view path,
                                  size_t max_chars);

}  // namespace palika::property_tax::detail
