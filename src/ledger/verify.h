#pragma once
// Full verification of one ledger (a SQLite file or a PostgreSQL schema), offline: `palika verify`.
//
// Recomputes the Merkle tree over every entry (gapless seq, right ULB), checks every stored
// checkpoint's signature, that its tree and root match the entries at its size (so each checkpoint
// is consistent with the one before), that the last one covers every entry, and replays every entry
// with the same apply code into an empty in-memory copy of the projections, comparing each table
// row by row with the stored one. Unknown tables are reported too. The report names the first
// entry, checkpoint or row that does not match. Reads only; safe on a copy or a stopped server.

#include <filesystem>
#include <string>
#include <vector>

#include "ledger/projections.h"
#include "ledger/signed_note.h"
#include "store/database.h"

namespace palika::ledger {

struct VerifyReport {
  std::string ulb;
  uint64_t entries = 0;
  uint64_t checkpoints = 0;
  uint64_t rows_compared = 0;
  std::string root_hex;               // root over all entries
  std::vector<std::string> problems;  // first problem first; empty when intact
  bool ok() const { return problems.empty(); }
};

// `node` is the node's verifier (node.pub); each log's key is derived from it by name. On
// PostgreSQL the replay goes into a private schema that is dropped afterwards; the ledger's own
// schema is only read, in one REPEATABLE READ snapshot.
Result<VerifyReport> VerifyLedger(const store::Location& location, const std::string& ulb,
                                  const std::string& origin, const Projections& projections,
                                  const NoteVerifier& node);
// The same for a SQLite file.
Result<VerifyReport> VerifyLedgerFile(const std::filesystem::path& file, const std::string& ulb,
                                      const std::string& origin, const Projections& projections,
                                      const NoteVerifier& node);

}  // namespace palika::ledger
