#pragma once
// store::Database on PostgreSQL 15 through libpqxx: one connection, set to one schema.
//
// One ULB is one schema (`ulb_<code>`, the state's `state`) in a cluster; the connection's
// search_path names only that schema, so the services' SQL runs unchanged and each ULB's ledger
// still replays, verifies and moves alone. Statements use '?' placeholders, turned into $1..$n
// (outside quoted literals and identifiers) and prepared once per connection. Values: INTEGER
// <-> bigint, TEXT <-> text, BLOB <-> bytea; a NULL is a NULL. DDL in the shared subset is
// translated (BLOB -> BYTEA, INTEGER -> BIGINT, TEXT -> TEXT COLLATE "C" so that ORDER BY sorts
// bytes as SQLite does, WITHOUT ROWID dropped); see TranslateDdl.
//
// Why a schema per ULB and not a `ulb` column in shared tables. Citus 12 offers two ways to spread
// tenants over nodes: schema-based sharding (citus.enable_schema_based_sharding: each schema is a
// distributed schema, all its tables co-located on one node, moved whole with
// citus_schema_move) and row-based sharding (create_distributed_table on a `ulb` column, which
// every table and every key would then lead with). A ULB is exactly one schema here, so the first
// works with no change to the tables: each ULB's ledger and projections stay together on one node,
// its transactions stay single-node (group commit, savepoints and the advisory lock unchanged),
// and a ULB moves or restores alone. A `ulb` column would be the same value in every row of a
// schema (bytes in every row and index entry, and a table rebuild of every existing SQLite file to
// change the keys) and would only help row-based sharding, which would also need all ULBs in one
// shared schema. The ledger's tables keep `ulb` where the record carries it (ledger_entries.ulb,
// ledger_meta), so a row says whose it is wherever it is copied.
//
// Durability: synchronous_commit is on for every connection, so a COMMIT that returned is on the
// server's disk (and on its synchronous standbys, if the cluster has any). BeginWrite also takes
// a transaction-scoped advisory lock on the schema, so two writers of one ULB serialise as they
// do on a SQLite file; BeginRead is a REPEATABLE READ READ ONLY snapshot.
//
// Errors: a server that cannot be reached, or a connection lost, is Unavailable
// "store_unavailable" (try again shortly); the next call outside a transaction reconnects, so a
// restarted server is used again without restarting palika. A full disk is Unavailable
// "storage_full"; a serialization failure or deadlock is Unavailable "store_retry" (the ledger
// retries the batch); a constraint Conflict "constraint"; damaged data Corruption; the rest
// IOError naming the statement. Not thread-safe: one Database per thread.

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "store/database.h"

namespace palika::store::postgres {

// '?' placeholders -> $1..$n, leaving '...' literals, "..." identifiers and -- comments alone.
// `count` (optional) receives n.
std::string NumberPlaceholders(std::string_view sql, int* count = nullptr);

// DDL of the shared subset in PostgreSQL's words (see the file comment). Literals untouched.
std::string TranslateDdl(std::string_view sql);

// A schema name for a ULB code or "state": "ulb_0152", "state".
std::string SchemaFor(const std::string& ulb);

class Database : public store::Database {
 public:
  static Result<std::unique_ptr<Database>> Open(const Location& location,
                                                const OpenOptions& options);
  // A private schema, dropped when this closes (verify's and upgrades' replay target).
  static Result<std::unique_ptr<Database>> OpenScratch(const std::string& url);
  ~Database() override;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  Engine engine() const override { return Engine::kPostgres; }
  Status BeginWrite() override;
  Status BeginRead() override;
  Status Commit() override;
  Status Rollback() override;
  Status Savepoint(const std::string& name) override;
  Status ReleaseSavepoint(const std::string& name) override;
  Status RollbackToSavepoint(const std::string& name) override;
  bool InTransaction() const override { return in_transaction_; }
  Result<bool> TableExists(const std::string& table) override;
  Result<std::vector<std::string>> TableColumns(const std::string& table) override;
  Result<std::vector<std::pair<std::string, std::string>>> SchemaObjects() override;
  std::string Describe() const override { return location_.ToString(); }

  Status ExecScript(const std::string& sql) override;
  Status Exec(std::string_view sql, const std::vector<Value>& params = {},
              int64_t* changes = nullptr) override;
  Result<std::vector<Row>> Query(std::string_view sql,
                                 const std::vector<Value>& params = {}) override;
  Status ForEach(std::string_view sql, const std::vector<Value>& params,
                 const std::function<bool(const Row&)>& fn) override;

  const std::string& schema() const { return location_.schema; }

 private:
  Database(Location location, OpenOptions options);
  // Connects (again) when there is no live connection; only outside a transaction.
  Status Connect();
  // Starts a transaction with `sql`, reconnecting once if the idle connection had died.
  Status Begin(const std::string& sql);
  // Runs SQL without parameters through the simple protocol.
  Status Simple(const std::string& sql);
  // Runs a prepared statement; `fn` sees each row (may be null).
  Status Run(std::string_view sql, const std::vector<Value>& params,
             const std::function<bool(const Row&)>& fn, int64_t* changes);
  // The Status for an exception thrown by libpqxx; forgets a lost connection.
  Status Error(std::string_view what);

  Location location_;
  OpenOptions options_;
  bool drop_schema_on_close_ = false;
  struct Session;                     // the libpqxx connection and the handle statements run on
  std::unique_ptr<Session> session_;  // null while disconnected
  bool in_transaction_ = false;
  std::unordered_map<std::string, std::string> statements_;  // SQL -> prepared name
  int prepared_ = 0;  // names handed out on this connection (a failed prepare keeps its name)
};

}  // namespace palika::store::postgres
