#include "services/accounts/chart_of_accounts.h"

#include <array>

namespace palika::accounts {
namespace {

// Sources of the codes: docs/accounts.md ("Chart of accounts").
constexpr std::array<Account, 9> kChart = {{
    {kPropertyTax, "Property tax", "संपत्ति कर", AccountKind::kIncome},
    {kSamekitKar, "Other taxes: samekit kar (consolidated sanitation, lighting and fire tax)",
     "अन्य कर: समेकित कर (स्वच्छता, प्रकाश एवं अग्नि कर)", AccountKind::kIncome},
    {kSurcharge, "Penalties and fines: surcharge on property tax",
     "शास्ति एवं अर्थदंड: संपत्ति कर पर अधिभार", AccountKind::kIncome},
    {kEducationCessPayable, "Government dues payable: education cess", "शासन को देय: शिक्षा उपकर",
     AccountKind::kLiability},
    {kUrbanDevelopmentCessPayable, "Government dues payable: urban development cess",
     "शासन को देय: नगरीय विकास उपकर", AccountKind::kLiability},
    {kAdvanceCollections, "Advance collection of revenues", "राजस्व की अग्रिम वसूली",
     AccountKind::kLiability},
    {kCashInHand, "Cash in hand", "हाथ में नकद (रोकड़)", AccountKind::kAsset},
    {kGatewayClearing, "Online collections awaiting the payment gateway's settlement",
     "पेमेंट गेटवे से बैंक में आने वाली ऑनलाइन वसूली (मार्गस्थ)", AccountKind::kAsset},
    {kBank, "Balance with bank: nationalised bank", "बैंक में शेष: राष्ट्रीयकृत बैंक", AccountKind::kAsset},
}};

}  // namespace

std::string_view AccountKindCode(AccountKind kind) {
  switch (kind) {
    case AccountKind::kIncome:
      return "income";
    case AccountKind::kExpense:
      return "expense";
    case AccountKind::kLiability:
      return "liability";
    case AccountKind::kAsset:
      return "asset";
  }
  return "asset";
}

std::span<const Account> ChartOfAccounts() { return kChart; }

const Account* FindAccount(std::string_view code) {
  for (const Account& a : kChart) {
    if (a.code == code) return &a;
  }
  return nullptr;
}

}  // namespace palika::accounts
