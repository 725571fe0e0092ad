#pragma once
// The DCB register (reports.h's DcbReport) as files people open in a spreadsheet:
// - DcbCsv: UTF-8 with a byte-order mark (so Excel shows the Devanagari ward names), one row per
//   ward and a total row, amounts in rupees with two decimals ("123456.50").
// - DcbXlsx: a real .xlsx workbook (libxlsxwriter) with one sheet "DCB 2026-27": a bilingual
//   title and header, amounts as numbers in rupees shown with two decimals in Indian digit
//   grouping (12,34,567.00), a bold total row.
// - CollectionSummaryXlsx, TrialBalanceXlsx: reports.h's collections of a period and trial balance
//   as workbooks of the same kind (bilingual title and header, Indian grouping, a bold total).
// Errors: IOError if the workbook cannot be written (its temporary file). Thread-safe (no shared
// state; each call writes its own temporary file).

#include <string>

#include "core/status.h"
#include "services/accounts/reports.h"

namespace palika::accounts {

std::string DcbCsv(const DcbReport& report);
// A CSV field, quoted (RFC 4180) when it holds a comma, a quote or a line break.
std::string CsvField(const std::string& s);
Result<std::string> DcbXlsx(const DcbReport& report);
Result<std::string> CollectionSummaryXlsx(const CollectionSummary& summary);
Result<std::string> TrialBalanceXlsx(const TrialBalanceReport& report);

// Excel's custom number format for Indian digit grouping with two decimals. Excel groups every
// three digits for a plain "##,##,##0.00", so lakhs and crores are placed by conditions.
inline constexpr char kIndianNumberFormat[] =
    "[>=10000000]##\\,##\\,##\\,##0.00;[>=100000]##\\,##\\,##0.00;##,##0.00";

}  // namespace palika::accounts
