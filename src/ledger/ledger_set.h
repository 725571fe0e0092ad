#pragma once
// LedgerSet: every ledger of one data directory, opened with the node's key.
//
// Layout of a data directory:
//   palika.json      store kind and node id (written by `palika init`)
//   node.key         the node's Ed25519 signing key, mode 0600 (C2SP signer key form)
//   node.pub         its public verifier key (safe to share; backups and auditors use it)
//   state.db         the state ledger: ULB registry, users, role grants, settings
//   ulb/<code>.db    one ledger per ULB, which replays alone
//   ulb/moved/       ULB files left behind by `palika move-ulb` (kept, never served)
//   backup-acks.json what each backup host last said it holds (backup_acks.h; not a record)
//   RESTORE-INCOMPLETE  only while `palika restore` fills the directory (restore.h): a directory
//                    holding it is refused by everything that opens one, and by init and restore
//
// Where each ULB lives is the shard map in the state ledger (shard_map.h): SQLite by default, or a
// schema in a named PostgreSQL cluster whose URL the caller gives (StoreOptions). Ulb(code) routes
// to the right place, so nothing above the ledger knows. A ULB whose store cannot be reached (a
// cluster that is down or not configured) answers Unavailable "store_unavailable" while the others
// keep working, and is opened again on a later Ulb() once its store answers (no restart). Each
// cluster keeps the name it was first used under (CheckClusterName): Open refuses a cluster given
// under another name, and a ULB in it is held back with that error.
//
// Each log is signed under its own name ("palika/<node>/<ulb>") with the node's key, so a
// checkpoint names the log it belongs to. A ULB ledger that fails its quick check at start-up is
// held back (Ulb() returns its Status) while every other ULB keeps working. Thread-safe.

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "core/metrics.h"
#include "ledger/ledger.h"
#include "ledger/shard_map.h"
#include "ledger/signed_note.h"

namespace palika::ledger {

struct DataDirConfig {
  std::string store = "sqlite";
  std::string node;  // origin id, e.g. "node-3fa2c1d4"
};

// Creates a new data directory: palika.json, node.key (0600), node.pub, ulb/. Refuses a directory
// that already holds a palika.json, or an unfinished restore.
Status InitDataDir(const std::filesystem::path& dir);
// The directory's palika.json. NotFound "no_data_dir" without one; Unavailable
// "restore_incomplete" for a directory a restore was filling when it stopped (delete it and
// restore again).
Result<DataDirConfig> ReadDataDirConfig(const std::filesystem::path& dir);
// The marker of a restore in progress, and the refusal of a directory that holds it.
inline constexpr char kRestoreIncompleteFile[] = "RESTORE-INCOMPLETE";
Status RestoreIncomplete(const std::filesystem::path& dir);
// The verifier of a log signed by this node's key.
Result<NoteVerifier> LogVerifier(const NoteVerifier& node, const std::string& log_name);

// The stores a LedgerSet may place ULBs in, besides the data directory's SQLite files.
struct StoreOptions {
  std::map<std::string, std::string> clusters;  // PostgreSQL cluster name -> connection URL
  // Where a ULB created without a placement goes (`serve --store postgres`: the first cluster).
  Placement new_ulbs;
  // How long a ULB whose store was unreachable waits before Ulb() tries to open it again.
  std::chrono::milliseconds retry_after{2000};
  // Connections to each cluster at most (serve --pg-connections); 0: the store's default
  // (store/postgres/database.h: 3/4 of the server's max_connections).
  int pg_connections = 0;
};

class LedgerSet {
 public:
  // The shard map is read when the state projections register it (RegisterShardMapProjections);
  // otherwise every ULB is a SQLite file.
  static Result<std::unique_ptr<LedgerSet>> Open(const std::filesystem::path& dir,
                                                 const Projections& state_projections,
                                                 const Projections& ulb_projections,
                                                 Metrics* metrics, const StoreOptions& stores = {});
  ~LedgerSet();

  Ledger& state() { return *state_; }
  // The ULB's ledger; NotFound if there is none, Unavailable if it failed its quick check, or
  // Unavailable "store_unavailable" while its store cannot be reached (tried again after
  // StoreOptions::retry_after).
  Result<Ledger*> Ulb(const std::string& code);
  // The ULB's ledger if it is open now, else null (where Ulb may try to reach its store again,
  // or answers a refusal): never blocks beyond a short lock, for a server's I/O thread.
  Ledger* OpenUlb(const std::string& code);
  // Creates the ULB's ledger where the map places it (or StoreOptions::new_ulbs, recorded in the
  // map first) if missing, and opens it.
  Result<Ledger*> CreateUlb(const std::string& code);

  // The shard map. Placement of a ULB (SQLite when the map has none).
  Placement PlacementOf(const std::string& code) const;
  std::map<std::string, Placement> Placements() const;
  // Records where a ULB that has no ledger yet is to be created (`palika ulb place`). Conflict
  // "ulb_has_ledger" if it has one (moving data is `palika move-ulb`); InvalidArgument for a
  // cluster this set was not given.
  Status PlaceUlb(const std::string& actor, const std::string& code, const Placement& placement);
  // Records a finished move (the target verified) in the state ledger, then sets the source aside
  // as move.kept_as and puts a SQLite target in place. Call with the ULB closed (CloseUlb).
  Status RecordMove(const std::string& actor, const UlbMove& move);
  // Closes one ULB's ledger (final checkpoint) and stops serving it: Ulb() answers Unavailable
  // "ulb_moving" from now on, in this process.
  void CloseUlb(const std::string& code);
  const StoreOptions& stores() const { return stores_; }
  // Where a ULB's ledger lives under `placement`: its file, or its schema (ulb_<code>) at the
  // cluster's URL. Unavailable "store_unavailable" for a cluster this set was not given or that
  // cannot be reached; "cluster_name_mismatch" for a cluster that keeps another name (its name
  // is checked, and recorded on first use, once per set: CheckClusterName).
  Result<store::Location> LocationOf(const std::string& code, const Placement& placement) const;
  std::vector<std::string> UlbCodes() const;
  // Stops serving a ULB: Ulb() answers `why` from now on (a file found missing at start-up).
  void HoldBack(const std::string& code, Status why);  // opened or held back, sorted

  const std::filesystem::path& dir() const { return dir_; }
  const std::string& origin() const { return config_.node; }
  const NoteVerifier& node_verifier() const { return node_verifier_; }
  // The node's signing key (receipt codes are signed with it under a per-ULB name).
  const NoteSigner& node_signer() const { return *node_signer_; }
  // What each backup host holds, lag, synchronous mode (shared by every ledger of the set).
  BackupAcks& backups() { return *backups_; }
  // Notified whenever any ledger of the set stores a checkpoint.
  const CheckpointSignal& checkpoint_signal() const { return checkpoint_signal_; }
  std::filesystem::path UlbFile(const std::string& code) const;

  // Closes every ledger (final checkpoints). Idempotent.
  void Close();

 private:
  LedgerSet() = default;
  Result<std::unique_ptr<Ledger>> OpenLedger(const std::string& ulb,
                                             const store::Location& location, bool create);
  // Opens a ULB's ledger where `placement` says.
  Result<std::unique_ptr<Ledger>> OpenUlbAt(const std::string& code, const Placement& placement,
                                            bool create);
  // Finishes the file renames of a move recorded before a crash (RecordMove's second half).
  void FinishMoves(const std::vector<UlbMove>& moves);
  // Renames a PostgreSQL source's schema to m.kept_as (part of FinishMoves).
  void SetSchemaAside(const UlbMove& m);
  // Appends ulb.placed to the state ledger and notes the placement.
  Status SubmitPlacement(const std::string& actor, const std::string& code,
                         const Placement& placement);
  bool HasShardMap() const;

  std::filesystem::path dir_;
  DataDirConfig config_;
  std::unique_ptr<NoteSigner> node_signer_;
  NoteVerifier node_verifier_ = NoteVerifier::FromPublicKey("x", std::string(32, '\0')).value();
  const Projections* state_projections_ = nullptr;
  const Projections* ulb_projections_ = nullptr;
  Metrics* metrics_ = nullptr;
  std::unique_ptr<BackupAcks> backups_;
  CheckpointSignal checkpoint_signal_;

  // Per-log signers and verifiers live as long as the ledgers that point at them.
  struct LogKeys {
    std::unique_ptr<NoteSigner> signer;
    std::unique_ptr<NoteVerifier> verifier;
  };
  std::unique_ptr<Ledger> state_;
  std::mutex create_mu_;  // serialises CreateUlb and reopening, so a ULB is opened once
  mutable std::mutex
      mu_;  // guards ulbs_, held_back_, unreachable_, placements_, keys_, named_clusters_
  std::map<std::string, std::unique_ptr<Ledger>> ulbs_;
  std::map<std::string, Status> held_back_;
  // ULBs whose store could not be reached: the reason and when to try again.
  struct Unreachable {
    Status why;
    std::chrono::steady_clock::time_point retry_at;
  };
  std::map<std::string, Unreachable> unreachable_;
  std::map<std::string, Placement> placements_;
  std::map<std::string, LogKeys> keys_;
  // Clusters whose recorded name matched (CheckClusterName), so it is checked once.
  mutable std::set<std::string> named_clusters_;
  StoreOptions stores_;
};

}  // namespace palika::ledger
