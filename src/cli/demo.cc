#include "cli/demo.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/civil_date.h"
#include "services/payments/payments.h"
#include "services/property_tax/billing.h"
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

// Some of this year's collections at the ULB's counters, through the normal payment command: about
// one property in eight pays — most the whole of today's dues in cash or UPI, some a part, a few by
// cheque, a few a little more (an advance). Dated today, as a counter's payments are.
Status LoadDemoPayments(App& app, const DemoUlb& u, const std::string& cashier_id,
                        const std::string& cashier_name) {
  property_tax::Billing billing(app.ledgers());
  payments::Payments payments(app.ledgers());
  PALIKA_ASSIGN_OR_RETURN(auto l, app.ledgers().Ulb(u.code));
  std::vector<std::string> ids;
  PALIKA_RETURN_IF_ERROR(l->Read([&](store::Transaction& tx) {
    return tx.ForEach("SELECT id FROM properties ORDER BY num", {}, [&](const store::Row& r) {
      ids.push_back(r.Text(0));
      return true;
    });
  }));
  const CivilDate today = CivilDate::TodayIst(std::chrono::system_clock::now());
  for (size_t i = 3; i < ids.size(); i += 8) {
    PALIKA_ASSIGN_OR_RETURN(auto dues, billing.DuesOf(u.code, ids[i], today, false));
    if (dues.net.paise() <= 0) continue;
    payments::PaymentInput in;
    in.property_id = ids[i];
    in.counter = (i / 8) % 3 == 0 ? "C2" : "C1";
    in.cashier_name = cashier_name;
    in.ulb_name = u.name;
    in.ulb_name_hi = u.name_hi;
    const size_t kind = (i / 8) % 20;
    if (kind < 11) {  // the whole dues, cash
      in.amount = dues.net;
      in.mode = "cash";
    } else if (kind < 15) {  // the whole dues, UPI
      in.amount = dues.net;
      in.mode = "upi";
      in.reference = fmt::format("UPI {:012}", 426100000000 + i);
    } else if (kind < 18) {  // a part, in whole hundreds of rupees
      in.amount = Money::FromPaise(std::max<int64_t>(10000, dues.net.paise() / 2 / 10000 * 10000));
      in.mode = "cash";
    } else if (kind < 19) {  // a cheque
      in.amount = dues.net;
      in.mode = "cheque";
      in.reference = fmt::format("Cheque {:06} State Bank of India", 100000 + i);
    } else {  // rounded up: the rest is an advance for next year
      in.amount = Money::FromPaise((dues.net.paise() / 100000 + 1) * 100000);
      in.mode = "cash";
    }
    const std::string key = fmt::format("demo-payment-{}-{}", u.code, ids[i]);
    PALIKA_RETURN_IF_ERROR(payments.Collect(u.code, {cashier_id, key, key}, in).status());
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
    std::string revenue_officer, cashier, cashier_name;
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
      if (role == identity::Role::kCashier) cashier = user.id, cashier_name = display;
    }
    const int town = std::string_view(u.kind) == "corporation" ? properties
                     : std::string_view(u.kind) == "council"   ? properties / 2
                                                               : properties / 4;
    PALIKA_RETURN_IF_ERROR(LoadDemoProperties(app, u.code, revenue_officer, std::max(town, 1)));
    // Last year's and this year's rates and demand, then some of this year's collections.
    PALIKA_RETURN_IF_ERROR(property_tax::LoadDemoBilling(app.ledgers(), u.code, revenue_officer));
    PALIKA_RETURN_IF_ERROR(LoadDemoPayments(app, u, cashier, cashier_name));
  }
  return Status::OK();
}

std::string DemoSignInHelp(const std::string& data_dir, const std::string& url) {
  return fmt::format(
      "Palika demo is at {url}\n"
      "In a browser: {url}/ is the citizen portal (Hindi; 'English' in the header switches);\n"
      "  {url}/staff is the staff sign-in: indore.cashier, the password below and the code from\n"
      "  demo-otp (next line) open Indore's counter.\n"
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
