#include "ledger/migrations.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace palika::ledger {

const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> migrations = {
      // The schema as this build's projections create it (CREATE TABLE IF NOT EXISTS): version 1
      // marks a ledger that has it, whether it was made now or before versions were recorded.
      {1, "baseline: the ledger's tables and the projections' tables",
       [](store::Database&) { return Status::OK(); }},
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
