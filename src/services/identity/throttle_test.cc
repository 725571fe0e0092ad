#include "services/identity/throttle.h"

#include <gtest/gtest.h>

#include <thread>

namespace palika::identity {
namespace {

using Clock = SignInThrottle::Clock;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

// A fake clock: an arbitrary steady-clock instant moved by hand.
const Clock::time_point kT0 = Clock::time_point{} + hours(1000);

TEST(SignInThrottle, BacksOffPerAddressAfterFiveFailures) {
  SignInThrottle throttle;
  Clock::time_point t = kT0;
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(throttle.Check("ram", "10.0.0.1", t).ok());
    throttle.RecordFailure("ram", "10.0.0.1", t);
  }
  EXPECT_TRUE(throttle.Check("ram", "10.0.0.1", t).ok());
  throttle.RecordFailure("ram", "10.0.0.1", t);  // the fifth

  // 1 s, 2 s, 4 s, 8 s …
  for (int64_t wait : {1, 2, 4, 8, 16}) {
    const Status s = throttle.Check("ram", "10.0.0.1", t);
    ASSERT_FALSE(s.ok()) << wait;
    EXPECT_EQ(s.kind(), StatusKind::kTooManyRequests);
    EXPECT_EQ(s.code(), "sign_in_throttled");
    EXPECT_EQ(throttle.RetryAfter("ram", "10.0.0.1", t), seconds(wait));
    EXPECT_FALSE(throttle.Check("ram", "10.0.0.1", t + seconds(wait) - milliseconds(1)).ok());
    t += seconds(wait);
    ASSERT_TRUE(throttle.Check("ram", "10.0.0.1", t).ok()) << wait;
    throttle.RecordFailure("ram", "10.0.0.1", t);
  }
  // Another address is not held back, nor is another account from another address.
  EXPECT_TRUE(throttle.Check("ram", "10.0.0.2", t).ok());
  EXPECT_TRUE(throttle.Check("shyam", "10.0.0.2", t).ok());
  // The same address is, whichever account it tries.
  EXPECT_FALSE(throttle.Check("shyam", "10.0.0.1", t).ok());
}

TEST(SignInThrottle, BackOffIsCappedAtFifteenMinutes) {
  SignInThrottle throttle;
  Clock::time_point t = kT0;
  for (int i = 0; i < 100; ++i) {
    throttle.RecordFailure("acct" + std::to_string(i), "10.0.0.9", t);
    t += seconds(1);
  }
  EXPECT_EQ(throttle.RetryAfter("x", "10.0.0.9", t - seconds(1)), minutes(15));
  const Status s = throttle.Check("x", "10.0.0.9", t - seconds(1));
  EXPECT_NE(s.message().find("Try again in 15 minutes"), std::string::npos) << s.message();
  EXPECT_NE(s.message_hi().find("15 मिनट बाद"), std::string::npos) << s.message_hi();
}

TEST(SignInThrottle, SuccessResetsTheAddress) {
  SignInThrottle throttle;
  for (int i = 0; i < 7; ++i) {
    throttle.RecordFailure("ram", "10.0.0.1", kT0);
  }
  EXPECT_FALSE(throttle.Check("ram", "10.0.0.1", kT0).ok());
  throttle.RecordSuccess("ram", "10.0.0.1");
  EXPECT_TRUE(throttle.Check("ram", "10.0.0.1", kT0).ok());
  // Counting starts afresh: four more failures are free.
  for (int i = 0; i < 4; ++i) {
    throttle.RecordFailure("ram", "10.0.0.1", kT0);
  }
  EXPECT_TRUE(throttle.Check("ram", "10.0.0.1", kT0).ok());
}

TEST(SignInThrottle, AddressIsForgivenAfterAnIdleHour) {
  SignInThrottle throttle;
  for (int i = 0; i < 10; ++i) {
    throttle.RecordFailure("ram", "10.0.0.1", kT0);
  }
  const Clock::time_point later = kT0 + hours(1);
  EXPECT_TRUE(throttle.Check("ram", "10.0.0.1", later).ok());
  throttle.RecordFailure("ram", "10.0.0.1", later);
  EXPECT_TRUE(throttle.Check("ram", "10.0.0.1", later).ok());  // one failure, not the eleventh
}

TEST(SignInThrottle, AtMostHundredFailuresPerAccountPerRollingHour) {
  SignInThrottle throttle;
  // 100 failures, one a second from different addresses (as a botnet would).
  for (int i = 0; i < 100; ++i) {
    const Clock::time_point t = kT0 + seconds(i);
    const std::string address = "10.1.0." + std::to_string(i);
    ASSERT_TRUE(throttle.Check("ram", address, t).ok()) << i;
    throttle.RecordFailure("ram", address, t);
  }
  // The 101st attempt within the hour is refused, from any address.
  const Clock::time_point t = kT0 + seconds(100);
  const Status s = throttle.Check("ram", "10.2.0.1", t);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), "sign_in_throttled");
  // It is refused until the first failure is an hour old.
  EXPECT_EQ(throttle.RetryAfter("ram", "10.2.0.1", t), seconds(3600 - 100));
  EXPECT_NE(s.message().find("Try again in 59 minutes"), std::string::npos) << s.message();
  EXPECT_FALSE(throttle.Check("ram", "10.2.0.1", kT0 + hours(1) - milliseconds(1)).ok());
  EXPECT_TRUE(throttle.Check("ram", "10.2.0.1", kT0 + hours(1)).ok());
  // Other accounts are untouched.
  EXPECT_TRUE(throttle.Check("shyam", "10.2.0.1", t).ok());

  // Rolling: one more failure at the hour fills the window again until the second is old.
  throttle.RecordFailure("ram", "10.2.0.1", kT0 + hours(1));
  EXPECT_FALSE(throttle.Check("ram", "10.2.0.2", kT0 + hours(1)).ok());
  EXPECT_EQ(throttle.RetryAfter("ram", "10.2.0.2", kT0 + hours(1)), seconds(1));
  EXPECT_TRUE(throttle.Check("ram", "10.2.0.2", kT0 + hours(1) + seconds(1)).ok());
}

TEST(SignInThrottle, SuccessDoesNotResetTheAccountLimit) {
  SignInThrottle throttle;
  for (int i = 0; i < 100; ++i) {
    throttle.RecordFailure("ram", "10.1.0." + std::to_string(i), kT0);
  }
  throttle.RecordSuccess("ram", "10.9.9.9");
  EXPECT_FALSE(throttle.Check("ram", "10.9.9.9", kT0 + minutes(1)).ok());
}

TEST(SignInThrottle, MessagesSayWhenToTryAgain) {
  SignInThrottle throttle;
  for (int i = 0; i < 5; ++i) {
    throttle.RecordFailure("ram", "10.0.0.1", kT0);
  }
  const Status s = throttle.Check("ram", "10.0.0.1", kT0 + milliseconds(200));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("Try again in 1 second."), std::string::npos) << s.message();
  EXPECT_NE(s.message_hi().find("1 सेकंड बाद फिर प्रयास करें"), std::string::npos) << s.message_hi();
}

TEST(SignInThrottle, MemoryStaysBounded) {
  SignInThrottleOptions options;
  options.max_entries = 100;
  SignInThrottle throttle(options);
  for (int i = 0; i < 10000; ++i) {
    throttle.RecordFailure("user" + std::to_string(i), "10.3." + std::to_string(i), kT0);
    ASSERT_LE(throttle.TrackedAccounts(), 100u);
    ASSERT_LE(throttle.TrackedAddresses(), 100u);
  }
  // Once the hour has passed, old entries go at the next failure.
  throttle.RecordFailure("late", "10.4.0.1", kT0 + hours(2));
  EXPECT_EQ(throttle.TrackedAccounts(), 1u);
  EXPECT_EQ(throttle.TrackedAddresses(), 1u);
}

TEST(SignInThrottle, IdleEntriesArePrunedWithoutPressure) {
  SignInThrottle throttle;
  for (int i = 0; i < 50; ++i) {
    throttle.RecordFailure("u" + std::to_string(i), "a", kT0);
  }
  EXPECT_EQ(throttle.TrackedAccounts(), 50u);
  throttle.RecordFailure("other", "b", kT0 + hours(1) + seconds(1));
  EXPECT_EQ(throttle.TrackedAccounts(), 1u);
  EXPECT_EQ(throttle.TrackedAddresses(), 1u);
}

TEST(SignInThrottle, IsSafeToShareAcrossThreads) {
  SignInThrottle throttle;
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int n = 0; n < 4; ++n) {
    threads.emplace_back([&throttle, n] {
      for (int i = 0; i < 2000; ++i) {
        const std::string address = "10.5." + std::to_string(n) + "." + std::to_string(i % 7);
        const Clock::time_point t = kT0 + milliseconds(i);
        (void)throttle.Check("shared", address, t);
        throttle.RecordFailure("shared", address, t);
        if (i % 13 == 0) {
          throttle.RecordSuccess("shared", address);
        }
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  EXPECT_FALSE(throttle.Check("shared", "10.6.0.1", kT0 + seconds(2)).ok());
}

}  // namespace
}  // namespace palika::identity
