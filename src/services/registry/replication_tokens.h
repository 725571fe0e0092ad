#pragma once
// ReplicationTokens: bearer tokens for machines, not people — a backup host's puller reads the
// ledgers with one (`palika token add --role replication --name HOST`). They hold one permission,
// identity::Permission::kReplicationRead, which no staff role holds, and nothing else.
//
// A token is 256 random bits shown once when it is added; only its SHA-256 is kept. Adding and
// revoking are commands on the state ledger (`token.added` / `token.revoked`, with the hash and
// the host's name, never the token), so who may pull backups is part of the audited record and a
// restore brings the list back. A revoked token is refused at its next request. Names are host
// names: 1-64 of [A-Za-z0-9._-]; one active token per name (revoke, then add, to rotate).
// Errors: InvalidArgument (bad name or role), Conflict "token_exists", NotFound "token_not_found",
// Unauthenticated "not_signed_in" (unknown or revoked token). Thread-safe: all state is in the
// state ledger.

#include <cstdint>
#include <string>
#include <vector>

#include "ledger/ledger_set.h"
#include "ledger/projections.h"

namespace palika::registry {

inline constexpr char kReplicationRole[] = "replication";

// The api_tokens table and the token.added / token.revoked apply functions (state ledger).
void RegisterTokenProjections(ledger::Projections& p);

struct TokenInfo {
  std::string name;         // the backup host
  std::string role;         // "replication"
  std::string hash_prefix;  // first 12 hex digits of the SHA-256, to tell tokens apart in a list
  int64_t added_us = 0;
  std::string added_by;
  int64_t revoked_us = 0;  // 0 while active
};

class ReplicationTokens {
 public:
  explicit ReplicationTokens(ledger::LedgerSet& ledgers) : ledgers_(ledgers) {}

  // Adds a token for `name` and returns it: the only time it exists in the clear.
  Result<std::string> Add(const std::string& actor, const std::string& role,
                          const std::string& name);
  // Revokes the active token of `name`.
  Status Revoke(const std::string& actor, const std::string& name);
  // Every token ever added, active first, then by name.
  Result<std::vector<TokenInfo>> List();
  // The host name of the active token `token`; Unauthenticated if unknown or revoked.
  Result<std::string> Authenticate(const std::string& token);

 private:
  ledger::LedgerSet& ledgers_;
};

}  // namespace palika::registry
