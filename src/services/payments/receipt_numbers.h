#pragma once
// Receipt numbers: "<ulb>/<fy>/<series>/<serial>", e.g. "0152/2026-27/C1/000123". A series is a
// counter's code (1-8 of A-Z and 0-9; "C1" when none is given) or "ON" for online payments. The
// serial counts 1, 2, 3, ... per ULB, financial year and series, gapless and never repeated.
//
// Why gapless: the serial is taken in a payment's decide from receipt_series(fy, series,
// last_serial) and written into the payment event; the event's apply records it back. One writer
// per ULB ledger and one transaction per batch mean that no two payments can read the same
// last_serial, a refused payment takes no number, and a restart (or a replay) continues from the
// table the ledger rebuilds.
//
// In URLs a receipt number is written either with its slashes (as the last path segments:
// /receipts/0152/2026-27/C1/000123) or with dashes (/receipts/0152-2026-27-C1-000123), because
// the router refuses an encoded '/' inside a segment; ParseReceiptNo accepts both.
//
// Errors (bilingual): InvalidArgument "invalid_counter", "invalid_receipt_no"; Conflict
// "receipt_series_full" (serial 999999 used: open a new counter code). Pure functions are
// thread-safe; the table functions run inside a transaction, like it thread-compatible.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/civil_date.h"
#include "core/status.h"
#include "ledger/projections.h"
#include "store/transaction.h"

namespace palika::payments {

inline constexpr std::string_view kDefaultCounter = "C1";
inline constexpr std::string_view kOnlineSeries = "ON";
inline constexpr int64_t kMaxReceiptSerial = 999'999;

// A counter code from a request: empty gives kDefaultCounter; otherwise 1-8 of A-Z0-9, and not
// "ON" (kept for online payments). InvalidArgument "invalid_counter" otherwise.
Result<std::string> CounterCode(std::string_view text);

struct ReceiptNo {
  std::string ulb;     // "0152"
  std::string fy;      // "2026-27"
  std::string series;  // "C1", "ON"
  int64_t serial = 0;  // 1..999999

  std::string Format() const;  // "0152/2026-27/C1/000123"
  friend bool operator==(const ReceiptNo&, const ReceiptNo&) = default;
};

// "0152/2026-27/C1/000123" or "0152-2026-27-C1-000123" (the URL form). InvalidArgument
// "invalid_receipt_no" for anything else.
Result<ReceiptNo> ParseReceiptNo(std::string_view text);

// Registers receipt_series(fy, series, last_serial) (applied by the payment event's apply).
void AddReceiptSeriesTable(ledger::Projections& p);
// The next serial of the series in that year (1 for a new one); Conflict "receipt_series_full"
// after 999999.
Result<int64_t> NextReceiptSerial(store::Transaction& tx, const std::string& fy,
                                  const std::string& series);
// Apply side: records `serial` as the series' last. Corruption unless it is exactly the next one
// (a replay in the wrong order, or a gap, would show here).
Status RecordReceiptSerial(store::Transaction& tx, const std::string& fy, const std::string& series,
                           int64_t serial);

}  // namespace palika::payments
