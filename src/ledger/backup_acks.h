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
// Acks live in memory only: after a restart every host is unknown until its next ack (a puller
// acks at every poll). A host is the name of its replication token. Thread-safe.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/metrics.h"
#include "core/status.h"

namespace palika::ledger {

class BackupAcks {
 public:
  explicit BackupAcks(Metrics* metrics = nullptr);

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
  };
  // Every (ledger, host) pair that has acked since start, sorted.
  std::vector<Lag> Lags() const;
  // Sets the lag gauges from Lags() (call before rendering /metrics).
  void ExportMetrics(Metrics& metrics) const;

 private:
  using Clock = std::chrono::steady_clock;
  struct HostState {
    uint64_t held = 0;
    Clock::time_point last_ack;
  };
  struct LedgerState {
    uint64_t committed = 0;
    // (size after a batch, when it committed), oldest first; trimmed once every host holds it.
    std::deque<std::pair<uint64_t, Clock::time_point>> batches;
    std::map<std::string, HostState> hosts;
  };
  int HostsHoldingLocked(const LedgerState& l, uint64_t seq) const;
  double LagSecondsLocked(const LedgerState& l, uint64_t held, Clock::time_point now) const;

  Metrics* metrics_;
  mutable std::mutex mu_;  // guards everything below
  std::condition_variable acked_;
  int sync_hosts_ = 0;
  std::chrono::milliseconds sync_timeout_{5000};
  std::map<std::string, LedgerState> ledgers_;
};

}  // namespace palika::ledger
