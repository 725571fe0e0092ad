#pragma once
// What GET /verify/{code} answers, for a person (HTML) and for a program (JSON). The page is
// plain semantic HTML in Hindi and English with no styles, scripts or external resources, so it
// works under the server's Content-Security-Policy (default-src 'self') and on any phone.
// Pure functions; thread-safe.

#include <boost/json/object.hpp>
#include <string>
#include <string_view>

#include "core/status.h"
#include "documents/receipt_code.h"

namespace palika::documents {

// A whole HTML document: the verdict as the heading, then either the signed fields (genuine) or
// what was wrong (not genuine), each in Hindi and English. Every field is HTML-escaped.
// Text made safe inside HTML text and attribute values: & < > " ' escaped.
std::string HtmlEscape(std::string_view s);

std::string VerifyPageHtml(const Result<VerifiedReceipt>& verdict);

// {"genuine": true, "receipt": {"ulb", "receipt_no", "date" (YYYY-MM-DD), "property_id",
//  "amount_paise", "amount" ("₹1,23,456.50"), "payer", "origin", "seq", "key"}} or
// {"genuine": false, "error": {"code", "message", "message_hi"}}.
boost::json::object VerifiedReceiptJson(const Result<VerifiedReceipt>& verdict);

}  // namespace palika::documents
