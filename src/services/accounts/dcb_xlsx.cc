#include "services/accounts/dcb_xlsx.h"

#include <fmt/format.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include <array>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

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

Result<std::string> DcbXlsx(const DcbReport& report) {
  std::string path_template =
      (std::filesystem::temp_directory_path() / "palika-dcb-XXXXXX.xlsx").string();
  const int fd = mkstemps(path_template.data(), 5);
  if (fd < 0) return Status::IOError("cannot create a temporary file for the DCB workbook");
  close(fd);
  const std::string path = path_template;
  struct Remove {
    std::string path;
    ~Remove() { std::filesystem::remove(path); }
  } remove{path};

  lxw_workbook* wb = workbook_new(path.c_str());
  if (wb == nullptr) return Status::IOError("cannot start the DCB workbook at " + path);
  const std::string sheet_name = "DCB " + report.fy.Format();
  lxw_worksheet* ws = workbook_add_worksheet(wb, sheet_name.c_str());
  lxw_format* title = workbook_add_format(wb);
  format_set_bold(title);
  format_set_font_size(title, 13);
  lxw_format* head = workbook_add_format(wb);
  format_set_bold(head);
  format_set_text_wrap(head);
  format_set_bg_color(head, 0xDDEBF7);
  format_set_border(head, LXW_BORDER_THIN);
  lxw_format* money = workbook_add_format(wb);
  format_set_num_format(money, kIndianNumberFormat);
  lxw_format* money_total = workbook_add_format(wb);
  format_set_num_format(money_total, kIndianNumberFormat);
  format_set_bold(money_total);
  format_set_top(money_total, LXW_BORDER_THIN);
  lxw_format* bold = workbook_add_format(wb);
  format_set_bold(bold);
  format_set_top(bold, LXW_BORDER_THIN);

  const std::string heading =
      fmt::format("Demand, collection and balance of property tax, {} (₹)", report.fy.Format());
  const std::string heading_hi =
      fmt::format("संपत्ति कर की मांग, वसूली एवं शेष पंजी, वर्ष {} (₹)", report.fy.Format());
  worksheet_write_string(ws, 0, 0, heading.c_str(), title);
  worksheet_write_string(ws, 1, 0, heading_hi.c_str(), title);
  for (size_t c = 0; c < kHeaderEn.size(); ++c) {
    const std::string text = std::string(kHeaderEn[c]) + "\n" + kHeaderHi[c];
    worksheet_write_string(ws, 3, static_cast<lxw_col_t>(c), text.c_str(), head);
  }
  worksheet_set_row(ws, 3, 32, nullptr);
  worksheet_set_column(ws, 0, 0, 7, nullptr);
  worksheet_set_column(ws, 1, 2, 22, nullptr);
  worksheet_set_column(ws, 3, 3, 11, nullptr);
  worksheet_set_column(ws, 4, 12, 17, nullptr);
  worksheet_freeze_panes(ws, 4, 3);

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

  const lxw_error err = workbook_close(wb);
  if (err != LXW_NO_ERROR) {
    return Status::IOError(fmt::format("cannot write the DCB workbook: {}", lxw_strerror(err)));
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (!in.good() && !in.eof()) return Status::IOError("cannot read back the DCB workbook");
  return bytes.str();
}

}  // namespace palika::accounts
