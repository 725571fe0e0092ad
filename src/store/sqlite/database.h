#pragma once
// A thin RAII layer over one SQLite connection (the embedded store).
//
// Database owns the connection and a cache of prepared statements; it is not thread-safe: each
// thread (the ledger's writer, each reader) uses its own Database. Files are opened in WAL mode, so
// readers never wait for the writer, with synchronous=FULL, so a COMMIT that returned is on disk;
// except the ledger writer's connection (`deferred_sync`): synchronous=NORMAL, its COMMIT writes
// the WAL frames without an fsync and SyncCommitted() (callable from the ledger's sync thread)
// syncs the WAL through SQLite's own file object. A connection opened with `manual_wal_checkpoint`
// runs no WAL checkpoint inside COMMIT (wal_autocheckpoint=0): it counts the WAL's pages after
// each COMMIT (WalFrames) and CheckpointWal() copies them, on it or on another connection. Errors
// come back as Status: SQLITE_FULL becomes Unavailable("storage_full"), a damaged file Corruption,
// the rest IOError, each naming the file.

#include <sqlite3.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "store/database.h"

namespace palika::store::sqlite {

struct OpenOptions {
  bool create = false;         // create the file if it is missing
  bool read_only = false;      // a reader connection
  bool in_memory = false;      // a private in-memory database (verify's scratch copy); path ignored
  bool deferred_sync = false;  // synchronous=NORMAL; SyncCommitted() makes commits durable
  bool manual_wal_checkpoint = false;  // wal_autocheckpoint=0; WalFrames() counts the WAL
};

class Database : public store::Database {
 public:
  static Result<std::unique_ptr<Database>> Open(const std::filesystem::path& path,
                                                const OpenOptions& options);
  ~Database() override;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  Engine engine() const override { return Engine::kSqlite; }

  // Transaction control. BeginImmediate takes the write lock at once (the ledger writer);
  // Begin is a deferred read transaction that sees one snapshot until Commit or Rollback.
  // Prepared once and kept like any statement: sqlite3_exec would parse them on every command.
  Status BeginImmediate() { return Exec("BEGIN IMMEDIATE"); }
  Status Begin() { return Exec("BEGIN"); }
  Status BeginWrite() override { return BeginImmediate(); }
  Status BeginRead() override { return Begin(); }
  Status Commit() override;
  Status Rollback() override { return Exec("ROLLBACK"); }
  Status Savepoint(const std::string& name) override { return Exec("SAVEPOINT " + name); }
  Status ReleaseSavepoint(const std::string& name) override { return Exec("RELEASE " + name); }
  Status RollbackToSavepoint(const std::string& name) override {
    return ExecScript("ROLLBACK TO " + name + "; RELEASE " + name);
  }
  bool InTransaction() const override { return sqlite3_get_autocommit(db_) == 0; }
  // Thread-safe beside the connection's own thread: only the WAL file object's xSync (the unix
  // VFS: fdatasync on the WAL's descriptor), looked up on the connection's thread by Commit().
  Status SyncCommitted() override;
  // Syncs the WAL on the connection's own thread, whatever the connection (a reader's too): what
  // its open snapshot sees is durable afterwards. For a reader that copies entries out of the
  // process (`backup local` on a running server's file, whose writer syncs one step behind).
  Status SyncWal();

  // The WAL's length in pages after this connection's last COMMIT (manual_wal_checkpoint only,
  // else 0). Any thread.
  uint64_t WalFrames() const override { return wal_frames_.load(std::memory_order_relaxed); }
  // sqlite3_wal_checkpoint_v2(PASSIVE) on this connection's thread (store/database.h). When the
  // writer went on committing meanwhile, SQLite leaves the copied pages unsynced in the database
  // file (it syncs the file only when a checkpoint reaches the WAL's end); this syncs the file
  // after every checkpoint that copied pages, so that the one that reaches the end (the ledger's
  // writer runs it) has little left to flush (a sync with nothing to write costs ~nothing).
  Result<WalCheckpoint> CheckpointWal() override;

  Result<bool> TableExists(const std::string& table) override;
  Result<std::vector<std::string>> TableColumns(const std::string& table) override;
  Result<std::vector<std::pair<std::string, std::string>>> SchemaObjects() override;
  std::string Describe() const override { return path_.empty() ? ":memory:" : path_.string(); }

  // Runs one or more statements without parameters (schema, pragmas).
  Status ExecScript(const std::string& sql) override;

  Status Exec(std::string_view sql, const std::vector<Value>& params = {},
              int64_t* changes = nullptr) override;
  Result<std::vector<Row>> Query(std::string_view sql,
                                 const std::vector<Value>& params = {}) override;
  Status ForEach(std::string_view sql, const std::vector<Value>& params,
                 const std::function<bool(const Row&)>& fn) override;

  const std::filesystem::path& path() const { return path_; }
  sqlite3* handle() { return db_; }

 private:
  Database(sqlite3* db, std::filesystem::path path) : db_(db), path_(std::move(path)) {}
  Result<sqlite3_stmt*> Prepare(std::string_view sql);
  Status Bind(sqlite3_stmt* stmt, const std::vector<Value>& params);
  Status Error(int rc, std::string_view what) const;
  // xSync on SQLite's file object; thread-safe (no connection state).
  Status SyncFile(sqlite3_file* wal) const;
  // sqlite3_wal_hook: records the WAL's length after each COMMIT.
  static int OnWalCommit(void* self, sqlite3* db, const char* name, int frames);

  sqlite3* db_;
  std::filesystem::path path_;
  bool deferred_sync_ = false;
  // The WAL's file object (deferred_sync only), set by the first Commit(); lives as long as db_.
  std::atomic<sqlite3_file*> wal_{nullptr};
  std::atomic<uint64_t> wal_frames_{0};  // set by OnWalCommit on the connection's thread
  // Looked up by the caller's text without copying it into a key (every statement of a payment).
  struct SqlHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, sqlite3_stmt*, SqlHash, std::equal_to<>>
      statements_;  // prepared once, reused
};

}  // namespace palika::store::sqlite
