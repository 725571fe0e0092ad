// The routes of rates, assessment returns, demand, dues, outages and waiver schemes.
// Each is declared once, with its access rule, in BillingRoutes(); handlers parse, call the service
// and shape its answer.

#include "http/api/api.h"

namespace palika::http {

std::vector<ApiRoute> BillingRoutes() { return {}; }

}  // namespace palika::http
