#include "services/payments/receipt_numbers.h"

#include <fmt/format.h>

#include <vector>

#include "core/ids.h"

namespace palika::payments {

namespace {

bool IsSeriesText(std::string_view s) {
  if (s.empty() || s.size() > 8) return false;
  for (char c : s) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

Status BadReceiptNo(std::string_view text) {
  const std::string shown(text.substr(0, 60));
  return Status::InvalidArgument(
      "invalid_receipt_no",
      "'" + shown +
          "' is not a receipt number; it looks like 0152/2026-27/C1/000123 (ULB, financial year, "
          "counter, serial), or 0152-2026-27-C1-000123 in a link.",
      "'" + shown +
          "' रसीद क्रमांक नहीं है; यह 0152/2026-27/C1/000123 (निकाय, वित्तीय वर्ष, काउंटर, क्रमांक) "
          "जैसा होता है, लिंक में 0152-2026-27-C1-000123।");
}

}  // namespace

Result<std::string> CounterCode(std::string_view text) {
  if (text.empty()) return std::string(kDefaultCounter);
  if (!IsSeriesText(text) || text == kOnlineSeries) {
    const std::string shown(text.substr(0, 20));
    return Status::InvalidArgument(
        "invalid_counter",
        "Field 'counter': '" + shown +
            "' is not a counter code; use 1 to 8 capital letters or digits, such as C1 (ON is "
            "kept for online payments).",
        "फ़ील्ड 'counter': '" + shown +
            "' काउंटर कोड नहीं है; 1 से 8 बड़े अक्षर या अंक लिखें, जैसे C1 (ON ऑनलाइन भुगतान के लिए "
            "आरक्षित है)।");
  }
  return std::string(text);
}

std::string ReceiptNo::Format() const {
  return fmt::format("{}/{}/{}/{:06d}", ulb, fy, series, serial);
}

Result<ReceiptNo> ParseReceiptNo(std::string_view text) {
  // Split from the end: serial, series, then the financial year (which has a dash of its own),
  // and what remains is the ULB code. The separator is '/' throughout or '-' throughout.
  if (text.size() < 4 + 1 + 7 + 1 + 1 + 1 + 6 || text.size() > 40) return BadReceiptNo(text);
  const char sep = text[4];
  if (sep != '/' && sep != '-') return BadReceiptNo(text);
  ReceiptNo out;
  out.ulb = std::string(text.substr(0, 4));
  if (!IsValidUlbCode(out.ulb)) return BadReceiptNo(text);
  std::string_view rest = text.substr(5);
  if (rest.size() < 7 + 1) return BadReceiptNo(text);
  out.fy = std::string(rest.substr(0, 7));
  if (!FinancialYear::Parse(out.fy).ok() || rest[7] != sep) return BadReceiptNo(text);
  rest = rest.substr(8);
  const size_t last = rest.rfind(sep);
  if (last == std::string_view::npos) return BadReceiptNo(text);
  out.series = std::string(rest.substr(0, last));
  const std::string_view serial = rest.substr(last + 1);
  if (!IsSeriesText(out.series) || serial.size() != 6) return BadReceiptNo(text);
  for (char c : serial) {
    if (c < '0' || c > '9') return BadReceiptNo(text);
    out.serial = out.serial * 10 + (c - '0');
  }
  if (out.serial < 1) return BadReceiptNo(text);
  return out;
}

void AddReceiptSeriesTable(ledger::Projections& p) {
  p.AddTable("receipt_series",
             "CREATE TABLE IF NOT EXISTS receipt_series(fy TEXT NOT NULL, series TEXT NOT NULL,"
             " last_serial INTEGER NOT NULL, PRIMARY KEY (fy, series))",
             "fy, series");
}

Result<int64_t> NextReceiptSerial(store::Transaction& tx, const std::string& fy,
                                  const std::string& series) {
  PALIKA_ASSIGN_OR_RETURN(
      auto row, tx.QueryOne("SELECT last_serial FROM receipt_series WHERE fy = ? AND series = ?",
                            {fy, series}));
  const int64_t next = row ? row->Int(0) + 1 : 1;
  if (next > kMaxReceiptSerial) {
    return Status::Conflict(
        "receipt_series_full",
        fmt::format("Counter {} has issued all {} receipt numbers of {}. Collect at another "
                    "counter code (ask the ULB admin for a new one).",
                    series, kMaxReceiptSerial, fy),
        fmt::format("काउंटर {} ने {} के सभी {} रसीद क्रमांक जारी कर दिए हैं। किसी दूसरे काउंटर कोड "
                    "पर वसूली करें (निकाय व्यवस्थापक से नया कोड लें)।",
                    series, fy, kMaxReceiptSerial));
  }
  return next;
}

Status RecordReceiptSerial(store::Transaction& tx, const std::string& fy, const std::string& series,
                           int64_t serial) {
  // The next serial is taken only if the series stands at the one before it: one statement
  // (an insert for a new series, else an update conditioned on the last serial), and the row is
  // read only to say what went wrong.
  int64_t changed = 0;
  if (serial == 1) {
    PALIKA_RETURN_IF_ERROR(
        tx.Exec("INSERT INTO receipt_series(fy, series, last_serial) VALUES (?, ?, 1) "
                "ON CONFLICT(fy, series) DO NOTHING",
                {fy, series}, &changed));
  } else {
    PALIKA_RETURN_IF_ERROR(
        tx.Exec("UPDATE receipt_series SET last_serial = ? "
                "WHERE fy = ? AND series = ? AND last_serial = ?",
                {serial, fy, series, serial - 1}, &changed));
  }
  if (changed == 1) return Status::OK();
  PALIKA_ASSIGN_OR_RETURN(
      auto row, tx.QueryOne("SELECT last_serial FROM receipt_series WHERE fy = ? AND series = ?",
                            {fy, series}));
  const int64_t expected = row ? row->Int(0) + 1 : 1;
  return Status::Corruption(
      fmt::format("receipt series {}/{}: a payment event has serial {}, but the next serial is {}",
                  fy, series, serial, expected));
}

}  // namespace palika::payments
