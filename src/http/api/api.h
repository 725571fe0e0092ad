#pragma once
// The JSON API under /api/v1 (DESIGN.md "Interfaces"), plus /healthz and /metrics.
//
// Every route declares what it needs: nothing (public), a signed-in user, or a permission on the
// ULB named in its path ("{ulb}") or on the whole state. The check happens in one place
// (Guard) before the handler runs: 401 without a valid token, 404 for a ULB that does not exist,
// 403 without the permission. Handlers call services; they hold no business rules of their own.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/metrics.h"
#include "http/request.h"
#include "http/response.h"
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
  // A replication token (services/registry/replication_tokens.h), which holds `permission`
  // (kReplicationRead) and nothing else; staff sessions are refused with 403.
  kReplication,
};

struct RouteSpec {
  std::string method;
  std::string pattern;
  Access access;
  std::optional<identity::Permission> permission;
};

// A route and its handler; `who` is null for public routes, the signed-in user otherwise (for
// kReplication routes: a principal without grants whose username is the token's host name).
using RouteHandler =
    std::function<Response(ApiContext& ctx, Request& req, const identity::Principal* who)>;
// The same for a route that answers through respond (Router::AddAsync); `who` lives only until
// it returns.
using AsyncRouteHandler = std::function<void(ApiContext& ctx, Request& req,
                                             const identity::Principal* who, Respond respond)>;
// An asynchronous route's fast path on the server's I/O thread (Router's InlineHandler): answers
// through respond and returns true only when it could without blocking; false, having answered
// nothing, sends the request to the route's AsyncRouteHandler on a worker. It runs only once the
// route's access rule was decided from memory (a live session with its grants cached, a ULB
// whose ledger is open); otherwise the whole request goes to the worker.
using InlineRouteHandler = std::function<bool(
    ApiContext& ctx, Request& req, const identity::Principal* who, const Respond& respond)>;
struct ApiRoute {
  RouteSpec spec;
  RouteHandler handler;               // one of the two
  AsyncRouteHandler async_handler{};  // a command route that must not hold a worker thread
  InlineRouteHandler try_inline{};    // optional, with async_handler
};

// The routes of each feature, declared in the feature's own file; ApiRoutes() is all of them.
std::vector<ApiRoute> CoreRoutes();         // api.cc: session, ULBs, wards, users, grants, ledger
std::vector<ApiRoute> PropertyRoutes();     // property_api.cc: the property register
std::vector<ApiRoute> BillingRoutes();      // billing_api.cc: rates, returns, demand, dues, outages
std::vector<ApiRoute> PaymentRoutes();      // payment_api.cc: payments, receipts, /verify
std::vector<ApiRoute> AccountsRoutes();     // accounts_api.cc: journal, day close, reports
std::vector<ApiRoute> ReplicationRoutes();  // replication_api.cc: what backup pullers read

// Every API route and what it requires (the role x ULB x route test walks this list).
const std::vector<RouteSpec>& ApiRoutes();

void AddApiRoutes(Router& router, ApiContext& ctx);

}  // namespace palika::http
