#include "services/accounts/journal.h"

namespace palika::accounts {

void RegisterAccountsProjections(ledger::Projections& /*p*/) {}

}  // namespace palika::accounts
