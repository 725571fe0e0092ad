#pragma once
// The write context of an API request that changes something: who, and the Idempotency-Key the
// client sent with a fingerprint of the request (property_tax::WriteContext, which every service
// command takes). One place for the header's rules, so every write route reads it the same way.

#include <boost/json.hpp>
#include <string>
#include <string_view>

#include "core/status.h"
#include "http/request.h"
#include "services/identity/access.h"
#include "services/property_tax/register.h"

namespace palika::http {

// The Idempotency-Key header: 1..200 printable ASCII characters without spaces (a UUID is a good
// key). "" when absent and not `required`. InvalidArgument "invalid_idempotency_key" when
// malformed; "idempotency_key_required" when absent and `required` (payments: a retry after a
// lost answer must never collect twice). Messages in English and Hindi.
Result<std::string> IdempotencyKey(const Request& req, bool required = false);

// Who writes, the key (see above) and, with a key, the hash of `operation` and `body`
// (property_tax::RequestHash): the same key sent with another request is refused by the ledger.
Result<property_tax::WriteContext> WriteContextFor(const Request& req,
                                                   const identity::Principal& who,
                                                   std::string_view operation,
                                                   const boost::json::object& body,
                                                   bool key_required = false);

}  // namespace palika::http
