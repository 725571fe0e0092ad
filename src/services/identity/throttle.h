#pragma once
// SignInThrottle: slows password guessing down without locking honest users out for long.
//
// Two limits, checked before the password is (Check), fed after it (RecordFailure/Success):
// - per account: at most 100 failed sign-ins in any rolling hour; the 101st attempt within the
//   hour is refused without looking at the password. A success does not clear these failures, so
//   the real user signing in does not hand an attacker a fresh allowance.
// - per client address: after 5 consecutive failures each further attempt waits 1 s, then 2 s,
//   4 s … up to 15 minutes; a success from that address starts it afresh.
// Callers record a failure for unknown usernames too (so the limits do not reveal which exist),
// and do not record attempts that Check refused. Time is passed in (steady clock), so tests drive
// it. Memory is bounded: idle entries are pruned, and past max_entries the stalest are dropped.
// Thread-safe.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"

namespace palika::identity {

struct SignInThrottleOptions {
  int max_account_failures = 100;
  std::chrono::seconds account_window{std::chrono::hours(1)};
  int free_address_failures = 5;  // consecutive failures before the back-off starts
  std::chrono::seconds first_delay{1};
  std::chrono::seconds max_delay{std::chrono::minutes(15)};
  // An address with no failure for this long starts afresh.
  std::chrono::seconds address_memory{std::chrono::hours(1)};
  size_t max_entries = 100'000;  // accounts, and addresses, kept at most
};

class SignInThrottle {
 public:
  using Clock = std::chrono::steady_clock;

  explicit SignInThrottle(SignInThrottleOptions options = {});

  // OK, or TooManyRequests "sign_in_throttled" saying (in English and Hindi) when to try again.
  Status Check(std::string_view account, std::string_view address, Clock::time_point now) const;
  // How long until Check would pass (for a Retry-After header); nullopt if it passes now.
  std::optional<std::chrono::seconds> RetryAfter(std::string_view account, std::string_view address,
                                                 Clock::time_point now) const;

  void RecordFailure(std::string_view account, std::string_view address, Clock::time_point now);
  void RecordSuccess(std::string_view account, std::string_view address);

  // Entries held now (for tests and metrics).
  size_t TrackedAccounts() const;
  size_t TrackedAddresses() const;

 private:
  struct AccountFailures {
    std::vector<Clock::time_point> times;  // ascending; at most max_account_failures
  };
  struct AddressFailures {
    int64_t consecutive = 0;
    Clock::time_point last_failure;
    Clock::time_point blocked_until;
  };

  std::optional<Clock::duration> WaitLocked(std::string_view account, std::string_view address,
                                            Clock::time_point now) const;
  void PruneLocked(Clock::time_point now);

  const SignInThrottleOptions options_;

  mutable std::mutex failures_mutex_;  // guards accounts_, addresses_, last_prune_
  std::unordered_map<std::string, AccountFailures> accounts_;
  std::unordered_map<std::string, AddressFailures> addresses_;
  Clock::time_point last_prune_;
};

}  // namespace palika::identity
