// Hand-tampering (issue 2, "Ledger and store"): after the demo state and a few writes, every kind
// of edit a person with the `sqlite3` tool could make to a stopped server's files -- editing,
// deleting, inserting or reordering ledger entries, editing, deleting or inserting rows of every
// projection table, deleting or editing checkpoints -- is caught by `palika verify`, which names
// the ledger and the table, entry or checkpoint. Each edit is made on a fresh copy of the data
// directory. And the server itself: a state ledger whose last checkpoint was altered is not
// served at all; a ULB ledger that fails its quick check is held back while the others work.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "cli/app.h"
#include "integration/server_fixture.h"
#include "ledger/ledger.h"

namespace palika::integration {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

// Changes the tree size written in the last checkpoint's note, so its signature no longer holds.
constexpr char kAlterLastCheckpoint[] =
    "UPDATE ledger_checkpoints SET note = replace(note, char(10) || size || char(10), "
    "char(10) || (size - 1) || char(10)) "
    "WHERE size = (SELECT MAX(size) FROM ledger_checkpoints)";

// A command with an Idempotency-Key through a ledger's one write path (no HTTP route takes one
// yet), so that idempotency_keys has rows to tamper with.
void SubmitWithKey(ledger::Ledger& l, const std::string& key, const ledger::Event& event) {
  ledger::Command c;
  c.actor = "system";
  c.idempotency_key = key;
  c.request_hash = "request-hash-of-" + key;
  c.decide = [event](store::Transaction&, int64_t) -> Result<ledger::Decision> {
    return ledger::Decision{{event}, json::object{{"accepted", event.type}}};
  };
  auto r = l.Submit(std::move(c));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
}

int CountOf(const std::string& text, const std::string& needle) {
  int n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

class TamperTest : public ::testing::Test {
 protected:
  // The demo state, then writes of every kind over HTTP, a refused and a good sign-in, and two
  // keyed commands; stopped cleanly and verified intact.
  void MakeGolden() {
    golden_ = PalikaServer::CreateDemo();
    ASSERT_NE(golden_, nullptr);
    ASSERT_TRUE(golden_->Start());
    const std::string admin = golden_->SignIn("state.admin");
    ASSERT_NE(admin, "");
    auto bad = golden_->Request("POST", "/api/v1/session",
                                R"({"username": "indore.cashier", "password": "wrong-password-1",
                                    "otp": "123456"})");
    ASSERT_EQ(bad.status, 401);
    for (const auto& [ulb, number] :
         std::vector<std::pair<std::string, int>>{{kIndore, 7}, {kIndore, 8}, {kSehore, 4}}) {
      auto r = golden_->Request(
          "POST", "/api/v1/ulbs/" + ulb + "/wards",
          json::serialize(json::object{
              {"number", number}, {"name", "Ward " + std::to_string(number)}, {"name_hi", "वार्ड"}}),
          admin);
      ASSERT_EQ(r.status, 201) << r.body;
    }
    auto user = golden_->Request(
        "POST", "/api/v1/ulbs/0276/users",
        R"({"username": "sehore.cashier2", "password": "palika-demo-2026", "role": "cashier"})",
        admin);
    ASSERT_EQ(user.status, 201) << user.body;
    auto grant = golden_->Request("POST", "/api/v1/ulbs/0276/grants",
                                  R"({"username": "sehore.cashier2", "role": "auditor"})", admin);
    ASSERT_EQ(grant.status, 200) << grant.body;
    int code = -1;
    ASSERT_TRUE(golden_->Stop(&code));
    ASSERT_EQ(code, 0);
    {
      auto app = cli::App::Open(golden_->data_dir());
      ASSERT_TRUE(app.ok()) << app.status().ToString();
      auto indore = (*app)->ledgers().Ulb(kIndore);
      ASSERT_TRUE(indore.ok());
      SubmitWithKey(
          **indore, "key-ward-77",
          {"ward.added", {{"number", 77}, {"name", "Keyed"}, {"name_hi", "कुंजी"}, {"zone", ""}}});
      SubmitWithKey((*app)->ledgers().state(), "key-audit-1",
                    {"session.refused",
                     {{"username", "someone"}, {"address", "10.0.0.1"}, {"reason", "wrong_otp"}}});
    }
    RunResult v = golden_->Verify();
    ASSERT_EQ(v.exit_code, 0) << v.output;
    // (The demo's counter payments carry keys of their own.)
    ASSERT_EQ(golden_->Query(kIndore,
                             "SELECT COUNT(*) FROM idempotency_keys WHERE key = "
                             "'key-ward-77'"),
              "1");
    ASSERT_EQ(golden_->Query("state", "SELECT COUNT(*) FROM idempotency_keys"), "1");
    ASSERT_GE(std::stoi(golden_->Query("state", "SELECT COUNT(*) FROM ledger_checkpoints")), 2);
  }

  std::unique_ptr<PalikaServer> golden_;
};

struct Tamper {
  std::string name;
  std::string ledger;  // "state" or a ULB code
  std::string sql;
  std::vector<std::string> report;  // what the verify output must say
  bool changes_rows = true;         // false for schema changes
};

std::vector<Tamper> Tampers() {
  const std::string cashier_id = "(SELECT id FROM users WHERE username = 'indore.cashier')";
  const std::string admin_id = "(SELECT id FROM users WHERE username = 'state.admin')";
  // Two ward.added entries of Indore (the demo's wards 1 and 2).
  const std::string two_wards =
      "CREATE TEMP TABLE t AS SELECT seq, payload FROM ledger_entries "
      "WHERE type = 'ward.added' ORDER BY seq LIMIT 2;";
  std::vector<Tamper> t = {
      // --- ledger_entries ---------------------------------------------------------------
      {"state: edit an entry's payload",
       "state",
       "UPDATE ledger_entries SET payload = replace(payload, '\"Indore\"', '\"Indore City\"') "
       "WHERE type = 'ulb.added' AND payload LIKE '%\"0152\"%'",
       {"does not match the entries", "table ulbs"}},
      {"state: edit an entry's actor",
       "state",
       "UPDATE ledger_entries SET actor = 'usr_intruder' WHERE seq = 2",
       {"checkpoint at size", "does not match the entries"}},
      {"state: edit an entry's time",
       "state",
       "UPDATE ledger_entries SET time_us = time_us + 1 WHERE seq = 3",
       {"does not match the entries"}},
      {"state: delete an entry",
       "state",
       "DELETE FROM ledger_entries WHERE seq = 5",
       {"entry 5 is missing"}},
      {"state: delete the last entry",
       "state",
       "DELETE FROM ledger_entries WHERE seq = (SELECT MAX(seq) FROM ledger_entries)",
       {"entries were removed"}},
      {"state: insert an entry granting state_admin, and its projection row",
       "state",
       "INSERT INTO ledger_entries(origin, seq, ulb, time_us, actor, type, payload) "
       "SELECT origin, seq + 1, ulb, time_us + 1, " +
           admin_id +
           ", 'role.granted', "
           "'{\"role\":\"state_admin\",\"ulb\":\"*\",\"user_id\":\"' || " +
           cashier_id +
           " || '\"}' FROM ledger_entries ORDER BY seq DESC LIMIT 1;"
           "INSERT INTO role_grants(user_id, role, ulb, granted_by, granted_seq) VALUES (" +
           cashier_id + ", 'state_admin', '*', " + admin_id +
           ", (SELECT MAX(seq) FROM ledger_entries))",
       {"not covered by any signed checkpoint"}},
      {"0152: edit a ward's entry",
       kIndore,
       "UPDATE ledger_entries SET payload = replace(payload, 'Sirpur', 'Sirpura') "
       "WHERE type = 'ward.added'",
       {"does not match the entries", "table wards"}},
      {"0152: swap two entries' payloads",
       kIndore,
       two_wards + "UPDATE ledger_entries SET payload = (SELECT payload FROM t WHERE t.seq <> "
                   "ledger_entries.seq) WHERE seq IN (SELECT seq FROM t)",
       {"does not match the entries", "reordered"}},
      {"0152: swap two entries' places",
       kIndore,
       two_wards +
           "UPDATE ledger_entries SET seq = -seq WHERE seq IN (SELECT seq FROM t);"
           "UPDATE ledger_entries SET seq = (SELECT seq FROM t WHERE t.seq <> -ledger_entries.seq) "
           "WHERE seq < 0",
       {"does not match the entries"}},
      {"0152: delete an entry",
       kIndore,
       "DELETE FROM ledger_entries WHERE seq = 3",
       {"entry 3 is missing"}},
      {"0152: append an entry",
       kIndore,
       "INSERT INTO ledger_entries(origin, seq, ulb, time_us, actor, type, payload) "
       "SELECT origin, seq + 1, ulb, time_us + 1, actor, 'ward.added', "
       "'{\"name\":\"Fake\",\"name_hi\":\"नकली\",\"number\":500,\"zone\":\"\"}' "
       "FROM ledger_entries ORDER BY seq DESC LIMIT 1",
       {"not covered by any signed checkpoint", "table wards"}},
      {"0152: an entry of another ULB",
       kIndore,
       "UPDATE ledger_entries SET ulb = '0276' WHERE seq = 2",
       {"entry 2 names ULB 0276"}},

      // --- ledger_checkpoints -------------------------------------------------------------
      {"state: delete every checkpoint",
       "state",
       "DELETE FROM ledger_checkpoints",
       {"not covered by any signed checkpoint"}},
      {"state: delete the last checkpoint",
       "state",
       "DELETE FROM ledger_checkpoints WHERE size = (SELECT MAX(size) FROM ledger_checkpoints)",
       {"not covered by any signed checkpoint"}},
      {"state: edit the last checkpoint's note",
       "state",
       kAlterLastCheckpoint,
       {"signature does not verify"}},
      {"state: edit the first checkpoint's note",
       "state",
       "UPDATE ledger_checkpoints SET note = replace(note, 'palika/', 'palikA/') "
       "WHERE size = (SELECT MIN(size) FROM ledger_checkpoints)",
       {"checkpoint at size", "signature does not verify"}},
      {"state: edit a checkpoint's stored tree",
       "state",
       "UPDATE ledger_checkpoints SET tree = zeroblob(length(tree)) "
       "WHERE size = (SELECT MIN(size) FROM ledger_checkpoints)",
       {"stored tree does not match its signed root"}},
      {"state: insert a checkpoint",
       "state",
       "INSERT INTO ledger_checkpoints SELECT origin, size + 1, time_us + 1, note, tree "
       "FROM ledger_checkpoints ORDER BY size DESC LIMIT 1",
       {"the signed size is"}},
      {"0276: delete every checkpoint",
       kSehore,
       "DELETE FROM ledger_checkpoints",
       {"not covered by any signed checkpoint"}},
      {"0276: edit a checkpoint's note",
       kSehore,
       kAlterLastCheckpoint,
       {"signature does not verify"}},

      // --- state projections -----------------------------------------------------------------
      {"ulbs: edit",
       "state",
       "UPDATE ulbs SET name = 'Indor' WHERE code = '0152'",
       {"table ulbs: row (code='0152') column name is 'Indor'"}},
      {"ulbs: delete",
       "state",
       "DELETE FROM ulbs WHERE code = '0157'",
       {"table ulbs: row (code='0157') is missing"}},
      {"ulbs: insert",
       "state",
       "INSERT INTO ulbs VALUES ('0999', 'Fake', 'नकली', 'council', 'Nowhere', 99)",
       {"table ulbs: row (code='0999') is not explained by the ledger"}},
      {"users: edit a password hash",
       "state",
       "UPDATE users SET password_hash = (SELECT password_hash FROM users WHERE username = "
       "'state.admin') WHERE username = 'indore.cashier'",
       {"table users", "column password_hash"}},
      {"users: edit a TOTP secret",
       "state",
       "UPDATE users SET totp_secret = '00' WHERE username = 'indore.auditor'",
       {"table users", "column totp_secret"}},
      {"users: deactivate",
       "state",
       "UPDATE users SET active = 0 WHERE username = 'indore.admin'",
       {"table users", "column active"}},
      {"users: delete",
       "state",
       "DELETE FROM users WHERE username = 'sehore.cashier2'",
       {"table users", "is missing"}},
      {"users: insert",
       "state",
       "INSERT INTO users SELECT 'usr_ghost', 'ghost', 'Ghost', password_hash, totp_secret, 1, "
       "created_us, password_changed_us FROM users WHERE username = 'state.admin'",
       {"table users: row (id='usr_ghost') is not explained by the ledger"}},
      {"role_grants: edit (a cashier made state admin)",
       "state",
       "UPDATE role_grants SET role = 'state_admin', ulb = '*' WHERE user_id = " + cashier_id,
       {"table role_grants"}},
      {"role_grants: delete",
       "state",
       "DELETE FROM role_grants WHERE role = 'auditor' AND ulb = '0276' AND user_id = (SELECT id "
       "FROM users WHERE username = 'sehore.cashier2')",
       {"table role_grants", "is missing"}},
      {"role_grants: insert",
       "state",
       "INSERT INTO role_grants VALUES (" + cashier_id + ", 'ulb_admin', '0152', " + admin_id +
           ", 3)",
       {"table role_grants", "is not explained by the ledger"}},
      {"sign_in_audit: edit",
       "state",
       "UPDATE sign_in_audit SET address = '10.9.9.9' WHERE outcome = 'refused'",
       {"table sign_in_audit", "column address"}},
      {"sign_in_audit: delete",
       "state",
       "DELETE FROM sign_in_audit WHERE outcome = 'refused'",
       {"table sign_in_audit", "is missing"}},
      {"sign_in_audit: insert",
       "state",
       "INSERT INTO sign_in_audit VALUES (100000, 1, 'opened', 'state.admin', '1.2.3.4', '')",
       {"table sign_in_audit: row (seq=100000) is not explained by the ledger"}},
      {"state idempotency_keys: edit",
       "state",
       "UPDATE idempotency_keys SET response = '{\"accepted\":\"nothing\"}'",
       {"table idempotency_keys", "column response"}},
      {"state idempotency_keys: delete",
       "state",
       "DELETE FROM idempotency_keys",
       {"table idempotency_keys: row (key='key-audit-1') is missing"}},
      {"state idempotency_keys: insert",
       "state",
       "INSERT INTO idempotency_keys VALUES ('key-forged', 'h', '{}', 1)",
       {"table idempotency_keys: row (key='key-forged') is not explained by the ledger"}},

      // --- ULB projections ---------------------------------------------------------------
      {"ulb_profile: edit",
       kIndore,
       "UPDATE ulb_profile SET name_hi = 'इन्दौर'",
       {"table ulb_profile", "column name_hi"}},
      {"ulb_profile: delete",
       kIndore,
       "DELETE FROM ulb_profile",
       {"table ulb_profile: row (code='0152') is missing"}},
      {"ulb_profile: insert",
       kIndore,
       "INSERT INTO ulb_profile VALUES ('0153', 'Other', 'अन्य', 'council', 'Indore')",
       {"table ulb_profile: row (code='0153') is not explained by the ledger"}},
      {"wards: edit",
       kIndore,
       "UPDATE wards SET zone = 'Zone 9' WHERE number = 4",
       {"table wards: row (number=4) column zone is 'Zone 9'"}},
      {"wards: delete",
       kIndore,
       "DELETE FROM wards WHERE number = 8",
       {"table wards: row (number=8) is missing"}},
      {"wards: insert",
       kIndore,
       "INSERT INTO wards VALUES (900, 'Fake', 'नकली', '')",
       {"table wards: row (number=900) is not explained by the ledger"}},
      {"wards of another ULB: delete",
       kSehore,
       "DELETE FROM wards WHERE number = 4",
       {"table wards: row (number=4) is missing"}},
      {"0152 idempotency_keys: edit",
       kIndore,
       "UPDATE idempotency_keys SET request_hash = 'other'",
       {"table idempotency_keys", "column request_hash"}},
      {"0152 idempotency_keys: delete",
       kIndore,
       "DELETE FROM idempotency_keys WHERE key = 'key-ward-77'",
       {"table idempotency_keys: row (key='key-ward-77') is missing"}},
      {"0152 idempotency_keys: insert",
       kIndore,
       "INSERT INTO idempotency_keys VALUES ('key-forged', 'h', '{}', 1)",
       {"table idempotency_keys: row (key='key-forged') is not explained by the ledger"}},

      // --- money: payments, accounts, the journal (the demo's counter collections) ----------
      {"0152: a payment entry's amount raised",
       kIndore,
       "UPDATE ledger_entries SET payload = replace(payload, '\"amount_paise\":', "
       "'\"amount_paise\":1') WHERE seq = (SELECT MIN(seq) FROM ledger_entries WHERE type = "
       "'payment.received')",
       {"does not match the entries"}},
      {"payments: a receipt's amount lowered",
       kIndore,
       "UPDATE payments SET amount_paise = amount_paise - 100 "
       "WHERE receipt_no = (SELECT MIN(receipt_no) FROM payments)",
       {"table payments", "column amount_paise"}},
      {"payments: a receipt deleted",
       kIndore,
       "DELETE FROM payments WHERE receipt_no = (SELECT MAX(receipt_no) FROM payments)",
       {"table payments: row", "is missing"}},
      {"pt_account: a year's demand written off",
       kIndore,
       "UPDATE pt_account SET demanded_paise = 0 WHERE (property_id, fy, head) = "
       "(SELECT property_id, fy, head FROM pt_account ORDER BY property_id, fy, head LIMIT 1)",
       {"table pt_account", "column demanded_paise"}},
      {"journal_lines: cash in hand inflated",
       kIndore,
       "UPDATE journal_lines SET debit_paise = debit_paise + 100 "
       "WHERE (voucher_no, line_no) = (SELECT voucher_no, line_no FROM journal_lines WHERE "
       "debit_paise > 0 ORDER BY voucher_no, line_no LIMIT 1)",
       {"table journal_lines", "column debit_paise"}},

      // --- the schema and the file itself ---------------------------------------------------
      {"a trigger added",
       kIndore,
       "CREATE TRIGGER hide AFTER INSERT ON wards BEGIN DELETE FROM wards WHERE number = "
       "NEW.number; END",
       {"trigger 'hide' is not part of Palika's schema"},
       false},
      {"a table added",
       "state",
       "CREATE TABLE backdoor(x TEXT)",
       {"table 'backdoor' is not part of Palika's schema"},
       false},
      {"a column added",
       kIndore,
       "ALTER TABLE wards ADD COLUMN note TEXT",
       {"table wards has 5 columns"},
       false},
      {"a ULB file relabelled",
       kIndore,
       "UPDATE ledger_meta SET value = '0276' WHERE key = 'ulb'",
       {"belongs to ULB 0276"}},
  };
  return t;
}

TEST_F(TamperTest, VerifyCatchesEveryHandEdit) {
  MakeGolden();
  if (HasFatalFailure()) return;
  std::set<std::string> checked_alone;
  for (const auto& t : Tampers()) {
    SCOPED_TRACE(t.name + ": " + t.sql);
    auto copy = golden_->CopyDataDir();
    ASSERT_NE(copy, nullptr);
    RunResult edit = copy->Sql(t.ledger, t.sql + "; SELECT total_changes();");
    ASSERT_EQ(edit.exit_code, 0) << edit.output;
    if (t.changes_rows) {
      ASSERT_NE(edit.output, "0\n") << "the edit changed nothing";
    }
    RunResult v = copy->Verify();
    EXPECT_EQ(v.exit_code, 3) << v.output;
    const std::string fail = "FAIL " + t.ledger + " (";
    EXPECT_THAT(v.output, HasSubstr(fail)) << v.output;
    for (const auto& words : t.report) EXPECT_THAT(v.output, HasSubstr(words));
    // Only the edited ledger fails.
    EXPECT_EQ(CountOf(v.output, "FAIL "), 1) << v.output;
    EXPECT_THAT(v.output, HasSubstr("1 ledger(s) do not verify"));
    // `--ulb` on a ULB file reports it alone (checked once per ULB: each verify of the copy is a
    // process under the sanitizers, and this test ran for over a minute of CI).
    if (t.ledger != "state" && checked_alone.insert(t.ledger).second) {
      RunResult one = copy->Verify(t.ledger);
      EXPECT_EQ(one.exit_code, 3) << one.output;
      EXPECT_THAT(one.output, HasSubstr(fail));
    }
  }
}

TEST_F(TamperTest, StateLedgerWithAlteredLastCheckpointIsNotServed) {
  auto server = PalikaServer::CreateDemo();
  ASSERT_NE(server, nullptr);
  RunResult edit = server->Sql("state", std::string(kAlterLastCheckpoint) + "; SELECT changes();");
  ASSERT_EQ(edit.output, "1\n");
  EXPECT_FALSE(server->Start());
  EXPECT_FALSE(server->running());
  const std::string log = server->ServerLog();
  EXPECT_THAT(log, HasSubstr("last checkpoint's signature does not verify"));
  EXPECT_THAT(log, HasSubstr("palika verify --data"));
  EXPECT_THAT(log, ::testing::Not(HasSubstr("Palika is serving")));
  RunResult v = server->Verify();
  EXPECT_EQ(v.exit_code, 3);
  EXPECT_THAT(v.output, HasSubstr("FAIL state"));
}

TEST_F(TamperTest, TamperedUlbIsHeldBackWhileOthersWork) {
  auto server = PalikaServer::CreateDemo();
  ASSERT_NE(server, nullptr);
  // Sehore: its last checkpoint altered. Sanwer: its last entry deleted.
  ASSERT_EQ(server->Sql(kSehore, std::string(kAlterLastCheckpoint) + "; SELECT changes();").output,
            "1\n");
  ASSERT_EQ(server
                ->Sql(kSanwer,
                      "DELETE FROM ledger_entries WHERE seq = (SELECT MAX(seq) FROM "
                      "ledger_entries); SELECT changes();")
                .output,
            "1\n");
  ASSERT_TRUE(server->Start());
  EXPECT_THAT(server->ServerLog(), HasSubstr("ULB 0276 is held back"));
  EXPECT_THAT(server->ServerLog(), HasSubstr("ULB 0157 is held back"));

  const std::string admin = server->SignIn("state.admin");
  ASSERT_NE(admin, "");
  const std::string ward = R"({"number": 40, "name": "New", "name_hi": "नया"})";
  const auto before = server->EntryCounts();
  for (const std::string held : {kSehore, kSanwer}) {
    SCOPED_TRACE(held);
    for (const auto& [method, path, body] :
         std::vector<std::tuple<std::string, std::string, std::string>>{
             {"GET", "/api/v1/ulbs/" + held + "/wards", ""},
             {"POST", "/api/v1/ulbs/" + held + "/wards", ward},
             {"GET", "/api/v1/ulbs/" + held + "/ledger", ""},
             {"GET", "/api/v1/ulbs/" + held + "/users", ""},
         }) {
      EXPECT_TRUE(IsApiError(server->Request(method, path, body, admin), 503, "ulb_held_back"))
          << method << " " << path;
    }
  }
  EXPECT_EQ(server->EntryCounts(), before);

  // Indore is served as usual, to its own staff too.
  EXPECT_EQ(server->Request("GET", "/api/v1/ulbs/0152/wards", "", admin).status, 200);
  auto added = server->Request("POST", "/api/v1/ulbs/0152/wards", ward, admin);
  EXPECT_EQ(added.status, 201) << added.body;
  EXPECT_EQ(server->Request("GET", "/api/v1/ulbs/0152/wards", "", server->SignIn("indore.cashier"))
                .status,
            200);
  json::value health = ParseJson(server->Request("GET", "/healthz").body);
  EXPECT_EQ(json::serialize(health.at("status")), "\"degraded\"");
  EXPECT_EQ(json::serialize(health.at("ulbs_held_back")), R"(["0157","0276"])");

  int code = -1;
  ASSERT_TRUE(server->Stop(&code));
  EXPECT_EQ(code, 0);
  RunResult v = server->Verify();
  EXPECT_EQ(v.exit_code, 3) << v.output;
  EXPECT_THAT(v.output, HasSubstr("ok   state"));
  EXPECT_THAT(v.output, HasSubstr("ok   0152"));
  EXPECT_THAT(v.output, HasSubstr("FAIL 0157"));
  EXPECT_THAT(v.output, HasSubstr("FAIL 0276"));
  // The untouched ledgers also verify alone.
  EXPECT_EQ(server->Verify(kIndore).exit_code, 0);
}

}  // namespace
}  // namespace palika::integration
