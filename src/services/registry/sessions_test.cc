#include "services/registry/sessions.h"

#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <future>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/civil_date.h"
#include "core/encoding.h"
#include "ledger/ledger_set.h"
#include "services/identity/token.h"
#include "services/identity/totp.h"
#include "store/sqlite/database.h"

namespace palika::registry {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using identity::Role;

const ledger::Projections& StateTables() {
  static const ledger::Projections p = [] {
    ledger::Projections p;
    RegisterStateProjections(p);
    return p;
  }();
  return p;
}

const ledger::Projections& UlbTables() {
  static const ledger::Projections p = [] {
    ledger::Projections p;
    RegisterUlbProjections(p);
    return p;
  }();
  return p;
}

constexpr char kPassword[] = "सही पासवर्ड correct horse";
const identity::Principal kStateAdmin{"usr_state", "state", "State", {{Role::kStateAdmin, "*"}}};

class SessionsTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("palika_sessions_test_" + HexEncode(RandomBytes(8)));
    ASSERT_TRUE(ledger::InitDataDir(dir_).ok());
    auto set = ledger::LedgerSet::Open(dir_, StateTables(), UlbTables(), nullptr);
    ASSERT_TRUE(set.ok()) << set.status().ToString();
    ledgers_ = std::move(set).value();
    registry_ = std::make_unique<Registry>(*ledgers_);
    ASSERT_TRUE(
        registry_->AddUlb("system", {"0152", "Indore", "इंदौर", "corporation", "Indore"}).ok());
    auto u = registry_->AddUser(
        "usr_state", {"meena", "मीना शर्मा", kPassword, identity::Grant{Role::kCashier, "0152"}});
    ASSERT_TRUE(u.ok()) << u.status().ToString();
    auto rec = registry_->FindUser("meena");
    ASSERT_TRUE(rec.ok() && *rec);
    user_ = **rec;
    OpenSessions();
  }
  void TearDown() override {
    sessions_.reset();
    registry_.reset();
    ledgers_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  void OpenSessions() {
    sessions_.reset();
    skew_ = 0s;  // a new Sessions starts with the real clock
    auto s = Sessions::Open(*registry_, dir_ / "sessions.db");
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    sessions_ = std::move(s).value();
  }

  void Advance(std::chrono::seconds d) {
    sessions_->AdvanceClockForTest(d);
    skew_ += d;
  }

  // The sessions' idea of now, in Unix seconds.
  std::time_t Now() const { return std::time(nullptr) + skew_.count(); }

  // A code for a step no sign-in has used yet: each call moves the clock one TOTP step on.
  std::string FreshOtp() {
    Advance(30s);
    return identity::TotpCode(user_.totp_secret, Now());
  }

  Result<SignInResult> SignIn(const std::string& otp, const std::string& address = "10.0.0.1") {
    return sessions_->SignIn("meena", kPassword, otp, address);
  }

  std::string MustSignIn() {
    auto r = SignIn(FreshOtp());
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->token : std::string();
  }

  static void ExpectSignInFailed(const Result<SignInResult>& r) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().kind(), StatusKind::kUnauthenticated);
    EXPECT_EQ(r.status().code(), "sign_in_failed");
    EXPECT_NE(r.status().message_hi(), r.status().message());
  }

  std::vector<std::string> AuditReasons() {
    std::vector<std::string> out;
    EXPECT_TRUE(ledgers_->state()
                    .Read([&](store::Transaction& tx) {
                      return tx.ForEach(
                          "SELECT outcome, reason FROM sign_in_audit ORDER BY seq", {},
                          [&](const store::Row& r) {
                            out.push_back(r.Text(0) + (r.Text(1).empty() ? "" : ":" + r.Text(1)));
                            return true;
                          });
                    })
                    .ok());
    return out;
  }

  fs::path dir_;
  std::unique_ptr<ledger::LedgerSet> ledgers_;
  std::unique_ptr<Registry> registry_;
  std::unique_ptr<Sessions> sessions_;
  UserRecord user_;
  std::chrono::seconds skew_{0};
};

TEST_F(SessionsTest, SignInWithPasswordAndTotpOpensASession) {
  const int64_t before = NowMicros();
  auto r = SignIn(FreshOtp(), "10.1.2.3");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->token.size(), 43u);
  const int64_t eight_hours = 8LL * 3600 * 1000000;
  EXPECT_GE(r->expires_at_us, before + eight_hours);
  EXPECT_LE(r->expires_at_us, NowMicros() + skew_.count() * 1000000LL + eight_hours);
  EXPECT_EQ(r->principal.user_id, user_.id);
  EXPECT_EQ(r->principal.username, "meena");
  EXPECT_EQ(r->principal.display_name, "मीना शर्मा");
  ASSERT_EQ(r->principal.grants.size(), 1u);
  EXPECT_EQ(r->principal.grants[0].role, Role::kCashier);
  EXPECT_EQ(r->principal.grants[0].ulb, "0152");

  auto p = sessions_->Authenticate(r->token);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->user_id, user_.id);
  ASSERT_EQ(p->grants.size(), 1u);
  EXPECT_EQ(p->grants[0].ulb, "0152");
  EXPECT_EQ(AuditReasons(), (std::vector<std::string>{"opened"}));

  // Two sign-ins are two sessions.
  auto second = SignIn(FreshOtp());
  ASSERT_TRUE(second.ok());
  EXPECT_NE(second->token, r->token);
  EXPECT_TRUE(sessions_->Authenticate(second->token).ok());
  EXPECT_TRUE(sessions_->Authenticate(r->token).ok());
}

TEST_F(SessionsTest, EveryWrongPartFailsTheSameWay) {
  const std::string otp = FreshOtp();
  // Each from its own address, so the per-address back-off stays out of the way.
  ExpectSignInFailed(sessions_->SignIn("meena", "wrong password!", otp, "10.0.0.1"));
  ExpectSignInFailed(sessions_->SignIn("nobody", kPassword, otp, "10.0.0.2"));
  const std::string stale = identity::TotpCode(user_.totp_secret, Now() - 3600);
  ExpectSignInFailed(sessions_->SignIn("meena", kPassword, stale, "10.0.0.3"));
  ExpectSignInFailed(sessions_->SignIn("meena", kPassword, "12345", "10.0.0.4"));
  ExpectSignInFailed(sessions_->SignIn("meena", kPassword, "abcdef", "10.0.0.5"));
  ExpectSignInFailed(sessions_->SignIn("meena", kPassword, "", "10.0.0.6"));
  ExpectSignInFailed(sessions_->SignIn("", "", "", "10.0.0.7"));
  // The messages do not tell which part was wrong.
  auto a = sessions_->SignIn("meena", "wrong password!", otp, "10.0.0.8");
  auto b = sessions_->SignIn("nobody", kPassword, otp, "10.0.0.9");
  ASSERT_FALSE(a.ok() || b.ok());
  EXPECT_EQ(a.status().message(), b.status().message());

  // A refusal for the wrong password did not use up the one-time code.
  auto ok = SignIn(otp, "10.0.0.10");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();

  const auto reasons = AuditReasons();
  ASSERT_EQ(reasons.size(), 10u);
  EXPECT_EQ(reasons[0], "refused:wrong_password");
  EXPECT_EQ(reasons[1], "refused:unknown_user");
  EXPECT_EQ(reasons[2], "refused:wrong_otp");
  EXPECT_EQ(reasons[9], "opened");
}

TEST_F(SessionsTest, AOneTimeCodeWorksOnce) {
  const std::string otp = FreshOtp();
  ASSERT_TRUE(SignIn(otp).ok());
  ExpectSignInFailed(SignIn(otp));
  EXPECT_EQ(AuditReasons().back(), "refused:wrong_otp");
  // The code of the next step is accepted (within the allowed clock drift)...
  const std::string next = identity::TotpCode(user_.totp_secret, Now() + 30);
  auto r = SignIn(next);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // ...once. The spent steps are remembered across a restart: with the clock where it was, both
  // codes are within the drift window and still refused.
  const std::chrono::seconds skew = skew_;
  OpenSessions();
  Advance(skew);
  ExpectSignInFailed(SignIn(otp));
  ExpectSignInFailed(SignIn(next));
  Advance(30s);
  auto later = SignIn(identity::TotpCode(user_.totp_secret, Now() + 30));
  EXPECT_TRUE(later.ok()) << later.status().ToString();
}

TEST_F(SessionsTest, TwoSignInsRacingWithOneCodeGetOneSession) {
  const std::string otp = FreshOtp();
  std::optional<Result<SignInResult>> results[2];
  std::promise<void> go;
  std::shared_future<void> start = go.get_future().share();
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i) {
    threads.emplace_back([&, i] {
      start.wait();
      results[i] = SignIn(otp, "10.0.0." + std::to_string(i + 1));
    });
  }
  go.set_value();
  for (auto& t : threads) t.join();
  EXPECT_NE(results[0]->ok(), results[1]->ok());
}

TEST_F(SessionsTest, OddUsernamesAreRefusedLikeAnyOther) {
  const std::string otp = FreshOtp();
  // Not reachable over HTTP (ParseJsonObject refuses invalid UTF-8), but refused all the same.
  ExpectSignInFailed(sessions_->SignIn("me\xffna", kPassword, otp, "10.0.0.1"));
  ExpectSignInFailed(sessions_->SignIn("MEENA", kPassword, otp, "10.0.0.2"));
  ExpectSignInFailed(sessions_->SignIn("meena ", kPassword, otp, "10.0.0.3"));
  ExpectSignInFailed(sessions_->SignIn("meena", std::string(kPassword) + " ", otp, "10.0.0.4"));
  EXPECT_TRUE(SignIn(otp).ok());
}

TEST_F(SessionsTest, AuthenticateRefusesUnknownTokens) {
  for (const std::string& token :
       {std::string(), std::string("not-a-token"), identity::NewToken()}) {
    auto p = sessions_->Authenticate(token);
    ASSERT_FALSE(p.ok());
    EXPECT_EQ(p.status().kind(), StatusKind::kUnauthenticated);
    EXPECT_EQ(p.status().code(), "not_signed_in");
  }
}

TEST_F(SessionsTest, IdleSessionsEndAfterFifteenMinutes) {
  const std::string token = MustSignIn();
  Advance(14min);
  ASSERT_TRUE(sessions_->Authenticate(token).ok());
  Advance(14min);  // 28 minutes in all, but never 15 idle
  ASSERT_TRUE(sessions_->Authenticate(token).ok());
  Advance(16min);
  auto p = sessions_->Authenticate(token);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().kind(), StatusKind::kUnauthenticated);
  EXPECT_EQ(p.status().code(), "session_expired");
  EXPECT_NE(p.status().message_hi(), p.status().message());
  // Ended for good.
  EXPECT_EQ(sessions_->Authenticate(token).status().code(), "not_signed_in");
}

TEST_F(SessionsTest, SessionsEndAfterEightHoursEvenWhenBusy) {
  const std::string token = MustSignIn();
  std::chrono::minutes used{0};
  while (used + 14min <= 8h) {
    Advance(14min);
    used += 14min;
    auto p = sessions_->Authenticate(token);
    ASSERT_TRUE(p.ok()) << "after " << used.count() << " minutes: " << p.status().ToString();
  }
  Advance(14min);
  EXPECT_EQ(sessions_->Authenticate(token).status().code(), "session_expired");
  EXPECT_EQ(sessions_->Authenticate(token).status().code(), "not_signed_in");
}

TEST_F(SessionsTest, SignOutEndsOnlyThatSession) {
  const std::string a = MustSignIn();
  const std::string b = MustSignIn();
  sessions_->SignOut(a);
  EXPECT_EQ(sessions_->Authenticate(a).status().code(), "not_signed_in");
  EXPECT_TRUE(sessions_->Authenticate(b).ok());
  sessions_->SignOut(a);  // again: harmless
  sessions_->SignOut("never-issued");
  EXPECT_TRUE(sessions_->Authenticate(b).ok());
  OpenSessions();
  EXPECT_EQ(sessions_->Authenticate(a).status().code(), "not_signed_in");
  EXPECT_TRUE(sessions_->Authenticate(b).ok());
}

TEST_F(SessionsTest, SessionsSurviveReopeningAndStoreOnlyTokenHashes) {
  const std::string token = MustSignIn();
  OpenSessions();
  auto p = sessions_->Authenticate(token);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->username, "meena");

  sessions_.reset();
  auto db = store::sqlite::Database::Open(dir_ / "sessions.db", {});
  ASSERT_TRUE(db.ok());
  auto rows = (*db)->Query("SELECT token_hash, user_id FROM sessions");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].Text(0), identity::TokenHash(token));
  EXPECT_EQ((*rows)[0].Text(1), user_.id);
  // A session that was idle too long while the server was down is gone after the restart.
  ASSERT_TRUE((*db)
                  ->Exec("UPDATE sessions SET last_seen_us = last_seen_us - ?",
                         {int64_t{16} * 60 * 1000000})
                  .ok());
  db->reset();
  OpenSessions();
  EXPECT_EQ(sessions_->Authenticate(token).status().code(), "not_signed_in");
}

TEST_F(SessionsTest, ARevokedGrantIsGoneOnTheNextRequest) {
  const std::string token = MustSignIn();
  auto p = sessions_->Authenticate(token);
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p->grants.size(), 1u);

  ASSERT_TRUE(registry_->RevokeRole(kStateAdmin, "meena", Role::kCashier, "0152").ok());
  p = sessions_->Authenticate(token);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_TRUE(p->grants.empty());
  EXPECT_EQ(identity::Authorize(*p, identity::Permission::kPaymentCollect, "0152").kind(),
            StatusKind::kPermissionDenied);

  ASSERT_TRUE(registry_->GrantRole(kStateAdmin, "meena", Role::kUlbAdmin, "0152").ok());
  p = sessions_->Authenticate(token);
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p->grants.size(), 1u);
  EXPECT_EQ(p->grants[0].role, Role::kUlbAdmin);
}

TEST_F(SessionsTest, TheInMemoryCheckAnswersOnlyWhatAuthenticateWouldWithoutAStore) {
  const std::string token = MustSignIn();
  // The sign-in's audit entry changed the state ledger: the grants are read again, by
  // Authenticate.
  EXPECT_FALSE(sessions_->TryAuthenticateInMemory(token).has_value());
  auto p = sessions_->Authenticate(token);
  ASSERT_TRUE(p.ok());
  auto fast = sessions_->TryAuthenticateInMemory(token);
  ASSERT_TRUE(fast.has_value());
  EXPECT_EQ(fast->user_id, p->user_id);
  EXPECT_EQ(fast->username, "meena");
  ASSERT_EQ(fast->grants.size(), 1u);
  EXPECT_EQ(fast->grants[0].role, Role::kCashier);
  EXPECT_FALSE(sessions_->TryAuthenticateInMemory("never-issued").has_value());

  // It touches the idle clock as Authenticate does: 14 idle minutes twice are fine, as long as
  // the last-seen time is written once a minute (by Authenticate, when the check declines).
  Advance(14min);
  EXPECT_FALSE(sessions_->TryAuthenticateInMemory(token).has_value()) << "a write is due";
  ASSERT_TRUE(sessions_->Authenticate(token).ok());
  Advance(30s);
  EXPECT_TRUE(sessions_->TryAuthenticateInMemory(token).has_value());
  Advance(14min);
  EXPECT_FALSE(sessions_->TryAuthenticateInMemory(token).has_value());
  ASSERT_TRUE(sessions_->Authenticate(token).ok());

  // A revoked grant: declined (the state ledger changed), and Authenticate sees the revocation.
  ASSERT_TRUE(registry_->RevokeRole(kStateAdmin, "meena", Role::kCashier, "0152").ok());
  EXPECT_FALSE(sessions_->TryAuthenticateInMemory(token).has_value());
  p = sessions_->Authenticate(token);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->grants.empty());
  fast = sessions_->TryAuthenticateInMemory(token);
  ASSERT_TRUE(fast.has_value());
  EXPECT_TRUE(fast->grants.empty());

  // Idle too long: declined, and Authenticate ends it with the refusal of before.
  Advance(16min);
  EXPECT_FALSE(sessions_->TryAuthenticateInMemory(token).has_value());
  EXPECT_EQ(sessions_->Authenticate(token).status().code(), "session_expired");
  EXPECT_FALSE(sessions_->TryAuthenticateInMemory(token).has_value());

  // Signed out: declined at once.
  const std::string other = MustSignIn();
  ASSERT_TRUE(sessions_->Authenticate(other).ok());
  ASSERT_TRUE(sessions_->TryAuthenticateInMemory(other).has_value());
  sessions_->SignOut(other);
  EXPECT_FALSE(sessions_->TryAuthenticateInMemory(other).has_value());
  EXPECT_EQ(sessions_->Authenticate(other).status().code(), "not_signed_in");
}

TEST_F(SessionsTest, RepeatedFailuresAreThrottled) {
  // A wrong password does not spend the code, so one code serves every attempt below.
  const std::string otp = FreshOtp();
  for (int i = 0; i < 5; ++i) {
    ExpectSignInFailed(
        sessions_->SignIn("meena", "wrong password " + std::to_string(i), otp, "10.9.9.9"));
  }
  // The sixth attempt from that address is refused before the password is looked at, even
  // with the right password and code.
  auto r = SignIn(otp, "10.9.9.9");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().kind(), StatusKind::kTooManyRequests);
  EXPECT_EQ(r.status().code(), "sign_in_throttled");
  EXPECT_NE(r.status().message_hi(), r.status().message());
  EXPECT_EQ(AuditReasons().back(), "refused:throttled");

  // Another address is not slowed down by it...
  auto elsewhere = SignIn(otp, "10.1.1.1");
  EXPECT_TRUE(elsewhere.ok()) << elsewhere.status().ToString();
  // ...and the back-off passes (FreshOtp moves the clock on by a step).
  auto later = SignIn(FreshOtp(), "10.9.9.9");
  EXPECT_TRUE(later.ok()) << later.status().ToString();
}

}  // namespace
}  // namespace palika::registry
