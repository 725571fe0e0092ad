// palika subcommands: accounts reports.
//
//   palika report dcb --data DIR --ulb CODE --fy 2026-27 --out FILE.xlsx|FILE.csv
//        the demand-collection-balance register of property tax by ward, as a workbook or a
//        UTF-8 CSV (chosen by the file's extension). Takes the data directory's lock: stop the
//        server first, or download it from GET /api/v1/ulbs/{ulb}/reports/dcb?format=xlsx.

#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "cli/app.h"
#include "cli/commands.h"
#include "services/accounts/dcb_xlsx.h"
#include "services/accounts/reports.h"

namespace palika::cli {

namespace {

struct DcbOptions {
  std::string dir;
  std::string ulb;
  std::string fy;
  std::string out;
};

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

int RunDcb(const DcbOptions& o) {
  auto fy = FinancialYear::Parse(o.fy);
  if (!fy.ok()) {
    return Fail(Status::InvalidArgument("invalid_field",
                                        "--fy must be a financial year written like 2026-27.",
                                        "--fy वित्तीय वर्ष 2026-27 जैसे लिखें।"));
  }
  const bool xlsx = EndsWith(o.out, ".xlsx");
  if (!xlsx && !EndsWith(o.out, ".csv")) {
    return Fail(Status::InvalidArgument("invalid_field", "--out must name a .xlsx or a .csv file.",
                                        "--out किसी .xlsx या .csv फ़ाइल का नाम हो।"));
  }
  auto app = App::Open(o.dir);
  if (!app.ok()) return Fail(app.status());
  auto ledger = (*app)->ledgers().Ulb(o.ulb);
  if (!ledger.ok()) return Fail(ledger.status());
  std::optional<accounts::DcbReport> report;
  Status s = (*ledger)->Read([&](store::Transaction& tx) -> Status {
    PALIKA_ASSIGN_OR_RETURN(report, accounts::DcbRegister(tx, *fy));
    return Status::OK();
  });
  if (!s.ok()) return Fail(s);
  std::string bytes;
  if (xlsx) {
    auto file = accounts::DcbXlsx(*report);
    if (!file.ok()) return Fail(file.status());
    bytes = std::move(*file);
  } else {
    bytes = accounts::DcbCsv(*report);
  }
  std::ofstream out(o.out, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) return Fail(Status::IOError("could not write " + o.out));
  std::cout << "DCB register of ULB " << o.ulb << " for " << fy->Format() << ": "
            << report->rows.size() << " wards, balance " << report->total.total.balance.Format()
            << ", written to " << o.out << "\n";
  return 0;
}

}  // namespace

void AddAccountsCommands(CLI::App& cli, std::vector<CommandRun>& runs) {
  auto dcb_opts = std::make_shared<DcbOptions>();
  auto* report = cli.add_subcommand("report", "Reports of the accounts");
  report->require_subcommand(1);
  auto* dcb = report->add_subcommand(
      "dcb", "Demand, collection and balance of property tax by ward, as .xlsx or .csv");
  dcb->add_option("--data", dcb_opts->dir, "Data directory")->required();
  dcb->add_option("--ulb", dcb_opts->ulb, "ULB code")->required();
  dcb->add_option("--fy", dcb_opts->fy, "Financial year (2026-27)")->required();
  dcb->add_option("--out", dcb_opts->out, "File to write (.xlsx or .csv)")->required();
  runs.push_back({dcb, [dcb_opts] { return RunDcb(*dcb_opts); }});
}

}  // namespace palika::cli
