#pragma once
// The chart of accounts a ULB's journal posts to, coded in the manner of the National Municipal
// Accounts Manual (NMAM, Ministry of Urban Development, 2004): a three-digit major head
// (110 tax revenue, 140 fees and user charges, 350 other liabilities, 450 cash and bank), a
// two-digit minor head, and where two accounts share a minor head a two-digit detailed head.
// docs/accounts.md lists every account with where its code came from.
//
// The chart is a constant table: journal events carry account codes, and the chart only names
// them (and refuses unknown codes when a journal is made). Thread-safe (immutable).

#include <span>
#include <string_view>

namespace palika::accounts {

// Which side of the trial balance an account normally sits on.
enum class AccountKind { kIncome, kExpense, kLiability, kAsset };

std::string_view AccountKindCode(AccountKind kind);  // "income", "expense", "liability", "asset"

struct Account {
  std::string_view code;     // "450-10"
  std::string_view name;     // "Cash in hand"
  std::string_view name_hi;  // "रोकड़ शेष (हाथ में नकद)"
  AccountKind kind;
};

// The codes Palika posts to.
inline constexpr std::string_view kPropertyTax = "110-01";              // income
inline constexpr std::string_view kSamekitKar = "110-80";               // income (other taxes)
inline constexpr std::string_view kSurcharge = "140-20";                // income (penalties)
inline constexpr std::string_view kEducationCessPayable = "350-30-01";  // liability (state)
inline constexpr std::string_view kUrbanDevelopmentCessPayable = "350-30-02";  // liability
inline constexpr std::string_view kAdvanceCollections = "350-41";              // liability
inline constexpr std::string_view kCashInHand = "450-10";                      // asset
// Online collections until the payment gateway settles them into the bank (days later, less
// its fee): money the ULB has but not yet in its bank. Beside eGov's 450-10-51 cheques in hand.
inline constexpr std::string_view kGatewayClearing = "450-10-52";  // asset
inline constexpr std::string_view kBank = "450-21";                // asset

// The accounts a collection brings money into (cash, the gateway's clearing account, the bank):
// the collection reports count movements on these.
inline constexpr std::string_view kCollectionAccounts[] = {kCashInHand, kGatewayClearing, kBank};

// Every account, in code order.
std::span<const Account> ChartOfAccounts();
// The account with that code, or nullptr.
const Account* FindAccount(std::string_view code);

}  // namespace palika::accounts
