#pragma once
// Payments: counter and online collections with gapless receipt numbers, idempotent by key, and
// their reversal, as commands through the ULB's ledger. (Being written; see the issue.)

#include "ledger/projections.h"

namespace palika::payments {

// Tables and apply functions of payments in every ULB ledger.
void RegisterPaymentProjections(ledger::Projections& p);

}  // namespace palika::payments
