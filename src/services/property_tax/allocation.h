#pragma once
// Allocate: how a payment settles a property's dues (computed by ComputeDues on the payment's
// date), so the payment event can carry the allocation and apply only records it (DESIGN.md,
// "Write path"). Pure, deterministic, exact to the paisa; thread-compatible.
//
// The rules (DOMAIN.md; the order is the ULB's to change through AllocationPolicy):
// - A payment of at least dues.net clears every line: each line's rebate and waiver offered on
//   that date are granted, the rest of each line is paid, and what is left over is an advance,
//   credited to the next demand (ApplyAdvance).
// - A smaller payment is a part payment: it is granted no rebate and no waiver, and settles lines
//   at face value, oldest year first (arrears before the current year); within a year every
//   head's surcharge before any principal (policy.surcharge_first), heads in policy.head_order
//   (default: bill order — property tax, samekit kar, education cess, urban development cess).
// - Principal settled (paid or rebated) while its year bears a surcharge rate fixes that
//   surcharge ("surcharge_levied": rate × unpaid before − rate × unpaid after, each rounded as
//   the year's table says), so later dues stay right when the rate rises (dues.h).
// Every line's amounts are within what the dues line had outstanding, and the paid amounts plus
// the advance equal the payment exactly.

#include <array>
#include <boost/json.hpp>
#include <vector>

#include "core/civil_date.h"
#include "core/money.h"
#include "core/status.h"
#include "services/property_tax/dues.h"
#include "services/property_tax/rates.h"

namespace palika::property_tax {

struct AllocationPolicy {
  bool surcharge_first = true;                 // within a year: all surcharge, then all principal
  std::array<Head, 4> head_order = kAllHeads;  // a permutation of kAllHeads
};

// InvalidArgument "invalid_allocation_policy" unless head_order lists each head once.
Status ValidateAllocationPolicy(const AllocationPolicy& policy);

// What a payment did to one year and head of the account.
struct AllocationLine {
  FinancialYear fy = FinancialYear::Of(CivilDate());
  Head head = Head::kPropertyTax;
  Money surcharge;           // paid towards surcharge
  Money principal;           // paid towards principal
  Money rebate;              // rebate granted: settles principal without payment
  Money waiver;              // surcharge waived under the scheme
  Money surcharge_levied;    // surcharge fixed on the principal settled now (see above)
  int64_t surcharge_bp = 0;  // rate the year bore on the date
  int64_t rebate_bp = 0;     // rate of the rebate granted (0 if none)
  int64_t waiver_bp = 0;     // share of surcharge waived (0 if none)

  Money Paid() const { return surcharge + principal; }
  friend bool operator==(const AllocationLine&, const AllocationLine&) = default;
};

struct Allocation {
  CivilDate on;  // the dues' date
  bool online = false;
  Money amount;                       // the payment (or advance) allocated
  bool settled_in_full = false;       // every line cleared; rebate and waiver granted
  std::vector<AllocationLine> lines;  // in settlement order; only lines the payment touched
  Money advance;                      // left over: credited to the next demand

  friend bool operator==(const Allocation&, const Allocation&) = default;
};

// Allocates a payment of `amount` made on dues.on (online if dues.online).
// Errors: InvalidArgument "amount_not_positive" (zero or negative), "invalid_allocation_policy".
Result<Allocation> Allocate(const Dues& dues, Money amount, const AllocationPolicy& policy = {});

// Credits an advance to the next demand: `dues` are the property's dues on the day the demand is
// raised (online = false); the advance is allocated as a payment made that day (so an advance
// that clears the year before the rebate deadline earns the rebate). What is left stays an
// advance. A zero advance allocates nothing. Errors: "amount_not_positive" (negative),
// "invalid_allocation_policy".
Result<Allocation> ApplyAdvance(const Dues& dues, Money advance,
                                const AllocationPolicy& policy = {});

// What apply does with an allocation: adds each line to the account line of its year and head.
// Error InvalidArgument "allocation_mismatch" if a line has no account line, or the account
// would become inconsistent (more settled than demanded). On error the account is unchanged.
Status PostAllocation(const Allocation& allocation, std::vector<AccountLine>& account);

// For the payment event: integers, strings and booleans only (canonical-JSON-safe).
//   {"on": "2026-05-01", "online": false, "amount_paise", "settled_in_full", "advance_paise",
//    "lines": [{"fy", "head", "surcharge_paise", "principal_paise", "rebate_paise",
//               "waiver_paise", "surcharge_levied_paise", "surcharge_bp", "rebate_bp",
//               "waiver_bp"}]}
boost::json::object AllocationToJson(const Allocation& allocation);
// Strict; also checks that the lines plus the advance add up to the amount.
Result<Allocation> AllocationFromJson(const boost::json::object& obj);

}  // namespace palika::property_tax
