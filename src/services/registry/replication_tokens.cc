#include "services/registry/replication_tokens.h"

#include <boost/json.hpp>

#include "services/identity/token.h"

namespace palika::registry {
namespace json = boost::json;
using ledger::Decision;
using ledger::Entry;
using store::Transaction;

namespace {

constexpr char kTokenAdded[] = "token.added";
constexpr char kTokenRevoked[] = "token.revoked";

bool IsValidHostName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string Str(const json::object& o, std::string_view k) {
  return std::string(o.at(k).as_string());
}

Status TokenNotFound(const std::string& name) {
  return Status::NotFound(
      "token_not_found",
      "There is no active token named '" + name + "'. `palika token list` shows the tokens.",
      "'" + name +
          "' नाम का कोई सक्रिय टोकन नहीं है। `palika token list` टोकन "
          "दिखाता है।");
}

}  // namespace

void RegisterTokenProjections(ledger::Projections& p) {
  p.AddTable("api_tokens",
             "CREATE TABLE IF NOT EXISTS api_tokens(hash TEXT PRIMARY KEY, name TEXT NOT NULL,"
             " role TEXT NOT NULL, added_us INTEGER NOT NULL, added_by TEXT NOT NULL,"
             " revoked_us INTEGER NOT NULL)",
             "hash");
  p.OnEvent(kTokenAdded, [](Transaction& tx, const Entry& e) {
    auto o = json::parse(e.payload).as_object();
    return tx.Exec(
        "INSERT INTO api_tokens(hash, name, role, added_us, added_by, revoked_us) "
        "VALUES (?, ?, ?, ?, ?, 0)",
        {Str(o, "hash"), Str(o, "name"), Str(o, "role"), e.time_us, e.actor});
  });
  p.OnEvent(kTokenRevoked, [](Transaction& tx, const Entry& e) {
    auto o = json::parse(e.payload).as_object();
    return tx.Exec("UPDATE api_tokens SET revoked_us = ? WHERE hash = ?",
                   {e.time_us, Str(o, "hash")});
  });
}

Result<std::string> ReplicationTokens::Add(const std::string& actor, const std::string& role,
                                           const std::string& name) {
  if (role != kReplicationRole) {
    return Status::InvalidArgument(
        "unknown_token_role",
        "Unknown token role '" + role + "'. The one token role is 'replication'.",
        "अज्ञात टोकन भूमिका '" + role + "'। एकमात्र टोकन भूमिका 'replication' है।");
  }
  if (!IsValidHostName(name)) {
    return Status::InvalidArgument(
        "invalid_token_name",
        "A token's name is the backup host's name: 1 to 64 letters, digits, '.', '_' or '-'.",
        "टोकन का नाम बैकअप होस्ट का नाम है: 1 से 64 अक्षर, अंक, '.', '_' या '-'।");
  }
  const std::string token = identity::NewToken();
  const std::string hash = identity::TokenHash(token);
  ledger::Command c;
  c.actor = actor;
  c.decide = [&](Transaction& tx, int64_t) -> Result<Decision> {
    PALIKA_ASSIGN_OR_RETURN(
        auto active,
        tx.QueryOne("SELECT 1 FROM api_tokens WHERE name = ? AND revoked_us = 0", {name}));
    if (active) {
      return Status::Conflict(
          "token_exists",
          "'" + name +
              "' already has an active token. To replace it, revoke it first (`palika token "
              "revoke --name " +
              name + "`).",
          "'" + name + "' का टोकन पहले से सक्रिय है। बदलने के लिए पहले उसे रद्द करें।");
    }
    json::object fields{{"hash", hash}, {"name", name}, {"role", role}};
    return Decision{{ledger::Event{kTokenAdded, fields}}, json::object{{"name", name}}};
  };
  auto r = ledgers_.state().Submit(std::move(c));
  if (!r.ok()) return r.status();
  return token;
}

Status ReplicationTokens::Revoke(const std::string& actor, const std::string& name) {
  ledger::Command c;
  c.actor = actor;
  c.decide = [&](Transaction& tx, int64_t) -> Result<Decision> {
    PALIKA_ASSIGN_OR_RETURN(
        auto active,
        tx.QueryOne("SELECT hash FROM api_tokens WHERE name = ? AND revoked_us = 0", {name}));
    if (!active) return TokenNotFound(name);
    json::object fields{{"hash", active->Text(0)}, {"name", name}};
    return Decision{{ledger::Event{kTokenRevoked, fields}}, json::object{{"name", name}}};
  };
  auto r = ledgers_.state().Submit(std::move(c));
  return r.ok() ? Status::OK() : r.status();
}

Result<std::vector<TokenInfo>> ReplicationTokens::List() {
  std::vector<TokenInfo> out;
  PALIKA_RETURN_IF_ERROR(ledgers_.state().Read([&](Transaction& tx) {
    return tx.ForEach(
        "SELECT name, role, hash, added_us, added_by, revoked_us FROM api_tokens "
        "ORDER BY revoked_us != 0, name, added_us",
        {}, [&](const store::Row& r) {
          out.push_back(
              {r.Text(0), r.Text(1), r.Text(2).substr(0, 12), r.Int(3), r.Text(4), r.Int(5)});
          return true;
        });
  }));
  return out;
}

Result<std::string> ReplicationTokens::Authenticate(const std::string& token) {
  const std::string hash = identity::TokenHash(token);
  std::optional<std::string> name;
  PALIKA_RETURN_IF_ERROR(ledgers_.state().Read([&](Transaction& tx) -> Status {
    PALIKA_ASSIGN_OR_RETURN(
        auto row,
        tx.QueryOne("SELECT name FROM api_tokens WHERE hash = ? AND revoked_us = 0", {hash}));
    if (row) name = row->Text(0);
    return Status::OK();
  }));
  if (!name) {
    return Status::Unauthenticated(
        "not_signed_in",
        "This token is not valid (unknown, or revoked). Ask the state administrator for a "
        "replication token (`palika token add --role replication`).",
        "यह टोकन मान्य नहीं है (अज्ञात या रद्द)। राज्य प्रशासक से replication टोकन माँगें।");
  }
  return *name;
}

}  // namespace palika::registry
