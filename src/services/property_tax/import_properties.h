#pragma once
// Bulk import of legacy property records from CSV (`palika import properties`); the columns are
// documented in docs/import-properties.md and in import_properties.cc.
//
// Every row is one property and one command (its owners and floors are in the same event), so a
// bad row is refused whole and never half-imported. A row's legacy_id makes its idempotency key
// ("import:<legacy_id>"), so a re-run registers nothing twice: a row imported before answers with
// the property it became. Rows are submitted from many threads at once, so the ledger's group
// commit makes one batch (one fsync) of many rows. Problems are reported row by row: line, column,
// and what is wrong in English and Hindi. A storage failure stops the import (what was committed
// stays, and a re-run carries on). Thread-compatible: one import at a time per call.

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "services/property_tax/register.h"

namespace palika::property_tax {

struct ImportProblem {
  size_t line = 0;  // 1-based line of the CSV file
  std::string legacy_id;
  std::string field;  // the column, "" for the row as a whole
  std::string message;
  std::string message_hi;
};

struct ImportedRow {
  size_t line = 0;
  std::string legacy_id;
  std::string id;        // the property id
  bool already = false;  // imported by an earlier run
};

struct ImportProgress {
  size_t done = 0;   // rows finished (imported, already there, or refused)
  size_t total = 0;  // data rows in the file
  double seconds = 0;
};

struct ImportOptions {
  std::string ulb;
  std::string actor = "import";
  std::set<int64_t> wards;  // the ULB's wards, to refuse unknown ones before submitting
  int concurrency = 256;    // commands in flight at once
  size_t chunk_rows = 16384;
  std::function<void(const ImportProgress&)> progress;  // called about 5 times a second
};

struct ImportReport {
  size_t rows = 0;
  size_t imported = 0;                     // new properties
  size_t already = 0;                      // rows an earlier run imported
  std::vector<ImportedRow> rows_imported;  // in file order, new and earlier
  std::vector<ImportProblem> problems;     // in file order
  double seconds = 0;
  bool stopped = false;  // a storage failure stopped the import early (see the last problem)
};

// Imports every row of `csv`. A Status only for a file that cannot be read as a whole (malformed
// CSV, a missing or unknown column); row problems are in the report.
Result<ImportReport> ImportProperties(PropertyRegister& reg, std::string_view csv,
                                      const ImportOptions& options);

// The report as CSV: line, legacy_id, result (imported | already_imported | refused),
// property_id, field, problem, problem_hi.
std::string ImportReportCsv(const ImportReport& report);

}  // namespace palika::property_tax
