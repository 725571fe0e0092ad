#pragma once
// What GET /verify/{code} answers to a program (JSON). People get the web's page (src/web,
// templates/verify.html) with the same verdict. Pure functions; thread-safe.

#include <boost/json/object.hpp>
#include <string>
#include <string_view>

#include "core/status.h"
#include "documents/receipt_code.h"

namespace palika::documents {

// {"genuine": true, "receipt": {"ulb", "receipt_no", "date" (YYYY-MM-DD), "property_id",
//  "amount_paise", "amount" ("₹1,23,456.50"), "payer", "origin", "seq", "key"}} or
// {"genuine": false, "error": {"code", "message", "message_hi"}}.
boost::json::object VerifiedReceiptJson(const Result<VerifiedReceipt>& verdict);

}  // namespace palika::documents
