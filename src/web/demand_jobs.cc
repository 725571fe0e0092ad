#include "web/demand_jobs.h"

#include <chrono>

namespace palika::web {

DemandJobs::~DemandJobs() {
  std::vector<std::thread> threads;
  {
    std::lock_guard lk(mu_);
    threads.swap(threads_);
  }
  for (auto& t : threads) t.join();
}

bool DemandJobs::Start(const std::string& ulb, FinancialYear fy, const std::string& actor,
                       const std::string& actor_name) {
  const std::string key = Key(ulb, fy);
  std::lock_guard lk(mu_);
  if (auto it = jobs_.find(key); it != jobs_.end() && it->second.running) return false;
  DemandJob job;
  job.ulb = ulb;
  job.fy = fy;
  job.started_by = actor_name;
  job.started_us = std::chrono::duration_cast<std::chrono::microseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  jobs_.insert_or_assign(key, job);
  // Finished threads are joined by the destructor; a ULB starts a handful of runs a year.
  threads_.emplace_back([this, key, ulb, fy, actor] {
    property_tax::DemandOptions options;
    options.progress = [this, &key](int64_t done, int64_t total) {
      std::lock_guard lk(mu_);
      DemandJob& j = jobs_.at(key);
      j.done = done;
      j.total = total;
    };
    auto run = property_tax::RaiseDemand(ledgers_, ulb, actor, fy, options);
    std::lock_guard lk(mu_);
    DemandJob& j = jobs_.at(key);
    j.running = false;
    if (run.ok()) {
      j.result = std::move(*run);
      j.done = j.result->properties;
    } else {
      j.error = run.status();
    }
  });
  return true;
}

std::optional<DemandJob> DemandJobs::Get(const std::string& ulb, FinancialYear fy) const {
  std::lock_guard lk(mu_);
  auto it = jobs_.find(Key(ulb, fy));
  if (it == jobs_.end()) return std::nullopt;
  return it->second;
}

}  // namespace palika::web
