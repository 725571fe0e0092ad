#include "ledger/migrations.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace palika::ledger {

namespace {

// Rebuilds a SQLite rowid table with a PRIMARY KEY as a WITHOUT ROWID table of the same columns,
// key and rows (the rows in the key's B-tree alone: one insert a row instead of two). Its other
// indexes go with the old table; the projections' CREATE INDEX IF NOT EXISTS, which runs after
// the migrations, makes them again. Nothing to do for a table that is missing (a new file: the
// projections create it as they define it), already converted, or on PostgreSQL.
Status RebuildWithoutRowid(store::Database& db, const std::string& table) {
  if (db.engine() != store::Engine::kSqlite) return Status::OK();
  PALIKA_ASSIGN_OR_RETURN(
      auto row,
      db.QueryOne("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", {table}));
  if (!row) return Status::OK();
  std::string sql = row->Text(0);
  if (sql.find("WITHOUT ROWID") != std::string::npos) return Status::OK();
  // As created, or as SQLite writes the name of a renamed table.
  std::string head = "CREATE TABLE " + table + "(";
  if (sql.rfind(head, 0) != 0) head = "CREATE TABLE \"" + table + "\"(";
  if (sql.rfind(head, 0) != 0) {
    return Status::Corruption(
        fmt::format("table {} is not defined as Palika defined it: {}", table, sql));
  }
  // Copied in key order: appending to the new B-tree, not inserting all over it.
  const size_t key = sql.find("PRIMARY KEY (");
  const size_t key_end = key == std::string::npos ? key : sql.find(')', key);
  if (key_end == std::string::npos) {
    return Status::Corruption(fmt::format("table {} has no PRIMARY KEY: {}", table, sql));
  }
  const std::string key_columns = sql.substr(key + 13, key_end - key - 13);
  const std::string rebuilt = table + "_without_rowid";
  sql.replace(0, head.size(), "CREATE TABLE " + rebuilt + "(");
  PALIKA_RETURN_IF_ERROR(db.ExecScript(sql + " WITHOUT ROWID"));
  PALIKA_RETURN_IF_ERROR(
      db.ExecScript(fmt::format("INSERT INTO {1} SELECT * FROM {0} ORDER BY {2}; DROP TABLE {0};"
                                " ALTER TABLE {1} RENAME TO {0}",
                                table, rebuilt, key_columns)));
  return Status::OK();
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
           PALIKA_RETURN_IF_ERROR(RebuildWithoutRowid(db, table));
         }
         return Status::OK();
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
