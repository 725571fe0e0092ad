#include "services/registry/registry.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "core/encoding.h"
#include "core/ids.h"
#include "ledger/ledger_set.h"
#include "ledger/verify.h"
#include "services/identity/password.h"
#include "store/sqlite/database.h"

namespace palika::registry {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using identity::Grant;
using identity::Principal;
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

constexpr char kPassword[] = "correct horse battery staple";

Principal StateAdmin() {
  return {"usr_state", "state.admin", "State Admin", {{Role::kStateAdmin, "*"}}};
}
Principal UlbAdmin(const std::string& ulb) {
  return {"usr_admin_" + ulb, "admin" + ulb, "Commissioner", {{Role::kUlbAdmin, ulb}}};
}
Principal Cashier(const std::string& ulb) {
  return {"usr_cashier_" + ulb, "cashier" + ulb, "Cashier", {{Role::kCashier, ulb}}};
}

UlbInfo Indore() { return {"0152", "Indore", "इंदौर", "corporation", "Indore"}; }
UlbInfo Dewas() { return {"0153", "Dewas", "देवास", "corporation", "Dewas"}; }

class RegistryTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("palika_registry_test_" + HexEncode(RandomBytes(8)));
    ASSERT_TRUE(ledger::InitDataDir(dir_).ok());
    Reopen();
  }
  void TearDown() override {
    registry_.reset();
    ledgers_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  void Reopen() {
    registry_.reset();
    ledgers_.reset();
    auto set = ledger::LedgerSet::Open(dir_, StateTables(), UlbTables(), nullptr);
    ASSERT_TRUE(set.ok()) << set.status().ToString();
    ledgers_ = std::move(set).value();
    registry_ = std::make_unique<Registry>(*ledgers_);
  }

  void AddTwoUlbs() {
    ASSERT_TRUE(registry_->AddUlb("system", Indore()).ok());
    ASSERT_TRUE(registry_->AddUlb("system", Dewas()).ok());
  }

  CreatedUser MustAddUser(const std::string& username, std::optional<Grant> grant = std::nullopt) {
    NewUser u{username, "", kPassword, grant};
    auto r = registry_->AddUser("usr_state", u);
    EXPECT_TRUE(r.ok()) << username << ": " << r.status().ToString();
    return r.ok() ? *r : CreatedUser{};
  }

  std::vector<std::string> GrantNames(const std::string& username) {
    auto u = registry_->FindUser(username);
    EXPECT_TRUE(u.ok() && *u);
    if (!u.ok() || !*u) return {};
    auto grants = registry_->GrantsOf((*u)->id);
    EXPECT_TRUE(grants.ok());
    std::vector<std::string> out;
    for (const auto& g : *grants)
      out.push_back(std::string(identity::RoleName(g.role)) + "@" + g.ulb);
    return out;
  }

  // Closes everything and checks that every ledger replays to exactly its tables.
  void ExpectAllLedgersVerify() {
    const std::string origin = ledgers_->origin();
    const ledger::NoteVerifier node = ledgers_->node_verifier();
    registry_.reset();
    ledgers_.reset();
    auto state = ledger::VerifyLedgerFile(dir_ / "state.db", "state", origin, StateTables(), node);
    ASSERT_TRUE(state.ok()) << state.status().ToString();
    EXPECT_TRUE(state->ok()) << state->problems.front();
    for (const auto& f : fs::directory_iterator(dir_ / "ulb")) {
      if (f.path().extension() != ".db") continue;
      auto r =
          ledger::VerifyLedgerFile(f.path(), f.path().stem().string(), origin, UlbTables(), node);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      EXPECT_TRUE(r->ok()) << f.path() << ": " << r->problems.front();
    }
  }

  fs::path dir_;
  std::unique_ptr<ledger::LedgerSet> ledgers_;
  std::unique_ptr<Registry> registry_;
};

TEST_F(RegistryTest, AddUlbRegistersItAndOpensItsLedger) {
  auto r = registry_->AddUlb("system", Indore());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->at("code").as_string(), "0152");
  EXPECT_EQ(r->at("name_hi").as_string(), "इंदौर");

  auto list = registry_->ListUlbs();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].name_hi, "इंदौर");
  EXPECT_EQ((*list)[0].kind, "corporation");
  auto got = registry_->GetUlb("0152");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->name, "Indore");
  EXPECT_EQ(got->district, "Indore");
  EXPECT_EQ(registry_->GetUlb("0153").status().code(), "ulb_not_found");

  auto l = ledgers_->Ulb("0152");
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  EXPECT_EQ((*l)->size(), 1u);
  ASSERT_TRUE((*l)->Read([](store::Transaction& tx) -> Status {
                    auto row = tx.QueryOne("SELECT code, name_hi, kind FROM ulb_profile");
                    EXPECT_TRUE(row.ok() && *row);
                    if (row.ok() && *row) {
                      EXPECT_EQ((*row)->Text(0), "0152");
                      EXPECT_EQ((*row)->Text(1), "इंदौर");
                    }
                    auto e = tx.QueryOne("SELECT type, actor FROM ledger_entries");
                    EXPECT_TRUE(e.ok() && *e);
                    if (e.ok() && *e) {
                      EXPECT_EQ((*e)->Text(0), "ulb.opened");
                      EXPECT_EQ((*e)->Text(1), "system");
                    }
                    return Status::OK();
                  })
                  .ok());
  ExpectAllLedgersVerify();
}

TEST_F(RegistryTest, AddUlbRefusesBadInputAndDuplicates) {
  for (const char* code : {"152", "01520", "abcd", "", "०१५२", "15 2"}) {
    UlbInfo u = Indore();
    u.code = code;
    auto r = registry_->AddUlb("system", u);
    ASSERT_FALSE(r.ok()) << code;
    EXPECT_EQ(r.status().kind(), StatusKind::kInvalidArgument);
    EXPECT_EQ(r.status().code(), "invalid_ulb_code") << code;
  }
  for (const char* kind : {"", "city", "Corporation", "nagar nigam"}) {
    UlbInfo u = Indore();
    u.kind = kind;
    auto r = registry_->AddUlb("system", u);
    ASSERT_FALSE(r.ok()) << kind;
    EXPECT_EQ(r.status().code(), "invalid_ulb_kind") << kind;
  }
  EXPECT_EQ(ledgers_->state().size(), 0u);

  ASSERT_TRUE(registry_->AddUlb("system", Indore()).ok());
  UlbInfo again = Indore();
  again.name = "Indore again";
  auto dup = registry_->AddUlb("system", again);
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.status().kind(), StatusKind::kConflict);
  EXPECT_EQ(dup.status().code(), "ulb_exists");
  EXPECT_EQ(ledgers_->state().size(), 1u);
  auto got = registry_->GetUlb("0152");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->name, "Indore");
  for (const char* kind : {"council", "parishad"}) {
    UlbInfo u{kind == std::string("council") ? "0301" : "0302", "Town", "नगर", kind, "Dhar"};
    EXPECT_TRUE(registry_->AddUlb("system", u).ok()) << kind;
  }
}

TEST_F(RegistryTest, EnsureUlbLedgersHoldsBackARegisteredUlbWhoseFileIsMissing) {
  // AddUlb writes the ULB's own ledger before the registry entry, so a registered ULB without its
  // file means the file was lost: it must be held back, never recreated empty.
  ledger::Command c;
  c.actor = "system";
  c.decide = [](store::Transaction&, int64_t) -> Result<ledger::Decision> {
    const UlbInfo u = Dewas();
    json::object fields{{"code", u.code},
                        {"name", u.name},
                        {"name_hi", u.name_hi},
                        {"kind", u.kind},
                        {"district", u.district}};
    return ledger::Decision{{ledger::Event{"ulb.added", fields}}, nullptr};
  };
  ASSERT_TRUE(ledgers_->state().Submit(std::move(c)).ok());
  ASSERT_TRUE(registry_->EnsureUlbLedgers().ok());
  auto l = ledgers_->Ulb("0153");
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.status().code(), "ulb_missing");
  EXPECT_FALSE(std::filesystem::exists(ledgers_->UlbFile("0153")));

  Reopen();
  ASSERT_TRUE(registry_->EnsureUlbLedgers().ok());
  EXPECT_EQ(ledgers_->Ulb("0153").status().code(), "ulb_missing");
  EXPECT_FALSE(std::filesystem::exists(ledgers_->UlbFile("0153")));
  ExpectAllLedgersVerify();
}

TEST_F(RegistryTest, EnsureUlbLedgersSkipsAHeldBackUlb) {
  AddTwoUlbs();
  Reopen();
  registry_.reset();
  ledgers_.reset();
  {
    auto db = store::sqlite::Database::Open(dir_ / "ulb" / "0153.db", {});
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("DELETE FROM ledger_entries").ok());
  }
  Reopen();
  EXPECT_EQ(ledgers_->Ulb("0153").status().code(), "ulb_held_back");
  ASSERT_TRUE(registry_->EnsureUlbLedgers().ok());
  EXPECT_EQ(registry_->AddWard("usr_state", "0153", {1, "Ward 1", "वार्ड 1", "A"}).status().code(),
            "ulb_held_back");
  EXPECT_TRUE(registry_->AddWard("usr_state", "0152", {1, "Ward 1", "वार्ड 1", "A"}).ok());
}

TEST_F(RegistryTest, AddUserCreatesTheUserWithATotpSecret) {
  AddTwoUlbs();
  NewUser u{"ramesh.k", "रमेश कुमार", kPassword, Grant{Role::kCashier, "0152"}};
  auto r = registry_->AddUser("usr_state", u);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(IsValidId(r->id, "usr")) << r->id;
  EXPECT_EQ(r->username, "ramesh.k");
  EXPECT_TRUE(r->otpauth_uri.starts_with("otpauth://totp/Palika:ramesh.k?secret="))
      << r->otpauth_uri;

  auto found = registry_->FindUser("ramesh.k");
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  const UserRecord& rec = **found;
  EXPECT_EQ(rec.id, r->id);
  EXPECT_EQ(rec.display_name, "रमेश कुमार");
  EXPECT_TRUE(rec.active);
  EXPECT_EQ(rec.totp_secret.size(), 20u);
  EXPECT_NE(rec.password_hash.find("$argon2id$"), std::string::npos);
  EXPECT_TRUE(identity::VerifyPassword(rec.password_hash, kPassword));
  EXPECT_EQ(rec.password_hash.find(kPassword), std::string::npos);
  auto by_id = registry_->FindUserById(r->id);
  ASSERT_TRUE(by_id.ok() && *by_id);
  EXPECT_EQ((*by_id)->username, "ramesh.k");
  EXPECT_EQ(GrantNames("ramesh.k"), (std::vector<std::string>{"cashier@0152"}));

  // Without a display name the username stands in; without a grant there are none.
  MustAddUser("suresh");
  auto s = registry_->FindUser("suresh");
  ASSERT_TRUE(s.ok() && *s);
  EXPECT_EQ((*s)->display_name, "suresh");
  EXPECT_TRUE(GrantNames("suresh").empty());
  auto nobody = registry_->FindUser("nobody");
  ASSERT_TRUE(nobody.ok());
  EXPECT_FALSE(nobody->has_value());
  ExpectAllLedgersVerify();
}

TEST_F(RegistryTest, AddUserRefusesBadUsernamesAndWeakPasswords) {
  for (const char* name : {"ab", "Ramesh", "1abc", "ram esh", "राम", "-abc", "",
                           "abcdefghijabcdefghijabcdefghijabc"}) {
    auto r = registry_->AddUser("usr_state", {name, "", kPassword, std::nullopt});
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_EQ(r.status().code(), "invalid_username") << name;
  }
  const std::pair<const char*, const char*> weak[] = {
      {"short", "password_too_short"},
      {"पासवर्डछोटा", "password_too_short"},  // 11 code points in 33 bytes
      {"aaaaaaaaaaaaaaaa", "password_one_character"},
      {"\xff\xfe long enough password", "password_invalid_utf8"},
  };
  for (const auto& [password, code] : weak) {
    auto r = registry_->AddUser("usr_state", {"weak.user", "", password, std::nullopt});
    ASSERT_FALSE(r.ok()) << password;
    EXPECT_EQ(r.status().kind(), StatusKind::kInvalidArgument);
    EXPECT_EQ(r.status().code(), code) << password;
  }
  EXPECT_EQ(ledgers_->state().size(), 0u);
  // Twelve code points (Hindi letters, signs and a space) are long enough.
  auto hindi = registry_->AddUser("usr_state", {"hindi.user", "", "मेरा पासवर्ड", std::nullopt});
  EXPECT_TRUE(hindi.ok()) << hindi.status().ToString();
}

TEST_F(RegistryTest, AddUserRefusesADuplicateUsername) {
  MustAddUser("ramesh");
  auto dup = registry_->AddUser("usr_state", {"ramesh", "Another", kPassword, std::nullopt});
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.status().kind(), StatusKind::kConflict);
  EXPECT_EQ(dup.status().code(), "user_exists");
  auto u = registry_->FindUser("ramesh");
  ASSERT_TRUE(u.ok() && *u);
  EXPECT_EQ((*u)->display_name, "ramesh");
}

TEST_F(RegistryTest, AddUserChecksTheGrantScope) {
  AddTwoUlbs();
  auto r =
      registry_->AddUser("usr_state", {"boss", "", kPassword, Grant{Role::kStateAdmin, "0152"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), "grant_state_wide");
  r = registry_->AddUser("usr_state", {"till", "", kPassword, Grant{Role::kCashier, "*"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), "grant_needs_ulb");
  // An unknown ULB refuses the whole command: no user without the grant asked for.
  r = registry_->AddUser("usr_state", {"till", "", kPassword, Grant{Role::kCashier, "0999"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().kind(), StatusKind::kNotFound);
  EXPECT_EQ(r.status().code(), "ulb_not_found");
  auto till = registry_->FindUser("till");
  ASSERT_TRUE(till.ok());
  EXPECT_FALSE(till->has_value());

  MustAddUser("boss", Grant{Role::kStateAdmin, "*"});
  EXPECT_EQ(GrantNames("boss"), (std::vector<std::string>{"state_admin@*"}));
  MustAddUser("audit", Grant{Role::kAuditor, "*"});  // an auditor may be state-wide
  EXPECT_EQ(GrantNames("audit"), (std::vector<std::string>{"auditor@*"}));
  MustAddUser("till", Grant{Role::kCashier, "0153"});
  EXPECT_EQ(GrantNames("till"), (std::vector<std::string>{"cashier@0153"}));
}

TEST_F(RegistryTest, GrantAndRevokeFollowTheAuthorityRules) {
  AddTwoUlbs();
  MustAddUser("clerk");
  const Principal admin152 = UlbAdmin("0152");

  // A ULB administrator appoints cashiers in their own ULB...
  auto g = registry_->GrantRole(admin152, "clerk", Role::kCashier, "0152");
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ(g->at("role").as_string(), "cashier");
  EXPECT_EQ(g->at("ulb").as_string(), "0152");
  EXPECT_EQ(GrantNames("clerk"), (std::vector<std::string>{"cashier@0152"}));

  // ...but not in another ULB, not another administrator, nothing state-wide.
  const std::pair<Role, const char*> refused[] = {{Role::kCashier, "0153"},
                                                  {Role::kUlbAdmin, "0152"},
                                                  {Role::kStateAdmin, "*"},
                                                  {Role::kAuditor, "*"}};
  for (const auto& [role, ulb] : refused) {
    auto r = registry_->GrantRole(admin152, "clerk", role, ulb);
    ASSERT_FALSE(r.ok()) << identity::RoleName(role) << "@" << ulb;
    EXPECT_EQ(r.status().kind(), StatusKind::kPermissionDenied);
    EXPECT_EQ(r.status().code(), "forbidden");
  }
  // A cashier manages nobody.
  auto c = registry_->GrantRole(Cashier("0152"), "clerk", Role::kRevenueOfficer, "0152");
  EXPECT_EQ(c.status().kind(), StatusKind::kPermissionDenied);
  EXPECT_EQ(GrantNames("clerk"), (std::vector<std::string>{"cashier@0152"}));

  // The state administrator may do all of it.
  ASSERT_TRUE(registry_->GrantRole(StateAdmin(), "clerk", Role::kCashier, "0153").ok());
  ASSERT_TRUE(registry_->GrantRole(StateAdmin(), "clerk", Role::kUlbAdmin, "0153").ok());
  EXPECT_EQ(GrantNames("clerk"),
            (std::vector<std::string>{"cashier@0152", "cashier@0153", "ulb_admin@0153"}));

  // Granting what is held changes nothing and writes nothing.
  const uint64_t size = ledgers_->state().size();
  ASSERT_TRUE(registry_->GrantRole(admin152, "clerk", Role::kCashier, "0152").ok());
  EXPECT_EQ(ledgers_->state().size(), size);

  // Revoking follows the same rules.
  EXPECT_EQ(registry_->RevokeRole(admin152, "clerk", Role::kCashier, "0153").status().kind(),
            StatusKind::kPermissionDenied);
  ASSERT_TRUE(registry_->RevokeRole(admin152, "clerk", Role::kCashier, "0152").ok());
  EXPECT_EQ(GrantNames("clerk"), (std::vector<std::string>{"cashier@0153", "ulb_admin@0153"}));
  const uint64_t after = ledgers_->state().size();
  ASSERT_TRUE(registry_->RevokeRole(admin152, "clerk", Role::kCashier, "0152").ok());
  EXPECT_EQ(ledgers_->state().size(), after);

  // Unknown user or ULB, or a scope the role does not allow.
  EXPECT_EQ(registry_->GrantRole(StateAdmin(), "ghost", Role::kCashier, "0152").status().code(),
            "user_not_found");
  EXPECT_EQ(registry_->GrantRole(StateAdmin(), "clerk", Role::kCashier, "0999").status().code(),
            "ulb_not_found");
  EXPECT_EQ(registry_->GrantRole(StateAdmin(), "clerk", Role::kCashier, "*").status().code(),
            "grant_needs_ulb");
  EXPECT_EQ(registry_->GrantRole(StateAdmin(), "clerk", Role::kStateAdmin, "0152").status().code(),
            "grant_state_wide");

  auto staff = registry_->UsersOfUlb("0153");
  ASSERT_TRUE(staff.ok());
  ASSERT_EQ(staff->size(), 2u);
  EXPECT_EQ(staff->at(0).at("username").as_string(), "clerk");
  EXPECT_EQ(staff->at(0).at("role").as_string(), "cashier");
  EXPECT_EQ(staff->at(1).at("role").as_string(), "ulb_admin");
  auto none = registry_->UsersOfUlb("0152");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());

  // The grant records who made it.
  ASSERT_TRUE(ledgers_->state()
                  .Read([](store::Transaction& tx) -> Status {
                    auto row = tx.QueryOne(
                        "SELECT granted_by FROM role_grants WHERE role = 'cashier' AND ulb = "
                        "'0153'");
                    EXPECT_TRUE(row.ok() && *row);
                    if (row.ok() && *row) {
                      EXPECT_EQ((*row)->Text(0), "usr_state");
                    }
                    return Status::OK();
                  })
                  .ok());
  ExpectAllLedgersVerify();
}

TEST_F(RegistryTest, ChangePasswordChecksTheOldOneAndThePolicy) {
  const CreatedUser u = MustAddUser("meena");
  const std::string next = "नया पासवर्ड बहुत लंबा है";
  Status s = registry_->ChangePassword(u.id, "not the password", next);
  EXPECT_EQ(s.kind(), StatusKind::kPermissionDenied);
  EXPECT_EQ(s.code(), "wrong_password");
  s = registry_->ChangePassword(u.id, kPassword, "too short");
  EXPECT_EQ(s.code(), "password_too_short");
  s = registry_->ChangePassword("usr_nobody", kPassword, next);
  EXPECT_EQ(s.code(), "wrong_password");

  auto before = registry_->FindUser("meena");
  ASSERT_TRUE(before.ok() && *before);
  EXPECT_TRUE(identity::VerifyPassword((*before)->password_hash, kPassword));

  s = registry_->ChangePassword(u.id, kPassword, next);
  ASSERT_TRUE(s.ok()) << s.ToString();
  auto after = registry_->FindUser("meena");
  ASSERT_TRUE(after.ok() && *after);
  EXPECT_TRUE(identity::VerifyPassword((*after)->password_hash, next));
  EXPECT_FALSE(identity::VerifyPassword((*after)->password_hash, kPassword));
  // The new password is now the one to give.
  EXPECT_EQ(registry_->ChangePassword(u.id, kPassword, "yet another long one").code(),
            "wrong_password");
  EXPECT_TRUE(registry_->ChangePassword(u.id, next, "yet another long one").ok());
  ExpectAllLedgersVerify();
}

TEST_F(RegistryTest, WardsKeepTheirHindiNamesAndRefuseDuplicates) {
  AddTwoUlbs();
  const Ward w1{1, "Mahatma Gandhi", "महात्मा गांधी वार्ड", "पूर्व"};
  const Ward w12{12, "Rajwada", "राजवाड़ा", "मध्य"};
  auto r = registry_->AddWard("usr_admin", "0152", w12);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->at("name_hi").as_string(), "राजवाड़ा");
  ASSERT_TRUE(registry_->AddWard("usr_admin", "0152", w1).ok());

  auto dup = registry_->AddWard("usr_admin", "0152", {12, "Other", "दूसरा", "x"});
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.status().kind(), StatusKind::kConflict);
  EXPECT_EQ(dup.status().code(), "ward_exists");
  EXPECT_NE(dup.status().message().find("Rajwada"), std::string::npos);

  // Ward numbers belong to their ULB.
  ASSERT_TRUE(registry_->AddWard("usr_admin", "0153", {12, "Dewas 12", "देवास १२", "A"}).ok());

  auto wards = registry_->ListWards("0152");
  ASSERT_TRUE(wards.ok());
  ASSERT_EQ(wards->size(), 2u);
  EXPECT_EQ((*wards)[0].number, 1);
  EXPECT_EQ((*wards)[0].name_hi, "महात्मा गांधी वार्ड");
  EXPECT_EQ((*wards)[0].zone, "पूर्व");
  EXPECT_EQ((*wards)[1].number, 12);
  EXPECT_EQ((*wards)[1].name, "Rajwada");
  auto other = registry_->ListWards("0153");
  ASSERT_TRUE(other.ok());
  ASSERT_EQ(other->size(), 1u);
  EXPECT_EQ((*other)[0].name_hi, "देवास १२");

  EXPECT_EQ(registry_->AddWard("usr_admin", "9999", w1).status().code(), "ulb_not_found");
  EXPECT_EQ(registry_->ListWards("9999").status().code(), "ulb_not_found");

  Reopen();
  wards = registry_->ListWards("0152");
  ASSERT_TRUE(wards.ok());
  EXPECT_EQ(wards->size(), 2u);
  ExpectAllLedgersVerify();
}

TEST_F(RegistryTest, SignInsAreAudited) {
  const CreatedUser u = MustAddUser("meena");
  ASSERT_TRUE(registry_->RecordSignIn(u.id, "meena", "10.0.0.7").ok());
  ASSERT_TRUE(registry_->RecordSignInRefused("meena", "10.0.0.8", "wrong_otp").ok());
  ASSERT_TRUE(ledgers_->state()
                  .Read([](store::Transaction& tx) -> Status {
                    auto rows = tx.Query(
                        "SELECT outcome, username, address, reason FROM sign_in_audit ORDER BY "
                        "seq");
                    EXPECT_TRUE(rows.ok());
                    if (!rows.ok()) return rows.status();
                    EXPECT_EQ(rows->size(), 2u);
                    if (rows->size() != 2) return Status::OK();
                    EXPECT_EQ((*rows)[0].Text(0), "opened");
                    EXPECT_EQ((*rows)[0].Text(2), "10.0.0.7");
                    EXPECT_EQ((*rows)[1].Text(0), "refused");
                    EXPECT_EQ((*rows)[1].Text(3), "wrong_otp");
                    return Status::OK();
                  })
                  .ok());
  ExpectAllLedgersVerify();
}

}  // namespace
}  // namespace palika::registry
