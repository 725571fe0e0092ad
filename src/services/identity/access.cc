#include "services/identity/access.h"

#include <fmt/format.h>

#include <algorithm>

namespace palika::identity {
namespace {

using P = Permission;

// The permission table: explicit, one line per role, reviewed as a whole.
const std::vector<Permission>& PermissionsOf(Role r) {
  static const std::vector<Permission> kState = {
      P::kUlbRegister,  P::kUlbRead,    P::kUlbConfigure, P::kUsersManage,  P::kLedgerRead,
      P::kPropertyRead, P::kRatesWrite, P::kAccountsRead, P::kOutageDeclare};
  static const std::vector<Permission> kUlbAdmin = {
      P::kUlbRead,     P::kUlbConfigure, P::kUsersManage,    P::kLedgerRead,  P::kPropertyRead,
      P::kDemandRaise, P::kRatesWrite,   P::kPaymentReverse, P::kAccountsRead};
  static const std::vector<Permission> kRevenue = {P::kUlbRead, P::kPropertyRead, P::kPropertyWrite,
                                                   P::kDemandRaise, P::kPaymentReverse};
  static const std::vector<Permission> kCashier = {P::kUlbRead, P::kPropertyRead,
                                                   P::kPaymentCollect};
  static const std::vector<Permission> kRegistrar = {P::kUlbRead, P::kVitalRecords};
  static const std::vector<Permission> kLicensing = {P::kUlbRead, P::kPropertyRead, P::kLicensing};
  static const std::vector<Permission> kGrievance = {P::kUlbRead, P::kGrievances};
  static const std::vector<Permission> kAccountant = {P::kUlbRead, P::kPropertyRead,
                                                      P::kAccountsRead, P::kAccountsWrite};
  static const std::vector<Permission> kAuditor = {P::kUlbRead, P::kLedgerRead, P::kPropertyRead,
                                                   P::kAccountsRead};
  switch (r) {
    case Role::kStateAdmin:
      return kState;
    case Role::kUlbAdmin:
      return kUlbAdmin;
    case Role::kRevenueOfficer:
      return kRevenue;
    case Role::kCashier:
      return kCashier;
    case Role::kRegistrar:
      return kRegistrar;
    case Role::kLicensingOfficer:
      return kLicensing;
    case Role::kGrievanceOfficer:
      return kGrievance;
    case Role::kAccountant:
      return kAccountant;
    case Role::kAuditor:
      return kAuditor;
  }
  return kAuditor;
}

struct RoleInfo {
  Role role;
  std::string_view name;
  std::string_view hi;
};
constexpr RoleInfo kRoles[] = {
    {Role::kStateAdmin, "state_admin", "राज्य प्रशासक"},
    {Role::kUlbAdmin, "ulb_admin", "निकाय प्रशासक (आयुक्त / सीएमओ)"},
    {Role::kRevenueOfficer, "revenue_officer", "राजस्व अधिकारी"},
    {Role::kCashier, "cashier", "कैशियर"},
    {Role::kRegistrar, "registrar", "रजिस्ट्रार (जन्म-मृत्यु)"},
    {Role::kLicensingOfficer, "licensing_officer", "लाइसेंस अधिकारी"},
    {Role::kGrievanceOfficer, "grievance_officer", "शिकायत अधिकारी"},
    {Role::kAccountant, "accountant", "लेखापाल"},
    {Role::kAuditor, "auditor", "लेखा परीक्षक"},
};

}  // namespace

std::string_view RoleName(Role r) {
  for (const auto& i : kRoles) {
    if (i.role == r) return i.name;
  }
  return "unknown";
}

std::string_view RoleLabelHi(Role r) {
  for (const auto& i : kRoles) {
    if (i.role == r) return i.hi;
  }
  return "";
}

std::optional<Role> ParseRole(std::string_view name) {
  for (const auto& i : kRoles) {
    if (i.name == name) return i.role;
  }
  return std::nullopt;
}

std::string_view PermissionName(Permission p) {
  switch (p) {
    case P::kUlbRegister:
      return "ulb.register";
    case P::kUlbRead:
      return "ulb.read";
    case P::kUlbConfigure:
      return "ulb.configure";
    case P::kUsersManage:
      return "users.manage";
    case P::kLedgerRead:
      return "ledger.read";
    case P::kPropertyRead:
      return "property.read";
    case P::kPropertyWrite:
      return "property.write";
    case P::kDemandRaise:
      return "demand.raise";
    case P::kRatesWrite:
      return "rates.write";
    case P::kPaymentCollect:
      return "payment.collect";
    case P::kPaymentReverse:
      return "payment.reverse";
    case P::kAccountsRead:
      return "accounts.read";
    case P::kAccountsWrite:
      return "accounts.write";
    case P::kVitalRecords:
      return "vital_records";
    case P::kLicensing:
      return "licensing";
    case P::kGrievances:
      return "grievances";
    case P::kOutageDeclare:
      return "outage.declare";
    case P::kReplicationRead:
      return "replication.read";
  }
  return "unknown";
}

const std::vector<Role>& AllRoles() {
  static const std::vector<Role> all = [] {
    std::vector<Role> v;
    for (const auto& i : kRoles) v.push_back(i.role);
    return v;
  }();
  return all;
}

const std::vector<Permission>& AllPermissions() {
  static const std::vector<Permission> all = {
      P::kUlbRegister,   P::kUlbRead,        P::kUlbConfigure,   P::kUsersManage,
      P::kLedgerRead,    P::kPropertyRead,   P::kPropertyWrite,  P::kDemandRaise,
      P::kRatesWrite,    P::kPaymentCollect, P::kPaymentReverse, P::kAccountsRead,
      P::kAccountsWrite, P::kVitalRecords,   P::kLicensing,      P::kGrievances,
      P::kOutageDeclare, P::kReplicationRead};
  return all;
}

bool RoleHas(Role r, Permission p) {
  const auto& ps = PermissionsOf(r);
  return std::find(ps.begin(), ps.end(), p) != ps.end();
}

bool IsStateRole(Role r) { return r == Role::kStateAdmin; }

Status Authorize(const Principal& who, Permission p, std::string_view ulb) {
  for (const auto& g : who.grants) {
    if (!RoleHas(g.role, p)) continue;
    if (g.ulb == kAllUlbs || g.ulb == ulb) return Status::OK();
  }
  if (ulb == kAllUlbs) {
    return Status::PermissionDenied(
        "forbidden",
        fmt::format("Your account may not do this (it needs '{}' for the whole state). Ask the "
                    "state administrator if you need it.",
                    PermissionName(p)),
        fmt::format("आपके खाते को यह करने की अनुमति नहीं है (पूरे राज्य के लिए '{}' चाहिए)। "
                    "आवश्यकता हो तो राज्य प्रशासक से संपर्क करें।",
                    PermissionName(p)));
  }
  return Status::PermissionDenied(
      "forbidden",
      fmt::format("Your account may not do this for ULB {} (it needs '{}' there). Ask that ULB's "
                  "administrator if you need it.",
                  ulb, PermissionName(p)),
      fmt::format("आपके खाते को निकाय {} के लिए यह करने की अनुमति नहीं है (वहाँ '{}' चाहिए)। "
                  "आवश्यकता हो तो उस निकाय के प्रशासक से संपर्क करें।",
                  ulb, PermissionName(p)));
}

}  // namespace palika::identity
