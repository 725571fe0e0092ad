// palika subcommands: verify-receipt, receipt.
//
//   palika verify-receipt CODE --key node.pub      offline check with only a public key; exit 0
//                                                  genuine, 3 not genuine, 2 unreadable key
//   palika receipt pdf --data DIR --ulb CODE --receipt NO --out FILE [--layout a4|thermal]
//                                                  reprints a receipt from its ledger entry
//                                                  (takes the data directory's lock: stop the
//                                                  server first, or use the API's .pdf link)

#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

#include "cli/app.h"
#include "cli/commands.h"
#include "documents/verify_receipt_cli.h"
#include "http/api/payment_api.h"
#include "services/payments/payments.h"
#include "services/payments/receipt_numbers.h"

namespace palika::cli {

namespace {

struct VerifyReceiptOptions {
  std::string code;
  std::string key_file;
};

struct ReceiptPdfOptions {
  std::string dir;
  std::string ulb;
  std::string receipt;
  std::string out;
  std::string layout = "a4";
};

int RunVerifyReceipt(const VerifyReceiptOptions& o) {
  std::ifstream in(o.key_file);
  if (!in) {
    std::cerr << "error: cannot read the public key file " << o.key_file
              << " (give node.pub of the data directory, or a ULB's receipt key)\n"
              << "त्रुटि: सार्वजनिक कुंजी फ़ाइल " << o.key_file
              << " पढ़ी नहीं जा सकी (डेटा निर्देशिका की node.pub दें)\n";
    return documents::kVerifyBadKey;
  }
  std::stringstream text;
  text << in.rdbuf();
  return documents::VerifyReceiptCommand(o.code, text.str());
}

int RunReceiptPdf(const ReceiptPdfOptions& o) {
  auto no = payments::ParseReceiptNo(o.receipt);
  if (!no.ok()) return Fail(no.status());
  if (o.layout != "a4" && o.layout != "thermal") {
    return Fail(Status::InvalidArgument("invalid_field", "--layout must be a4 or thermal.",
                                        "--layout a4 या thermal होना चाहिए।"));
  }
  auto app = App::Open(o.dir);
  if (!app.ok()) return Fail(app.status());
  auto p = payments::Payments((*app)->ledgers()).Get(o.ulb, no->Format());
  if (!p.ok()) return Fail(p.status());
  auto pdf = http::ReceiptPdfOf(
      *p, (*app)->ledgers().node_signer(),
      o.layout == "thermal" ? documents::Layout::kThermal80mm : documents::Layout::kA4);
  if (!pdf.ok()) return Fail(pdf.status());
  std::ofstream out(o.out, std::ios::binary | std::ios::trunc);
  out.write(pdf->data(), static_cast<std::streamsize>(pdf->size()));
  out.close();
  if (!out) {
    return Fail(Status::IOError("could not write " + o.out));
  }
  std::cout << "Receipt " << p->receipt_no << " (" << p->amount.Format() << ", " << p->status
            << ") written to " << o.out << "\n";
  return 0;
}

}  // namespace

void AddPaymentCommands(CLI::App& cli, std::vector<CommandRun>& runs) {
  auto verify_opts = std::make_shared<VerifyReceiptOptions>();
  auto* verify = cli.add_subcommand(
      "verify-receipt", "Check a receipt code (or scanned /verify/ URL) offline with a public key");
  verify->add_option("code", verify_opts->code, "The receipt code or the URL in its QR code")
      ->required();
  verify->add_option("--key", verify_opts->key_file, "Public key file (node.pub)")->required();
  runs.push_back({verify, [verify_opts] { return RunVerifyReceipt(*verify_opts); }});

  auto pdf_opts = std::make_shared<ReceiptPdfOptions>();
  auto* receipt = cli.add_subcommand("receipt", "Receipts");
  receipt->require_subcommand(1);
  auto* pdf = receipt->add_subcommand("pdf", "Reprint a receipt as PDF from its ledger entry");
  pdf->add_option("--data", pdf_opts->dir, "Data directory")->required();
  pdf->add_option("--ulb", pdf_opts->ulb, "ULB code")->required();
  pdf->add_option("--receipt", pdf_opts->receipt, "Receipt number (0152/2026-27/C1/000123)")
      ->required();
  pdf->add_option("--out", pdf_opts->out, "PDF file to write")->required();
  pdf->add_option("--layout", pdf_opts->layout, "a4 (default) or thermal (80 mm)");
  runs.push_back({pdf, [pdf_opts] { return RunReceiptPdf(*pdf_opts); }});
}

}  // namespace palika::cli
