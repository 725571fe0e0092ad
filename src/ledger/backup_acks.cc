#include "ledger/backup_acks.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>

#include "ledger/durable_file.h"

namespace palika::ledger {
namespace {

// Batches remembered per ledger while a host trails (enough for minutes of heavy load); past it
// the oldest are dropped and a lagging host's seconds are a lower bound.
constexpr size_t kMaxBatches = 100000;
constexpr char kFileFormat[] = "palika-backup-acks/1";
// More hosts x ledgers than a state has (413 ULBs x a few hosts) fit well below this.
constexpr size_t kMaxFileBytes = 64 << 20;

int64_t UnixMicrosNow() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

BackupAcks::BackupAcks(Metrics* metrics, std::filesystem::path file)
    : metrics_(metrics), file_(std::move(file)) {
  if (metrics_) {
    metrics_->RegisterGauge(
        "palika_backup_lag_entries",
        "Committed entries a backup host does not hold yet, by ledger and host.");
    metrics_->RegisterGauge(
        "palika_backup_lag_seconds",
        "How long the oldest entry a backup host lacks has been committed, by ledger and host.");
    metrics_->RegisterGauge("palika_backup_last_ack_age_seconds",
                            "Seconds since a backup host last reported what it holds.");
    metrics_->RegisterHistogram("palika_backup_ack_delay_seconds",
                                "From a batch's commit to a backup host's ack of it, by host.",
                                {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30});
    metrics_->RegisterCounter("palika_backup_sync_timeouts_total",
                              "Writes answered 503 because no backup confirmed them in time.");
  }
  if (!file_.empty()) {
    Load();
    flusher_ = std::thread([this] { FlushLoop(); });
  }
}

BackupAcks::~BackupAcks() {
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (flusher_.joinable()) flusher_.join();
}

void BackupAcks::Load() {
  auto text = ReadWholeFile(file_, kMaxFileBytes);
  if (!text.ok()) {
    if (text.status().kind() != StatusKind::kNotFound) {
      spdlog::warn("backup acks: {}; every backup host is unknown until it reports again",
                   text.status().message());
    }
    return;
  }
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(*text, ec);
  const auto* o = ec ? nullptr : v.if_object();
  const auto* format = o ? o->if_contains("format") : nullptr;
  const auto* acks = o ? o->if_contains("acks") : nullptr;
  if (!format || !format->is_string() || format->get_string() != kFileFormat || !acks ||
      !acks->is_array()) {
    spdlog::warn("backup acks: {} is not a {} file; it is ignored and rewritten at the next ack",
                 file_.string(), kFileFormat);
    return;
  }
  const auto now = Clock::now();
  const int64_t now_us = UnixMicrosNow();
  std::lock_guard lk(mu_);
  for (const auto& item : acks->get_array()) {
    const auto* a = item.if_object();
    const auto* ledger = a ? a->if_contains("ledger") : nullptr;
    const auto* host = a ? a->if_contains("host") : nullptr;
    const auto* held = a ? a->if_contains("held") : nullptr;
    const auto* at = a ? a->if_contains("last_ack_us") : nullptr;
    if (!ledger || !ledger->is_string() || !host || !host->is_string() || !held ||
        !(held->is_uint64() || (held->is_int64() && held->get_int64() >= 0)) || !at ||
        !at->is_int64()) {
      continue;
    }
    HostState& h =
        ledgers_[std::string(ledger->get_string())].hosts[std::string(host->get_string())];
    h.held = held->to_number<uint64_t>();
    h.last_ack_unix_us = at->get_int64();
    // Its age on the wall clock, carried over to this process's steady clock.
    h.last_ack = now - std::chrono::microseconds(std::max<int64_t>(0, now_us - h.last_ack_unix_us));
  }
}

std::string BackupAcks::SerializeLocked() const {
  boost::json::array acks;
  for (const auto& [ledger, l] : ledgers_) {
    for (const auto& [host, h] : l.hosts) {
      acks.push_back(boost::json::object{{"ledger", ledger},
                                         {"host", host},
                                         {"held", h.held},
                                         {"last_ack_us", h.last_ack_unix_us}});
    }
  }
  return boost::json::serialize(boost::json::object{{"format", kFileFormat}, {"acks", acks}}) +
         "\n";
}

Status BackupAcks::WriteFile(const std::string& text) const {
  return ReplaceFileDurably(file_, text, 0644);
}

void BackupAcks::FlushLoop() {
  uint64_t written = 0;
  std::unique_lock lk(mu_);
  while (true) {
    changed_.wait(lk, [&] { return stopping_ || changes_ != written; });
    if (changes_ == written) return;  // stopping, nothing new
    const uint64_t now_at = changes_;
    const std::string text = SerializeLocked();
    lk.unlock();
    Status s = WriteFile(text);
    if (!s.ok()) spdlog::warn("backup acks not saved: {}", s.message());
    lk.lock();
    written = now_at;
    if (stopping_) continue;  // one more round writes what came in meanwhile
    // At most one write per kFlushDelay, however often pullers ack.
    changed_.wait_for(lk, kFlushDelay, [&] { return stopping_; });
  }
}

void BackupAcks::RequireSync(int hosts, std::chrono::milliseconds timeout) {
  std::lock_guard lk(mu_);
  sync_hosts_ = std::max(0, hosts);
  sync_timeout_ = timeout;
}

int BackupAcks::sync_hosts() const {
  std::lock_guard lk(mu_);
  return sync_hosts_;
}

void BackupAcks::Committed(const std::string& ledger, uint64_t size) {
  std::lock_guard lk(mu_);
  LedgerState& l = ledgers_[ledger];
  if (size <= l.committed) return;
  l.committed = size;
  l.batches.emplace_back(size, Clock::now());
  if (l.batches.size() > kMaxBatches) l.batches.pop_front();
}

void BackupAcks::Ack(const std::string& host, const std::string& ledger, uint64_t size) {
  const auto now = Clock::now();
  std::vector<double> delays;
  {
    std::lock_guard lk(mu_);
    LedgerState& l = ledgers_[ledger];
    HostState& h = l.hosts[host];
    h.last_ack = now;
    h.last_ack_unix_us = UnixMicrosNow();
    ++changes_;
    if (size > h.held) {
      for (const auto& [batch_size, at] : l.batches) {
        if (batch_size <= h.held) continue;
        if (batch_size > size) break;
        delays.push_back(std::chrono::duration<double>(now - at).count());
      }
      h.held = size;
    }
    // Forget batches every known host holds.
    uint64_t min_held = UINT64_MAX;
    for (const auto& [name, hs] : l.hosts) min_held = std::min(min_held, hs.held);
    while (!l.batches.empty() && l.batches.front().first <= min_held) l.batches.pop_front();
  }
  acked_.notify_all();
  if (!file_.empty()) changed_.notify_all();
  if (metrics_) {
    for (double d : delays)
      metrics_->Observe("palika_backup_ack_delay_seconds", {{"host", host}}, d);
  }
}

int BackupAcks::HostsHoldingLocked(const LedgerState& l, uint64_t seq) const {
  int n = 0;
  for (const auto& [name, h] : l.hosts) n += h.held >= seq;
  return n;
}

Status BackupAcks::WaitForSync(const std::string& ledger, uint64_t seq) {
  std::unique_lock lk(mu_);
  if (sync_hosts_ <= 0 || seq == 0) return Status::OK();
  const auto deadline = Clock::now() + sync_timeout_;
  const bool held = acked_.wait_until(lk, deadline, [&] {
    auto it = ledgers_.find(ledger);
    return it != ledgers_.end() && HostsHoldingLocked(it->second, seq) >= sync_hosts_;
  });
  if (held) return Status::OK();
  const int needed = sync_hosts_;
  const double seconds = std::chrono::duration<double>(sync_timeout_).count();
  lk.unlock();
  if (metrics_) metrics_->Increment("palika_backup_sync_timeouts_total", {{"ledger", ledger}});
  return Status::Unavailable(
      "backup_not_confirmed",
      fmt::format("This was recorded on this server, but {} backup host(s) did not confirm holding "
                  "it within {:g} s, so it is not acknowledged. Retry with the same "
                  "Idempotency-Key: it will not be recorded twice. If this persists, the backup "
                  "host or its puller is down; tell the system administrator.",
                  needed, seconds),
      fmt::format("यह इस सर्वर पर दर्ज हो गया है, पर {} बैकअप होस्ट ने {:g} सेकंड में इसकी पुष्टि "
                  "नहीं की, इसलिए इसे स्वीकार नहीं माना गया। उसी Idempotency-Key के साथ पुनः "
                  "प्रयास करें: यह दोबारा दर्ज नहीं होगा। समस्या बनी रहे तो सिस्टम प्रशासक को "
                  "बताएँ।",
                  needed, seconds));
}

double BackupAcks::LagSecondsLocked(const LedgerState& l, uint64_t held,
                                    Clock::time_point now) const {
  if (held >= l.committed) return 0;
  for (const auto& [size, at] : l.batches) {
    if (size > held) return std::chrono::duration<double>(now - at).count();
  }
  return 0;
}

std::vector<BackupAcks::Lag> BackupAcks::Lags() const {
  const auto now = Clock::now();
  std::vector<Lag> out;
  std::lock_guard lk(mu_);
  for (const auto& [ledger, l] : ledgers_) {
    for (const auto& [host, h] : l.hosts) {
      out.push_back({ledger, host, h.held, l.committed, LagSecondsLocked(l, h.held, now),
                     std::chrono::duration<double>(now - h.last_ack).count()});
    }
  }
  return out;
}

void BackupAcks::ExportMetrics(Metrics& metrics) const {
  for (const auto& lag : Lags()) {
    const MetricLabels labels{{"ledger", lag.ledger}, {"host", lag.host}};
    metrics.Set("palika_backup_lag_entries", labels, static_cast<double>(lag.entries_behind()));
    metrics.Set("palika_backup_lag_seconds", labels, lag.seconds);
    metrics.Set("palika_backup_last_ack_age_seconds", labels, lag.since_ack);
  }
}

}  // namespace palika::ledger
