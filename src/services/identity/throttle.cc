#include "services/identity/throttle.h"

#include <algorithm>
#include <utility>

#include "core/check.h"

namespace palika::identity {
namespace {

using std::chrono::seconds;

seconds CeilSeconds(SignInThrottle::Clock::duration d) { return std::chrono::ceil<seconds>(d); }

// "45 seconds" / "4 minutes", in English and Hindi; minutes are rounded up.
std::pair<std::string, std::string> DescribeWait(seconds wait) {
  if (wait.count() <= 60) {
    const std::string n = std::to_string(wait.count());
    return {n + (wait.count() == 1 ? " second" : " seconds"), n + " सेकंड"};
  }
  const std::string n = std::to_string((wait.count() + 59) / 60);
  return {n + " minutes", n + " मिनट"};
}

}  // namespace

SignInThrottle::SignInThrottle(SignInThrottleOptions options) : options_(options) {
  PALIKA_ASSERT(options_.max_account_failures >= 1 && options_.free_address_failures >= 1);
  PALIKA_ASSERT(options_.first_delay.count() >= 1 && options_.max_entries >= 1);
}

std::optional<SignInThrottle::Clock::duration> SignInThrottle::WaitLocked(
    std::string_view account, std::string_view address, Clock::time_point now) const {
  Clock::duration wait = Clock::duration::zero();

  if (auto it = accounts_.find(std::string(account)); it != accounts_.end()) {
    const std::vector<Clock::time_point>& times = it->second.times;
    const auto window_start = now - options_.account_window;
    const auto first_recent = std::upper_bound(times.begin(), times.end(), window_start);
    const auto recent = times.end() - first_recent;
    if (recent >= options_.max_account_failures) {
      // Refused until the oldest of the last max_account_failures failures leaves the window.
      const Clock::time_point oldest = *(times.end() - options_.max_account_failures);
      wait = std::max(wait, oldest + options_.account_window - now);
    }
  }

  if (auto it = addresses_.find(std::string(address)); it != addresses_.end()) {
    wait = std::max(wait, it->second.blocked_until - now);
  }

  if (wait <= Clock::duration::zero()) {
    return std::nullopt;
  }
  return wait;
}

std::optional<seconds> SignInThrottle::RetryAfter(std::string_view account,
                                                  std::string_view address,
                                                  Clock::time_point now) const {
  std::lock_guard lock(failures_mutex_);
  const auto wait = WaitLocked(account, address, now);
  if (!wait) {
    return std::nullopt;
  }
  return CeilSeconds(*wait);
}

Status SignInThrottle::Check(std::string_view account, std::string_view address,
                             Clock::time_point now) const {
  const auto wait = RetryAfter(account, address, now);
  if (!wait) {
    return Status::OK();
  }
  const auto [en, hi] = DescribeWait(*wait);
  return Status::TooManyRequests(
      "sign_in_throttled",
      "Too many failed sign-in attempts. Try again in " + en +
          ". If you have forgotten your password, ask your ULB's administrator to reset it.",
      "बहुत अधिक असफल साइन-इन प्रयास हुए हैं। " + hi +
          " बाद फिर प्रयास करें। पासवर्ड भूल गए हों तो अपने नगरीय निकाय के व्यवस्थापक से उसे "
          "रीसेट करवाएँ।");
}

void SignInThrottle::RecordFailure(std::string_view account, std::string_view address,
                                   Clock::time_point now) {
  std::lock_guard lock(failures_mutex_);

  // Per account: keep the failures inside the window, at most as many as the limit needs.
  std::vector<Clock::time_point>& times = accounts_[std::string(account)].times;
  const auto window_start = now - options_.account_window;
  times.erase(times.begin(), std::upper_bound(times.begin(), times.end(), window_start));
  times.insert(std::upper_bound(times.begin(), times.end(), now), now);  // kept ascending
  if (times.size() > static_cast<size_t>(options_.max_account_failures)) {
    times.erase(times.begin(), times.end() - options_.max_account_failures);
  }

  // Per address: count consecutive failures; from the limit on, double the wait each time.
  AddressFailures& failures = addresses_[std::string(address)];
  if (failures.consecutive > 0 && now - failures.last_failure >= options_.address_memory) {
    failures = AddressFailures{};
  }
  ++failures.consecutive;
  failures.last_failure = now;
  const int64_t doublings = failures.consecutive - options_.free_address_failures;
  if (doublings >= 0) {
    seconds delay = options_.first_delay;
    for (int64_t i = 0; i < doublings && delay < options_.max_delay; ++i) {
      delay *= 2;
    }
    failures.blocked_until = now + std::min(delay, options_.max_delay);
  }

  const auto prune_every = std::min(options_.account_window, options_.address_memory);
  if (now - last_prune_ >= prune_every || accounts_.size() > options_.max_entries ||
      addresses_.size() > options_.max_entries) {
    PruneLocked(now);
  }
}

void SignInThrottle::RecordSuccess(std::string_view /*account*/, std::string_view address) {
  std::lock_guard lock(failures_mutex_);
  addresses_.erase(std::string(address));
}

size_t SignInThrottle::TrackedAccounts() const {
  std::lock_guard lock(failures_mutex_);
  return accounts_.size();
}

size_t SignInThrottle::TrackedAddresses() const {
  std::lock_guard lock(failures_mutex_);
  return addresses_.size();
}

void SignInThrottle::PruneLocked(Clock::time_point now) {
  last_prune_ = now;
  std::erase_if(accounts_, [&](const auto& entry) {
    const auto& times = entry.second.times;
    return times.empty() || times.back() <= now - options_.account_window;
  });
  std::erase_if(addresses_, [&](const auto& entry) {
    return entry.second.last_failure + options_.address_memory <= now &&
           entry.second.blocked_until <= now;
  });

  // Still over the cap (many distinct names or addresses within the hour): drop the stalest
  // tenth, so that pruning stays rare while the flood lasts.
  const size_t keep = options_.max_entries - options_.max_entries / 10;
  auto drop_stalest = [keep](auto& map, auto last_seen) {
    if (map.size() <= keep) {
      return;
    }
    std::vector<std::pair<Clock::time_point, std::string>> by_age;
    by_age.reserve(map.size());
    for (const auto& [key, value] : map) {
      by_age.emplace_back(last_seen(value), key);
    }
    const size_t drop = map.size() - keep;
    std::nth_element(by_age.begin(), by_age.begin() + static_cast<std::ptrdiff_t>(drop - 1),
                     by_age.end());
    for (size_t i = 0; i < drop; ++i) {
      map.erase(by_age[i].second);
    }
  };
  if (accounts_.size() > options_.max_entries) {
    drop_stalest(accounts_, [](const AccountFailures& f) { return f.times.back(); });
  }
  if (addresses_.size() > options_.max_entries) {
    drop_stalest(addresses_, [](const AddressFailures& f) { return f.last_failure; });
  }
}

}  // namespace palika::identity
