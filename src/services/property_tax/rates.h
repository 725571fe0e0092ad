#pragma once
// RateTable: the property-tax rules a ULB fixes by resolution for one financial year, as data
// (MP Municipal Corporation Act 1956 s.132/135, MP Nagar Palika Act 1961, ALV Rules 1997,
// MP Upkar Adhiniyam 1981 for the cesses). Nothing here is a constant in code except the demo
// figures of DemoRateTable, which follow DOMAIN.md.
//
// A table is a plain value: copyable, thread-compatible. RateTableFromJson validates strictly
// (InvalidArgument naming the field, in English and Hindi); a table built in code should be
// checked with ValidateRateTable before use — Assess, ComputeDues and Allocate assume a valid
// table. RateTableToJson writes integers, strings and booleans only, so the table can be
// carried in a ledger event as canonical JSON and read back to an equal table.

#include <array>
#include <boost/json.hpp>
#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/civil_date.h"
#include "core/money.h"
#include "core/status.h"

namespace palika::property_tax {

// The property register's codes (floors of a property); value rates are keyed by them.
inline constexpr std::array<std::string_view, 4> kRateConstructionCodes = {"rcc", "rbc", "tin_shed",
                                                                           "kachcha"};
inline constexpr std::array<std::string_view, 7> kRateUseCodes = {"residential",
                                                                  "commercial_shop",
                                                                  "commercial_office",
                                                                  "commercial_godown",
                                                                  "industrial",
                                                                  "institutional",
                                                                  "mixed"};
inline constexpr std::array<std::string_view, 2> kRateOccupancyCodes = {"self", "rented"};

namespace detail {
template <size_t N>
bool IsOneOf(const std::array<std::string_view, N>& codes, std::string_view code) {
  for (std::string_view c : codes) {
    if (c == code) return true;
  }
  return false;
}
}  // namespace detail

// The heads of a property-tax bill (DOMAIN.md). Water charges are billed by the water service.
enum class Head {
  kPropertyTax,
  kSamekitKar,            // consolidated sanitation + lighting + fire tax
  kEducationCess,         // MP Upkar Adhiniyam 1981
  kUrbanDevelopmentCess,  // MP Upkar Adhiniyam 1981
};
// Bill order: the order heads are listed on a bill and in dues.
inline constexpr std::array<Head, 4> kAllHeads = {
    Head::kPropertyTax, Head::kSamekitKar, Head::kEducationCess, Head::kUrbanDevelopmentCess};

// "property_tax", "samekit_kar", "education_cess", "urban_development_cess".
std::string_view HeadCode(Head head);
std::optional<Head> HeadFromCode(std::string_view code);
std::string_view HeadName(Head head);    // "Property tax"
std::string_view HeadNameHi(Head head);  // "संपत्ति कर"

// How each head (and each rebate, surcharge and waiver) is rounded.
enum class Rounding {
  kRupeeHalfUp,  // "rupee_half_up": to the rupee, ₹x.50 up (DOMAIN.md: bills)
  kPaisa,        // "paisa": to the paisa, half up
};

// base × basis_points / 10000 (625 = 6.25%), rounded ONCE from the exact product as `rounding`
// says — never to the paisa first and then to the rupee. base >= 0, 0 <= basis_points <= 10^6.
Money BasisPointsOf(Money base, int64_t basis_points, Rounding rounding);
// An amount rounded as `rounding` says (a no-op for kPaisa).
Money RoundAmount(Money amount, Rounding rounding);

// A value rate: the annual value of one square foot of built-up area, in paise, for a zone,
// a construction type and a use.
struct ValueRateKey {
  std::string zone;          // the zone (or ward group) as the ULB names it: "Zone 1"
  std::string construction;  // kRateConstructionCodes
  std::string use;           // kRateUseCodes
  friend auto operator<=>(const ValueRateKey&, const ValueRateKey&) = default;
  friend bool operator==(const ValueRateKey&, const ValueRateKey&) = default;
};

// Samekit kar is a fixed yearly amount chosen by the property's annual value: the first slab
// whose `up_to` (inclusive) is at least the annual value, or the last slab, which has no upper
// bound. Slabs are listed with strictly increasing `up_to`; exactly the last has none.
struct SamekitSlab {
  std::optional<Money> up_to;  // annual value, inclusive
  Money amount;                // samekit kar for the year
  friend bool operator==(const SamekitSlab&, const SamekitSlab&) = default;
};

// What a cess is a percentage of.
enum class CessBasis {
  kAnnualValue,  // "annual_value": the taxable (annual) value
  kPropertyTax,  // "property_tax": the property tax as billed (after rounding)
};

struct Cess {
  int64_t bp = 0;  // 0..10000
  CessBasis basis = CessBasis::kAnnualValue;
  friend bool operator==(const Cess&, const Cess&) = default;
};

// Early-payment rebate: `bp` (+ `online_extra_bp` when paid online) of the current year's unpaid
// amount of each head in `heads`, granted only by a payment that clears every due on or before
// `deadline` (moved later by declared outages; see dues.h). bp = 0 means no rebate.
struct RebateRule {
  CivilDate deadline;           // inclusive, within the table's financial year
  int64_t bp = 0;               // 625 = 6.25%
  int64_t online_extra_bp = 0;  // 100 = +1% more online (added: 6.25% + 1% = 7.25%)
  std::vector<Head> heads;      // usually {kPropertyTax}
  friend bool operator==(const RebateRule&, const RebateRule&) = default;
};

// From `from` (inclusive, moved later by declared outages; see dues.h) the unpaid principal of
// the surcharge heads bears `bp` of surcharge.
struct SurchargeStep {
  CivilDate from;
  int64_t bp = 0;
  friend bool operator==(const SurchargeStep&, const SurchargeStep&) = default;
};

// Late-payment surcharge: steps with strictly increasing dates (within the financial year) and
// non-decreasing rates. The last step's rate is the one a year's arrears carry.
struct SurchargeRule {
  std::vector<SurchargeStep> steps;
  std::vector<Head> heads;  // usually {kPropertyTax}
  friend bool operator==(const SurchargeRule&, const SurchargeRule&) = default;
};

struct RateTable {
  FinancialYear fy = FinancialYear::Of(CivilDate());
  // Annual value per square foot in paise, by zone × construction × use.
  std::map<ValueRateKey, int64_t> value_rates;
  // Annual value per square foot of plot area in paise for a vacant plot, by zone (may be empty).
  std::map<std::string, int64_t, std::less<>> vacant_land_rates;
  // The annual value of a rented floor is multiplied by this (15000 = 1.5×; 10000 = none).
  int64_t rented_multiplier_bp = 10000;
  // Property tax as a share of the annual (taxable) value: 600..1000 (6–10%) is usual.
  int64_t property_tax_bp = 0;
  std::vector<SamekitSlab> samekit_kar;
  Cess education_cess;
  Cess urban_development_cess;
  RebateRule rebate;
  SurchargeRule surcharge;
  Rounding rounding = Rounding::kRupeeHalfUp;

  // The value rate in paise per square foot, if the table has one.
  std::optional<int64_t> ValueRate(std::string_view zone, std::string_view construction,
                                   std::string_view use) const;
  std::optional<int64_t> VacantLandRate(std::string_view zone) const;
  // The samekit kar for a property of this annual value (unrounded slab amount).
  Money SamekitKarFor(Money annual_value) const;
  bool RebateApplies(Head head) const;
  bool SurchargeApplies(Head head) const;

  friend bool operator==(const RateTable&, const RateTable&) = default;
};

// Limits a table must keep (also enforced by RateTableFromJson).
inline constexpr int64_t kMaxValueRatePaise = 10'00'000'00;     // ₹10 lakh per sq ft a year
inline constexpr int64_t kMaxSlabAmountPaise = 1'00'00'000'00;  // ₹1 crore
inline constexpr int64_t kMaxUpToPaise = 1'00'00'00'000'00'00;  // ₹1 lakh crore (slab limits)
inline constexpr size_t kMaxValueRates = 10000;
inline constexpr size_t kMaxRateZoneChars = 50;  // as the register allows

// InvalidArgument ("invalid_rate_table" or "invalid_field"), bilingual, naming the rule broken.
Status ValidateRateTable(const RateTable& table);

// Strict: every field required, unknown fields refused, limits checked; the error names the
// field by its path ("surcharge.steps[1].from"). The JSON form:
//   {"version": 1, "fy": "2026-27",
//    "value_rates": [{"zone": "Zone 1", "construction": "rcc", "use": "residential",
//                     "paise_per_sqft": 2000}, ...],
//    "vacant_land_rates": [{"zone": "Zone 1", "paise_per_sqft": 400}, ...],
//    "rented_multiplier_bp": 15000, "property_tax_bp": 1000,
//    "samekit_kar": [{"up_to_paise": 600000, "amount_paise": 30000}, ..., {"amount_paise": N}],
//    "education_cess": {"bp": 200, "basis": "annual_value"},
//    "urban_development_cess": {"bp": 100, "basis": "annual_value"},
//    "rebate": {"deadline": "2026-06-30", "bp": 625, "online_extra_bp": 100,
//               "heads": ["property_tax"]},
//    "surcharge": {"steps": [{"from": "2027-01-01", "bp": 500}, {"from": "2027-02-01",
//                  "bp": 1000}], "heads": ["property_tax"]},
//    "rounding": "rupee_half_up"}
Result<RateTable> RateTableFromJson(const boost::json::object& obj);
// The form above; value rates in key order, so equal tables give equal canonical JSON.
boost::json::object RateTableToJson(const RateTable& table);

// The demo table for `fy` with DOMAIN.md's Indore-like figures: rebate 6.25% of the property
// tax by 30 June (+1% online), surcharge 5% from 1 January and 10% from 1 February, rounding to
// the rupee half up. Value rates (zones "Zone 1".."Zone 3", as the demo wards), the 10% tax rate,
// the vacant-land rates, the 1.5× rented multiplier, the samekit kar slabs and the cess rates are
// illustrative demo figures, not any ULB's resolution.
RateTable DemoRateTable(FinancialYear fy);

}  // namespace palika::property_tax
