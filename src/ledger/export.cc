#include "ledger/export.h"

#include <fmt/format.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <vector>

#include "core/civil_date.h"
#include "core/encoding.h"
#include "ledger/ledger.h"
#include "store/sqlite/database.h"

namespace palika::ledger {
namespace fs = std::filesystem;

namespace {

struct Column {
  std::string name;
  std::string type;
  bool not_null = false;
};

std::string CsvValue(const store::Value& v) {
  if (std::holds_alternative<std::monostate>(v)) return "";
  if (const auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (const auto* s = std::get_if<std::string>(&v)) return CsvField(*s);
  return HexEncode(std::get<store::Blob>(v).bytes);
}

// Writes `text` to `path` and remembers its hash for SHA256SUMS.
class Writer {
 public:
  explicit Writer(fs::path root) : root_(std::move(root)) {}

  Status Open(const std::string& name) {
    name_ = name;
    hash_input_.clear();
    out_.open(root_ / name, std::ios::binary | std::ios::trunc);
    if (!out_) return Status::IOError("cannot create " + (root_ / name).string());
    return Status::OK();
  }
  void Write(std::string_view text) {
    out_ << text;
    hash_input_ += text;
    bytes_ += text.size();
  }
  Status Close() {
    out_.close();
    if (!out_) return Status::IOError("cannot write " + (root_ / name_).string() + " (disk full?)");
    sums_ += HexEncode(Sha256(hash_input_)) + "  " + name_ + "\n";
    hash_input_.clear();
    return Status::OK();
  }
  Status WriteFile(const std::string& name, std::string_view text) {
    PALIKA_RETURN_IF_ERROR(Open(name));
    Write(text);
    return Close();
  }
  const std::string& sums() const { return sums_; }
  uint64_t bytes() const { return bytes_; }

 private:
  fs::path root_;
  std::ofstream out_;
  std::string name_;
  std::string hash_input_;  // the file's bytes, hashed on Close
  std::string sums_;
  uint64_t bytes_ = 0;
};

}  // namespace

std::string CsvField(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

Result<ExportReport> ExportLedgerFile(const fs::path& file, const std::string& ulb,
                                      const Projections& projections,
                                      const std::string& node_public_key, const fs::path& to) {
  std::error_code ec;
  if (fs::exists(to, ec)) {
    return Status::Conflict(
        "export_exists",
        to.string() +
            " already exists. Export into a new directory, so that no older export is "
            "mixed with this one.",
        to.string() + " पहले से मौजूद है। नई निर्देशिका में निर्यात करें, ताकि कोई पुराना निर्यात इसमें न मिले।");
  }
  store::sqlite::OpenOptions ro;
  ro.read_only = true;
  PALIKA_ASSIGN_OR_RETURN(auto db, store::sqlite::Database::Open(file, ro));
  PALIKA_RETURN_IF_ERROR(db->Begin());  // one snapshot for every table

  const fs::path tmp =
      to.parent_path() / (to.filename().string() + ".partial-" + std::to_string(::getpid()));
  fs::remove_all(tmp, ec);
  fs::create_directories(tmp / "tables", ec);
  if (ec) return Status::IOError("cannot create " + tmp.string() + ": " + ec.message());
  auto cleanup = [&] { fs::remove_all(tmp, ec); };

  ExportReport report;
  report.ulb = ulb;
  Writer w(tmp);
  std::string schema;  // the README's table descriptions
  std::vector<Projections::Table> tables = LedgerTables().tables();
  tables.insert(tables.end(), projections.tables().begin(), projections.tables().end());
  for (const auto& t : tables) {
    // Columns in their declared order (the CSV header).
    std::vector<Column> columns;
    Status s = db->ForEach("SELECT name, type, \"notnull\" FROM pragma_table_info(?)", {t.name},
                           [&](const store::Row& r) {
                             columns.push_back({r.Text(0), r.Text(1), r.Int(2) != 0});
                             return true;
                           });
    if (!s.ok()) return cleanup(), s;
    if (columns.empty()) continue;  // a table this file does not have yet
    std::string header;
    for (const auto& c : columns) header += (header.empty() ? "" : ",") + CsvField(c.name);
    if ((s = w.Open("tables/" + t.name + ".csv")); !s.ok()) return cleanup(), s;
    w.Write(header + "\r\n");
    uint64_t rows = 0;
    s = db->ForEach("SELECT * FROM " + t.name + " ORDER BY " + t.order_by, {},
                    [&](const store::Row& r) {
                      std::string line;
                      for (size_t i = 0; i < r.size(); ++i) {
                        if (i) line += ',';
                        line += CsvValue(r.at(i));
                      }
                      w.Write(line + "\r\n");
                      ++rows;
                      return true;
                    });
    if (!s.ok()) return cleanup(), s;
    if ((s = w.Close()); !s.ok()) return cleanup(), s;
    if (t.name == "ledger_entries") report.entries = rows;
    report.rows += rows;
    ++report.tables;
    schema += fmt::format("### tables/{}.csv — {} rows, key ({})\n\n| column | type |\n|---|---|\n",
                          t.name, rows, t.order_by);
    for (const auto& c : columns) {
      schema += fmt::format("| {} | {}{} |\n", c.name, c.type.empty() ? "any" : c.type,
                            c.not_null ? ", not null" : "");
    }
    schema += "\n";
  }

  // The latest checkpoint: what the entries must hash to.
  auto cp = db->QueryOne("SELECT note, size FROM ledger_checkpoints ORDER BY size DESC LIMIT 1");
  if (!cp.ok()) return cleanup(), cp.status();
  const std::string note = *cp ? (**cp).Text(0) : "";
  const int64_t cp_size = *cp ? (**cp).Int(1) : 0;
  (void)db->Rollback();

  std::string unrecorded;
  for (const auto& u : projections.unrecorded_tables()) {
    unrecorded += fmt::format("- `{}`: {}\n", u.name, u.reason);
  }
  const std::string readme = fmt::format(
      R"(# Palika export of ULB {ulb}

Written {when} from `{file}`: {entries} ledger entries, {tables} tables, {rows} rows.
This directory is everything Palika holds for the ULB, in plain files that need no Palika to
read. Check that nothing changed since it was written with `sha256sum -c SHA256SUMS`.

## Files

- `tables/*.csv`: every table, one file each, rows in key order. RFC 4180 CSV, UTF-8 (Hindi
  text as is), a header row, CRLF line ends; an empty field is NULL; bytes are lowercase hex.
  Money is in paise (1 rupee = 100 paise), times are microseconds since 1970-01-01 UTC (`*_us`),
  dates are ISO (YYYY-MM-DD), financial years are written 2026-27.
- `tables/ledger_entries.csv`: the ledger itself, the record every other table is computed from:
  one row per entry (origin node, gapless sequence number, ULB, time, acting user id, event
  type, payload as canonical JSON). Replaying these entries in order through Palika's apply
  functions rebuilds every other table exactly. The byte encoding that the Merkle tree hashes is
  in Palika's docs/ledger-format.md.
- `checkpoint.txt`: the latest signed checkpoint (C2SP tlog-checkpoint in a signed note) over the
  first {cp_size} entries: the RFC 6962 Merkle root of the entries, signed with the node's Ed25519
  key. Any change to an entry changes the root.
- `node.pub`: that key (signed-note verifier key form: name+hash+base64 key).
- `SHA256SUMS`: SHA-256 of every other file.

## Tables not exported

These are not part of the record (derived or short-lived) and are rebuilt by Palika:

{unrecorded}
## Tables

{schema})",
      fmt::arg("ulb", ulb), fmt::arg("when", FormatUtcMicros(NowMicros())),
      fmt::arg("file", file.filename().string()), fmt::arg("entries", report.entries),
      fmt::arg("tables", report.tables), fmt::arg("rows", report.rows),
      fmt::arg("cp_size", cp_size),
      fmt::arg("unrecorded", unrecorded.empty() ? "- none\n" : unrecorded),
      fmt::arg("schema", schema));
  Status s = w.WriteFile("README.md", readme);
  if (s.ok()) s = w.WriteFile("checkpoint.txt", note);
  if (s.ok()) s = w.WriteFile("node.pub", node_public_key + "\n");
  if (s.ok()) {
    std::ofstream sums(tmp / "SHA256SUMS", std::ios::binary);
    sums << w.sums();
    sums.close();
    if (!sums) s = Status::IOError("cannot write " + (tmp / "SHA256SUMS").string());
  }
  if (!s.ok()) return cleanup(), s;
  fs::rename(tmp, to, ec);
  if (ec) {
    cleanup();
    return Status::IOError("cannot rename " + tmp.string() + " to " + to.string() + ": " +
                           ec.message());
  }
  report.bytes = w.bytes();
  return report;
}

}  // namespace palika::ledger
