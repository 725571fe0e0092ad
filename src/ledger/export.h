#pragma once
// ExportLedgerFile: one ULB's complete data in plain files, for a successor system, an auditor or
// a court — nothing Palika-specific needed to read it (`palika export`).
//
// The export directory holds:
//   README.md        what each file is; every table's columns, types and key; how to check it
//   tables/<t>.csv   every table of the record (the projections and the ledger's own tables:
//                    ledger_entries with each entry's canonical JSON payload, ledger_checkpoints,
//                    idempotency_keys), rows in key order; RFC 4180 CSV in UTF-8 with a header
//                    row; NULL is an empty field, bytes are lowercase hex
//   checkpoint.txt   the latest signed checkpoint (C2SP signed note)
//   node.pub         the node's public key that signs it
//   SHA256SUMS       SHA-256 of every other file (`sha256sum -c SHA256SUMS`)
// Tables outside the record (search indexes, caches) are not exported; README.md names them.
//
// The file is read in one read snapshot, so the export is consistent even while the server
// writes. The files are written to a temporary directory beside `to` and renamed at the end: a
// directory named `to` is always a complete export. Errors: Conflict "export_exists" if `to`
// exists; the store's errors. Thread-compatible.

#include <cstdint>
#include <filesystem>
#include <string>

#include "core/status.h"
#include "ledger/projections.h"

namespace palika::ledger {

struct ExportReport {
  std::string ulb;
  uint64_t entries = 0;  // ledger entries exported
  size_t tables = 0;     // CSV files written
  uint64_t rows = 0;     // rows over all tables
  uint64_t bytes = 0;    // bytes written
};

Result<ExportReport> ExportLedgerFile(const std::filesystem::path& file, const std::string& ulb,
                                      const Projections& projections,
                                      const std::string& node_public_key,
                                      const std::filesystem::path& to);

// One CSV field as RFC 4180 writes it: quoted when it holds a comma, quote, CR or LF (quotes
// doubled inside), else as is.
std::string CsvField(std::string_view text);

}  // namespace palika::ledger
