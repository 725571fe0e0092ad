#include "store/sqlite/database.h"

#include <fmt/format.h>

#include <algorithm>

#include "store/sqlite/fault_vfs.h"

namespace palika::store::sqlite {

Result<std::unique_ptr<Database>> Database::Open(const std::filesystem::path& path,
                                                 const OpenOptions& options) {
  int flags = SQLITE_OPEN_NOMUTEX;
  flags |= options.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
  if (options.create && !options.read_only) flags |= SQLITE_OPEN_CREATE;
  std::string name = options.in_memory ? ":memory:" : path.string();
  if (!options.in_memory && !options.create && !std::filesystem::exists(path)) {
    return Status::NotFound("database_missing",
                            "Database file " + path.string() + " does not exist.",
                            "डेटाबेस फ़ाइल " + path.string() + " मौजूद नहीं है।");
  }
  sqlite3* db = nullptr;
  // Every file goes through the fault-injection seam (a pass-through unless a test sets a fault).
  int rc = sqlite3_open_v2(name.c_str(), &db, flags, FaultVfsName());
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return Status::IOError(fmt::format("cannot open {}: {}", path.string(), msg));
  }
  std::unique_ptr<Database> out(new Database(db, options.in_memory ? "" : path));
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, 10000);
  if (!options.in_memory) {
    // WAL: readers never block the writer; FULL: a returned COMMIT survives power loss.
    // temp_store=MEMORY keeps a savepoint's undo journal (the ledger writer opens one per command)
    // in memory instead of spilling it to a temporary file once it passes 64 KiB: those writes
    // were ~15% of the writer's CPU in the payment benchmark, and the demand raise (500
    // properties a command) runs ~45% faster without them. The journal only serves ROLLBACK TO
    // inside a transaction; what a COMMIT makes durable (the WAL, synced) is unchanged.
    //
    // The ledger's writer (deferred_sync) runs synchronous=NORMAL instead: COMMIT writes the WAL
    // frames without an fsync, so the writer can go on with its next batch while its sync step
    // (SyncCommitted on another thread) makes this one durable; the ledger answers a command only
    // after that. NORMAL still syncs the WAL before SQLite checkpoints it into the main file.
    std::string pragmas = options.read_only ? "PRAGMA query_only=ON;"
                          : options.deferred_sync
                              ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                                "PRAGMA temp_store=MEMORY;"
                              : "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                                "PRAGMA temp_store=MEMORY;";
    Status s = out->ExecScript(pragmas);
    if (!s.ok()) return s;
    if (options.deferred_sync) {
      // Only a WAL can be synced on its own; a file that refused WAL mode keeps FULL.
      auto mode = out->QueryOne("PRAGMA journal_mode");
      if (!mode.ok()) return mode.status();
      if (*mode && (*mode)->Text(0) == "wal") {
        out->deferred_sync_ = true;
      } else {
        s = out->ExecScript("PRAGMA synchronous=FULL;");
        if (!s.ok()) return s;
      }
    }
  }
  if (options.manual_wal_checkpoint && !options.read_only && !options.in_memory) {
    // No checkpoint inside COMMIT: SQLite's automatic one is a WAL hook, replaced by ours, which
    // only counts. Whoever opened the connection checkpoints (the ledger: a thread of its own).
    sqlite3_wal_autocheckpoint(db, 0);
    sqlite3_wal_hook(db, &Database::OnWalCommit, out.get());
  }
  Status s = out->ExecScript("PRAGMA foreign_keys=ON; PRAGMA trusted_schema=OFF;");
  if (!s.ok()) return s;
  return out;
}

int Database::OnWalCommit(void* self, sqlite3*, const char*, int frames) {
  static_cast<Database*>(self)->wal_frames_.store(static_cast<uint64_t>(std::max(frames, 0)),
                                                  std::memory_order_relaxed);
  return SQLITE_OK;
}

Result<WalCheckpoint> Database::CheckpointWal() {
  if (path_.empty()) return WalCheckpoint{};  // in memory: no WAL
  int frames = -1;
  int backfilled = -1;
  const int rc =
      sqlite3_wal_checkpoint_v2(db_, "main", SQLITE_CHECKPOINT_PASSIVE, &frames, &backfilled);
  if (rc == SQLITE_BUSY) return WalCheckpoint{true, 0, 0};  // another connection checkpoints
  const std::string where = fmt::format("WAL checkpoint of {}", path_.string());
  if (rc == SQLITE_IOERR_FSYNC) {
    return Status::Unavailable("storage_sync_failed",
                               fmt::format("{}: a sync failed: {}", where, sqlite3_errmsg(db_)),
                               "डिस्क पर सहेजना (sync) विफल हुआ; सिस्टम प्रशासक को सूचित करें।");
  }
  if (rc != SQLITE_OK) return Error(rc, where);
  WalCheckpoint out{false, static_cast<uint64_t>(std::max(frames, 0)),
                    static_cast<uint64_t>(std::max(backfilled, 0))};
  if (out.backfilled > 0) {
    sqlite3_file* file = nullptr;
    if (sqlite3_file_control(db_, "main", SQLITE_FCNTL_FILE_POINTER, &file) == SQLITE_OK &&
        file != nullptr && file->pMethods != nullptr) {
      const int sync = file->pMethods->xSync(file, SQLITE_SYNC_NORMAL);
      if (sync != SQLITE_OK) {
        return Status::Unavailable(
            "storage_sync_failed",
            fmt::format("{}: syncing the database file failed: {}", where, sqlite3_errstr(sync)),
            "डिस्क पर सहेजना (sync) विफल हुआ; सिस्टम प्रशासक को सूचित करें।");
      }
    }
  }
  return out;
}

Database::~Database() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

Status Database::Commit() {
  PALIKA_RETURN_IF_ERROR(Exec("COMMIT"));
  if (deferred_sync_ && wal_.load(std::memory_order_relaxed) == nullptr) {
    // In WAL mode the journal pointer is the WAL file (SQLite's object, over the fault VFS). It
    // is opened with the connection's first transaction and kept until the connection closes.
    sqlite3_file* file = nullptr;
    if (sqlite3_file_control(db_, "main", SQLITE_FCNTL_JOURNAL_POINTER, &file) == SQLITE_OK &&
        file != nullptr && file->pMethods != nullptr) {
      wal_.store(file, std::memory_order_release);
    }
  }
  return Status::OK();
}

Status Database::SyncWal() {
  if (path_.empty()) return Status::OK();  // in memory
  sqlite3_file* file = nullptr;
  if (sqlite3_file_control(db_, "main", SQLITE_FCNTL_JOURNAL_POINTER, &file) != SQLITE_OK ||
      file == nullptr || file->pMethods == nullptr) {
    return Status::OK();  // no WAL open: everything is in the main file, synced by SQLite
  }
  return SyncFile(file);
}

Status Database::SyncCommitted() {
  if (!deferred_sync_) return Status::OK();
  sqlite3_file* wal = wal_.load(std::memory_order_acquire);
  if (wal == nullptr) {
    return Status::Internal(
        fmt::format("cannot sync {}: no COMMIT has opened its WAL yet", path_.string()));
  }
  return SyncFile(wal);
}

Status Database::SyncFile(sqlite3_file* wal) const {
  const int rc = wal->pMethods->xSync(wal, SQLITE_SYNC_NORMAL);
  if (rc == SQLITE_OK) return Status::OK();
  // Not Error(): sqlite3_errmsg belongs to the connection's own thread.
  if ((rc & 0xff) == SQLITE_FULL) {
    return Status::Unavailable("storage_full",
                               "The server's storage is full. Tell the system administrator.",
                               "सर्वर का भंडारण भरा हुआ है। सिस्टम प्रशासक को सूचित करें।");
  }
  return Status::IOError(
      fmt::format("cannot sync the WAL of {}: {}", path_.string(), sqlite3_errstr(rc)));
}

Status Database::Error(int rc, std::string_view what) const {
  std::string msg = fmt::format("{} ({}): {}", what, path_.string(), sqlite3_errmsg(db_));
  int primary = rc & 0xff;
  if (primary == SQLITE_FULL) {
    return Status::Unavailable("storage_full",
                               "The server's storage is full; nothing was saved. Try again later "
                               "and tell the system administrator.",
                               "सर्वर का भंडारण भरा हुआ है; कुछ भी सहेजा नहीं गया। बाद में पुनः प्रयास करें "
                               "और सिस्टम प्रशासक को सूचित करें।");
  }
  if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB) return Status::Corruption(msg);
  if (primary == SQLITE_CONSTRAINT) {
    return Status::Conflict("constraint", msg, "यह रिकॉर्ड पहले से मौजूद है या नियम के विरुद्ध है।");
  }
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
    return Status::Unavailable("storage_busy", msg, "डेटाबेस व्यस्त है; थोड़ी देर बाद पुनः प्रयास करें।");
  }
  return Status::IOError(msg);
}

Status Database::ExecScript(const std::string& sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    sqlite3_free(err);
    return Error(rc, sql.substr(0, 60));
  }
  return Status::OK();
}

Result<sqlite3_stmt*> Database::Prepare(std::string_view sql) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) {
    // No sqlite3_clear_bindings: Bind sets every parameter before each use.
    sqlite3_reset(it->second);
    return it->second;
  }
  std::string key(sql);
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, key.c_str(), static_cast<int>(key.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return Error(rc, "prepare " + key.substr(0, 80));
  statements_.emplace(std::move(key), stmt);
  return stmt;
}

// Values are bound SQLITE_STATIC (not copied): `params` outlives every step of the statement in
// Exec and ForEach, and the next use binds every parameter afresh before stepping.
Status Database::Bind(sqlite3_stmt* stmt, const std::vector<Value>& params) {
  if (static_cast<int>(params.size()) != sqlite3_bind_parameter_count(stmt)) {
    return Status::Internal(fmt::format("statement wants {} parameters, got {}: {}",
                                        sqlite3_bind_parameter_count(stmt), params.size(),
                                        sqlite3_sql(stmt)));
  }
  for (size_t i = 0; i < params.size(); ++i) {
    int idx = static_cast<int>(i) + 1;
    int rc = SQLITE_OK;
    const Value& v = params[i];
    if (std::holds_alternative<std::monostate>(v)) {
      rc = sqlite3_bind_null(stmt, idx);
    } else if (const auto* n = std::get_if<int64_t>(&v)) {
      rc = sqlite3_bind_int64(stmt, idx, *n);
    } else if (const auto* s = std::get_if<std::string>(&v)) {
      rc = sqlite3_bind_text64(stmt, idx, s->data(), s->size(), SQLITE_STATIC, SQLITE_UTF8);
    } else {
      const auto& b = std::get<Blob>(v).bytes;
      rc = sqlite3_bind_blob64(stmt, idx, b.data(), b.size(), SQLITE_STATIC);
    }
    if (rc != SQLITE_OK) return Error(rc, "bind");
  }
  return Status::OK();
}

Status Database::Exec(std::string_view sql, const std::vector<Value>& params, int64_t* changes) {
  PALIKA_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql));
  PALIKA_RETURN_IF_ERROR(Bind(stmt, params));
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
  }
  if (rc != SQLITE_DONE) {
    Status s = Error(rc, sqlite3_sql(stmt));
    sqlite3_reset(stmt);
    return s;
  }
  if (changes) *changes = sqlite3_changes64(db_);
  sqlite3_reset(stmt);
  return Status::OK();
}

Status Database::ForEach(std::string_view sql, const std::vector<Value>& params,
                         const std::function<bool(const Row&)>& fn) {
  PALIKA_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql));
  PALIKA_RETURN_IF_ERROR(Bind(stmt, params));
  int columns = sqlite3_column_count(stmt);
  int rc;
  // One row filled in place for every result row: a text column reuses its string's buffer.
  Row row(std::vector<Value>(static_cast<size_t>(columns)));
  std::vector<Value>& values = row.mutable_values();
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    for (int c = 0; c < columns; ++c) {
      Value& v = values[static_cast<size_t>(c)];
      switch (sqlite3_column_type(stmt, c)) {
        case SQLITE_INTEGER:
          v = static_cast<int64_t>(sqlite3_column_int64(stmt, c));
          break;
        case SQLITE_TEXT: {
          const char* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
          const size_t n = static_cast<size_t>(sqlite3_column_bytes(stmt, c));
          if (auto* s = std::get_if<std::string>(&v)) {
            s->assign(p, n);
          } else {
            v = std::string(p, n);
          }
          break;
        }
        case SQLITE_BLOB: {
          const char* p = static_cast<const char*>(sqlite3_column_blob(stmt, c));
          v = Blob{std::string(p ? p : "", sqlite3_column_bytes(stmt, c))};
          break;
        }
        case SQLITE_FLOAT:
          // Palika never stores floating point; show it as text so a report can name it.
          v = std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, c)));
          break;
        default:
          v = std::monostate{};
      }
    }
    if (!fn(row)) break;
  }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    Status s = Error(rc, sqlite3_sql(stmt));
    sqlite3_reset(stmt);
    return s;
  }
  sqlite3_reset(stmt);
  return Status::OK();
}

Result<bool> Database::TableExists(const std::string& table) {
  PALIKA_ASSIGN_OR_RETURN(
      auto found,
      QueryOne("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", {table}));
  return found.has_value();
}

Result<std::vector<std::string>> Database::TableColumns(const std::string& table) {
  std::vector<std::string> columns;
  PALIKA_RETURN_IF_ERROR(
      ForEach("SELECT name FROM pragma_table_info(?) ORDER BY cid", {table}, [&](const Row& r) {
        columns.push_back(r.Text(0));
        return true;
      }));
  return columns;
}

Result<std::vector<std::pair<std::string, std::string>>> Database::SchemaObjects() {
  std::vector<std::pair<std::string, std::string>> out;
  PALIKA_RETURN_IF_ERROR(ForEach(
      "SELECT name, type FROM sqlite_master WHERE type IN ('table', 'trigger', 'view') AND name "
      "NOT LIKE 'sqlite_%' ORDER BY name",
      {}, [&](const Row& r) {
        out.emplace_back(r.Text(0), r.Text(1));
        return true;
      }));
  return out;
}

Result<std::vector<Row>> Database::Query(std::string_view sql, const std::vector<Value>& params) {
  std::vector<Row> rows;
  Status s = ForEach(sql, params, [&](const Row& r) {
    rows.push_back(r);
    return true;
  });
  if (!s.ok()) return s;
  return rows;
}

}  // namespace palika::store::sqlite
