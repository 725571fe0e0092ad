#include "services/payments/payments.h"

namespace palika::payments {

void RegisterPaymentProjections(ledger::Projections& /*p*/) {}

}  // namespace palika::payments
