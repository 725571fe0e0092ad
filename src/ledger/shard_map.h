#pragma once
// The shard map: where each ULB's ledger lives, recorded in the state ledger (issue 6).
//
// A placement is "sqlite" (the data directory's ulb/<code>.db, the embedded default) or
// "postgres:NAME" (the schema ulb_<code> in the PostgreSQL cluster named NAME; `serve --pg
// NAME=URL` says where that cluster is, so the map survives a cluster's new address). A ULB with
// no placement in the map lives in SQLite: every data directory made before the map exists reads
// the same. Events (state ledger):
//   ulb.placed {ulb, store, cluster}      where a ULB without data is to be created
//   ulb.moved  {ulb, from_store, from_cluster, to_store, to_cluster, entries, root, kept_as}
//              a ULB's ledger was copied and verified elsewhere; the source stays, as kept_as
// Both are applied to ulb_placements (the current map) and ulb_moves (every move, in order).
// Pure functions and the projections; LedgerSet reads the map and routes (ledger_set.h).

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "ledger/projections.h"
#include "store/transaction.h"

namespace palika::ledger {

struct Placement {
  std::string store = "sqlite";  // "sqlite" or "postgres"
  std::string cluster;           // the cluster's name for "postgres"; "" for "sqlite"

  bool sqlite() const { return store == "sqlite"; }
  // "sqlite" or "postgres:NAME".
  std::string ToString() const;
  bool operator==(const Placement&) const = default;
};

// "sqlite" or "postgres:NAME" (NAME: 1-32 of a-z, 0-9, '-', '_', starting with a letter).
// InvalidArgument "invalid_placement" otherwise.
Result<Placement> ParsePlacement(const std::string& text);
// A cluster's name as ParsePlacement accepts it.
bool IsValidClusterName(const std::string& name);

// One move of a ULB, as ulb_moves holds it.
struct UlbMove {
  uint64_t seq = 0;  // the state ledger entry that recorded it
  std::string ulb;
  Placement from;
  Placement to;
  uint64_t entries = 0;  // the ULB's ledger size that was copied and verified
  std::string root;      // its Merkle root, hex
  std::string kept_as;   // where the source stays (a file under the data directory, or a schema)
};

// Registers ulb_placements, ulb_moves and the events above with the state ledger's projections.
void RegisterShardMapProjections(Projections& state);

// The map as the state ledger's tables hold it: ULB code -> placement (ULBs in SQLite by default
// have no row).
Result<std::map<std::string, Placement>> ReadPlacements(store::Transaction& tx);
// Every move, oldest first; only those of `ulb` when it is not empty.
Result<std::vector<UlbMove>> ReadMoves(store::Transaction& tx, const std::string& ulb = "");

// A cluster's name kept in the cluster itself (the one-row table palika_cluster.cluster_name),
// so that a swapped `--pg NAME=URL` cannot route a ULB into another cluster's schema of the same
// name. Compares `name` with the name recorded at `url`; with `record`, writes it there on first
// use. Unavailable "cluster_name_mismatch" (English and Hindi, naming both names) when the
// cluster holds another name; Unavailable "store_unavailable" when it cannot be reached.
Status CheckClusterName(const std::string& name, const std::string& url, bool record = true);

}  // namespace palika::ledger
