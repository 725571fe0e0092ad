#pragma once
// Assess: a self-assessment return (a property's zone and floors) priced with the year's rate
// table — the annual (taxable) value and each head of the year's bill, with per-floor workings a
// bill can print (MPMC Act 1956 s.132/135 and the ALV Rules 1997: value = area × value rate).
//
// Rules (all amounts integer paise):
// - A floor's base value is area (whole sq ft) × the table's value rate for (zone, construction,
//   use); a rented floor is multiplied by rented_multiplier_bp, rounded half up to the paisa.
//   The annual value is the sum of the floors, in paise, not rounded further.
// - A vacant plot (no floors) is valued at plot area × the zone's vacant-land rate. Open land
//   around a building is not valued separately.
// - Property tax = property_tax_bp of the annual value; samekit kar = the slab amount for the
//   annual value; each cess = its bp of its basis (annual value, or the property tax as billed).
//   Each head is rounded once, from the exact product, as the table says (rupee, half up).
// Pure and deterministic; thread-compatible. The table must be valid (ValidateRateTable).

#include <boost/json.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "core/civil_date.h"
#include "core/money.h"
#include "core/status.h"
#include "services/property_tax/rates.h"

namespace palika::property_tax {

inline constexpr size_t kMaxReturnFloors = 200;
inline constexpr int64_t kMaxAreaSqft = 10'00'00'000;  // 10 crore sq ft, as the register allows
inline constexpr int64_t kMaxAnnualValuePaise = 1'00'00'00'000'00'00;  // ₹1 lakh crore

// One part of a building, as the property register records it (property.h's Floor).
struct FloorInput {
  int64_t floor = 0;          // 0 ground, 1 first, -1 basement; parts may share a floor
  int64_t built_up_sqft = 0;  // whole square feet, 1..kMaxAreaSqft
  std::string construction;   // kRateConstructionCodes: rcc, rbc, tin_shed, kachcha
  std::string use;            // kRateUseCodes: residential, commercial_shop, ...
  std::string occupancy;      // kRateOccupancyCodes: self, rented
};

struct AssessmentInput {
  std::string zone;            // the property's zone as the rate table names it ("Zone 1")
  int64_t plot_area_sqft = 0;  // used only for a vacant plot (no floors)
  std::vector<FloorInput> floors;
};

// One floor's working: area × rate (× the rented multiplier) = annual value.
struct FloorWorking {
  int64_t floor = 0;
  int64_t built_up_sqft = 0;
  std::string construction;
  std::string use;
  std::string occupancy;
  int64_t rate_paise_per_sqft = 0;
  Money base_value;                     // area × rate, exact
  int64_t occupancy_multiplier_bp = 0;  // 10000, or the rented multiplier
  Money annual_value;                   // base × multiplier, half up to the paisa
  friend bool operator==(const FloorWorking&, const FloorWorking&) = default;
};

// One head of the bill: `bp` of `basis` (or, for samekit kar, the slab for `basis`), rounded.
struct HeadWorking {
  Head head = Head::kPropertyTax;
  Money basis;     // the annual value, or the property tax for a cess on it
  int64_t bp = 0;  // 0 for samekit kar (a slab amount)
  Money amount;    // as billed
  friend bool operator==(const HeadWorking&, const HeadWorking&) = default;
};

struct Assessment {
  FinancialYear fy = FinancialYear::Of(CivilDate());
  std::string zone;
  std::vector<FloorWorking> floors;
  int64_t plot_area_sqft = 0;                   // vacant plot only: its area
  int64_t vacant_land_rate_paise_per_sqft = 0;  // vacant plot only: the zone's land rate
  Money annual_value;  // taxable value: the sum of the floors' (or the vacant plot's) values
  std::vector<HeadWorking> heads;  // every head, in bill order (kAllHeads)
  Money total;                     // sum of the heads

  Money Amount(Head head) const;
  friend bool operator==(const Assessment&, const Assessment&) = default;
};

// Errors (InvalidArgument, English and Hindi, naming the floor by its place in the return and its
// floor number): "too_many_floors", "invalid_zone", "invalid_floor" (area out of range or an
// unknown construction / use / occupancy code), "value_rate_missing" (the table has no rate for
// the floor's zone × construction × use), "invalid_plot_area" (a vacant plot without an area),
// "vacant_land_rate_missing" (a vacant plot in a zone the table gives no land rate),
// "annual_value_too_large" (over kMaxAnnualValuePaise: only absurd areas reach it).
Result<Assessment> Assess(const AssessmentInput& input, const RateTable& table);

// For the assessment event: integers and strings only (canonical-JSON-safe).
//   {"fy", "zone", "annual_value_paise", "total_paise", "plot_area_sqft",
//    "vacant_land_rate_paise_per_sqft",
//    "floors": [{"floor", "built_up_sqft", "construction", "use", "occupancy",
//                "rate_paise_per_sqft", "base_value_paise", "occupancy_multiplier_bp",
//                "annual_value_paise"}],
//    "heads": [{"head", "basis_paise", "bp", "amount_paise"}]}
boost::json::object AssessmentToJson(const Assessment& assessment);

}  // namespace palika::property_tax
