#include "cli/demo.h"

#include <fmt/format.h>

namespace palika::cli {
namespace {

struct DemoUlb {
  const char* code;
  const char* name;
  const char* name_hi;
  const char* kind;
  const char* district;
  const char* prefix;  // username prefix
};

// Indore's code is the state's (DOMAIN.md). The council and parishad codes are placeholders in
// the state's 4-digit form until the official list is loaded.
constexpr DemoUlb kUlbs[] = {
    {"0152", "Indore", "इंदौर", "corporation", "Indore", "indore"},
    {"0276", "Sehore", "सीहोर", "council", "Sehore", "sehore"},
    {"0157", "Sanwer", "सांवेर", "parishad", "Indore", "sanwer"},
};

struct DemoWard {
  int64_t number;
  const char* name;
  const char* name_hi;
  const char* zone;
};
constexpr DemoWard kWards[] = {
    {1, "Sirpur", "सिरपुर", "Zone 1"},         {2, "Chandan Nagar", "चंदन नगर", "Zone 1"},
    {3, "Rajwada", "राजवाड़ा", "Zone 2"},      {4, "Malharganj", "मल्हारगंज", "Zone 2"},
    {5, "Vijay Nagar", "विजय नगर", "Zone 3"}, {6, "Palasia", "पलासिया", "Zone 3"},
};

}  // namespace

Status LoadDemo(App& app) {
  auto& reg = app.registry();
  const std::string actor = "system";
  PALIKA_ASSIGN_OR_RETURN(
      auto admin,
      reg.AddUser(actor, {"state.admin", "State Administrator (राज्य प्रशासक)", kDemoPassword,
                          identity::Grant{identity::Role::kStateAdmin, "*"}}));
  for (const auto& u : kUlbs) {
    PALIKA_RETURN_IF_ERROR(
        reg.AddUlb(admin.id, {u.code, u.name, u.name_hi, u.kind, u.district}).status());
    const int wards = std::string_view(u.kind) == "corporation" ? 6 : 3;
    for (int i = 0; i < wards; ++i) {
      const auto& w = kWards[i];
      PALIKA_RETURN_IF_ERROR(
          reg.AddWard(admin.id, u.code, {w.number, w.name, w.name_hi, w.zone}).status());
    }
    for (auto role : identity::AllRoles()) {
      if (role == identity::Role::kStateAdmin) continue;
      std::string role_name(identity::RoleName(role));
      std::string short_name = role_name.substr(0, role_name.find('_'));
      if (role == identity::Role::kUlbAdmin) short_name = "admin";
      std::string username = fmt::format("{}.{}", u.prefix, short_name);
      std::string display =
          fmt::format("{} {} ({})", u.name, role_name, identity::RoleLabelHi(role));
      PALIKA_RETURN_IF_ERROR(
          reg.AddUser(admin.id, {username, display, kDemoPassword, identity::Grant{role, u.code}})
              .status());
    }
  }
  return Status::OK();
}

std::string DemoSignInHelp(const std::string& data_dir, const std::string& url) {
  return fmt::format(
      "Palika demo is at {url}\n"
      "Demo staff accounts (password for all: {pw}):\n"
      "  state.admin                      state administrator (all ULBs)\n"
      "  indore.admin, indore.revenue, indore.cashier, indore.registrar, indore.licensing,\n"
      "  indore.grievance, indore.accountant, indore.auditor   Indore (0152); likewise sehore.* "
      "(0276), sanwer.* (0157)\n"
      "A one-time code for a demo account:  build/palika demo-otp --data {dir} --username "
      "indore.cashier\n"
      "Sign in over the API:\n"
      "  curl -s -X POST {url}/api/v1/session -H 'Content-Type: application/json' \\\n"
      "    -d '{{\"username\":\"indore.cashier\",\"password\":\"{pw}\",\"otp\":\"'$(build/palika "
      "demo-otp --data {dir} --username indore.cashier)'\"}}'\n"
      "  curl -s {url}/api/v1/ulbs\n",
      fmt::arg("url", url), fmt::arg("pw", kDemoPassword), fmt::arg("dir", data_dir));
}

}  // namespace palika::cli
