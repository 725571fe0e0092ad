#pragma once
// ComputeDues: what a property owes on a date, line by line (financial year × head), from its
// account, the rate tables of its years, declared outages and an optional surcharge waiver
// scheme. Pure and deterministic (the date is a parameter, never the clock), so a service's
// decide can compute dues and put the outcome in its event. Thread-compatible.
//
// The rules (MPMC Act 1956 s.132/135 as fixed per year in the RateTable; DOMAIN.md):
// - Principal: demanded − principal paid − rebate granted, per year and head.
// - Current year = the financial year of `on`; earlier years are arrears; later years are ignored.
// - Surcharge (late-payment penalty): a year's unpaid principal of its surcharge heads bears the
//   rate of the latest surcharge step whose effective date (below) is on or before `on`; 0 before
//   the first. Arrears bear the rate their year reached — its last step — and accrue no more.
//   Surcharge on principal already paid late was fixed when it was paid ("surcharge_levied",
//   allocation.h), so outstanding surcharge = levied + rate × unpaid principal − paid − waived,
//   rounded per line as the year's table says, and never below zero (a surcharge paid before a
//   retroactively declared outage stays paid; refunding it is a separate correction).
// - Declared outages pause the clock (DESIGN.md; the Dec 2023 shutdown): a surcharge step date or
//   rebate deadline D of a year moves later by the length of every outage that began on or before
//   it (counting only outage days from 1 April of that year), repeatedly, so a date pushed into a
//   later outage moves again. Outage 21 Dec 2023 – 15 Jan 2024 (26 days): the 1 Jan 2024 step
//   takes effect on 27 Jan 2024 and the 1 Feb step on 27 Feb. Overlapping outages count once.
// - Rebate (early payment): for current-year lines of the rebate heads, rebate bp (+ online extra
//   when `online`) of the line's unpaid principal, if `on` is on or before the effective rebate
//   deadline. It is an offer: only a payment that clears the whole net total on `on` (every line,
//   arrears too) is granted it (allocation.h). A part payment gets no rebate, and the amount it
//   paid earns none later; when the rest is paid in full by the deadline, the rebate is on that
//   rest. So ₹10,000 tax: ₹5,000 paid in May earns nothing; ₹4,687 in June (₹5,000 − 6.25%,
//   rounded) clears the year.
// - Waiver (Lok Adalat, MPMC s.162–163): while a scheme runs (from..to inclusive), its slab is
//   chosen by the property's whole outstanding tax + surcharge on `on` (all years and heads,
//   before rebate), and that share of each line's outstanding surcharge is offered as a waiver,
//   rounded as the year's table says. Like the rebate, it is granted only to a payment that
//   clears the whole net total.
// - Net per line = principal − rebate + surcharge − waiver; the totals are sums of the lines.

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/civil_date.h"
#include "core/money.h"
#include "core/status.h"
#include "services/property_tax/rates.h"

namespace palika::property_tax {

// A period declared by a state administrator during which this ULB's system was down:
// from..to inclusive, so its length is to − from + 1 days.
struct Outage {
  CivilDate from;
  CivilDate to;
  friend bool operator==(const Outage&, const Outage&) = default;
};

// `nominal` moved later by the outages (in any order, possibly overlapping) as the rule above
// says; `year_start` is 1 April of the date's financial year.
CivilDate ShiftForOutages(CivilDate nominal, CivilDate year_start, std::span<const Outage> outages);
// The table's rebate deadline after outages (inclusive).
CivilDate EffectiveRebateDeadline(const RateTable& table, std::span<const Outage> outages);
// The table's surcharge steps with their dates after outages.
std::vector<SurchargeStep> EffectiveSurchargeSteps(const RateTable& table,
                                                   std::span<const Outage> outages);
// The surcharge rate the table's year bears on `on` (0 before the first effective step).
int64_t SurchargeBpOn(const RateTable& table, std::span<const Outage> outages, CivilDate on);

// A surcharge waiver slab: applies where tax + surcharge <= up_to (inclusive); the last slab has
// no upper bound. waiver_bp of the surcharge is waived (10000 = all of it).
struct WaiverSlab {
  std::optional<Money> up_to;
  int64_t waiver_bp = 0;
  friend bool operator==(const WaiverSlab&, const WaiverSlab&) = default;
};

// A declared surcharge waiver scheme (a Lok Adalat, a COVID-period waiver): a name, the days it
// runs (inclusive) and its slabs (strictly increasing up_to; exactly the last is open).
struct WaiverScheme {
  std::string name;  // "Lok Adalat 9 March 2024"
  CivilDate from;
  CivilDate to;
  std::vector<WaiverSlab> slabs;
  friend bool operator==(const WaiverScheme&, const WaiverScheme&) = default;
};

// DOMAIN.md's Lok Adalat slabs: 100% of the surcharge where tax + surcharge <= ₹50,000; 50% up to
// ₹1,00,000; 25% above.
WaiverScheme LokAdalatWaiverScheme(std::string name, CivilDate from, CivilDate to);
// InvalidArgument "invalid_field" naming the field, bilingual.
Status ValidateWaiverScheme(const WaiverScheme& scheme);
// {"name", "from": "2024-03-09", "to": "2024-03-09",
//  "slabs": [{"up_to_paise": 5000000, "waiver_bp": 10000}, ..., {"waiver_bp": 2500}]}
// Strict, like RateTableFromJson.
Result<WaiverScheme> WaiverSchemeFromJson(const boost::json::object& obj);
boost::json::object WaiverSchemeToJson(const WaiverScheme& scheme);

// A property's account for one financial year and head (the projection the payment events
// build). All amounts >= 0 and principal_paid + rebate_granted <= demanded.
struct AccountLine {
  FinancialYear fy = FinancialYear::Of(CivilDate());
  Head head = Head::kPropertyTax;
  Money demanded;          // the year's demand for the head
  Money principal_paid;    // paid towards it
  Money rebate_granted;    // rebate that settled part of it
  Money surcharge_levied;  // surcharge fixed on principal paid while a surcharge rate applied
  Money surcharge_paid;
  Money surcharge_waived;
  friend bool operator==(const AccountLine&, const AccountLine&) = default;
};

struct DuesQuery {
  CivilDate on;
  bool online = false;                 // paying online: the rebate's online extra applies
  std::vector<Outage> outages;         // every outage declared for this ULB, any year
  std::optional<WaiverScheme> waiver;  // the scheme declared for this ULB, if any
};

struct DuesLine {
  FinancialYear fy = FinancialYear::Of(CivilDate());
  Head head = Head::kPropertyTax;
  bool arrear = false;                         // fy is earlier than the year of `on`
  Money principal;                             // outstanding principal
  Money rebate;                                // offered (see above)
  Money surcharge;                             // outstanding surcharge
  Money waiver;                                // offered (see above)
  Money net;                                   // principal − rebate + surcharge − waiver
  int64_t rebate_bp = 0;                       // rate of the rebate offered (0 if none)
  int64_t surcharge_bp = 0;                    // rate the unpaid principal bears on `on`
  int64_t waiver_bp = 0;                       // share of the surcharge offered as waiver
  Rounding rounding = Rounding::kRupeeHalfUp;  // the year's rounding
  friend bool operator==(const DuesLine&, const DuesLine&) = default;
};

struct Dues {
  CivilDate on;
  bool online = false;
  FinancialYear current = FinancialYear::Of(CivilDate());  // the year of `on`
  // Lines with anything outstanding: arrears first, oldest year first; then the current year;
  // heads in bill order (kAllHeads) within a year.
  std::vector<DuesLine> lines;
  Money principal;  // totals of the lines
  Money rebate;
  Money surcharge;
  Money waiver;
  Money net;  // what clears everything on `on` (rebate and waiver granted)
  std::optional<CivilDate> rebate_deadline;  // the current year's, after outages (if its table
                                             // has a rebate)
  std::optional<std::string> waiver_scheme;  // the scheme running on `on`, if any
  Money waiver_base;                         // tax + surcharge its slab was chosen by
  friend bool operator==(const Dues&, const Dues&) = default;
};

// Errors (bilingual): InvalidArgument "invalid_outage" (from after to), "duplicate_account_line"
// (a year and head twice), "account_inconsistent" (a negative amount, or more paid and rebated
// than demanded), "duplicate_rate_table", "invalid_field" (a bad waiver scheme); NotFound
// "rate_table_missing" (a year with something outstanding has no rate table). Rate tables must be
// valid (ValidateRateTable).
Result<Dues> ComputeDues(std::span<const AccountLine> account, std::span<const RateTable> rates,
                         const DuesQuery& query);

// For the dues API and bills: integers, strings and booleans only.
boost::json::object DuesToJson(const Dues& dues);

}  // namespace palika::property_tax
