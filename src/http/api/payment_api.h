#pragma once
// Receipts as documents, shared by the payment routes and the `palika receipt pdf` command: the
// documents::Receipt of a recorded payment (copied from its entry), its signed code (PR1, under
// the ULB's receipt key derived from the node key) and its PDF.
//
// Errors: InvalidArgument from the code's field checks; receipt_pdf.h's errors (fonts missing).
// Thread-safe.

#include <string>

#include "documents/receipt.h"
#include "documents/receipt_pdf.h"
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

}  // namespace palika::http
