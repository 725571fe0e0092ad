// The routes of counter payments, reversals, receipts (JSON and PDF) and the public /verify page.
// Each is declared once, with its access rule, in PaymentRoutes(); handlers parse, call the service
// and shape its answer.

#include "http/api/api.h"

namespace palika::http {

std::vector<ApiRoute> PaymentRoutes() { return {}; }

}  // namespace palika::http
