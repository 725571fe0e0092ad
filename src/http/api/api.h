#pragma once
// The JSON API under /api/v1 (DESIGN.md "Interfaces"), plus /healthz and /metrics.
//
// Every route declares what it needs: nothing (public), a signed-in user, or a permission on the
// ULB named in its path ("{ulb}") or on the whole state. The check happens in one place
// (Guard) before the handler runs: 401 without a valid token, 404 for a ULB that does not exist,
// 403 without the permission. Handlers call services; they hold no business rules of their own.

#include <optional>
#include <string>
#include <vector>

#include "core/metrics.h"
#include "http/router.h"
#include "ledger/ledger_set.h"
#include "services/identity/access.h"
#include "services/registry/registry.h"
#include "services/registry/sessions.h"

namespace palika::http {

struct ApiContext {
  ledger::LedgerSet& ledgers;
  registry::Registry& registry;
  registry::Sessions& sessions;
  Metrics& metrics;
};

enum class Access {
  kPublic,    // anyone
  kSignedIn,  // any signed-in user
  kUlb,       // `permission` on the ULB in the path
  kState,     // `permission` on the whole state
};

struct RouteSpec {
  std::string method;
  std::string pattern;
  Access access;
  std::optional<identity::Permission> permission;
};

// Every API route and what it requires (the role x ULB x route test walks this list).
const std::vector<RouteSpec>& ApiRoutes();

void AddApiRoutes(Router& router, ApiContext& ctx);

}  // namespace palika::http
