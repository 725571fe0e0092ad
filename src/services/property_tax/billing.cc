#include "services/property_tax/billing.h"

namespace palika::property_tax {

void RegisterBillingProjections(ledger::Projections& /*p*/) {}
void RegisterBillingStateProjections(ledger::Projections& /*p*/) {}

}  // namespace palika::property_tax
