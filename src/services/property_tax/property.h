#pragma once
// A property in a ULB's register: the record (ward, zone, address, owners, floors) as plain
// values, its id, and the one set of rules that decides whether a record is acceptable.
//
// Property ids are readable, stable and never reused: "WW-SSSSSS", the ward the property was
// registered in (at least two digits) and a serial within that ward (six digits), e.g. "03-000123".
// The id keeps its ward prefix when a correction moves the property to another ward.
//
// ParsePropertyDetails reads a record from JSON (the API body, a CSV row converted to the same
// shape) and ValidatePropertyDetails checks it; every problem is InvalidArgument "invalid_field",
// in English and Hindi, naming the field (as the API spells it, or as a CSV column). Pure
// functions, thread-safe.

#include <boost/json.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace palika::property_tax {

// Allowed values of the coded floor fields (the rate tables key on them).
const std::vector<std::string_view>& ConstructionTypes();  // rcc, rbc, tin_shed, kachcha
const std::vector<std::string_view>& UseTypes();           // residential, commercial_shop, ...
const std::vector<std::string_view>& OccupancyTypes();     // self, rented
std::string_view ConstructionLabelHi(std::string_view construction);  // "आरसीसी"
std::string_view UseLabelHi(std::string_view use);                    // "आवासीय"
std::string_view OccupancyLabelHi(std::string_view occupancy);        // "स्वयं"

struct Owner {
  std::string name;      // in English (Latin script)
  std::string name_hi;   // in Hindi (Devanagari)
  std::string mobile;    // 10 digits starting 6-9, or "" when not known
  int64_t share_bp = 0;  // share in basis points; a property's shares sum to 10000
  bool operator==(const Owner&) const = default;
};

struct Floor {
  int64_t floor = 0;          // 0 ground, 1 first, -1 basement; several parts may share a floor
  int64_t built_up_sqft = 0;  // whole square feet
  std::string construction;   // one of ConstructionTypes()
  std::string use;            // one of UseTypes()
  std::string occupancy;      // one of OccupancyTypes()
  bool operator==(const Floor&) const = default;
};

// The record a registration or a correction carries in full.
struct PropertyDetails {
  int64_t ward = 0;  // must exist in the ULB's wards table
  std::string zone;  // empty in a request: the ward's zone is used
  std::string address;
  std::string address_hi;
  int64_t plot_area_sqft = 0;
  std::vector<Owner> owners;  // 1..20
  std::vector<Floor> floors;  // 0..50 (none: a vacant plot)
  std::string legacy_id;      // the id in the ULB's earlier system, "" if none; unique in the ULB
  bool operator==(const PropertyDetails&) const = default;
};

struct Property {
  std::string id;
  int64_t version = 1;  // 1 when registered, +1 for each correction
  PropertyDetails details;
  int64_t registered_us = 0;  // entry times (UTC microseconds)
  int64_t updated_us = 0;
};

// --- ids ---
inline constexpr int64_t kMaxSerial = 999999;
std::string FormatPropertyId(int64_t ward, int64_t serial);  // (3, 123) -> "03-000123"
struct PropertyNumber {
  int64_t ward = 0;
  int64_t serial = 0;
};
// Accepts the canonical form and short forms people type ("3-123", "03-123"): 1..3 digits,
// '-', 1..6 digits, ward 1..999, serial 1..999999. nullopt otherwise.
std::optional<PropertyNumber> ParsePropertyId(std::string_view text);
// The integer key of an id, ward * 1000000 + serial: the search index's row id.
inline int64_t PropertyKey(int64_t ward, int64_t serial) { return ward * 1000000 + serial; }

// --- rules ---
// Names a field in errors: the API's JSON path ("owners[0].mobile") by default; the CSV import
// passes one that names columns ("owner1_mobile").
using FieldNamer = std::function<std::string(std::string_view json_path)>;
std::string JsonFieldName(std::string_view json_path);

// "+91 98765-43210", "098765 43210" -> "9876543210"; nullopt unless the result is 10 digits
// starting with 6, 7, 8 or 9.
std::optional<std::string> NormaliseMobile(std::string_view text);
// What the public may see of a mobile: its last four digits ("******3210"; "" for none).
std::string MaskedMobile(std::string_view mobile);

// Reads a record from a JSON object (the API's request body shape; see docs/import-properties.md
// for the CSV form). When every owner omits share_bp the shares are split equally (the remainder
// to the first owners). Unknown fields are refused. Validates the result.
Result<PropertyDetails> ParsePropertyDetails(const boost::json::object& obj,
                                             const FieldNamer& namer = JsonFieldName);
// The checks ParsePropertyDetails ends with, for records built in code. `zone` may be empty.
Status ValidatePropertyDetails(const PropertyDetails& d, const FieldNamer& namer = JsonFieldName);

// The record as JSON, as it is stored in events and returned by the API: every field, except that
// an empty legacy_id and empty mobiles are left out. ParsePropertyDetails reads it back.
boost::json::object DetailsJson(const PropertyDetails& d);
// The full property for the API: id, version, registered_at, updated_at and the record.
boost::json::object PropertyJson(const Property& p);

// The text the search index holds for a property: its id, owner names in both scripts, mobiles,
// addresses in both scripts and legacy id.
std::string SearchText(const std::string& id, const PropertyDetails& d);

}  // namespace palika::property_tax
