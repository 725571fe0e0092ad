#pragma once
// store::Database: one connection to a ledger's database, whatever the engine. The ledger's writer
// and its readers each hold one; decide, apply and verify see it only as a Transaction.
//
// A Location names where a ledger lives: a SQLite file (the embedded default), or a schema in a
// PostgreSQL cluster (one schema per ULB, `ulb_<code>`, so that each ULB's ledger still replays,
// moves and verifies alone). OpenDatabase is the one factory; callers never name an engine's class.
//
// Both engines run the same SQL ('?' placeholders, the subset both share). The few places that must
// differ (full-text search, catalogue look-ups) ask engine() or use TableExists / TableColumns.
// Errors are Status values: a full disk is Unavailable "storage_full", a server that cannot be
// reached Unavailable "store_unavailable" (try again shortly), a damaged store Corruption.
// Not thread-safe: one Database per thread, as with Transaction.

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/transaction.h"

namespace palika::store {

enum class Engine { kSqlite, kPostgres };

// "sqlite" or "postgres".
std::string_view EngineName(Engine engine);

struct Location {
  Engine engine = Engine::kSqlite;
  std::filesystem::path file;  // SQLite: the database file
  std::string url;             // PostgreSQL: a libpq connection URL or "key=value ..." string
  std::string schema;          // PostgreSQL: the schema holding this ledger ("ulb_0152", "state")

  Location() = default;
  // A SQLite file: implicit, so that a path is a location wherever one is wanted.
  Location(std::filesystem::path sqlite_file)  // NOLINT(google-explicit-constructor)
      : file(std::move(sqlite_file)) {}
  static Location Postgres(std::string url, std::string schema);

  // For messages: the file, or the URL without its password and the schema.
  std::string ToString() const;
};

struct OpenOptions {
  bool create = false;     // create the file / schema if it is missing
  bool read_only = false;  // a reader connection
  // The ledger writer's connection: SQLite runs it with synchronous=NORMAL and leaves the WAL's
  // fsync to SyncCommitted() (PostgreSQL: no effect; its COMMIT is durable).
  bool deferred_sync = false;
  // SQLite: no automatic WAL checkpoint inside COMMIT (wal_autocheckpoint=0); the owner keeps the
  // WAL bounded with CheckpointWal() on this or another connection, watching WalFrames().
  // PostgreSQL: no effect.
  bool manual_wal_checkpoint = false;
};

// What a WAL checkpoint found (SQLite's sqlite3_wal_checkpoint_v2 counts, in pages).
struct WalCheckpoint {
  bool busy = false;        // another connection was checkpointing: nothing done
  uint64_t frames = 0;      // pages in the WAL when it started
  uint64_t backfilled = 0;  // of those, copied into the database file (all of them unless a
                            // reader's snapshot still needs the rest)
};

class Database : public Transaction {
 public:
  virtual Engine engine() const = 0;

  // Transactions. BeginWrite starts the ledger writer's transaction (SQLite takes the write lock
  // at once); BeginRead starts a read-only snapshot that sees one state until Commit or Rollback.
  virtual Status BeginWrite() = 0;
  virtual Status BeginRead() = 0;
  virtual Status Commit() = 0;
  virtual Status Rollback() = 0;
  // A nested unit inside the open transaction: one command of a group-committed batch.
  virtual Status Savepoint(const std::string& name) = 0;
  virtual Status ReleaseSavepoint(const std::string& name) = 0;
  // Undoes everything since Savepoint(name) and ends it.
  virtual Status RollbackToSavepoint(const std::string& name) = 0;
  // Whether a transaction is open (an engine may end one by itself after some failures).
  virtual bool InTransaction() const = 0;

  // Catalogue look-ups, in this database's schema.
  virtual Result<bool> TableExists(const std::string& table) = 0;
  // The table's columns in their declared order.
  virtual Result<std::vector<std::string>> TableColumns(const std::string& table) = 0;

  // Every table, view and trigger in this database's schema, as (name, "table" | "view" |
  // "trigger"), sorted by name; the engine's own bookkeeping objects are left out.
  virtual Result<std::vector<std::pair<std::string, std::string>>> SchemaObjects() = 0;

  // Where this connection points (for messages).
  virtual std::string Describe() const = 0;

  // Makes every COMMIT that returned before this call durable. On PostgreSQL, and on a SQLite
  // connection opened without `deferred_sync`, a returned COMMIT already is: OK at once. A SQLite
  // connection opened with `deferred_sync` (synchronous=NORMAL: COMMIT writes the WAL frames
  // without an fsync) syncs its WAL here, through SQLite's own file object (the fault VFS sees
  // it). Unlike every other call this one may run on another thread while the connection's own
  // thread goes on committing (the ledger's sync step). After a failure the data it covered may be
  // gone from the page cache while a later sync reports success (fsync-gate): never call it again
  // to retry; stop writing instead.
  virtual Status SyncCommitted() { return Status::OK(); }

  // SQLite's write-ahead log (other engines: 0, and nothing to do). WalFrames is the WAL's length
  // in pages after this connection's last COMMIT (opened with `manual_wal_checkpoint`; readable
  // from any thread). CheckpointWal runs a passive checkpoint on this connection: it never waits
  // for the writer or a reader, copies the committed pages no reader still needs into the
  // database file after syncing the WAL (never before: SQLite's rule unless synchronous=OFF,
  // which no Palika connection uses), and syncs the database file. A failed sync comes back as
  // Unavailable "storage_sync_failed" (fsync-gate: stop writing, do not retry).
  virtual uint64_t WalFrames() const { return 0; }
  virtual Result<WalCheckpoint> CheckpointWal() { return WalCheckpoint{}; }

  // Lets go of the server connection while no transaction is open (PostgreSQL: back to the
  // cluster's shared, bounded connections; SQLite: nothing). The next call connects again.
  virtual void Disconnect() {}
};

// The engine behind a transaction, for the one place an apply function must differ (full-text
// search). Every Transaction Palika hands out is a Database.
Engine EngineOf(const Transaction& tx);

// Opens a connection to `location`. NotFound when it does not exist and `create` is not set.
Result<std::unique_ptr<Database>> OpenDatabase(const Location& location,
                                               const OpenOptions& options);

// An empty, private database of the same engine as `like`, for replaying a ledger into (verify,
// new tables after an upgrade). SQLite: in memory. Nothing it holds outlives it.
Result<std::unique_ptr<Database>> OpenScratch(const Location& like);

}  // namespace palika::store
