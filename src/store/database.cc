#include "store/database.h"

#include "store/postgres/database.h"
#include "store/sqlite/database.h"

namespace palika::store {

std::string_view EngineName(Engine engine) {
  return engine == Engine::kPostgres ? "postgres" : "sqlite";
}

Engine EngineOf(const Transaction& tx) {
  const auto* db = dynamic_cast<const Database*>(&tx);
  return db ? db->engine() : Engine::kSqlite;
}

Location Location::Postgres(std::string url, std::string schema) {
  Location l;
  l.engine = Engine::kPostgres;
  l.url = std::move(url);
  l.schema = std::move(schema);
  return l;
}

std::string Location::ToString() const {
  if (engine == Engine::kSqlite) return file.string();
  // postgresql://user:secret@host/db -> postgresql://user@host/db; password=... is dropped.
  std::string shown = url;
  if (auto scheme = shown.find("://"); scheme != std::string::npos) {
    auto at = shown.find('@', scheme + 3);
    auto colon = shown.find(':', scheme + 3);
    if (at != std::string::npos && colon != std::string::npos && colon < at) {
      shown.erase(colon, at - colon);
    }
  } else if (auto pw = shown.find("password="); pw != std::string::npos) {
    auto end = shown.find(' ', pw);
    shown.erase(pw, end == std::string::npos ? std::string::npos : end - pw + 1);
  }
  return shown + " schema " + schema;
}

Result<std::unique_ptr<Database>> OpenDatabase(const Location& location,
                                               const OpenOptions& options) {
  if (location.engine == Engine::kSqlite) {
    sqlite::OpenOptions o;
    o.create = options.create;
    o.read_only = options.read_only;
    o.deferred_sync = options.deferred_sync;
    o.manual_wal_checkpoint = options.manual_wal_checkpoint;
    PALIKA_ASSIGN_OR_RETURN(auto db, sqlite::Database::Open(location.file, o));
    return std::unique_ptr<Database>(std::move(db));
  }
  PALIKA_ASSIGN_OR_RETURN(auto db, postgres::Database::Open(location, options));
  return std::unique_ptr<Database>(std::move(db));
}

Result<std::unique_ptr<Database>> OpenScratch(const Location& like) {
  if (like.engine == Engine::kPostgres) {
    PALIKA_ASSIGN_OR_RETURN(auto db, postgres::Database::OpenScratch(like.url));
    return std::unique_ptr<Database>(std::move(db));
  }
  sqlite::OpenOptions o;
  o.create = true;
  o.in_memory = true;
  PALIKA_ASSIGN_OR_RETURN(auto db, sqlite::Database::Open("", o));
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace palika::store
