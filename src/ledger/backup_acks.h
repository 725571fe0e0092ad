#pragma once
// BackupAcks: what each backup host holds durably, per ledger, as its puller reports it
// (POST /api/v1/replication/acks), and the two things that follow from it:
//   - lag: per ledger and host, how many committed entries the host does not hold yet and for how
//     long the oldest of them has been waiting (metrics palika_backup_lag_entries /
//     palika_backup_lag_seconds, `palika backup status`), and a histogram of how long each batch
//     took from its commit to a host's ack (palika_backup_ack_delay_seconds);
//   - synchronous mode (`serve --sync-backup N`): WaitForSync blocks a write's answer until N hosts
//     hold its entry, like PostgreSQL's synchronous standby, and fails after the timeout with
//     Unavailable "backup_not_confirmed" (the write is recorded here; a retry with the same
//     Idempotency-Key returns the same answer once a backup holds it).
// Given a file (LedgerSet gives DATA/backup-acks.json), what each host holds is kept there too
// and read back at start, so a restart does not turn every ULB's backup "unknown" until the
// pullers report again; synchronous mode trusts reloaded acks (a backup host never deletes a
// segment). A background thread rewrites the file (fsync + rename) within kFlushDelay of a change
// and once more on destruction; a crash loses at most that last moment of acks, which only makes
// a host look further behind until its next ack. Not in the ledger: an ack is not a municipal
// record, and an entry per ack would itself be new data for the backups to trail.
// A host is the name of its replication token. Thread-safe.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/metrics.h"
#include "core/status.h"

namespace palika::ledger {

class BackupAcks {
 public:
  // A missing file means nothing is known yet; an unreadable or malformed one is logged and
  // replaced at the next ack.
  explicit BackupAcks(Metrics* metrics = nullptr, std::filesystem::path file = {});
  ~BackupAcks();
  BackupAcks(const BackupAcks&) = delete;
  BackupAcks& operator=(const BackupAcks&) = delete;

  static constexpr std::chrono::milliseconds kFlushDelay{200};

  // Synchronous mode: a write waits for `hosts` hosts (0: off, the default) for up to `timeout`.
  void RequireSync(int hosts, std::chrono::milliseconds timeout);
  int sync_hosts() const;

  // A ledger made entries up to `size` durable (called after each committed batch).
  void Committed(const std::string& ledger, uint64_t size);
  // `host` holds the first `size` entries of `ledger` durably. An ack never moves a host back.
  void Ack(const std::string& host, const std::string& ledger, uint64_t size);
  // Blocks until sync_hosts() hosts hold entry `seq` of `ledger`; OK at once when sync is off.
  Status WaitForSync(const std::string& ledger, uint64_t seq);

  struct Lag {
    std::string ledger;
    std::string host;
    uint64_t held = 0;       // entries the host holds
    uint64_t committed = 0;  // entries committed here
    double seconds = 0;      // how long the oldest entry it lacks has been committed
    double since_ack = 0;    // seconds since the host's last ack of this ledger
    // Entries committed here that the host lacks (0 if it holds more, e.g. after a restore here).
    uint64_t entries_behind() const { return committed > held ? committed - held : 0; }
  };
  // Every (ledger, host) pair known: acked since start or read back from the file, sorted.
  std::vector<Lag> Lags() const;
  // Sets the lag gauges from Lags() (call before rendering /metrics).
  void ExportMetrics(Metrics& metrics) const;

 private:
  using Clock = std::chrono::steady_clock;
  struct HostState {
    uint64_t held = 0;
    Clock::time_point last_ack;
    int64_t last_ack_unix_us = 0;  // the same moment on the wall clock, for the file
  };
  struct LedgerState {
    uint64_t committed = 0;
    // (size after a batch, when it committed), oldest first; trimmed once every host holds it.
    std::deque<std::pair<uint64_t, Clock::time_point>> batches;
    std::map<std::string, HostState> hosts;
  };
  int HostsHoldingLocked(const LedgerState& l, uint64_t seq) const;
  void Load();
  // The flusher thread: writes file_ after each change, at most every kFlushDelay.
  void FlushLoop();
  Status WriteFile(const std::string& text) const;
  std::string SerializeLocked() const;
  double LagSecondsLocked(const LedgerState& l, uint64_t held, Clock::time_point now) const;

  Metrics* metrics_;
  mutable std::mutex mu_;  // guards everything below
  std::condition_variable acked_;
  int sync_hosts_ = 0;
  std::chrono::milliseconds sync_timeout_{5000};
  std::map<std::string, LedgerState> ledgers_;
  const std::filesystem::path file_;  // empty: acks live in memory only
  uint64_t changes_ = 0;              // bumped by every ack that changes what the file says
  bool stopping_ = false;
  std::condition_variable changed_;  // wakes the flusher
  std::thread flusher_;              // runs only with a file
};

}  // namespace palika::ledger
