#pragma once
// Sessions: staff sign-in (password + TOTP), bearer tokens, idle and absolute expiry.
//
// A token is 256 random bits, given to the client once; only its SHA-256 is stored. Staff sessions
// end after 15 idle minutes or 8 hours, whichever comes first. Sign-ins are throttled (100 failures
// per account per hour, back-off per client address); every sign-in and every refusal is an entry
// in the state ledger (the audit), and refusals are logged; while a client is throttled, its
// refusals are audited once a minute per account and address, so that a flood of attempts cannot
// flood the ledger.
//
// Live sessions and the last TOTP step used are kept in sessions.db beside the ledgers. They are
// NOT part of the record: they are short-lived, they change on every request, and a restore must
// not bring back sessions anyway (everyone signs in again). Thread-safe.

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "services/identity/access.h"
#include "services/identity/throttle.h"
#include "services/registry/registry.h"
#include "store/sqlite/database.h"

namespace palika::registry {

struct SessionOptions {
  std::chrono::seconds idle_timeout{15 * 60};
  std::chrono::seconds absolute_timeout{8 * 60 * 60};
};

struct SignInResult {
  std::string token;      // give to the client; never stored
  int64_t expires_at_us;  // when the session ends if used continuously (absolute limit)
  identity::Principal principal;
};

class Sessions {
 public:
  static Result<std::unique_ptr<Sessions>> Open(Registry& registry,
                                                const std::filesystem::path& file,
                                                SessionOptions options = {});

  // Checks throttle, password and one-time code. Unauthenticated (one message for every wrong
  // part, so nobody learns which was wrong) or TooManyRequests.
  Result<SignInResult> SignIn(const std::string& username, const std::string& password,
                              const std::string& otp, const std::string& address);
  // The principal behind a token, with its current grants. Unauthenticated if unknown or expired.
  // The user and grants are read from the state ledger once and kept until the state ledger
  // changes (Registry::StateVersion), so a revoked grant or a deactivated user is seen on the very
  // next request, as without the cache.
  Result<identity::Principal> Authenticate(const std::string& token);
  // The same answer when it can be given from memory alone, without touching sessions.db or the
  // state ledger (for a server's I/O thread): the principal of a live session whose user and
  // grants are cached for the current state version, its idle clock touched as Authenticate
  // touches it. nullopt in every other case (an unknown, expired or signed-out token, a
  // last-seen time due to be written, a user to read again, or another thread writing
  // sessions.db just now): call Authenticate, which gives the refusal or does the write. So
  // expiry, sign-out and revocation take effect exactly as there.
  std::optional<identity::Principal> TryAuthenticateInMemory(const std::string& token);
  void SignOut(const std::string& token);
  // Ends every session of `user_id` except the one of `keep_token` (after a password change:
  // whoever knew the old password is signed out everywhere else).
  void SignOutOthers(const std::string& user_id, const std::string& keep_token);
  // How long until a sign-in of `username` from `address` is no longer throttled (for a
  // Retry-After header); nullopt if it is not throttled now.
  std::optional<std::chrono::seconds> SignInRetryAfter(const std::string& username,
                                                       const std::string& address) const;

  // For tests: pretend `delta` has passed.
  void AdvanceClockForTest(std::chrono::seconds delta) { skew_ += delta; }

 private:
  struct Session {
    std::string user_id;
    int64_t created_us;
    int64_t last_seen_us;
    int64_t persisted_seen_us;
  };
  Sessions(Registry& registry, SessionOptions options) : registry_(registry), options_(options) {}
  int64_t Now() const;
  std::chrono::steady_clock::time_point SteadyNow() const;

  Registry& registry_;
  SessionOptions options_;
  std::chrono::seconds skew_{0};
  identity::SignInThrottle throttle_;

  struct CachedPrincipal {
    uint64_t version = 0;  // Registry::StateVersion() before it was read
    identity::Principal principal;
  };

  std::mutex mu_;  // guards db_, sessions_, totp_steps_, throttle_audited_, principals_
  std::unique_ptr<store::sqlite::Database> db_;
  std::map<std::string, Session> sessions_;    // by token hash
  std::map<std::string, int64_t> totp_steps_;  // user id -> last accepted step
  // "username\naddress" -> when its last throttled refusal was audited.
  std::map<std::string, std::chrono::steady_clock::time_point> throttle_audited_;
  // User id -> the active user's principal; entries of another version are stale.
  std::map<std::string, CachedPrincipal> principals_;
};

}  // namespace palika::registry
