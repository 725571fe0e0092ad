#pragma once
// The accounts' reports, read from a ULB's tables inside one transaction (a Ledger::Read
// snapshot, so every figure of a report is of one moment):
// - CollectionRegister: a day's collections by counter and mode, from the journal (collection
//   vouchers less reversal vouchers, on the cash and bank accounts).
// - CollectionsBetween: the net collections of a period (at most a year) by day, by mode and by
//   ward, read as CollectionRegister reads them (collection less reversal vouchers on cash and
//   bank); a voucher's ward is its receipt's property's ward (ward 0: no property found).
// - NetCollected: cash and bank's net movement over a period, from the per-day account totals
//   (cheap for a state-wide dashboard); equal to CollectionsBetween's net while collections and
//   their reversals are the only vouchers that move money (reports_test pins this).
// - TrialBalance: every account's debit and credit totals up to a date; the totals always equal,
//   because every journal balances.
// - JournalOn: a day's vouchers with their lines.
// - DcbRegister: the demand-collection-balance register of property tax for a financial year by
//   ward, from the billing tables (pt_account) and the register (properties.ward, wards).
// Errors: only the store's (IOError, Corruption). Thread-compatible like the transaction.

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "core/civil_date.h"
#include "core/money.h"
#include "services/accounts/journal.h"
#include "store/transaction.h"

namespace palika::accounts {

struct CollectionRow {
  std::string counter;
  std::string mode;
  int64_t receipts = 0;  // collection vouchers
  int64_t reversals = 0;
  Money collected;
  Money reversed;
  Money net;  // collected - reversed
};
struct CollectionRegisterReport {
  CivilDate date;
  std::vector<CollectionRow> rows;  // by counter, then mode
  Money collected;
  Money reversed;
  Money net;
};
Result<CollectionRegisterReport> CollectionRegister(store::Transaction& tx, CivilDate date);
boost::json::object CollectionRegisterJson(const CollectionRegisterReport& r);

struct CollectionTotal {
  std::string key;        // a date "2026-11-28", a mode "cash", or a ward number "3"
  std::string name;       // the ward's name (wards only)
  std::string name_hi;    // the ward's Hindi name (wards only)
  int64_t receipts = 0;   // collection vouchers
  int64_t reversals = 0;  // reversal vouchers
  Money net;              // collected - reversed
};
struct CollectionSummary {
  CivilDate from;
  CivilDate to;                           // inclusive
  std::vector<CollectionTotal> by_day;    // every day of the period, in order (zero days too)
  std::vector<CollectionTotal> by_month;  // every month the period touches, key "2026-11"
  std::vector<CollectionTotal> by_mode;   // modes with any voucher, by name
  std::vector<CollectionTotal> by_ward;   // every ward of the ULB by number, then ward 0 if any
  int64_t receipts = 0;
  int64_t reversals = 0;
  Money net;
};
inline constexpr int64_t kMaxReportDays = 366;
// InvalidArgument if `to` is before `from` or the period is longer than kMaxReportDays.
Result<CollectionSummary> CollectionsBetween(store::Transaction& tx, CivilDate from, CivilDate to);
Result<Money> NetCollected(store::Transaction& tx, CivilDate from, CivilDate to);
// UTF-8 CSV with a byte-order mark: section, key, name, name_hi, receipts, reversals, net (rupees).
std::string CollectionSummaryCsv(const CollectionSummary& s);

struct TrialBalanceRow {
  std::string account;
  Money debit;           // total debits up to the date
  Money credit;          // total credits up to the date
  Money debit_balance;   // debit - credit when positive
  Money credit_balance;  // credit - debit when positive
};
struct TrialBalanceReport {
  CivilDate on;
  std::vector<TrialBalanceRow> rows;  // accounts with any posting, in code order
  Money debit;
  Money credit;
  Money debit_balance;
  Money credit_balance;
};
Result<TrialBalanceReport> TrialBalance(store::Transaction& tx, CivilDate on);
boost::json::object TrialBalanceJson(const TrialBalanceReport& r);
// UTF-8 CSV with a byte-order mark: account, name, name_hi, debit, credit, balances (rupees).
std::string TrialBalanceCsv(const TrialBalanceReport& r);

struct PostedJournal {
  int64_t voucher_no = 0;
  Journal journal;
  std::string actor;
  int64_t time_us = 0;
};
Result<std::vector<PostedJournal>> JournalOn(store::Transaction& tx, CivilDate date);
boost::json::object PostedJournalJson(const PostedJournal& j);

// One part of the DCB: demand net of rebates and waivers (demanded + surcharge levied - rebate
// granted - surcharge waived), collection (principal and surcharge paid), balance.
struct Dcb {
  Money demand;
  Money collection;
  Money balance;
};
struct DcbRow {
  int64_t ward = 0;
  std::string ward_name;
  std::string ward_name_hi;
  int64_t properties = 0;  // properties with an account line for the year or before
  Dcb arrear;              // every year before the report's
  Dcb current;             // the report's year
  Dcb total;
};
struct DcbReport {
  FinancialYear fy = FinancialYear::Of(CivilDate());
  std::vector<DcbRow> rows;  // every ward of the ULB, by number
  DcbRow total;              // ward 0, named "Total" / "कुल"
};
Result<DcbReport> DcbRegister(store::Transaction& tx, FinancialYear fy);
boost::json::object DcbJson(const DcbReport& r);

}  // namespace palika::accounts
