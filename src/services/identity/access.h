#pragma once
// Roles, permissions and the access decision. Roles are granted per ULB ("*" = every ULB, for
// state-level roles); each role has an explicit list of permissions; every request names the
// permission it needs and the ULB it touches, and Authorize answers. Pure and thread-safe.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace palika::identity {

enum class Role {
  kStateAdmin,
  kUlbAdmin,  // commissioner (corporation) or CMO (council, parishad)
  kRevenueOfficer,
  kCashier,
  kRegistrar,
  kLicensingOfficer,
  kGrievanceOfficer,
  kAccountant,
  kAuditor,
};

enum class Permission {
  kUlbRegister,   // add a ULB to the state (state level)
  kUlbRead,       // see a ULB's staff-only data (profile, wards)
  kUlbConfigure,  // wards, counters, ULB settings
  kUsersManage,   // users and role grants within a ULB
  kLedgerRead,    // checkpoints, ledger status (auditors)
  kPropertyRead,
  kPropertyWrite,  // register and correct properties, assessment returns
  kDemandRaise,
  kRatesWrite,
  kPaymentCollect,  // counter collections
  kPaymentReverse,  // bounced cheques
  kAccountsRead,
  kAccountsWrite,
  kVitalRecords,  // births and deaths
  kLicensing,     // trade licences
  kGrievances,
  kOutageDeclare,  // declare a system outage that pauses surcharge (state level)
  // Read every ledger's entries and checkpoints for backup. Held by replication tokens (a backup
  // host's puller, services/registry/replication_tokens.h) and by no staff role.
  kReplicationRead,
};

inline constexpr std::string_view kAllUlbs = "*";

std::string_view RoleName(Role r);     // "cashier"
std::string_view RoleLabelHi(Role r);  // "कैशियर"
std::optional<Role> ParseRole(std::string_view name);
std::string_view PermissionName(Permission p);  // "payment.collect"
const std::vector<Role>& AllRoles();
const std::vector<Permission>& AllPermissions();
bool RoleHas(Role r, Permission p);
// Whether a grant of `role` may name a single ULB or must be state-wide ("*").
bool IsStateRole(Role r);

struct Grant {
  Role role;
  std::string ulb;  // a ULB code, or "*"
};

// A signed-in user as a request sees them.
struct Principal {
  std::string user_id;
  std::string username;
  std::string display_name;
  std::vector<Grant> grants;
};

// OK if some grant of the principal gives `p` on `ulb` (for state-level permissions, ulb is "*").
// PermissionDenied with a bilingual message otherwise.
Status Authorize(const Principal& who, Permission p, std::string_view ulb);

}  // namespace palika::identity
