#include "services/registry/sessions.h"

#include <spdlog/spdlog.h>

#include "core/civil_date.h"
#include "services/identity/password.h"
#include "services/identity/token.h"
#include "services/identity/totp.h"

namespace palika::registry {
namespace {

Status BadCredentials() {
  return Status::Unauthenticated(
      "sign_in_failed",
      "The username, password or one-time code is not right. Check them and try again.",
      "उपयोगकर्ता नाम, पासवर्ड या वन-टाइम कोड सही नहीं है। जाँचकर पुनः प्रयास करें।");
}

Status SessionEnded() {
  return Status::Unauthenticated(
      "session_expired",
      "Your session has ended (15 minutes without activity, or 8 hours in all). Please sign in "
      "again.",
      "आपका सत्र समाप्त हो गया है (15 मिनट निष्क्रियता या कुल 8 घंटे)। कृपया फिर से साइन इन करें।");
}

constexpr int64_t kPersistEveryUs = 60 * 1000000LL;

}  // namespace

Result<std::unique_ptr<Sessions>> Sessions::Open(Registry& registry,
                                                 const std::filesystem::path& file,
                                                 SessionOptions options) {
  std::unique_ptr<Sessions> s(new Sessions(registry, options));
  store::sqlite::OpenOptions open;
  open.create = true;
  PALIKA_ASSIGN_OR_RETURN(s->db_, store::sqlite::Database::Open(file, open));
  PALIKA_RETURN_IF_ERROR(s->db_->ExecScript(
      "PRAGMA synchronous=NORMAL;"
      "CREATE TABLE IF NOT EXISTS sessions(token_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL,"
      " created_us INTEGER NOT NULL, last_seen_us INTEGER NOT NULL);"
      "CREATE TABLE IF NOT EXISTS totp_steps(user_id TEXT PRIMARY KEY, last_step INTEGER NOT "
      "NULL);"));
  const int64_t now = s->Now();
  PALIKA_RETURN_IF_ERROR(
      s->db_->Exec("DELETE FROM sessions WHERE last_seen_us < ? OR created_us < ?",
                   {now - options.idle_timeout.count() * 1000000LL,
                    now - options.absolute_timeout.count() * 1000000LL}));
  PALIKA_RETURN_IF_ERROR(
      s->db_->ForEach("SELECT token_hash, user_id, created_us, last_seen_us FROM sessions", {},
                      [&](const store::Row& r) {
                        s->sessions_[r.Text(0)] = {r.Text(1), r.Int(2), r.Int(3), r.Int(3)};
                        return true;
                      }));
  PALIKA_RETURN_IF_ERROR(
      s->db_->ForEach("SELECT user_id, last_step FROM totp_steps", {}, [&](const store::Row& r) {
        s->totp_steps_[r.Text(0)] = r.Int(1);
        return true;
      }));
  return s;
}

int64_t Sessions::Now() const { return NowMicros() + skew_.count() * 1000000LL; }

std::chrono::steady_clock::time_point Sessions::SteadyNow() const {
  return std::chrono::steady_clock::now() + skew_;
}

Result<SignInResult> Sessions::SignIn(const std::string& username, const std::string& password,
                                      const std::string& otp, const std::string& address) {
  Status throttled = throttle_.Check(username, address, SteadyNow());
  if (!throttled.ok()) {
    spdlog::warn("sign-in refused (throttled): user '{}' from {}", username, address);
    bool audit = false;
    {
      std::lock_guard lk(mu_);
      const auto now = SteadyNow();
      auto& last = throttle_audited_[username + "\n" + address];
      if (last.time_since_epoch().count() == 0 || now - last >= std::chrono::minutes(1)) {
        last = now;
        audit = true;
      }
      if (throttle_audited_.size() > 10000) throttle_audited_.clear();  // bounded memory
    }
    if (audit) (void)registry_.RecordSignInRefused(username, address, "throttled");
    return throttled;
  }
  auto refuse = [&](const std::string& reason) -> Status {
    throttle_.RecordFailure(username, address, SteadyNow());
    spdlog::warn("sign-in refused ({}): user '{}' from {}", reason, username, address);
    Status s = registry_.RecordSignInRefused(username, address, reason);
    if (!s.ok()) spdlog::error("cannot audit refused sign-in: {}", s.ToString());
    return BadCredentials();
  };
  PALIKA_ASSIGN_OR_RETURN(auto user, registry_.FindUser(username));
  if (!user) {
    identity::VerifyDummyPassword(password);  // same cost as a real check
    return refuse("unknown_user");
  }
  // The password is checked first so that an inactive account costs the same time as any other.
  if (!identity::VerifyPassword(user->password_hash, password)) return refuse("wrong_password");
  if (!user->active) return refuse("inactive");

  const int64_t now = Now();
  std::string token = identity::NewToken();
  const std::string hash = identity::TokenHash(token);
  {
    std::lock_guard lk(mu_);
    int64_t last = totp_steps_.contains(user->id) ? totp_steps_[user->id] : -1;
    auto step =
        identity::VerifyTotp(user->totp_secret, otp, static_cast<time_t>(now / 1000000), last);
    if (!step) {
      // Refuse outside the lock's scope below.
      token.clear();
    } else {
      totp_steps_[user->id] = *step;
      PALIKA_RETURN_IF_ERROR(
          db_->Exec("INSERT INTO totp_steps(user_id, last_step) VALUES (?, ?) "
                    "ON CONFLICT (user_id) DO UPDATE SET last_step = excluded.last_step",
                    {user->id, *step}));
      PALIKA_RETURN_IF_ERROR(db_->Exec(
          "INSERT INTO sessions(token_hash, user_id, created_us, last_seen_us) VALUES (?, ?, ?, ?)",
          {hash, user->id, now, now}));
      sessions_[hash] = {user->id, now, now, now};
    }
  }
  if (token.empty()) return refuse("wrong_otp");
  throttle_.RecordSuccess(username, address);
  PALIKA_RETURN_IF_ERROR(registry_.RecordSignIn(user->id, username, address));
  PALIKA_ASSIGN_OR_RETURN(auto grants, registry_.GrantsOf(user->id));
  SignInResult out;
  out.token = std::move(token);
  out.expires_at_us = now + options_.absolute_timeout.count() * 1000000LL;
  out.principal = {user->id, user->username, user->display_name, std::move(grants)};
  return out;
}

Result<identity::Principal> Sessions::Authenticate(const std::string& token) {
  const std::string hash = identity::TokenHash(token);
  const int64_t now = Now();
  std::string user_id;
  {
    std::lock_guard lk(mu_);
    auto it = sessions_.find(hash);
    if (it == sessions_.end()) {
      return Status::Unauthenticated("not_signed_in",
                                     "You are not signed in, or your session was closed. Please "
                                     "sign in.",
                                     "आप साइन इन नहीं हैं या आपका सत्र बंद हो गया है। कृपया साइन "
                                     "इन करें।");
    }
    Session& s = it->second;
    if (now - s.last_seen_us > options_.idle_timeout.count() * 1000000LL ||
        now - s.created_us > options_.absolute_timeout.count() * 1000000LL) {
      (void)db_->Exec("DELETE FROM sessions WHERE token_hash = ?", {hash});
      sessions_.erase(it);
      return SessionEnded();
    }
    s.last_seen_us = now;
    if (now - s.persisted_seen_us > kPersistEveryUs) {
      (void)db_->Exec("UPDATE sessions SET last_seen_us = ? WHERE token_hash = ?", {now, hash});
      s.persisted_seen_us = now;
    }
    user_id = s.user_id;
  }
  // Read the version first: a change committed after it makes the entry stale, never fresh.
  const uint64_t version = registry_.StateVersion();
  {
    std::lock_guard lk(mu_);
    if (auto it = principals_.find(user_id);
        it != principals_.end() && it->second.version == version) {
      return it->second.principal;
    }
  }
  PALIKA_ASSIGN_OR_RETURN(auto user, registry_.FindUserById(user_id));
  if (!user || !user->active) {
    // Ended for good: enabling the user again later must not bring this session back.
    std::lock_guard lk(mu_);
    (void)db_->Exec("DELETE FROM sessions WHERE token_hash = ?", {hash});
    sessions_.erase(hash);
    return SessionEnded();
  }
  PALIKA_ASSIGN_OR_RETURN(auto grants, registry_.GrantsOf(user_id));
  identity::Principal p{user->id, user->username, user->display_name, std::move(grants)};
  std::lock_guard lk(mu_);
  if (principals_.size() > 10000) principals_.clear();  // bounded memory
  principals_[user_id] = {version, p};
  return p;
}

std::optional<identity::Principal> Sessions::TryAuthenticateInMemory(const std::string& token) {
  const std::string hash = identity::TokenHash(token);
  const int64_t now = Now();
  // Read the version first, as Authenticate does: a change committed after it makes the cached
  // principal stale, never fresh.
  const uint64_t version = registry_.StateVersion();
  // mu_ is also held while sessions.db is written (a sign-in, a touch, an expiry), which may wait
  // on the disk: rather than wait behind it, leave this request to Authenticate. (A few tries:
  // another I/O thread holds it for a moment only.)
  std::unique_lock lk(mu_, std::defer_lock);
  for (int tries = 0; !lk.try_lock(); ++tries) {
    if (tries == 100) return std::nullopt;
  }
  auto it = sessions_.find(hash);
  if (it == sessions_.end()) return std::nullopt;
  Session& s = it->second;
  if (now - s.last_seen_us > options_.idle_timeout.count() * 1000000LL ||
      now - s.created_us > options_.absolute_timeout.count() * 1000000LL ||
      now - s.persisted_seen_us > kPersistEveryUs) {
    return std::nullopt;  // Authenticate ends it, or writes its last-seen time
  }
  auto cached = principals_.find(s.user_id);
  if (cached == principals_.end() || cached->second.version != version) return std::nullopt;
  s.last_seen_us = now;
  return cached->second.principal;
}

void Sessions::SignOutOthers(const std::string& user_id, const std::string& keep_token) {
  const std::string keep = identity::TokenHash(keep_token);
  std::lock_guard lk(mu_);
  std::erase_if(sessions_,
                [&](const auto& kv) { return kv.second.user_id == user_id && kv.first != keep; });
  (void)db_->Exec("DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?", {user_id, keep});
}

std::optional<std::chrono::seconds> Sessions::SignInRetryAfter(const std::string& username,
                                                               const std::string& address) const {
  return throttle_.RetryAfter(username, address, SteadyNow());
}

void Sessions::SignOut(const std::string& token) {
  const std::string hash = identity::TokenHash(token);
  std::lock_guard lk(mu_);
  sessions_.erase(hash);
  (void)db_->Exec("DELETE FROM sessions WHERE token_hash = ?", {hash});
}

}  // namespace palika::registry
