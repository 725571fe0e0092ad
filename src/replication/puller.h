#pragma once
// Puller: `palika backup pull` — runs on a backup host, pulls every ledger of a primary over HTTP
// with a replication token, and writes immutable segment files (ledger/segment.h) into a backup
// directory that the primary holds no credential for.
//
// For each ledger (the state's and every ULB's) it resumes from the last segment it holds (the
// segment header carries the checkpoint and the compact Merkle range, so sealed segments need no
// key to resume), asks for the entries after it, and accepts them only if
//   - the closing checkpoint is signed by the pinned node key under the log's own name, and
//   - the entries, appended to the tree it holds, give exactly that checkpoint's root
// (so they extend what it holds: RFC 6962 append-only), and writes them as one segment ending at
// that checkpoint. Then it reports what it holds to the primary (POST /api/v1/replication/acks),
// which is what the primary's lag metrics and `serve --sync-backup` wait on.
//
// A history that does not extend what the backup holds — rewritten entries, a truncated or forked
// log, a bad signature, a changed node key — is refused: nothing of it is written, the ledger is
// logged at error level each time, counted in palika_backup_refused_total, and the other ledgers
// go on. The node's public key is pinned at DIR/node.pub on the first pull (or given with
// --node-pub) and never replaced by what the primary says later.
//
// Metrics (refusals, segments, entries, held sizes, last success) are written after every pass to
// DIR/puller.prom in the Prometheus text format, for node_exporter's textfile collector.
// Not thread-safe: one Puller per process (two pullers on one DIR would race on segment names;
// WriteSegment refuses the loser).

#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/metrics.h"
#include "core/status.h"
#include "http/client.h"
#include "ledger/backup_key.h"
#include "ledger/merkle_tree.h"
#include "ledger/signed_note.h"

namespace palika::replication {

struct PullOptions {
  std::string from;                  // the primary, http://host:port
  std::string token;                 // the replication token
  std::filesystem::path to;          // the backup directory
  std::filesystem::path node_pub;    // optional: the node key to pin (else DIR/node.pub or TOFU)
  std::filesystem::path encrypt_to;  // optional: backup.pub to seal segments to
  std::chrono::seconds wait{10};     // long-poll wait per request while following
  uint64_t limit = 10000;            // entries asked for per request
  std::chrono::seconds timeout{30};  // per HTTP request, beyond the wait
};

// What one pass did to one ledger.
struct LedgerPull {
  std::string ulb;
  std::string origin;
  uint64_t held_before = 0;
  uint64_t held = 0;
  uint64_t primary_size = 0;
  int segments = 0;
  std::string refused;  // why its history was refused ("" if accepted)
  std::string error;    // a failure that is not a refusal (network, disk, held back on the primary)
};

// How one log of the backup compares with the primary's now (`palika drill --live`).
struct LiveComparison {
  std::string ulb;
  std::string origin;
  uint64_t held = 0;                // entries the backup holds (its last segment's checkpoint)
  std::string held_root_hex;        // their tree root ("" when it holds none)
  uint64_t primary_size = 0;        // entries the primary has committed
  uint64_t primary_checkpoint = 0;  // of which its latest signed checkpoint covers
  bool in_backup = false;           // the backup has segments of this log
  bool on_primary = false;          // the primary lists this log
  std::string diverged;  // why the primary's history does not extend the backup's ("" if it does)
  std::string error;     // why it could not be compared (held back on the primary, network)
};

struct PassReport {
  std::vector<LedgerPull> ledgers;
  int refused = 0;
  int errors = 0;
};

class Puller {
 public:
  // Prepares the backup directory and pins the node key (asking the primary for it if needed).
  static Result<std::unique_ptr<Puller>> Open(PullOptions options);
  ~Puller();

  // Pulls every ledger up to its latest checkpoint and acks. Network failures of the list itself
  // are an error Status; per-ledger failures and refusals are in the report.
  Result<PassReport> PullOnce();
  // --follow: PullOnce, then long-polls for new checkpoints and pulls again, until `stop` returns
  // true (checked between requests). Survives network failures (retries with back-off). Returns
  // the number of refusals seen.
  int Follow(const std::function<bool()>& stop);

  // For every log the backup holds or the primary lists: does the primary's latest signed
  // checkpoint extend what the backup holds? The entries in between are read and hashed onto the
  // backup's tree exactly as a pull would check them, but nothing is written, acked or counted.
  // A log the backup has no segment of is not read (in_backup false). Error only if the primary's
  // ledger list cannot be read.
  Result<std::vector<LiveComparison>> CompareWithPrimary();

  // Per ledger: what the backup holds and what the primary has (for `backup status`).
  struct Held {
    std::string ulb, origin;
    uint64_t size = 0;
  };
  std::vector<Held> HeldLogs() const;

 private:
  struct LogState {
    std::string ulb;
    std::string origin;
    bool loaded = false;
    uint64_t size = 0;
    ledger::CompactRange tree;
    std::string checkpoint;  // the note at `size` ("" when size is 0)
    std::string refused;     // the last refusal, to log a repeat once a minute, not every poll
    std::chrono::steady_clock::time_point refused_logged;
  };

  explicit Puller(PullOptions options);
  Status PinNodeKey();
  // Loads what the backup holds of a log from its last segment's header.
  Status LoadLog(LogState& log);
  // Pulls one ledger up to `target` (its latest checkpoint size on the primary).
  // With write false (CompareWithPrimary) it only checks: no segment, ack, metric or log line.
  void PullLedger(LogState& log, uint64_t primary_size, uint64_t target,
                  const std::string& primary_note, LedgerPull& out, bool write = true);
  void Refuse(LogState& log, LedgerPull& out, const std::string& why);
  // One pass over every ledger; with wait > 0, first long-polls for a new checkpoint anywhere.
  Result<PassReport> Pass(std::chrono::seconds wait);
  Status Ack(const std::vector<const LogState*>& logs);
  Result<boost::json::value> GetJson(const std::string& target, std::chrono::milliseconds timeout);
  void WriteMetrics();

  PullOptions options_;
  http::HttpUrl url_;
  std::unique_ptr<http::Client> client_;
  std::optional<ledger::NoteVerifier> node_;
  std::optional<ledger::SealKey> seal_;
  std::map<std::string, LogState> logs_;  // by "<ulb>/<origin>"
  uint64_t generation_ = 0;               // the primary's checkpoint generation at the last list
  std::string instance_;                  // the primary's instance that generation belongs to
  bool have_generation_ = false;
  Metrics metrics_;
};

}  // namespace palika::replication
