#pragma once
// Receipt: everything a printed receipt shows, copied from the payment entry (decide puts every
// outcome into the event, so a receipt can be reprinted from the ledger alone and always reads the
// same). A plain value: copyable, thread-compatible. Rendering is receipt_pdf.h; the signed QR
// payload is receipt_code.h.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/civil_date.h"
#include "core/money.h"

namespace palika::documents {

enum class PaymentMode { kCash, kCheque, kDd, kUpi, kOnline };

// "cash", "cheque", "dd", "upi", "online": the names used in events and the API.
std::string_view PaymentModeName(PaymentMode mode);
std::optional<PaymentMode> ParsePaymentMode(std::string_view name);
// Printed labels: "Cash" / "नकद", "Cheque" / "चेक", "Demand draft" / "डिमांड ड्राफ्ट", "UPI" / "यूपीआई",
// "Online" / "ऑनलाइन".
std::string_view PaymentModeLabelEn(PaymentMode mode);
std::string_view PaymentModeLabelHi(PaymentMode mode);

// One line of the payment's allocation: which year's which head it settled.
struct AllocationLine {
  std::string financial_year;  // "2026-27"
  std::string head_en;         // "Property tax", "Surcharge", "Education cess"
  std::string head_hi;  // "संपत्ति कर", "अधिभार", "शिक्षा उपकर"
  Money amount;
};

struct Receipt {
  std::string ulb_code;     // "0152"
  std::string ulb_name_en;  // "Indore Municipal Corporation"
  std::string ulb_name_hi;  // "इंदौर नगर पालिक निगम"
  std::string service_en = "Property tax";
  std::string service_hi = "संपत्ति कर";
  std::string receipt_no;        // "0152/2026-27/C1/000123": ULB/FY/counter series/serial
  int64_t paid_at_micros = 0;    // the payment entry's time, UTC µs; printed in IST
  std::string property_id;       // "0152-W12-000345"
  std::string payer_name_en;     // "Ramesh Kumar Sharma"
  std::string payer_name_hi;     // "रमेश कुमार शर्मा"
  std::string owner_address_en;  // may be empty
  std::string owner_address_hi;  // may be empty
  PaymentMode mode = PaymentMode::kCash;
  std::string mode_reference;  // cheque / DD number and bank, UPI or gateway reference
  Money amount;                // the whole payment
  std::vector<AllocationLine> allocations;
  Money advance;             // the part credited to the next demand
  std::string cashier_name;  // empty for online payments
  std::string origin;        // ledger position of the payment entry: node id…
  uint64_t seq = 0;          // …and its sequence number in that (ULB, origin) log
};

// The receipt's date and time in IST: "28/11/2026" and "14:05".
CivilDate ReceiptDateIst(const Receipt& receipt);
std::string ReceiptTimeIst(const Receipt& receipt);

}  // namespace palika::documents
