#pragma once
// The one place where a Status becomes an HTTP status and a JSON error body.
// Thread-safe (pure functions).

#include <string>

#include "core/status.h"

namespace palika::http {

// InvalidArgument 400, Unauthenticated 401, PermissionDenied 403, NotFound 404, Conflict 409,
// TooLarge 413, TooManyRequests 429, Unavailable 503; everything else (Corruption, IOError,
// Internal, and OK, which is no error) 500.
int HttpStatusFor(StatusKind kind);

// Exactly {"error": {"code": "...", "message": "...", "message_hi": "..."}} (strings JSON-escaped).
// For a status that maps to 500 the code is "internal" and the messages are generic: internal
// details (paths, SQL, exception text) never reach the client. Callers log the original.
std::string ErrorBody(const Status& status);

// The Status that a client sees for an internal failure.
Status PublicInternalError();

}  // namespace palika::http
