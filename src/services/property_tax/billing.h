#pragma once
// Billing: a ULB's property-tax rate tables, self-assessment returns, the yearly demand, each
// property's account (demanded / paid / rebated / surcharge per year and head), declared outages
// and waiver schemes, as commands through the ULB's ledger; and the dues of a property on a date.
// (Being written; see the issue.)

#include "ledger/projections.h"

namespace palika::property_tax {

// Tables and apply functions of billing in every ULB ledger.
void RegisterBillingProjections(ledger::Projections& p);
// Tables and apply functions of billing in the state ledger (outages declared state-wide).
void RegisterBillingStateProjections(ledger::Projections& p);

}  // namespace palika::property_tax
