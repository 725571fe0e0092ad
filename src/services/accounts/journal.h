#pragma once
// Accounts: the ULB's double-entry journal in the manner of the National Municipal Accounts
// Manual, day close, trial balance. (Being written; see the issue.)

#include "ledger/projections.h"

namespace palika::accounts {

// Tables and apply functions of the accounts in every ULB ledger.
void RegisterAccountsProjections(ledger::Projections& p);

}  // namespace palika::accounts
