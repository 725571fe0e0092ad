#pragma once
// LedgerSet: every ledger of one data directory, opened with the node's key.
//
// Layout of a data directory:
//   palika.json      store kind and node id (written by `palika init`)
//   node.key         the node's Ed25519 signing key, mode 0600 (C2SP signer key form)
//   node.pub         its public verifier key (safe to share; backups and auditors use it)
//   state.db         the state ledger: ULB registry, users, role grants, settings
//   ulb/<code>.db    one ledger per ULB, which replays alone
//
// Each log is signed under its own name ("palika/<node>/<ulb>") with the node's key, so a
// checkpoint names the log it belongs to. A ULB ledger that fails its quick check at start-up is
// held back (Ulb() returns its Status) while every other ULB keeps working. Thread-safe.

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/metrics.h"
#include "ledger/ledger.h"
#include "ledger/signed_note.h"

namespace palika::ledger {

struct DataDirConfig {
  std::string store = "sqlite";
  std::string node;  // origin id, e.g. "node-3fa2c1d4"
};

// Creates a new data directory: palika.json, node.key (0600), node.pub, ulb/. Refuses a directory
// that already holds a palika.json.
Status InitDataDir(const std::filesystem::path& dir);
Result<DataDirConfig> ReadDataDirConfig(const std::filesystem::path& dir);
// The verifier of a log signed by this node's key.
Result<NoteVerifier> LogVerifier(const NoteVerifier& node, const std::string& log_name);

class LedgerSet {
 public:
  static Result<std::unique_ptr<LedgerSet>> Open(const std::filesystem::path& dir,
                                                 const Projections& state_projections,
                                                 const Projections& ulb_projections,
                                                 Metrics* metrics);
  ~LedgerSet();

  Ledger& state() { return *state_; }
  // The ULB's ledger; NotFound if there is none, Unavailable if it failed its quick check.
  Result<Ledger*> Ulb(const std::string& code);
  // Creates the ULB's ledger file if missing and opens it.
  Result<Ledger*> CreateUlb(const std::string& code);
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
                                             const std::filesystem::path& file, bool create);

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
  std::mutex create_mu_;   // serialises CreateUlb, so a ULB's file is opened once
  mutable std::mutex mu_;  // guards ulbs_, held_back_, keys_
  std::map<std::string, std::unique_ptr<Ledger>> ulbs_;
  std::map<std::string, Status> held_back_;
  std::map<std::string, LogKeys> keys_;
};

}  // namespace palika::ledger
