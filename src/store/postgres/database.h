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
//
// Connections: a cluster serves many ULBs (413 in a state), more than its max_connections (100 by
// default), so a Database does not own a connection. Every Database of this process with the same
// URL shares one bounded set of them: a reader holds one for one read transaction, a writer from
// its first statement until Disconnect() (the ledger lets go of it when idle), and idle ones are
// kept for the next user of any schema (search_path is set on each hand-over; prepared statements
// stay with the connection and are re-planned by PostgreSQL when search_path changes). At most
// ConnectionLimit connections are open at once; a Database that finds them all busy waits up to its
// wait, then answers Unavailable "store_busy" (try again shortly; raise the limit or put pgbouncer
// in front: docs/postgres.md).

#include <chrono>
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

// How many connections this process opens at most to the database at `url` (shared by every
// Database of that URL), and how long a Database waits for one when they are all busy. Without a
// call (or with connections 0): 3/4 of what the server allows (max_connections less
// superuser_reserved_connections, read on the first connection), at least 4. Thread-safe.
void SetConnectionLimit(const std::string& url, int connections,
                        std::chrono::milliseconds wait = std::chrono::seconds(5));
// Idle connections kept per URL for the next reader or writer; beyond this they are closed.
inline constexpr int kMaxIdleConnections = 8;

struct ConnectionCount {
  int limit = 0;  // 0 until the first connection learnt it
  int open = 0;   // in use or idle
  int idle = 0;
};
// This process's connections to `url` now (for tests and the operator's metrics). Thread-safe.
ConnectionCount Connections(const std::string& url);

namespace detail {
struct Session;  // one libpqxx connection, shared over time by the Databases of its URL
}  // namespace detail

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
  // Hands the connection back to the URL's shared ones (outside a transaction); the next call
  // takes one again.
  void Disconnect() override;

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
  // Takes a connection of the URL's shared ones when there is no live one (only outside a
  // transaction) and points it at this schema.
  Status Connect();
  // One attempt of Connect; `reused`: the connection was an idle one.
  Status ConnectOnce(bool* reused);
  // Starts a transaction with `sql`, reconnecting once if the idle connection had died.
  Status Begin(const std::string& sql);
  // Runs SQL without parameters through the simple protocol.
  Status Simple(const std::string& sql);
  // Runs a prepared statement; `fn` sees each row (may be null).
  Status Run(std::string_view sql, const std::vector<Value>& params,
             const std::function<bool(const Row&)>& fn, int64_t* changes);
  // The Status for an exception thrown by libpqxx; forgets a lost connection.
  Status Error(std::string_view what);
  // A reader's connection goes back to the shared ones at the end of each transaction.
  void ParkIfReader();

  Location location_;
  OpenOptions options_;
  bool drop_schema_on_close_ = false;
  std::unique_ptr<detail::Session> session_;  // null while this Database holds no connection
  bool in_transaction_ = false;
  bool schema_checked_ = false;  // the schema was found (or created) once
};

}  // namespace palika::store::postgres
