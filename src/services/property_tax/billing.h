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

#include <boost/json.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/civil_date.h"
#include "core/money.h"
#include "core/status.h"
#include "ledger/ledger_set.h"
#include "ledger/projections.h"
#include "services/property_tax/allocation.h"
#include "services/property_tax/assessment.h"
#include "services/property_tax/dues.h"
#include "services/property_tax/rates.h"
#include "services/property_tax/register.h"
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
// The latest version of every year's rate table, oldest year first. Shared and immutable: every
// payment reads them, and the same stored rows always give the same (cached) tables.
using RateTables = std::shared_ptr<const std::vector<RateTable>>;
Result<RateTables> LoadRateTables(store::Transaction& tx);
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
// The same for a property the caller has already found in this transaction (no lookup).
Result<Dues> FoundPropertyDues(store::Transaction& tx, const std::string& property_id, CivilDate on,
                               bool online);

// Apply side (called by the payments service's apply functions): adds each allocation line to the
// property's pt_account rows and the allocation's advance to pt_advance (sign = +1); sign = -1
// takes them back (a reversal). Corruption if the rows are missing or would go negative (or more
// settled than demanded); on error the caller rolls back what it wrote (as any failed apply).
Status ApplyAllocation(store::Transaction& tx, const std::string& property_id,
                       const Allocation& allocation, int sign);

// ---------------------------------------------------------------------------------------------
// Commands. Events (payload "v": 1; the outcome is in the event, apply only records it):
//   ULB ledger:
//     rates.set           {v, fy, version, reason, table}         table = RateTableToJson
//     assessment.filed    {v, property_id, fy, revision, filed_by, assessment}   AssessmentToJson
//     waiver.declared     {v, id, scheme}                         scheme = WaiverSchemeToJson
//     outage.recorded     {v, id, from, to, reason}               the ULB's copy of a state outage
//     demand.raised       (demand.h)
//   State ledger:
//     outage.declared     {v, id, from, to, reason, scope: "all"|"listed", ulbs: [codes]}
// Errors are bilingual: InvalidArgument "invalid_field" (naming the field), "fy_mismatch";
// NotFound "property_not_found", "rate_table_missing", "ulb_not_found"; Conflict
// "demand_already_raised", "waiver_overlaps", "idempotency_key_reused". Thread-safe: all state is
// in the ledgers.

inline constexpr size_t kMaxBillingReasonChars = 500;

struct RateTableRecord {
  RateTable table;
  int64_t version = 0;
  std::string reason;
  std::string actor;
  int64_t set_us = 0;
};

struct SetRatesResult {
  FinancialYear fy = FinancialYear::Of(CivilDate());
  int64_t version = 0;
  bool changed = true;  // false: the table equals the current version (nothing written)
  bool replayed = false;
};

// A self-assessment return as filed: who filed it and, optionally, the zone and floors (each
// defaults to the property register's record).
struct ReturnInput {
  std::string property_id;
  FinancialYear fy = FinancialYear::Of(CivilDate());
  std::string filed_by;  // "owner" | "staff"
  std::optional<std::string> zone;
  std::optional<std::vector<FloorInput>> floors;
};

// The body of a return: {fy, filed_by, zone?, floors?: [{floor, built_up_sqft, construction, use,
// occupancy}]}. Strict: InvalidArgument "invalid_field" naming the field, "unknown_field".
Result<ReturnInput> ReturnInputFromJson(const std::string& property_id,
                                        const boost::json::object& body);

struct ReturnRecord {
  std::string property_id;
  FinancialYear fy = FinancialYear::Of(CivilDate());
  int64_t revision = 0;
  std::string filed_by;
  std::string actor;
  int64_t filed_us = 0;
  boost::json::object assessment;  // AssessmentToJson
};
boost::json::object ReturnJson(const ReturnRecord& r);

// An outage as the state declared it.
struct OutageDeclaration {
  CivilDate from;
  CivilDate to;  // inclusive
  std::string reason;
  std::vector<std::string> ulbs;  // empty: every ULB
};
// {from, to, reason, ulbs?: ["0152", ...]} (no ulbs, or "all": every ULB). Strict, as above.
Result<OutageDeclaration> OutageDeclarationFromJson(const boost::json::object& body);

struct OutageRecord {
  std::string id;  // "OUT-0001"
  CivilDate from;
  CivilDate to;
  std::string reason;
  bool all_ulbs = false;
  std::vector<std::string> ulbs;  // the ULBs it was copied to
  int64_t declared_us = 0;
};
boost::json::object OutageJson(const OutageRecord& o);

struct WaiverRecord {
  int64_t id = 0;
  WaiverScheme scheme;
  std::string actor;
  int64_t declared_us = 0;
};

class Billing {
 public:
  explicit Billing(ledger::LedgerSet& ledgers) : ledgers_(ledgers) {}

  // Sets a new version of `table.fy`'s rate table (strictly validated again in decide).
  Result<SetRatesResult> SetRates(const std::string& ulb, const WriteContext& ctx,
                                  const RateTable& table, const std::string& reason);
  // The current version; NotFound "rate_table_missing".
  Result<RateTableRecord> GetRates(const std::string& ulb, FinancialYear fy);

  // Prices a return with the year's rate table and records it as the next revision.
  Result<ReturnRecord> FileReturn(const std::string& ulb, const WriteContext& ctx,
                                  const ReturnInput& input);
  // The assessment FileReturn would record for `input` now (the same checks and pricing), without
  // writing anything: what a form shows before the return is confirmed.
  Result<Assessment> PreviewReturn(const std::string& ulb, const ReturnInput& input);
  // Every revision filed for the property (for one year if given), oldest first.
  Result<std::vector<ReturnRecord>> Returns(const std::string& ulb, const std::string& property_id,
                                            std::optional<FinancialYear> fy);

  // Declares a surcharge waiver scheme; schemes of a ULB may not overlap.
  Result<WaiverRecord> DeclareWaiver(const std::string& ulb, const WriteContext& ctx,
                                     const WaiverScheme& scheme);
  Result<std::vector<WaiverRecord>> Waivers(const std::string& ulb);

  // Declares an outage in the state ledger and copies it into each affected ULB's ledger (see
  // SyncOutages). A copy that fails (a ULB held back) is retried by the next declare or sync;
  // the answer is the declaration, which stands either way.
  Result<OutageRecord> DeclareOutage(const WriteContext& ctx, const OutageDeclaration& d);
  // Copies every declared outage into every ULB ledger that should have it and lacks it.
  // Idempotent: a copy carries the outage id and a ULB that has it is skipped. Returns the number
  // of copies written; the first failure, if any, after trying every ULB.
  Result<int64_t> SyncOutages(const std::string& actor);
  Result<std::vector<OutageRecord>> Outages();

  // The dues of a property (PropertyDues in a read snapshot).
  Result<Dues> DuesOf(const std::string& ulb, const std::string& property_id, CivilDate on,
                      bool online);

 private:
  ledger::LedgerSet& ledgers_;
};

// The demo: DemoRateTable for 2025-26 and 2026-27, then both years' demand for every property of
// the ULB (see demand.h). Safe to run twice: a table equal to the current one and a demand
// already raised are skipped.
Status LoadDemoBilling(ledger::LedgerSet& ledgers, const std::string& ulb,
                       const std::string& actor);

}  // namespace palika::property_tax
