#pragma once
// The demand runs started from the back office: property_tax::RaiseDemand on a thread of its own,
// one run per ULB and year at a time, with how far it has got, so the demand page can answer at
// once and show the progress while it runs (the page reloads itself) and the result after.
// The runs live in memory only: after a restart the page shows what the ledger says
// (GetDemandProgress), and running it again is safe because RaiseDemand is idempotent.
// Thread-safe. The destructor waits for the runs still going.

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/civil_date.h"
#include "core/status.h"
#include "ledger/ledger_set.h"
#include "services/property_tax/demand.h"

namespace palika::web {

struct DemandJob {
  std::string ulb;
  FinancialYear fy = FinancialYear::Of(CivilDate());
  std::string started_by;  // the staff member's name
  int64_t started_us = 0;
  bool running = true;
  int64_t done = 0;   // properties looked at so far
  int64_t total = 0;  // properties in the ULB when the run started
  std::optional<property_tax::DemandRun> result;
  std::optional<Status> error;
};

class DemandJobs {
 public:
  explicit DemandJobs(ledger::LedgerSet& ledgers) : ledgers_(ledgers) {}
  ~DemandJobs();
  DemandJobs(const DemandJobs&) = delete;
  DemandJobs& operator=(const DemandJobs&) = delete;

  // Starts the run of `fy` in `ulb` unless one is running; false if one was already running (it
  // goes on, and nothing new starts).
  bool Start(const std::string& ulb, FinancialYear fy, const std::string& actor,
             const std::string& actor_name);
  // The latest run of `fy` in `ulb` since the server started, if any.
  std::optional<DemandJob> Get(const std::string& ulb, FinancialYear fy) const;

 private:
  static std::string Key(const std::string& ulb, FinancialYear fy) {
    return ulb + "/" + fy.Format();
  }

  ledger::LedgerSet& ledgers_;
  mutable std::mutex mu_;
  std::map<std::string, DemandJob> jobs_;  // by Key; one per ULB and year
  std::vector<std::thread> threads_;
};

}  // namespace palika::web
