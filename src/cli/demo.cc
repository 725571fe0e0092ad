#include "cli/demo.h"

#include <fmt/format.h>

#include <algorithm>

#include "services/property_tax/property_samples.h"
#include "services/property_tax/register.h"

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

// Registers `count` sample properties in the ULB's wards, a few hundred per command, then
// corrects a few so that their history has a second version.
Status LoadDemoProperties(App& app, const std::string& ulb, const std::string& actor, int count) {
  PALIKA_ASSIGN_OR_RETURN(auto wards, app.registry().ListWards(ulb));
  std::vector<property_tax::SampleWard> sample_wards;
  for (const auto& w : wards) sample_wards.push_back({w.number, w.name, w.name_hi});
  property_tax::PropertySamples samples(std::stoull(ulb), sample_wards);
  std::vector<property_tax::PropertyDetails> all;
  for (int i = 0; i < count; ++i) all.push_back(samples.Next());

  property_tax::PropertyRegister reg(app.ledgers());
  constexpr size_t kPerCommand = 250;
  std::vector<std::string> ids;
  for (size_t i = 0; i < all.size(); i += kPerCommand) {
    std::vector<property_tax::PropertyDetails> batch(
        all.begin() + static_cast<std::ptrdiff_t>(i),
        all.begin() + static_cast<std::ptrdiff_t>(std::min(all.size(), i + kPerCommand)));
    PALIKA_ASSIGN_OR_RETURN(auto batch_ids, reg.RegisterBatch(ulb, actor, batch));
    ids.insert(ids.end(), batch_ids.begin(), batch_ids.end());
  }

  // One property in a hundred had its owner's mobile number changed at the counter.
  for (size_t i = 7; i < all.size(); i += 100) {
    property_tax::PropertyDetails fixed = all[i];
    fixed.owners[0].mobile = fmt::format("9{:09}", (i * 7919) % 1000000000);
    PALIKA_RETURN_IF_ERROR(reg.Correct(ulb, {actor, "", ""}, ids[i], fixed,
                                       "Mobile number changed at the owner's request (स्वामी के "
                                       "अनुरोध पर मोबाइल नंबर बदला)",
                                       1)
                               .status());
  }
  return Status::OK();
}

}  // namespace

Status LoadDemo(App& app, int properties) {
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
    std::string revenue_officer;
    for (auto role : identity::AllRoles()) {
      if (role == identity::Role::kStateAdmin) continue;
      std::string role_name(identity::RoleName(role));
      std::string short_name = role_name.substr(0, role_name.find('_'));
      if (role == identity::Role::kUlbAdmin) short_name = "admin";
      std::string username = fmt::format("{}.{}", u.prefix, short_name);
      std::string display =
          fmt::format("{} {} ({})", u.name, role_name, identity::RoleLabelHi(role));
      PALIKA_ASSIGN_OR_RETURN(auto user, reg.AddUser(admin.id, {username, display, kDemoPassword,
                                                                identity::Grant{role, u.code}}));
      if (role == identity::Role::kRevenueOfficer) revenue_officer = user.id;
    }
    const int town = std::string_view(u.kind) == "corporation" ? properties
                     : std::string_view(u.kind) == "council"   ? properties / 2
                                                               : properties / 4;
    PALIKA_RETURN_IF_ERROR(LoadDemoProperties(app, u.code, revenue_officer, std::max(town, 1)));
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
      "  curl -s {url}/api/v1/ulbs\n"
      "Find a property (by owner in English or Hindi, mobile, id or address):\n"
      "  curl -s -H 'Authorization: Bearer TOKEN' '{url}/api/v1/ulbs/0152/properties?q=sharma'\n",
      fmt::arg("url", url), fmt::arg("pw", kDemoPassword), fmt::arg("dir", data_dir));
}

}  // namespace palika::cli
