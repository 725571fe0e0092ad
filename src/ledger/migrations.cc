#include "ledger/migrations.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace palika::ledger {

namespace {

// Rebuilds a SQLite table with a new definition of the same columns and rows: the old one
// without the clause `dropped` (unless empty), and as a WITHOUT ROWID table if `without_rowid`
// (the rows in their PRIMARY KEY's B-tree alone: one insert a row instead of two). The rows are
// copied in the new B-tree's order (the key's, else the old rowids'): appending, not inserting all
// over it. Its other indexes go with the old table; the projections' CREATE INDEX IF NOT EXISTS,
// which runs after the migrations, makes them again. `key` names the key's columns where the
// definition has no PRIMARY KEY (...) clause of its own (a column's PRIMARY KEY). Nothing to do
// for a table that is missing (a new file: the projections create it as they define it), already
// rebuilt, or on PostgreSQL.
struct Rebuild {
  bool without_rowid = false;
  std::string key;
  std::string dropped;
};

Status RebuildTable(store::Database& db, const std::string& table, const Rebuild& how) {
  if (db.engine() != store::Engine::kSqlite) return Status::OK();
  PALIKA_ASSIGN_OR_RETURN(
      auto row,
      db.QueryOne("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", {table}));
  if (!row) return Status::OK();
  std::string sql = row->Text(0);
  const bool has_rowid = sql.find("WITHOUT ROWID") == std::string::npos;
  const size_t drop = how.dropped.empty() ? std::string::npos : sql.find(how.dropped);
  if ((!how.without_rowid || !has_rowid) && drop == std::string::npos) return Status::OK();
  // As created, or as SQLite writes the name of a renamed table.
  std::string head = "CREATE TABLE " + table + "(";
  if (sql.rfind(head, 0) != 0) head = "CREATE TABLE \"" + table + "\"(";
  if (sql.rfind(head, 0) != 0) {
    return Status::Corruption(
        fmt::format("table {} is not defined as Palika defined it: {}", table, sql));
  }
  if (drop != std::string::npos) sql.erase(drop, how.dropped.size());
  std::string order = "rowid";
  if (how.without_rowid) {
    order = how.key;
    if (order.empty()) {
      const size_t at = sql.find("PRIMARY KEY (");
      const size_t end = at == std::string::npos ? at : sql.find(')', at);
      if (end == std::string::npos) {
        return Status::Corruption(fmt::format("table {} has no PRIMARY KEY: {}", table, sql));
      }
      order = sql.substr(at + 13, end - at - 13);
    }
    if (has_rowid) sql += " WITHOUT ROWID";
  }
  const std::string rebuilt = table + "_rebuilt";
  sql.replace(0, head.size(), "CREATE TABLE " + rebuilt + "(");
  PALIKA_RETURN_IF_ERROR(db.ExecScript(sql));
  PALIKA_RETURN_IF_ERROR(
      db.ExecScript(fmt::format("INSERT INTO {1} SELECT * FROM {0} ORDER BY {2}; DROP TABLE {0};"
                                " ALTER TABLE {1} RENAME TO {0}",
                                table, rebuilt, order)));
  return Status::OK();
}

// Drops index `name` if its definition holds `old_text` (as the database shows it), so that the
// projections' CREATE INDEX IF NOT EXISTS makes it again as this build defines it.
Status DropIndexDefinedAs(store::Database& db, const std::string& name,
                          const std::string& old_text) {
  const bool sqlite = db.engine() == store::Engine::kSqlite;
  PALIKA_ASSIGN_OR_RETURN(
      auto row, db.QueryOne(sqlite ? "SELECT sql FROM sqlite_master WHERE type = 'index' AND"
                                     " name = ?"
                                   : "SELECT indexdef FROM pg_indexes WHERE schemaname ="
                                     " current_schema() AND indexname = ?",
                            {name}));
  if (!row || row->Text(0).find(old_text) == std::string::npos) return Status::OK();
  return db.ExecScript("DROP INDEX " + name);
}

}  // namespace

const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> migrations = {
      // The schema as this build's projections create it (CREATE TABLE IF NOT EXISTS): version 1
      // marks a ledger that has it, whether it was made now or before versions were recorded.
      {1, "baseline: the ledger's tables and the projections' tables",
       [](store::Database&) { return Status::OK(); }},
      // The tables the yearly demand writes and reads most, as the property-tax service now
      // defines them (services/property_tax: billing.cc, register.cc).
      {2, "pt_account, pt_demands and property_floors kept in their keys alone (WITHOUT ROWID)",
       [](store::Database& db) -> Status {
         for (const char* table : {"pt_account", "pt_demands", "property_floors"}) {
           PALIKA_RETURN_IF_ERROR(
               RebuildTable(db, table, {.without_rowid = true, .key = "", .dropped = ""}));
         }
         return Status::OK();
       }},
      // A payment dirtied a leaf page of each of these indexes (their keys scatter over counters):
      // payments loses UNIQUE (fy, series, serial) (receipt_no, its key, is those formatted one
      // to one) and payments_by_date (nothing reads it); journal_by_date is on (date) alone, so a
      // day's vouchers append (services/payments/payments.cc, services/accounts/journal.cc).
      // journal_lines and pt_advance lose their rowid (services/property_tax/billing.cc).
      // PostgreSQL gets the indexes as defined now; its tables keep the constraints they have.
      {3,
       "fewer B-trees a payment writes: payments without UNIQUE (fy, series, serial) and"
       " payments_by_date, journal_by_date on (date), journal_lines and pt_advance WITHOUT"
       " ROWID",
       [](store::Database& db) -> Status {
         PALIKA_RETURN_IF_ERROR(RebuildTable(
             db, "payments",
             {.without_rowid = false, .key = "", .dropped = ", UNIQUE (fy, series, serial)"}));
         PALIKA_RETURN_IF_ERROR(
             RebuildTable(db, "journal_lines", {.without_rowid = true, .key = "", .dropped = ""}));
         PALIKA_RETURN_IF_ERROR(RebuildTable(
             db, "pt_advance", {.without_rowid = true, .key = "property_id", .dropped = ""}));
         PALIKA_RETURN_IF_ERROR(db.ExecScript("DROP INDEX IF EXISTS payments_by_date"));
         return DropIndexDefinedAs(db, "journal_by_date", "counter");
       }},
  };
  return migrations;
}

int64_t LatestSchemaVersion() { return Migrations().back().version; }

Status Migrate(store::Database& db, int64_t now_us, const std::string& where) {
  PALIKA_RETURN_IF_ERROR(
      db.ExecScript("CREATE TABLE IF NOT EXISTS schema_version(version INTEGER PRIMARY KEY,"
                    " applied_us INTEGER NOT NULL, description TEXT NOT NULL)"));
  PALIKA_ASSIGN_OR_RETURN(auto row, db.QueryOne("SELECT COALESCE(MAX(version), 0) FROM "
                                                "schema_version"));
  const int64_t current = row ? row->Int(0) : 0;
  if (current > LatestSchemaVersion()) {
    return Status::Corruption(fmt::format(
        "{} has schema version {}, newer than this build's {}: run the newer palika on it (an "
        "older one would write what it does not understand).",
        where, current, LatestSchemaVersion()));
  }
  for (const auto& m : Migrations()) {
    if (m.version <= current) continue;
    Status s = m.run(db);
    if (!s.ok()) {
      return Status::IOError(fmt::format("{}: migration {} ({}) failed: {}", where, m.version,
                                         m.description, s.message()));
    }
    PALIKA_RETURN_IF_ERROR(
        db.Exec("INSERT INTO schema_version(version, applied_us, description) VALUES (?, ?, ?)",
                {m.version, now_us, m.description}));
    if (current > 0) spdlog::info("{}: schema migrated to version {}", where, m.version);
  }
  return Status::OK();
}

}  // namespace palika::ledger
