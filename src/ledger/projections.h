#pragma once
// Projections: the relational tables a ledger's events are applied to, and the apply functions.
//
// Each ledger kind (the state ledger, a ULB ledger) has one Projections, built once at start-up by
// the services that own its tables and then read-only (thread-safe to share). Apply is pure and
// deterministic: it writes only what the entry says, never reads a clock, a random source or
// another ledger. Replaying every entry into empty tables rebuilds them exactly; verify relies on
// it. Tables that are not part of the record (live sessions, caches) are registered as such, with
// the reason, so verify skips them knowingly.

#include <boost/json.hpp>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "ledger/entry.h"
#include "store/transaction.h"

namespace palika::ledger {

using ApplyFn = std::function<Status(store::Transaction&, const Entry&)>;
// An apply function that reads the payload as an object. On the writer it gets the object decide
// built (the very one the stored canonical text was written from, so a payment's payloads are not
// parsed again right after being serialised); a replay (verify, restore) parses the stored text.
using ApplyObjectFn =
    std::function<Status(store::Transaction&, const Entry&, const boost::json::object&)>;

class Projections {
 public:
  struct Table {
    std::string name;
    std::string create_sql;  // CREATE TABLE ... (and any CREATE INDEX), in the shared SQL subset
    // The table's key: its leading columns, comma-separated ("code", "user_id, role, ulb").
    // Rows are compared in this order, and a report names a row by it.
    std::string order_by;
  };
  struct UnrecordedTable {
    std::string name;
    std::string create_sql;
    std::string reason;  // why it is not part of the record
    // The DDL on PostgreSQL where no honest translation of create_sql exists (an FTS5 index);
    // "" when create_sql serves both engines.
    std::string postgres_create_sql;
  };

  // A table rebuilt from the ledger: verify compares it row by row with a replay.
  void AddTable(std::string name, std::string create_sql, std::string order_by);
  // A table outside the record (sessions, throttles): created, never compared.
  void AddUnrecordedTable(std::string name, std::string create_sql, std::string reason,
                          std::string postgres_create_sql = "");
  // A derived index (an FTS5 index over a record table) that a replay of many entries builds
  // once at the end instead of row by row: for the replay, `stand_in_sql` makes a TEMP VIEW of the
  // same name (with INSTEAD OF triggers) that takes the apply functions' writes to the index and
  // keeps nothing (TEMP names hide the main schema's), and `rebuild_sql` then fills the index
  // from its content table.
  // Apply functions stay as they are: the one write path, with the index as a by-product.
  void AddBulkIndex(std::string name, std::string stand_in_sql, std::string rebuild_sql);
  // Registers the apply function for one event type; a type may be registered once.
  void OnEvent(const std::string& type, ApplyFn fn);
  // The same for an apply function that takes the payload as an object (ApplyObjectFn).
  void OnEventObject(const std::string& type, ApplyObjectFn fn);

  // Creates every table (record and unrecorded) if missing.
  Status CreateSchema(store::Transaction& tx) const;
  // Applies one entry; Corruption for an event type nobody registered. `payload`, when given, is
  // the object e.payload is the canonical text of (the writer's, as decide built it).
  Status Apply(store::Transaction& tx, const Entry& e,
               const boost::json::object* payload = nullptr) const;
  // For a bulk replay (restore, verify, a new table's backfill) on a connection of its own, after
  // CreateSchema: puts the stand-ins of the bulk indexes in place, so applying an entry skips
  // them. EndBulkReplay removes the stand-ins and, with `rebuild`, builds each index from its
  // content table (a verify that never reads the index passes false).
  Status BeginBulkReplay(store::Transaction& tx) const;
  Status EndBulkReplay(store::Transaction& tx, bool rebuild) const;

  const std::vector<Table>& tables() const { return tables_; }
  const std::vector<UnrecordedTable>& unrecorded_tables() const { return unrecorded_; }
  bool Knows(const std::string& type) const { return apply_.contains(type); }

 private:
  std::vector<Table> tables_;
  std::vector<UnrecordedTable> unrecorded_;
  struct BulkIndex {
    std::string name, stand_in_sql, rebuild_sql;
  };
  std::vector<BulkIndex> bulk_indexes_;
  struct Handler {
    ApplyFn text;          // reads e.payload itself
    ApplyObjectFn object;  // or: gets the payload as an object
  };
  std::map<std::string, Handler, std::less<>> apply_;
};

}  // namespace palika::ledger
