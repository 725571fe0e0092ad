#pragma once
// The yearly demand: for every property of a ULB, the year's bill — priced from its latest
// self-assessment return for the year, else from its register record with the year's rate table —
// posted to its account (pt_account), with any advance it holds credited to it (ApplyAdvance).
//
// Events (ULB ledger). A batch command writes one entry for all its properties without an
// advance (version 2), and one per property with an advance, beside its journal (version 1):
//   demand.raised {v: 2, fy, heads: [head codes, kAllHeads order],
//                  demands: [[property_id, annual_value_paise, source, [amount_paise per head]]]}
//   demand.raised {v: 1, property_id, fy, annual_value_paise, heads: [{head, amount_paise}],
//                  source: "return"|"register", advance_applied: AllocationToJson (only when the
//                  property had an advance)}
// source is "return" or "register"; a version 2 amount of 0 means the head is not billed, a
// version 1 heads lists the heads with a non-zero amount, in bill order. Apply inserts each
// property's pt_demands row and its pt_account rows (demanded), and for advance_applied takes the
// allocated amount out of pt_advance and posts the allocation (ApplyAllocation), leaving its
// remainder as the advance. Version 1 entries written one per property by earlier builds for
// every property replay as they always did.
//
// RaiseDemand walks the properties in register order, several hundred per command, two commands
// in flight (the writer decides the next while the last one's WAL is synced), so a large ULB
// commits steadily and DemandProgress can be read while it runs. The batches are priced ahead on
// read snapshots by a thread of the raise's own; the writer's decide uses a priced batch only when
// every entry appended since its snapshot is one of this raise's own, byte for byte, and the day
// is the same, else prices it itself: the entries are the same either way.
// Idempotent: a property whose demand for the year exists is skipped, so running it twice, or
// again after a crash half-way, raises each demand exactly once. A property whose bill cannot be
// priced (its zone or a floor has no rate in the table) is left out and listed, with the reason;
// fix the register or the rates and run it again. Errors: NotFound "rate_table_missing" (no rate
// table for the year), "ulb_not_found"; storage errors. Thread-safe.

#include <boost/json.hpp>
#include <functional>
#include <string>
#include <vector>

#include "core/civil_date.h"
#include "core/money.h"
#include "core/status.h"
#include "ledger/ledger_set.h"
#include "ledger/projections.h"

namespace palika::property_tax {

// Registers the demand.raised apply function (called by RegisterBillingProjections).
void RegisterDemandProjections(ledger::Projections& p);

inline constexpr int64_t kDefaultDemandBatch = 500;
inline constexpr size_t kMaxListedDemandFailures = 20;

struct DemandFailure {
  std::string property_id;
  Status why;
};

struct DemandRun {
  FinancialYear fy = FinancialYear::Of(CivilDate());
  int64_t properties = 0;               // properties looked at
  int64_t raised = 0;                   // demands raised by this run
  int64_t already_raised = 0;           // skipped: raised before
  int64_t failed = 0;                   // could not be priced
  std::vector<DemandFailure> failures;  // the first kMaxListedDemandFailures of them
  Money total;                          // sum of the demands this run raised
  int64_t priced_ahead = 0;             // batches priced off the writer and used as priced
};
boost::json::object DemandRunJson(const DemandRun& run);

struct DemandOptions {
  int64_t batch = kDefaultDemandBatch;  // properties per command, 1..5000
  // Called after each batch with the properties done so far and the ULB's count at the start;
  // from the raise's own threads, one call at a time.
  std::function<void(int64_t done, int64_t total)> progress;
  // Price the next batches on read snapshots on a thread of the raise's own, off the ledger's
  // writer (which checks they are still current, else prices them itself). false: the writer
  // prices every batch (the same entries; for tests and comparisons).
  bool price_ahead = true;
};

Result<DemandRun> RaiseDemand(ledger::LedgerSet& ledgers, const std::string& ulb,
                              const std::string& actor, FinancialYear fy,
                              const DemandOptions& options = {});

// How far a year's demand has got: readable while RaiseDemand runs.
struct DemandProgress {
  FinancialYear fy = FinancialYear::Of(CivilDate());
  int64_t properties = 0;  // in the register now
  int64_t raised = 0;      // with the year's demand
  Money total;             // the year's demand raised so far
};
boost::json::object DemandProgressJson(const DemandProgress& p);
Result<DemandProgress> GetDemandProgress(ledger::LedgerSet& ledgers, const std::string& ulb,
                                         FinancialYear fy);

}  // namespace palika::property_tax
