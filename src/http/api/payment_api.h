#pragma once
// Receipts as documents, shared by the payment routes, the web pages and `palika receipt pdf`: the
// documents::Receipt of a recorded payment (copied from its entry), its signed code (PR1, under
// the ULB's receipt key derived from the node key) and its PDF.
//
// Errors: InvalidArgument from the code's field checks; receipt_pdf.h's errors (fonts missing).
// Thread-safe.

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "documents/receipt.h"
#include "documents/receipt_code.h"
#include "documents/receipt_pdf.h"
#include "http/api/api.h"
#include "ledger/signed_note.h"
#include "services/payments/payments.h"

namespace palika::http {

// The receipt a payment prints: its fields, allocation lines (each year's heads, with the
// surcharge paid on a head as a line of its own) and the advance.
documents::Receipt ReceiptOf(const payments::PaymentRecord& p);
// The signed code of the receipt, with the node's key.
Result<std::string> ReceiptCodeOf(const documents::Receipt& receipt,
                                  const ledger::NoteSigner& node_key);
// The printable PDF of a payment's receipt.
Result<std::string> ReceiptPdfOf(const payments::PaymentRecord& p,
                                 const ledger::NoteSigner& node_key, documents::Layout layout);
// The receipt number as it is written in links: "0152-2026-27-C1-000123".
std::string ReceiptNoInUrl(const std::string& receipt_no);

// A receipt code (or a scanned /verify/ URL) checked against the node's key and, when the
// signature holds, what this server's ledger says of that payment: {"found", "status"
// ("received" | "reversed" | "not_found"), "reversed_on"?}. The public /verify/{code} page
// (src/web) shows it to people and answers it as JSON to programs.
struct ReceiptVerification {
  Result<documents::VerifiedReceipt> verdict;
  std::optional<boost::json::object> ledger;  // only when the verdict is genuine
};
ReceiptVerification VerifyReceiptCode(ApiContext& ctx, std::string_view text);
// VerifiedReceiptJson (documents/verify_page.h) plus "ledger" (null when not genuine).
boost::json::object ReceiptVerificationJson(const ReceiptVerification& v);

}  // namespace palika::http
