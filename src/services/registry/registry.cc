#include "services/registry/registry.h"

#include <fmt/format.h>

#include <filesystem>

#include "core/encoding.h"
#include "core/ids.h"
#include "core/json.h"
#include "services/identity/password.h"
#include "services/identity/totp.h"

namespace palika::registry {
namespace json = boost::json;
using identity::Principal;
using identity::Role;
using ledger::Decision;
using ledger::Entry;
using ledger::Event;
using store::Transaction;

namespace {

json::object Payload(const Entry& e) { return json::parse(e.payload).as_object(); }
std::string Str(const json::object& o, std::string_view k) {
  return std::string(o.at(k).as_string());
}

Status UlbNotFound(const std::string& code) {
  return Status::NotFound("ulb_not_found",
                          "There is no ULB with code " + code + ". Check the code (4 digits).",
                          "कोड " + code + " वाला कोई नगरीय निकाय नहीं है। कोड (4 अंक) जाँचें।");
}

Status UserNotFound(const std::string& username) {
  return Status::NotFound("user_not_found", "There is no user '" + username + "'.",
                          "'" + username + "' नाम का कोई उपयोगकर्ता नहीं है।");
}

Result<ledger::CommitResult> SubmitTo(ledger::Ledger& l, std::string actor, ledger::DecideFn fn) {
  ledger::Command c;
  c.actor = std::move(actor);
  c.decide = std::move(fn);
  return l.Submit(std::move(c));
}

UserRecord UserFromRow(const store::Row& r) {
  UserRecord u;
  u.id = r.Text(0);
  u.username = r.Text(1);
  u.display_name = r.Text(2);
  u.password_hash = r.Text(3);
  u.totp_secret = HexDecode(r.Text(4)).value_or("");
  u.active = r.Int(5) != 0;
  return u;
}

// The state administrator role is state-wide; an auditor may be state-wide or of one ULB; every
// other role names one ULB.
Status CheckGrantScope(Role role, const std::string& ulb) {
  if (role == Role::kStateAdmin && ulb != identity::kAllUlbs) {
    return Status::InvalidArgument("grant_state_wide",
                                   "The state administrator role is state-wide; do not name a "
                                   "ULB for it.",
                                   "राज्य प्रशासक की भूमिका पूरे राज्य के लिए होती है; निकाय न "
                                   "बताएँ।");
  }
  if (ulb == identity::kAllUlbs && role != Role::kStateAdmin && role != Role::kAuditor) {
    return Status::InvalidArgument("grant_needs_ulb",
                                   "This role is granted for one ULB; name the ULB (its 4-digit "
                                   "code).",
                                   "यह भूमिका एक निकाय के लिए दी जाती है; निकाय का 4 अंकों का कोड "
                                   "बताएँ।");
  }
  return Status::OK();
}

constexpr char kUserColumns[] =
    "SELECT id, username, display_name, password_hash, totp_secret, active FROM users ";

}  // namespace

void RegisterStateProjections(ledger::Projections& p) {
  p.AddTable("ulbs",
             "CREATE TABLE IF NOT EXISTS ulbs(code TEXT PRIMARY KEY, name TEXT NOT NULL,"
             " name_hi TEXT NOT NULL, kind TEXT NOT NULL, district TEXT NOT NULL,"
             " added_seq INTEGER NOT NULL)",
             "code");
  p.AddTable("users",
             "CREATE TABLE IF NOT EXISTS users(id TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE,"
             " display_name TEXT NOT NULL, password_hash TEXT NOT NULL, totp_secret TEXT NOT NULL,"
             " active INTEGER NOT NULL, created_us INTEGER NOT NULL,"
             " password_changed_us INTEGER NOT NULL)",
             "id");
  p.AddTable("role_grants",
             "CREATE TABLE IF NOT EXISTS role_grants(user_id TEXT NOT NULL, role TEXT NOT NULL,"
             " ulb TEXT NOT NULL, granted_by TEXT NOT NULL, granted_seq INTEGER NOT NULL,"
             " PRIMARY KEY (user_id, role, ulb));"
             "CREATE INDEX IF NOT EXISTS role_grants_by_ulb ON role_grants(ulb)",
             "user_id, role, ulb");
  p.AddTable("sign_in_audit",
             "CREATE TABLE IF NOT EXISTS sign_in_audit(seq INTEGER PRIMARY KEY,"
             " time_us INTEGER NOT NULL, outcome TEXT NOT NULL, username TEXT NOT NULL,"
             " address TEXT NOT NULL, reason TEXT NOT NULL)",
             "seq");

  p.OnEvent("ulb.added", [](Transaction& tx, const Entry& e) {
    auto o = Payload(e);
    return tx.Exec(
        "INSERT INTO ulbs(code, name, name_hi, kind, district, added_seq) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        {Str(o, "code"), Str(o, "name"), Str(o, "name_hi"), Str(o, "kind"), Str(o, "district"),
         static_cast<int64_t>(e.seq)});
  });
  p.OnEvent("user.added", [](Transaction& tx, const Entry& e) {
    auto o = Payload(e);
    return tx.Exec(
        "INSERT INTO users(id, username, display_name, password_hash, totp_secret, "
        "active, created_us, password_changed_us) VALUES (?, ?, ?, ?, ?, 1, ?, ?)",
        {Str(o, "id"), Str(o, "username"), Str(o, "display_name"), Str(o, "password_hash"),
         Str(o, "totp_secret"), e.time_us, e.time_us});
  });
  p.OnEvent("user.password_changed", [](Transaction& tx, const Entry& e) {
    auto o = Payload(e);
    return tx.Exec("UPDATE users SET password_hash = ?, password_changed_us = ? WHERE id = ?",
                   {Str(o, "password_hash"), e.time_us, Str(o, "user_id")});
  });
  p.OnEvent("user.disabled", [](Transaction& tx, const Entry& e) {
    auto o = Payload(e);
    return tx.Exec("UPDATE users SET active = 0 WHERE id = ?", {Str(o, "user_id")});
  });
  p.OnEvent("user.enabled", [](Transaction& tx, const Entry& e) {
    auto o = Payload(e);
    return tx.Exec("UPDATE users SET active = 1 WHERE id = ?", {Str(o, "user_id")});
  });
  p.OnEvent("role.granted", [](Transaction& tx, const Entry& e) {
    auto o = Payload(e);
    return tx.Exec(
        "INSERT INTO role_grants(user_id, role, ulb, granted_by, granted_seq) "
        "VALUES (?, ?, ?, ?, ?)",
        {Str(o, "user_id"), Str(o, "role"), Str(o, "ulb"), e.actor, static_cast<int64_t>(e.seq)});
  });
  p.OnEvent("role.revoked", [](Transaction& tx, const Entry& e) {
    auto o = Payload(e);
    return tx.Exec("DELETE FROM role_grants WHERE user_id = ? AND role = ? AND ulb = ?",
                   {Str(o, "user_id"), Str(o, "role"), Str(o, "ulb")});
  });
  auto audit = [](std::string outcome) {
    return [outcome](Transaction& tx, const Entry& e) {
      auto o = Payload(e);
      auto* reason = o.if_contains("reason");
      return tx.Exec(
          "INSERT INTO sign_in_audit(seq, time_us, outcome, username, address, reason) "
          "VALUES (?, ?, ?, ?, ?, ?)",
          {static_cast<int64_t>(e.seq), e.time_us, outcome, Str(o, "username"), Str(o, "address"),
           reason ? std::string(reason->as_string()) : std::string()});
    };
  };
  p.OnEvent("session.opened", audit("opened"));
  p.OnEvent("session.refused", audit("refused"));
}

void RegisterUlbProjections(ledger::Projections& p) {
  p.AddTable("ulb_profile",
             "CREATE TABLE IF NOT EXISTS ulb_profile(code TEXT PRIMARY KEY, name TEXT NOT NULL,"
             " name_hi TEXT NOT NULL, kind TEXT NOT NULL, district TEXT NOT NULL)",
             "code");
  p.AddTable("wards",
             "CREATE TABLE IF NOT EXISTS wards(number INTEGER PRIMARY KEY, name TEXT NOT NULL,"
             " name_hi TEXT NOT NULL, zone TEXT NOT NULL)",
             "number");
  p.OnEvent("ulb.opened", [](Transaction& tx, const Entry& e) {
    auto o = Payload(e);
    return tx.Exec(
        "INSERT INTO ulb_profile(code, name, name_hi, kind, district) "
        "VALUES (?, ?, ?, ?, ?)",
        {Str(o, "code"), Str(o, "name"), Str(o, "name_hi"), Str(o, "kind"), Str(o, "district")});
  });
  p.OnEvent("ward.added", [](Transaction& tx, const Entry& e) {
    auto o = Payload(e);
    return tx.Exec("INSERT INTO wards(number, name, name_hi, zone) VALUES (?, ?, ?, ?)",
                   {o.at("number").as_int64(), Str(o, "name"), Str(o, "name_hi"), Str(o, "zone")});
  });
}

// ---------------------------------------------------------------------------------------------
// ULBs

Result<json::object> Registry::AddUlb(const std::string& actor, const UlbInfo& ulb) {
  if (!IsValidUlbCode(ulb.code)) {
    return Status::InvalidArgument("invalid_ulb_code",
                                   "A ULB code is exactly 4 digits, e.g. 0152 for Indore.",
                                   "निकाय कोड ठीक 4 अंकों का होता है, जैसे इंदौर के लिए 0152।");
  }
  if (ulb.kind != "corporation" && ulb.kind != "council" && ulb.kind != "parishad") {
    return Status::InvalidArgument(
        "invalid_ulb_kind", "The kind must be corporation, council or parishad.",
        "प्रकार corporation (नगर निगम), council (नगर पालिका परिषद) या parishad (नगर परिषद) होना "
        "चाहिए।");
  }
  json::object fields{{"code", ulb.code},
                      {"name", ulb.name},
                      {"name_hi", ulb.name_hi},
                      {"kind", ulb.kind},
                      {"district", ulb.district}};
  if (GetUlb(ulb.code).ok()) {
    return Status::Conflict("ulb_exists", "ULB " + ulb.code + " already exists.",
                            "निकाय " + ulb.code + " पहले से मौजूद है।");
  }
  // The ULB's own ledger first, then the registry: a registered ULB then always has its file,
  // and a missing file at start-up can only mean loss (see EnsureUlbLedgers).
  PALIKA_RETURN_IF_ERROR(OpenUlbLedger(ulb.code, fields));
  auto r = SubmitTo(ledgers_.state(), actor, [&](Transaction& tx, int64_t) -> Result<Decision> {
    PALIKA_ASSIGN_OR_RETURN(auto existing,
                            tx.QueryOne("SELECT name FROM ulbs WHERE code = ?", {ulb.code}));
    if (existing) {
      return Status::Conflict("ulb_exists",
                              "ULB " + ulb.code + " (" + existing->Text(0) + ") already exists.",
                              "निकाय " + ulb.code + " पहले से मौजूद है।");
    }
    return Decision{{Event{"ulb.added", fields}}, fields};
  });
  if (!r.ok()) return r.status();
  return fields;
}

Result<std::vector<UlbInfo>> Registry::ListUlbs() {
  std::vector<UlbInfo> out;
  PALIKA_RETURN_IF_ERROR(ledgers_.state().Read([&](Transaction& tx) {
    return tx.ForEach("SELECT code, name, name_hi, kind, district FROM ulbs ORDER BY code", {},
                      [&](const store::Row& r) {
                        out.push_back({r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4)});
                        return true;
                      });
  }));
  return out;
}

uint64_t Registry::StateVersion() const { return ledgers_.state().size(); }

std::optional<UlbInfo> Registry::UlbFromMemory(const std::string& code) {
  const uint64_t version = StateVersion();
  std::lock_guard lk(mu_);
  if (auto it = ulbs_.find(code); it != ulbs_.end() && it->second.version == version) {
    return it->second.info;
  }
  return std::nullopt;
}

Result<UlbInfo> Registry::GetUlb(const std::string& code) {
  // Every payment names its ULB; the answer only changes with the state ledger.
  const uint64_t version = StateVersion();
  {
    std::lock_guard lk(mu_);
    if (auto it = ulbs_.find(code); it != ulbs_.end() && it->second.version == version) {
      return it->second.info;
    }
  }
  std::optional<UlbInfo> out;
  PALIKA_RETURN_IF_ERROR(ledgers_.state().Read([&](Transaction& tx) -> Status {
    PALIKA_ASSIGN_OR_RETURN(
        auto r,
        tx.QueryOne("SELECT code, name, name_hi, kind, district FROM ulbs WHERE code = ?", {code}));
    if (r) out = UlbInfo{r->Text(0), r->Text(1), r->Text(2), r->Text(3), r->Text(4)};
    return Status::OK();
  }));
  if (!out) return UlbNotFound(code);
  std::lock_guard lk(mu_);
  ulbs_[code] = {version, *out};
  return *out;
}

Status Registry::OpenUlbLedger(const std::string& code, const json::object& fields) {
  PALIKA_ASSIGN_OR_RETURN(ledger::Ledger * l, ledgers_.CreateUlb(code));
  auto r = SubmitTo(*l, "system", [&](Transaction& tx, int64_t) -> Result<Decision> {
    PALIKA_ASSIGN_OR_RETURN(auto opened, tx.QueryOne("SELECT code FROM ulb_profile"));
    if (opened) return Decision{{}, nullptr};
    return Decision{{Event{"ulb.opened", fields}}, nullptr};
  });
  return r.ok() ? Status::OK() : r.status();
}

Status Registry::EnsureUlbLedgers() {
  PALIKA_ASSIGN_OR_RETURN(auto ulbs, ListUlbs());
  for (const auto& u : ulbs) {
    // A ULB in PostgreSQL has no file; a missing schema is found when it is opened.
    if (!ledgers_.PlacementOf(u.code).sqlite()) continue;
    if (std::filesystem::exists(ledgers_.UlbFile(u.code))) continue;
    // Registered but without its file: the file is written before the registry entry, so it was
    // lost or deleted. Never recreate it empty (that would hide the loss); hold the ULB back.
    ledgers_.HoldBack(u.code,
                      Status::Unavailable(
                          "ulb_missing",
                          "The data file of ULB " + u.code + " (" + u.name +
                              ") is missing. Restore it from backup; other ULBs are not affected.",
                          "निकाय " + u.code +
                              " की डेटा फ़ाइल नहीं मिली। बैकअप से पुनर्स्थापित करें; अन्य "
                              "निकाय प्रभावित नहीं हैं।"));
  }
  return Status::OK();
}

// ---------------------------------------------------------------------------------------------
// Users and grants

Result<CreatedUser> Registry::AddUser(const std::string& actor, const NewUser& user) {
  if (!IsValidUsername(user.username)) {
    return Status::InvalidArgument(
        "invalid_username",
        "A username is 3 to 32 characters: lowercase letters, digits, '.', '_' or '-', starting "
        "with a letter.",
        "उपयोगकर्ता नाम 3 से 32 वर्णों का हो: छोटे अंग्रेज़ी अक्षर, अंक, '.', '_' या '-', और अक्षर से "
        "शुरू हो।");
  }
  PALIKA_RETURN_IF_ERROR(identity::CheckPasswordPolicy(user.password));
  if (user.grant) PALIKA_RETURN_IF_ERROR(CheckGrantScope(user.grant->role, user.grant->ulb));
  // The slow parts (Argon2id, randomness) happen here, not on the writer thread.
  PALIKA_ASSIGN_OR_RETURN(std::string hash, identity::HashPassword(user.password));
  const std::string secret = identity::NewTotpSecret();
  const std::string id = NewId("usr");
  std::string display = user.display_name.empty() ? user.username : user.display_name;
  auto r = SubmitTo(ledgers_.state(), actor, [&](Transaction& tx, int64_t) -> Result<Decision> {
    PALIKA_ASSIGN_OR_RETURN(
        auto existing, tx.QueryOne("SELECT id FROM users WHERE username = ?", {user.username}));
    if (existing) {
      return Status::Conflict("user_exists", "The username '" + user.username + "' is taken.",
                              "उपयोगकर्ता नाम '" + user.username + "' पहले से लिया जा चुका है।");
    }
    Decision d;
    d.events.push_back({"user.added",
                        {{"id", id},
                         {"username", user.username},
                         {"display_name", display},
                         {"password_hash", hash},
                         {"totp_secret", HexEncode(secret)}}});
    if (user.grant) {
      if (user.grant->ulb != identity::kAllUlbs) {
        PALIKA_ASSIGN_OR_RETURN(
            auto u, tx.QueryOne("SELECT code FROM ulbs WHERE code = ?", {user.grant->ulb}));
        if (!u) return UlbNotFound(user.grant->ulb);
      }
      d.events.push_back({"role.granted",
                          {{"user_id", id},
                           {"role", std::string(identity::RoleName(user.grant->role))},
                           {"ulb", user.grant->ulb}}});
    }
    d.response = json::object{{"id", id}, {"username", user.username}};
    return d;
  });
  if (!r.ok()) return r.status();
  return CreatedUser{id, user.username, identity::OtpauthUri("Palika", user.username, secret)};
}

Result<CreatedUser> Registry::AddUserBy(const Principal& by, const NewUser& user) {
  if (user.grant)
    PALIKA_RETURN_IF_ERROR(CheckGrantAuthority(by, user.grant->role, user.grant->ulb));
  return AddUser(by.user_id, user);
}

Status Registry::CheckGrantAuthority(const Principal& by, Role role, const std::string& ulb) {
  // State-wide roles and ULB administrators are appointed by the state administrator only.
  if (ulb == identity::kAllUlbs || role == Role::kStateAdmin || role == Role::kUlbAdmin) {
    return identity::Authorize(by, identity::Permission::kUlbRegister, identity::kAllUlbs);
  }
  return identity::Authorize(by, identity::Permission::kUsersManage, ulb);
}

Result<json::object> Registry::ChangeGrant(const Principal& by, const std::string& username,
                                           Role role, const std::string& ulb, bool grant) {
  PALIKA_RETURN_IF_ERROR(CheckGrantAuthority(by, role, ulb));
  PALIKA_RETURN_IF_ERROR(CheckGrantScope(role, ulb));
  const std::string role_name(identity::RoleName(role));
  auto r =
      SubmitTo(ledgers_.state(), by.user_id, [&](Transaction& tx, int64_t) -> Result<Decision> {
        PALIKA_ASSIGN_OR_RETURN(auto u,
                                tx.QueryOne("SELECT id FROM users WHERE username = ?", {username}));
        if (!u) return UserNotFound(username);
        if (ulb != identity::kAllUlbs) {
          PALIKA_ASSIGN_OR_RETURN(auto c,
                                  tx.QueryOne("SELECT code FROM ulbs WHERE code = ?", {ulb}));
          if (!c) return UlbNotFound(ulb);
        }
        PALIKA_ASSIGN_OR_RETURN(
            auto g,
            tx.QueryOne("SELECT 1 FROM role_grants WHERE user_id = ? AND role = ? AND ulb = ?",
                        {u->Text(0), role_name, ulb}));
        json::object fields{{"user_id", u->Text(0)}, {"role", role_name}, {"ulb", ulb}};
        json::object response{{"username", username}, {"role", role_name}, {"ulb", ulb}};
        // Granting what is held, or revoking what is not, changes nothing and is not an error.
        if (grant == static_cast<bool>(g)) return Decision{{}, response};
        return Decision{{Event{grant ? "role.granted" : "role.revoked", fields}}, response};
      });
  if (!r.ok()) return r.status();
  return r->response.as_object();
}

Result<json::object> Registry::GrantRole(const Principal& by, const std::string& username,
                                         Role role, const std::string& ulb) {
  return ChangeGrant(by, username, role, ulb, true);
}

Result<json::object> Registry::RevokeRole(const Principal& by, const std::string& username,
                                          Role role, const std::string& ulb) {
  return ChangeGrant(by, username, role, ulb, false);
}

Status Registry::DisableUser(const Principal& by, const std::string& username,
                             const std::string& ulb) {
  return SetUserActive(by, username, ulb, false);
}

Status Registry::EnableUser(const Principal& by, const std::string& username,
                            const std::string& ulb) {
  return SetUserActive(by, username, ulb, true);
}

Status Registry::SetUserActive(const Principal& by, const std::string& username,
                               const std::string& ulb, bool active) {
  PALIKA_RETURN_IF_ERROR(identity::Authorize(by, identity::Permission::kUsersManage, ulb));
  const bool state_admin =
      identity::Authorize(by, identity::Permission::kUlbRegister, identity::kAllUlbs).ok();
  auto r =
      SubmitTo(ledgers_.state(), by.user_id, [&](Transaction& tx, int64_t) -> Result<Decision> {
        PALIKA_ASSIGN_OR_RETURN(
            auto u, tx.QueryOne("SELECT id, active FROM users WHERE username = ?", {username}));
        if (!u) return UserNotFound(username);
        const std::string user_id = u->Text(0);
        if (!active && user_id == by.user_id) {
          return Status::InvalidArgument(
              "cannot_disable_self",
              "You cannot disable your own account; ask another administrator.",
              "आप अपना ही खाता बंद नहीं कर सकते; किसी अन्य प्रशासक से कहें।");
        }
        // A ULB administrator disables and enables only their ULB's staff: someone with a role
        // anywhere else (or state-wide) is the state administrator's.
        bool in_ulb = false, elsewhere = false;
        PALIKA_RETURN_IF_ERROR(tx.ForEach("SELECT ulb FROM role_grants WHERE user_id = ?",
                                          {user_id}, [&](const store::Row& g) {
                                            (g.Text(0) == ulb ? in_ulb : elsewhere) = true;
                                            return true;
                                          }));
        if (!state_admin && (elsewhere || !in_ulb)) {
          return Status::PermissionDenied(
              "user_of_other_ulb",
              "'" + username +
                  "' is not staff of this ULB alone; only the state administrator "
                  "can disable or enable this account.",
              "'" + username +
                  "' केवल इस निकाय का कर्मचारी नहीं है; यह खाता केवल राज्य प्रशासक "
                  "बंद या चालू कर सकते हैं।");
        }
        json::object response{{"username", username}, {"disabled", !active}};
        if ((u->Int(1) != 0) == active) return Decision{{}, response};  // nothing to change
        return Decision{{Event{active ? "user.enabled" : "user.disabled", {{"user_id", user_id}}}},
                        response};
      });
  return r.ok() ? Status::OK() : r.status();
}

Status Registry::ChangePassword(const std::string& user_id, const std::string& old_password,
                                const std::string& new_password) {
  PALIKA_ASSIGN_OR_RETURN(auto user, FindUserById(user_id));
  if (!user || !identity::VerifyPassword(user->password_hash, old_password)) {
    return Status::PermissionDenied("wrong_password",
                                    "The current password is not right; the password was not "
                                    "changed.",
                                    "वर्तमान पासवर्ड सही नहीं है; पासवर्ड नहीं बदला गया।");
  }
  PALIKA_RETURN_IF_ERROR(identity::CheckPasswordPolicy(new_password));
  PALIKA_ASSIGN_OR_RETURN(std::string hash, identity::HashPassword(new_password));
  auto r = SubmitTo(ledgers_.state(), user_id, [&](Transaction&, int64_t) -> Result<Decision> {
    return Decision{
        {Event{"user.password_changed", {{"user_id", user_id}, {"password_hash", hash}}}}, nullptr};
  });
  return r.ok() ? Status::OK() : r.status();
}

Result<std::optional<UserRecord>> Registry::FindUser(const std::string& username) {
  std::optional<UserRecord> out;
  PALIKA_RETURN_IF_ERROR(ledgers_.state().Read([&](Transaction& tx) -> Status {
    PALIKA_ASSIGN_OR_RETURN(
        auto r, tx.QueryOne(std::string(kUserColumns) + "WHERE username = ?", {username}));
    if (r) out = UserFromRow(*r);
    return Status::OK();
  }));
  return out;
}

Result<std::optional<UserRecord>> Registry::FindUserById(const std::string& id) {
  std::optional<UserRecord> out;
  PALIKA_RETURN_IF_ERROR(ledgers_.state().Read([&](Transaction& tx) -> Status {
    PALIKA_ASSIGN_OR_RETURN(auto r, tx.QueryOne(std::string(kUserColumns) + "WHERE id = ?", {id}));
    if (r) out = UserFromRow(*r);
    return Status::OK();
  }));
  return out;
}

Result<std::vector<identity::Grant>> Registry::GrantsOf(const std::string& user_id) {
  std::vector<identity::Grant> out;
  PALIKA_RETURN_IF_ERROR(ledgers_.state().Read([&](Transaction& tx) {
    return tx.ForEach("SELECT role, ulb FROM role_grants WHERE user_id = ? ORDER BY ulb, role",
                      {user_id}, [&](const store::Row& r) {
                        if (auto role = identity::ParseRole(r.Text(0))) {
                          out.push_back({*role, r.Text(1)});
                        }
                        return true;
                      });
  }));
  return out;
}

Result<json::array> Registry::UsersOfUlb(const std::string& ulb) {
  json::array out;
  PALIKA_RETURN_IF_ERROR(ledgers_.state().Read([&](Transaction& tx) {
    return tx.ForEach(
        "SELECT u.id, u.username, u.display_name, g.role FROM role_grants g "
        "JOIN users u ON u.id = g.user_id WHERE g.ulb = ? ORDER BY u.username, g.role",
        {ulb}, [&](const store::Row& r) {
          out.push_back(json::object{{"id", r.Text(0)},
                                     {"username", r.Text(1)},
                                     {"display_name", r.Text(2)},
                                     {"role", r.Text(3)}});
          return true;
        });
  }));
  return out;
}

Result<std::vector<Registry::UlbUser>> Registry::StaffOfUlb(const std::string& ulb) {
  std::vector<UlbUser> out;
  PALIKA_RETURN_IF_ERROR(ledgers_.state().Read([&](Transaction& tx) {
    return tx.ForEach(
        "SELECT u.id, u.username, u.display_name, u.active, g.role FROM role_grants g "
        "JOIN users u ON u.id = g.user_id WHERE g.ulb = ? ORDER BY u.username, g.role",
        {ulb}, [&](const store::Row& r) {
          if (out.empty() || out.back().user.id != r.Text(0)) {
            UlbUser u;
            u.user.id = r.Text(0);
            u.user.username = r.Text(1);
            u.user.display_name = r.Text(2);
            u.user.active = r.Int(3) != 0;
            out.push_back(std::move(u));
          }
          if (auto role = identity::ParseRole(r.Text(4))) out.back().roles.push_back(*role);
          return true;
        });
  }));
  return out;
}

Status Registry::RecordSignIn(const std::string& user_id, const std::string& username,
                              const std::string& address) {
  auto r = SubmitTo(ledgers_.state(), user_id, [&](Transaction&, int64_t) -> Result<Decision> {
    return Decision{{Event{"session.opened", {{"username", username}, {"address", address}}}},
                    nullptr};
  });
  return r.ok() ? Status::OK() : r.status();
}

Status Registry::RecordSignInRefused(const std::string& username, const std::string& address,
                                     const std::string& reason) {
  auto r = SubmitTo(ledgers_.state(), "anonymous", [&](Transaction&, int64_t) -> Result<Decision> {
    return Decision{{Event{"session.refused",
                           {{"username", username}, {"address", address}, {"reason", reason}}}},
                    nullptr};
  });
  return r.ok() ? Status::OK() : r.status();
}

// ---------------------------------------------------------------------------------------------
// Wards

Result<json::object> Registry::AddWard(const std::string& actor, const std::string& ulb,
                                       const Ward& ward) {
  PALIKA_ASSIGN_OR_RETURN(ledger::Ledger * l, ledgers_.Ulb(ulb));
  json::object fields{
      {"number", ward.number}, {"name", ward.name}, {"name_hi", ward.name_hi}, {"zone", ward.zone}};
  auto r = SubmitTo(*l, actor, [&](Transaction& tx, int64_t) -> Result<Decision> {
    PALIKA_ASSIGN_OR_RETURN(auto existing,
                            tx.QueryOne("SELECT name FROM wards WHERE number = ?", {ward.number}));
    if (existing) {
      return Status::Conflict(
          "ward_exists",
          fmt::format("Ward {} already exists ({}).", ward.number, existing->Text(0)),
          fmt::format("वार्ड {} पहले से मौजूद है।", ward.number));
    }
    return Decision{{Event{"ward.added", fields}}, fields};
  });
  if (!r.ok()) return r.status();
  return fields;
}

Result<std::vector<Ward>> Registry::ListWards(const std::string& ulb) {
  PALIKA_ASSIGN_OR_RETURN(ledger::Ledger * l, ledgers_.Ulb(ulb));
  std::vector<Ward> out;
  PALIKA_RETURN_IF_ERROR(l->Read([&](Transaction& tx) {
    return tx.ForEach("SELECT number, name, name_hi, zone FROM wards ORDER BY number", {},
                      [&](const store::Row& r) {
                        out.push_back({r.Int(0), r.Text(1), r.Text(2), r.Text(3)});
                        return true;
                      });
  }));
  return out;
}

}  // namespace palika::registry
