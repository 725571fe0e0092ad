#include "documents/receipt.h"

#include <cstdio>

namespace palika::documents {

std::string_view PaymentModeName(PaymentMode mode) {
  switch (mode) {
    case PaymentMode::kCash:
      return "cash";
    case PaymentMode::kCheque:
      return "cheque";
    case PaymentMode::kDd:
      return "dd";
    case PaymentMode::kUpi:
      return "upi";
    case PaymentMode::kOnline:
      return "online";
  }
  return "cash";
}

std::optional<PaymentMode> ParsePaymentMode(std::string_view name) {
  for (PaymentMode mode : {PaymentMode::kCash, PaymentMode::kCheque, PaymentMode::kDd,
                           PaymentMode::kUpi, PaymentMode::kOnline}) {
    if (PaymentModeName(mode) == name) return mode;
  }
  return std::nullopt;
}

std::string_view PaymentModeLabelEn(PaymentMode mode) {
  switch (mode) {
    case PaymentMode::kCash:
      return "Cash";
    case PaymentMode::kCheque:
      return "Cheque";
    case PaymentMode::kDd:
      return "Demand draft";
    case PaymentMode::kUpi:
      return "UPI";
    case PaymentMode::kOnline:
      return "Online";
  }
  return "Cash";
}

std::string_view PaymentModeLabelHi(PaymentMode mode) {
  switch (mode) {
    case PaymentMode::kCash:
      return "नकद";
    case PaymentMode::kCheque:
      return "चेक";
    case PaymentMode::kDd:
      return "डिमांड ड्राफ्ट";
    case PaymentMode::kUpi:
      return "यूपीआई";
    case PaymentMode::kOnline:
      return "ऑनलाइन";
  }
  return "नकद";
}

CivilDate ReceiptDateIst(const Receipt& receipt) {
  return CivilDate::IstDateOfUtcMicros(receipt.paid_at_micros);
}

std::string ReceiptTimeIst(const Receipt& receipt) {
  // Seconds into the IST day; floor division so instants before 1970 work too.
  constexpr int64_t kDay = 86400;
  int64_t seconds = receipt.paid_at_micros / 1'000'000;
  if (receipt.paid_at_micros % 1'000'000 < 0) --seconds;
  int64_t of_day = (seconds + kIstOffsetSeconds) % kDay;
  if (of_day < 0) of_day += kDay;
  char buf[8];
  std::snprintf(buf, sizeof(buf), "%02d:%02d", static_cast<int>(of_day / 3600),
                static_cast<int>(of_day / 60 % 60));
  return buf;
}

}  // namespace palika::documents
