#pragma once
// Versioned schema migrations of a ledger's database, on both engines.
//
// Every ledger (a SQLite file or a PostgreSQL schema) has a table schema_version with one row per
// migration applied: (version, applied_us, description). Ledger::Open runs, inside its opening
// transaction, every migration of kMigrations whose version is above the highest row, in order,
// and records each; a database newer than this build (a version this build does not know) is
// refused rather than written to.
//
// Tables added by a newer build need no migration: projections create missing tables, and the
// ledger fills them from its entries (ledger.cc, BuildNewTables). A migration is for changing what
// exists (a column, an index, a key). To add one: append {next version, description, function} to
// kMigrations in migrations.cc, write the function with the shared SQL subset (it runs on SQLite
// and PostgreSQL; ask db.engine() where they must differ), keep it idempotent where it can be, and
// never edit or reorder one that has shipped. Not thread-safe: the ledger's writer calls it.

#include <functional>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/database.h"

namespace palika::ledger {

struct Migration {
  int64_t version;
  std::string description;
  std::function<Status(store::Database& db)> run;
};

// Every migration, in version order.
const std::vector<Migration>& Migrations();

// The newest version this build knows.
int64_t LatestSchemaVersion();

// Creates schema_version if missing and runs the migrations the database has not had, inside the
// caller's open transaction. Corruption if the database's version is newer than this build's.
Status Migrate(store::Database& db, int64_t now_us, const std::string& where);

}  // namespace palika::ledger
