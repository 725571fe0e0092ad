#pragma once
// The printable receipt: a bilingual (Hindi / English) PDF rendered with pango + cairo, so
// Devanagari is shaped by HarfBuzz (conjuncts such as "क्ष", "त्ति", reph in "श्री", matras) in
// the Noto Sans Devanagari font, with Latin text and "₹" in Noto Sans (package fonts-noto-core).
//
// Two layouts: kA4 (210 × 297 mm; a long allocation continues on further pages) and
// kThermal80mm (80 mm wide, one page as tall as its content, for counter receipt printers).
// The page carries the ULB's name as its header, the receipt's fields, the allocation by year and
// head, the total in figures (Indian grouping) and in words (English and Hindi), the QR code of
// `code` (receipt_code.h) and the text "Verify at <verify_base_url>/verify/<code>". The QR code
// holds that URL when verify_base_url is given ("https://palika.mp.gov.in"), else the bare code.
//
// The output is deterministic: the same receipt gives the same bytes (the PDF's creation date is
// the payment's time). Errors: InvalidArgument "invalid_receipt_code" for an empty code or one
// that is not base64url; Unavailable "receipt_fonts_missing" when the Noto fonts are not
// installed (a receipt printed in a fallback font could show boxes instead of Hindi); Internal
// if cairo fails. Thread-safe (pango's font map is per thread).

#include <string>
#include <string_view>

#include "core/status.h"
#include "documents/receipt.h"

namespace palika::documents {

enum class Layout { kA4, kThermal80mm };

Result<std::string> RenderReceiptPdf(const Receipt& receipt, std::string_view code, Layout layout,
                                     std::string_view verify_base_url = {});

// "<verify_base_url>/verify/<code>" (just "/verify/<code>" without a base URL).
std::string VerifyUrl(std::string_view code, std::string_view verify_base_url = {});

}  // namespace palika::documents
