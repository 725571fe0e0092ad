#pragma once
// Registry: the state-level records (ULBs, staff users, role grants, sign-in audit) kept in the
// state ledger, plus each ULB ledger's own profile and wards.
//
// Every change is a command through the one write path (Ledger::Submit): decide checks the
// current state and returns events; the apply functions registered here update the projections.
// Slow work (password hashing) happens before Submit, never on a ledger's writer thread.
// Thread-safe: all state lives in the ledgers.

#include <boost/json.hpp>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "ledger/ledger_set.h"
#include "ledger/projections.h"
#include "services/identity/access.h"

namespace palika::registry {

// Tables and apply functions of the state ledger and of every ULB ledger.
void RegisterStateProjections(ledger::Projections& p);
void RegisterUlbProjections(ledger::Projections& p);

enum class UlbKind { kCorporation, kCouncil, kParishad };

struct UlbInfo {
  std::string code;     // 4 digits, e.g. "0152"
  std::string name;     // "Indore"
  std::string name_hi;  // "इंदौर"
  std::string kind;     // "corporation" | "council" | "parishad"
  std::string district;
};

struct UserRecord {
  std::string id;
  std::string username;
  std::string display_name;
  std::string password_hash;
  std::string totp_secret;  // raw bytes
  bool active = true;
};

struct NewUser {
  std::string username;
  std::string display_name;
  std::string password;  // checked against the policy, hashed before the command is submitted
  std::optional<identity::Grant> grant;
};

struct CreatedUser {
  std::string id;
  std::string username;
  std::string otpauth_uri;  // shown once, for the authenticator app
};

struct Ward {
  int64_t number = 0;
  std::string name;
  std::string name_hi;
  std::string zone;
};

class Registry {
 public:
  explicit Registry(ledger::LedgerSet& ledgers) : ledgers_(ledgers) {}

  // --- ULBs ---
  // Registers a ULB in the state ledger and opens its own ledger. Conflict if the code exists.
  Result<boost::json::object> AddUlb(const std::string& actor, const UlbInfo& ulb);
  Result<std::vector<UlbInfo>> ListUlbs();
  // One ULB; NotFound "ulb_not_found". Answered from memory while the state ledger is unchanged.
  Result<UlbInfo> GetUlb(const std::string& code);
  // GetUlb's answer when it is in memory and current; nullopt when GetUlb would read the state
  // ledger (for a server's I/O thread, which must not block).
  std::optional<UlbInfo> UlbFromMemory(const std::string& code);
  // Start-up check: a ULB registered in the state ledger whose own file is missing is held back
  // (its file is always written first, so a missing one was lost), never recreated empty.
  Status EnsureUlbLedgers();

  // --- users and grants ---
  Result<CreatedUser> AddUser(const std::string& actor, const NewUser& user);
  // AddUser on behalf of `by`: a user created with a role is a grant, so `by` needs the authority
  // GrantRole needs for it (PermissionDenied "forbidden" otherwise; nothing is written).
  Result<CreatedUser> AddUserBy(const identity::Principal& by, const NewUser& user);
  Result<boost::json::object> GrantRole(const identity::Principal& by, const std::string& username,
                                        identity::Role role, const std::string& ulb);
  Result<boost::json::object> RevokeRole(const identity::Principal& by, const std::string& username,
                                         identity::Role role, const std::string& ulb);
  // Disables `username`: their sessions end and they can no longer sign in (the record and its
  // history stay). `by` needs users.manage on `ulb`, and unless `by` is the state administrator
  // the user must hold roles in `ulb` and nowhere else (PermissionDenied "user_of_other_ulb").
  // Disabling oneself is refused; disabling a disabled user writes nothing.
  Status DisableUser(const identity::Principal& by, const std::string& username,
                     const std::string& ulb);
  // Enables a disabled `username` again ("user.enabled"): they may sign in anew (sessions that
  // ended when they were disabled stay ended). The same authority as DisableUser; enabling an
  // active user writes nothing.
  Status EnableUser(const identity::Principal& by, const std::string& username,
                    const std::string& ulb);
  Status ChangePassword(const std::string& user_id, const std::string& old_password,
                        const std::string& new_password);
  Result<std::optional<UserRecord>> FindUser(const std::string& username);
  Result<std::optional<UserRecord>> FindUserById(const std::string& id);
  Result<std::vector<identity::Grant>> GrantsOf(const std::string& user_id);
  // Users holding any grant in `ulb`, with their grants there.
  Result<boost::json::array> UsersOfUlb(const std::string& ulb);
  // The same, one record per user: its grants in `ulb` (roles), and whether it is active.
  struct UlbUser {
    UserRecord user;  // without password hash and TOTP secret
    std::vector<identity::Role> roles;
  };
  Result<std::vector<UlbUser>> StaffOfUlb(const std::string& ulb);

  // The state ledger's committed size. Everything the registry reads (ULBs, users, grants) is in
  // the state ledger, so a value read here before a read stays valid while this is unchanged:
  // callers cache what they read against it (Sessions does, for every request's principal).
  uint64_t StateVersion() const;

  // --- sign-in audit (state ledger) ---
  Status RecordSignIn(const std::string& user_id, const std::string& username,
                      const std::string& address);
  Status RecordSignInRefused(const std::string& username, const std::string& address,
                             const std::string& reason);

  // --- wards (ULB ledger) ---
  Result<boost::json::object> AddWard(const std::string& actor, const std::string& ulb,
                                      const Ward& ward);
  Result<std::vector<Ward>> ListWards(const std::string& ulb);

 private:
  // Creates the ULB's ledger if needed and writes its opening entry once.
  Status OpenUlbLedger(const std::string& code, const boost::json::object& fields);
  // Checks whether `by` may grant or revoke `role` in `ulb`.
  Status CheckGrantAuthority(const identity::Principal& by, identity::Role role,
                             const std::string& ulb);
  Result<boost::json::object> ChangeGrant(const identity::Principal& by,
                                          const std::string& username, identity::Role role,
                                          const std::string& ulb, bool grant);
  // DisableUser / EnableUser: user.disabled or user.enabled, when it changes anything.
  Status SetUserActive(const identity::Principal& by, const std::string& username,
                       const std::string& ulb, bool active);

  ledger::LedgerSet& ledgers_;

  struct CachedUlb {
    uint64_t version = 0;  // StateVersion() before it was read
    UlbInfo info;
  };
  std::mutex mu_;                          // guards ulbs_
  std::map<std::string, CachedUlb> ulbs_;  // by code; bounded by the ULBs of a state
};

}  // namespace palika::registry
