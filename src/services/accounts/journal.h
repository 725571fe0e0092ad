#pragma once
// The ULB's double-entry journal, in the manner of the National Municipal Accounts Manual: every
// collection (and its reversal) is a balanced journal of account codes from the chart
// (chart_of_accounts.h), posted as one "journal.posted" event on the ULB's ledger, usually by the
// same command that records the payment (the payments service calls JournalEvent in its decide).
//
// Event (payload "v": 1):
//   journal.posted {v, voucher, date, reference, counter, mode, narration,
//                   lines: [{account, debit_paise, credit_paise}]}
// Tables (ULB ledger):
//   journal(voucher_no, date, voucher, reference, counter, mode, narration, origin, seq,
//           time_us, actor)                                    voucher_no gapless per ULB: 1, 2, …
//   journal_lines(voucher_no, line_no, account, debit_paise, credit_paise)
//   journal_daily(account, date, debit_paise, credit_paise)   each account's totals per day
//   day_closes(date, counter, …)                               see day_close.h
// The voucher number is given by apply, in ledger order (the count of journals before it, plus
// one), so that two journals decided in one command still get distinct numbers; replaying the
// ledger gives every journal the same number again.
//
// Errors (InvalidArgument, English and Hindi): "journal_invalid" (no lines, a bad field or mode),
// "journal_line_invalid" (a line with both or neither side, or a negative amount),
// "unknown_account", "journal_unbalanced". Pure functions; thread-compatible.

#include <string>
#include <string_view>
#include <vector>

#include "core/civil_date.h"
#include "core/money.h"
#include "core/status.h"
#include "ledger/ledger.h"
#include "ledger/projections.h"
#include "services/property_tax/allocation.h"
#include "store/transaction.h"

namespace palika::accounts {

inline constexpr char kJournalPosted[] = "journal.posted";

struct JournalLine {
  std::string account;  // a code of the chart, "450-10"
  Money debit;
  Money credit;

  friend bool operator==(const JournalLine&, const JournalLine&) = default;
};

struct Journal {
  std::string voucher;    // "collection", "reversal", ...
  CivilDate date;         // IST date of the transaction
  std::string reference;  // receipt number, or what the voucher is for
  std::string counter;    // "C1", "ON" for online ("" for a voucher without a mode)
  std::string mode;       // "cash", "cheque", "dd", "upi", "online" ("" for a non-cash voucher)
  std::string narration;
  std::vector<JournalLine> lines;

  friend bool operator==(const Journal&, const Journal&) = default;
};

// Modes of payment a journal may name (DOMAIN.md: counter cash, cheque, DD, UPI; online).
bool IsPaymentMode(std::string_view mode);

// Tables and apply functions of the accounts in every ULB ledger.
void RegisterAccountsProjections(ledger::Projections& p);

// The "journal.posted" event for a journal: InvalidArgument unless it balances (debits ==
// credits > 0), every line is one-sided and non-negative, every account is in the chart.
Result<ledger::Event> JournalEvent(const Journal& journal);

// The journal an event carries (for reports and tests); Corruption if the payload is not one.
Result<Journal> JournalFromPayload(const boost::json::object& payload);

// The collection journal of a property-tax payment (allocation.h's Allocation): Dr cash in hand
// (cash), the payment gateway's clearing account (online: the gateway settles into the bank
// later) or bank (cheque, dd, upi) for the amount; Cr property tax, samekit kar revenue,
// education cess and urban development cess payable (collected for the state), surcharge
// (penalty) income, and advance collections (a liability) for the advance. Rebates and waivers
// move no money and are not in it. Lines with nothing on them are left out.
Journal PropertyTaxCollectionJournal(const property_tax::Allocation& allocation,
                                     std::string_view mode, CivilDate date, std::string receipt_no,
                                     std::string counter);

// The journal of an advance credited to a new demand (property_tax::ApplyAdvance's allocation):
// Dr advance collections (350-41) for what was applied (amount less the advance left over); Cr the
// heads and surcharge as a collection would. No money moves: voucher "advance_adjustment", no
// mode and no counter. When nothing was applied it has no credit lines and JournalEvent refuses
// it: post it only when the allocation has lines.
Journal AdvanceAdjustmentJournal(const property_tax::Allocation& allocation, CivilDate date,
                                 std::string reference);

// The reversing journal: every line's debit and credit swapped; voucher "reversal", the same
// counter and mode (so the collection register nets it against the counter's collections).
Journal MirrorJournal(const Journal& original, CivilDate date, std::string reference);

// Whether the cashier's day close for that counter and date has been recorded.
Result<bool> IsDayClosed(store::Transaction& tx, CivilDate date, const std::string& counter);

}  // namespace palika::accounts
