#pragma once
// Billing: a ULB's property-tax rate tables, self-assessment returns, the yearly demand, each
// property's account (demanded / paid / rebated / surcharge per year and head), declared outages
// and waiver schemes, as tables of the ULB's ledger; and the dues of a property on a date.
//
// ULB-ledger tables (rebuilt from the ledger; amounts in paise, years "2026-27", dates ISO):
//   pt_rate_tables(fy PRIMARY KEY, version, table_json, reason, actor, set_us)   latest version
//   pt_account(property_id, fy, head, demanded_paise, principal_paid_paise, rebate_granted_paise,
//              surcharge_levied_paise, surcharge_paid_paise, surcharge_waived_paise,
//              PRIMARY KEY (property_id, fy, head))
//   pt_advance(property_id PRIMARY KEY, advance_paise)            only properties with an advance
//   pt_outages(id PRIMARY KEY, from_date, to_date, reason, recorded_us)   copies of state outages
//   pt_waiver_schemes(id PRIMARY KEY, name, from_date, to_date, scheme_json, actor, declared_us)
//   pt_returns(property_id, fy, revision, filed_by, zone, annual_value_paise, total_paise,
//              assessment_json, actor, filed_us, PRIMARY KEY (property_id, fy, revision))
//   pt_demands(property_id, fy, annual_value_paise, total_paise, source, advance_applied_paise,
//              raised_us, PRIMARY KEY (property_id, fy))
// State-ledger table: pt_state_outages(id PRIMARY KEY, from_date, to_date, reason, ulbs_json,
//              actor, declared_us).
//
// The reads below run inside a transaction (a decide, or a Ledger::Read) and are thread-compatible
// like the transaction itself. Errors: Corruption when a stored row cannot be read back (a table
// altered outside the ledger); the others are named on each function.

#include <optional>
#include <string>
#include <vector>

#include "core/civil_date.h"
#include "core/money.h"
#include "core/status.h"
#include "ledger/projections.h"
#include "services/property_tax/allocation.h"
#include "services/property_tax/dues.h"
#include "services/property_tax/rates.h"
#include "store/transaction.h"

namespace palika::property_tax {

// Tables and apply functions of billing in every ULB ledger.
void RegisterBillingProjections(ledger::Projections& p);
// Tables and apply functions of billing in the state ledger (outages declared state-wide).
void RegisterBillingStateProjections(ledger::Projections& p);

// The property's account lines, oldest year first, heads in bill order (empty: no demand yet).
Result<std::vector<AccountLine>> LoadAccount(store::Transaction& tx,
                                             const std::string& property_id);
// The property's advance (zero if none).
Result<Money> LoadAdvance(store::Transaction& tx, const std::string& property_id);
// The latest version of every year's rate table, oldest year first.
Result<std::vector<RateTable>> LoadRateTables(store::Transaction& tx);
// The latest version of one year's rate table, if one was set.
Result<std::optional<RateTable>> LoadRateTable(store::Transaction& tx, FinancialYear fy);
// Every outage recorded in this ULB's ledger, in order of their start.
Result<std::vector<Outage>> LoadOutages(store::Transaction& tx);
// The waiver scheme running on `on` (schemes of a ULB never overlap), if any.
Result<std::optional<WaiverScheme>> WaiverSchemeOn(store::Transaction& tx, CivilDate on);

// The dues of a property on `on` from the ULB's tables (ComputeDues). Errors: NotFound
// "property_not_found"; ComputeDues's errors ("rate_table_missing" when a year with something
// outstanding has no rate table).
Result<Dues> PropertyDues(store::Transaction& tx, const std::string& property_id, CivilDate on,
                          bool online);

// Apply side (called by the payments service's apply functions): adds each allocation line to the
// property's pt_account rows and the allocation's advance to pt_advance (sign = +1); sign = -1
// takes them back (a reversal). Corruption if the rows are missing or would go negative (or more
// settled than demanded); on error nothing is written.
Status ApplyAllocation(store::Transaction& tx, const std::string& property_id,
                       const Allocation& allocation, int sign);

}  // namespace palika::property_tax
