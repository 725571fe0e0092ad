#include "services/accounts/dcb_xlsx.h"

#include <fmt/format.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include <array>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "services/accounts/chart_of_accounts.h"

namespace palika::accounts {
namespace {

constexpr std::array<const char*, 13> kHeaderEn = {"Ward",
                                                   "Ward name",
                                                   "Ward name (Hindi)",
                                                   "Properties",
                                                   "Arrear demand",
                                                   "Arrear collection",
                                                   "Arrear balance",
                                                   "Current demand",
                                                   "Current collection",
                                                   "Current balance",
                                                   "Total demand",
                                                   "Total collection",
                                                   "Total balance"};
constexpr std::array<const char*, 13> kHeaderHi = {
    "वार्ड",     "वार्ड का नाम", "वार्ड का नाम (हिंदी)", "संपत्तियाँ", "बकाया मांग", "बकाया वसूली",
    "बकाया शेष", "चालू मांग",     "चालू वसूली",           "चालू शेष",  "कुल मांग",    "कुल वसूली",
    "कुल शेष"};
constexpr std::array<const char*, 13> kCsvHeader = {"ward",
                                                    "ward_name",
                                                    "ward_name_hi",
                                                    "properties",
                                                    "arrear_demand",
                                                    "arrear_collection",
                                                    "arrear_balance",
                                                    "current_demand",
                                                    "current_collection",
                                                    "current_balance",
                                                    "total_demand",
                                                    "total_collection",
                                                    "total_balance"};

std::array<Money, 9> Amounts(const DcbRow& r) {
  return {r.arrear.demand,  r.arrear.collection,  r.arrear.balance,
          r.current.demand, r.current.collection, r.current.balance,
          r.total.demand,   r.total.collection,   r.total.balance};
}

// Rupees for a spreadsheet cell; paise are integers well inside a double's exact range.
double Rupees(Money m) { return static_cast<double>(m.paise()) / 100.0; }

}  // namespace

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string DcbCsv(const DcbReport& report) {
  std::string out = "\xEF\xBB\xBF";  // UTF-8 byte-order mark
  for (size_t i = 0; i < kCsvHeader.size(); ++i) {
    out += i ? "," : "";
    out += kCsvHeader[i];
  }
  out += "\r\n";
  auto row = [&](const DcbRow& r, const std::string& ward) {
    out += ward + "," + CsvField(r.ward_name) + "," + CsvField(r.ward_name_hi) + "," +
           std::to_string(r.properties);
    for (Money m : Amounts(r)) out += "," + m.FormatPlain();
    out += "\r\n";
  };
  for (const DcbRow& r : report.rows) row(r, std::to_string(r.ward));
  row(report.total, "");
  return out;
}

namespace {

// Writes a workbook through `fill` into a temporary file and returns its bytes; `what` names it
// in errors ("DCB", "collections").
Result<std::string> WorkbookBytes(const std::string& what,
                                  const std::function<void(lxw_workbook*)>& fill) {
  std::string path_template =
      (std::filesystem::temp_directory_path() / "palika-report-XXXXXX.xlsx").string();
  const int fd = mkstemps(path_template.data(), 5);
  if (fd < 0)
    return Status::IOError("cannot create a temporary file for the " + what + " workbook");
  close(fd);
  const std::string path = path_template;
  struct Remove {
    std::string path;
    ~Remove() { std::filesystem::remove(path); }
  } remove{path};

  lxw_workbook* wb = workbook_new(path.c_str());
  if (wb == nullptr) return Status::IOError("cannot start the " + what + " workbook at " + path);
  fill(wb);
  const lxw_error err = workbook_close(wb);
  if (err != LXW_NO_ERROR) {
    return Status::IOError(
        fmt::format("cannot write the {} workbook: {}", what, lxw_strerror(err)));
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (!in.good() && !in.eof()) return Status::IOError("cannot read back the " + what + " workbook");
  return bytes.str();
}

// The formats every report sheet uses.
struct Formats {
  lxw_format* title;
  lxw_format* head;
  lxw_format* money;
  lxw_format* money_total;
  lxw_format* bold;
};
Formats AddFormats(lxw_workbook* wb) {
  Formats f;
  f.title = workbook_add_format(wb);
  format_set_bold(f.title);
  format_set_font_size(f.title, 13);
  f.head = workbook_add_format(wb);
  format_set_bold(f.head);
  format_set_text_wrap(f.head);
  format_set_bg_color(f.head, 0xDDEBF7);
  format_set_border(f.head, LXW_BORDER_THIN);
  f.money = workbook_add_format(wb);
  format_set_num_format(f.money, kIndianNumberFormat);
  f.money_total = workbook_add_format(wb);
  format_set_num_format(f.money_total, kIndianNumberFormat);
  format_set_bold(f.money_total);
  format_set_top(f.money_total, LXW_BORDER_THIN);
  f.bold = workbook_add_format(wb);
  format_set_bold(f.bold);
  format_set_top(f.bold, LXW_BORDER_THIN);
  return f;
}

// A bilingual title (rows 0 and 1) and header (row 3: "English\nहिंदी").
void WriteHead(lxw_worksheet* ws, const Formats& f, const std::string& title,
               const std::string& title_hi,
               const std::vector<std::pair<const char*, const char*>>& header) {
  worksheet_write_string(ws, 0, 0, title.c_str(), f.title);
  worksheet_write_string(ws, 1, 0, title_hi.c_str(), f.title);
  for (size_t c = 0; c < header.size(); ++c) {
    const std::string text = std::string(header[c].first) + "\n" + header[c].second;
    worksheet_write_string(ws, 3, static_cast<lxw_col_t>(c), text.c_str(), f.head);
  }
  worksheet_set_row(ws, 3, 32, nullptr);
  worksheet_freeze_panes(ws, 4, 1);
}

}  // namespace

Result<std::string> DcbXlsx(const DcbReport& report) {
  return WorkbookBytes("DCB", [&](lxw_workbook* wb) {
    const Formats f = AddFormats(wb);
    const std::string sheet_name = "DCB " + report.fy.Format();
    lxw_worksheet* ws = workbook_add_worksheet(wb, sheet_name.c_str());
    std::vector<std::pair<const char*, const char*>> header;
    for (size_t c = 0; c < kHeaderEn.size(); ++c) header.emplace_back(kHeaderEn[c], kHeaderHi[c]);
    WriteHead(
        ws, f,
        fmt::format("Demand, collection and balance of property tax, {} (₹)", report.fy.Format()),
        fmt::format("संपत्ति कर की मांग, वसूली एवं शेष पंजी, वर्ष {} (₹)", report.fy.Format()), header);
    worksheet_set_column(ws, 0, 0, 7, nullptr);
    worksheet_set_column(ws, 1, 2, 22, nullptr);
    worksheet_set_column(ws, 3, 3, 11, nullptr);
    worksheet_set_column(ws, 4, 12, 17, nullptr);
    worksheet_freeze_panes(ws, 4, 3);
    lxw_format* bold = f.bold;
    lxw_format* money = f.money;
    lxw_format* money_total = f.money_total;

    lxw_row_t row = 4;
    auto write = [&](const DcbRow& r, bool total) {
      lxw_format* text = total ? bold : nullptr;
      if (total) {
        worksheet_write_string(ws, row, 0, "", text);
      } else {
        worksheet_write_number(ws, row, 0, static_cast<double>(r.ward), nullptr);
      }
      worksheet_write_string(ws, row, 1, r.ward_name.c_str(), text);
      worksheet_write_string(ws, row, 2, r.ward_name_hi.c_str(), text);
      worksheet_write_number(ws, row, 3, static_cast<double>(r.properties), text);
      lxw_col_t col = 4;
      for (Money m : Amounts(r)) {
        worksheet_write_number(ws, row, col++, Rupees(m), total ? money_total : money);
      }
      ++row;
    };
    for (const DcbRow& r : report.rows) write(r, false);
    write(report.total, true);
  });
}

Result<std::string> CollectionSummaryXlsx(const CollectionSummary& summary) {
  return WorkbookBytes("collections", [&](lxw_workbook* wb) {
    const Formats f = AddFormats(wb);
    lxw_worksheet* ws = workbook_add_worksheet(wb, "Collections");
    const std::string period = summary.from.FormatIndian() + " - " + summary.to.FormatIndian();
    WriteHead(ws, f, "Net collections by day, mode and ward, " + period + " (₹)",
              "दिन, भुगतान के तरीके एवं वार्ड के अनुसार शुद्ध वसूली, " + period + " (₹)",
              {{"Section", "भाग"},
               {"Day, mode or ward", "दिन, तरीका या वार्ड"},
               {"Ward name", "वार्ड का नाम"},
               {"Ward name (Hindi)", "वार्ड का नाम (हिंदी)"},
               {"Receipts", "रसीदें"},
               {"Reversals", "वापसी"},
               {"Net collection", "शुद्ध वसूली"}});
    worksheet_set_column(ws, 0, 1, 14, nullptr);
    worksheet_set_column(ws, 2, 3, 22, nullptr);
    worksheet_set_column(ws, 4, 5, 11, nullptr);
    worksheet_set_column(ws, 6, 6, 17, nullptr);
    lxw_row_t row = 4;
    auto write = [&](const char* section, const CollectionTotal& t) {
      worksheet_write_string(ws, row, 0, section, nullptr);
      worksheet_write_string(ws, row, 1, t.key.c_str(), nullptr);
      worksheet_write_string(ws, row, 2, t.name.c_str(), nullptr);
      worksheet_write_string(ws, row, 3, t.name_hi.c_str(), nullptr);
      worksheet_write_number(ws, row, 4, static_cast<double>(t.receipts), nullptr);
      worksheet_write_number(ws, row, 5, static_cast<double>(t.reversals), nullptr);
      worksheet_write_number(ws, row, 6, Rupees(t.net), f.money);
      ++row;
    };
    for (const auto& t : summary.by_day) write("day", t);
    for (const auto& t : summary.by_mode) write("mode", t);
    for (const auto& t : summary.by_ward) write("ward", t);
    worksheet_write_string(ws, row, 0, "Total / कुल", f.bold);
    for (lxw_col_t c = 1; c <= 3; ++c) worksheet_write_string(ws, row, c, "", f.bold);
    worksheet_write_number(ws, row, 4, static_cast<double>(summary.receipts), f.bold);
    worksheet_write_number(ws, row, 5, static_cast<double>(summary.reversals), f.bold);
    worksheet_write_number(ws, row, 6, Rupees(summary.net), f.money_total);
  });
}

Result<std::string> TrialBalanceXlsx(const TrialBalanceReport& report) {
  return WorkbookBytes("trial balance", [&](lxw_workbook* wb) {
    const Formats f = AddFormats(wb);
    lxw_worksheet* ws = workbook_add_worksheet(wb, "Trial balance");
    const std::string on = report.on.FormatIndian();
    WriteHead(ws, f, "Trial balance on " + on + " (₹)", on + " का तलपट (₹)",
              {{"Account", "खाता"},
               {"Name", "नाम"},
               {"Name (Hindi)", "नाम (हिंदी)"},
               {"Debits", "नामे"},
               {"Credits", "जमा"},
               {"Debit balance", "नामे शेष"},
               {"Credit balance", "जमा शेष"}});
    worksheet_set_column(ws, 0, 0, 10, nullptr);
    worksheet_set_column(ws, 1, 2, 30, nullptr);
    worksheet_set_column(ws, 3, 6, 17, nullptr);
    lxw_row_t row = 4;
    for (const auto& a : report.rows) {
      const Account* acc = FindAccount(a.account);
      worksheet_write_string(ws, row, 0, a.account.c_str(), nullptr);
      worksheet_write_string(ws, row, 1, acc ? std::string(acc->name).c_str() : "", nullptr);
      worksheet_write_string(ws, row, 2, acc ? std::string(acc->name_hi).c_str() : "", nullptr);
      lxw_col_t col = 3;
      for (Money m : {a.debit, a.credit, a.debit_balance, a.credit_balance}) {
        worksheet_write_number(ws, row, col++, Rupees(m), f.money);
      }
      ++row;
    }
    worksheet_write_string(ws, row, 0, "Total / कुल", f.bold);
    worksheet_write_string(ws, row, 1, "", f.bold);
    worksheet_write_string(ws, row, 2, "", f.bold);
    lxw_col_t col = 3;
    for (Money m : {report.debit, report.credit, report.debit_balance, report.credit_balance}) {
      worksheet_write_number(ws, row, col++, Rupees(m), f.money_total);
    }
  });
}

}  // namespace palika::accounts
