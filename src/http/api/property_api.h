#pragma once
// Handlers of the property register's routes (listed with their permissions in ApiRoutes()):
//   POST /api/v1/ulbs/{ulb}/properties                      register -> 201 the property
//   GET  /api/v1/ulbs/{ulb}/properties?q=&limit=&after=      search   -> {properties, next_after}
//   GET  /api/v1/ulbs/{ulb}/properties/{id}                  the property
//   POST /api/v1/ulbs/{ulb}/properties/{id}/corrections      correct  -> 200 the property
//   GET  /api/v1/ulbs/{ulb}/properties/{id}/history          every version with its record
// The writes accept an Idempotency-Key header: a retry with the same key and body gets the same
// property and writes nothing. They run after Guard; they hold no rules of their own.

#include "http/api/api.h"
#include "http/request.h"
#include "http/response.h"

namespace palika::http {

Response CreateProperty(ApiContext& ctx, Request& req, const identity::Principal& who);
Response SearchProperties(ApiContext& ctx, Request& req);
Response GetProperty(ApiContext& ctx, Request& req);
Response CorrectProperty(ApiContext& ctx, Request& req, const identity::Principal& who);
Response PropertyHistory(ApiContext& ctx, Request& req);

}  // namespace palika::http
