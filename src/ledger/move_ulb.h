#pragma once
// Moving a ULB's ledger to another store (`palika move-ulb`, issue 6): SQLite <-> PostgreSQL, or
// from one PostgreSQL cluster to another.
//
// CopyLedger replays one ledger into an empty database: the same entries (origin, seq, time,
// actor, type, payload as stored), each applied with the one apply path (ApplyEntry, as restore
// does), and the same signed checkpoints, byte for byte, with their trees; it recomputes the
// Merkle tree as it goes and refuses a source whose checkpoints do not match its entries.
//
// MoveUlb does the whole move on an open LedgerSet: closes the ULB's ledger (final checkpoint),
// copies it into the target, verifies the target as `palika verify` would, then records the move
// in the state ledger (ulb.moved: the map now points at the target) and sets the source aside,
// never deleting it: a SQLite source becomes ulb/moved/<code>-<time>.db. Until the record is
// written the map still points at the source and a failed move leaves it untouched. The caller
// holds the data directory's lock (no server running on it: App::Open refuses then).

#include <cstdint>
#include <functional>
#include <string>

#include "core/status.h"
#include "ledger/ledger_set.h"
#include "ledger/projections.h"
#include "ledger/shard_map.h"
#include "store/transaction.h"

namespace palika::ledger {

struct CopyReport {
  uint64_t entries = 0;
  uint64_t checkpoints = 0;
  std::string root_hex;  // the root over every entry copied
};

// `source`: a read snapshot of a ledger of `ulb`; `target`: an empty database in an open write
// transaction (the caller commits). Corruption if the source's checkpoints disagree with its
// entries, or an entry does not replay.
Result<CopyReport> CopyLedger(store::Transaction& source, store::Transaction& target,
                              const std::string& ulb, const Projections& projections);

struct MoveReport {
  Placement from;
  Placement to;
  CopyReport copied;
  uint64_t rows_compared = 0;  // by the verification of the target
  std::string kept_as;         // where the source stays
  double seconds = 0;
};

Result<MoveReport> MoveUlb(LedgerSet& set, const std::string& code, const Placement& to,
                           const Projections& ulb_projections, const std::string& actor,
                           const std::function<void(const std::string&)>& progress = {});

}  // namespace palika::ledger
