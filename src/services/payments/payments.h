#pragma once
// Payments: counter collections of property tax with gapless receipt numbers (receipt_numbers.h),
// idempotent by key, and their reversal (a bounced cheque or DD), as commands through the ULB's
// ledger. Every outcome is in the events, so a receipt reprints from its entry alone.
//
// Events (payload "v": 1):
//   payment.received {v, receipt_no, fy, series, serial, date, property_id, mode, reference,
//                     amount_paise, allocation (AllocationToJson), payer_name, payer_name_hi,
//                     owner_names, owner_names_hi, address, address_hi, cashier_id,
//                     cashier_name, counter, ulb, ulb_name, ulb_name_hi}
//   payment.reversed {v, receipt_no, property_id, date, reason, allocation}
// each followed by the accounts' journal.posted (collection journal, or its mirror).
// Tables (ULB ledger): receipt_series(fy, series, last_serial);
//   payments(receipt_no, property_id, fy, series, serial, date, mode, reference, amount_paise,
//            advance_paise, counter, cashier_id, status "received"|"reversed", origin, seq,
//            time_us, reversed_seq, reversed_date, reversal_reason)
//
// Rules: the payment's date is the IST date of its entry; the dues are computed on that date and
// the allocation settles them (property_tax/allocation.h). A counter whose day is closed takes no
// payment. Only a cheque or DD payment can be reversed, once, and only while its advance (if it
// left one) is still unused and its allocation can be taken back whole.
//
// Errors (bilingual): InvalidArgument "invalid_field" (amount, mode, reference, payer), the
// receipt-number errors; NotFound "property_not_found", "receipt_not_found"; Conflict
// "counter_day_closed", "payment_already_reversed", "payment_not_reversible",
// "advance_already_used", "reversal_blocked", "idempotency_key_reused", "receipt_series_full";
// billing's ("rate_table_missing"). Thread-safe: all state is in the ledgers.

#include <boost/json.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/civil_date.h"
#include "core/money.h"
#include "core/status.h"
#include "ledger/ledger_set.h"
#include "ledger/projections.h"
#include "services/property_tax/allocation.h"
#include "services/property_tax/register.h"

namespace palika::payments {

inline constexpr char kPaymentReceived[] = "payment.received";
inline constexpr char kPaymentReversed[] = "payment.reversed";

// Tables and apply functions of payments in every ULB ledger.
void RegisterPaymentProjections(ledger::Projections& p);

// "cash", "cheque", "dd", "upi" at a counter; "online" through a gateway (series "ON").
bool IsPaymentMode(std::string_view mode);

// A collection as the cashier enters it, with the names the receipt must carry (copied into the
// event: the ULB ledger replays alone, and a receipt reprints from its entry).
struct PaymentInput {
  std::string property_id;  // canonical ("03-000123")
  Money amount;
  std::string mode;           // see IsPaymentMode
  std::string reference;      // cheque / DD number and bank, UPI reference; required except cash
  std::string counter;        // counter code ("" -> "C1"); ignored for online payments
  std::string payer_name;     // "" -> the owners' names
  std::string payer_name_hi;  // "" -> the owners' names in Hindi (when payer_name is empty)
  std::string cashier_name;   // the signed-in user's display name
  std::string ulb_name;       // "Indore"
  std::string ulb_name_hi;    // "इंदौर"
};

// Checks the input's fields (nothing is read); the first problem, naming the field.
Status ValidatePaymentInput(const PaymentInput& in);

// A payment as recorded: its row joined with its payment.received event.
struct PaymentRecord {
  std::string receipt_no;
  std::string property_id;
  std::string fy;
  std::string series;
  int64_t serial = 0;
  CivilDate date;
  std::string mode;
  std::string reference;
  Money amount;
  Money advance;
  std::string counter;
  std::string cashier_id;
  std::string cashier_name;
  std::string payer_name;
  std::string payer_name_hi;
  std::string address;
  std::string address_hi;
  std::string ulb;
  std::string ulb_name;
  std::string ulb_name_hi;
  std::string status;  // "received" | "reversed"
  std::string origin;  // the payment entry's place in the ledger
  uint64_t seq = 0;
  int64_t time_us = 0;
  std::optional<CivilDate> reversed_on;
  std::string reversal_reason;
  property_tax::Allocation allocation;
};

// {receipt_no, property_id, fy, date, mode, reference, amount_paise, advance_paise, counter,
//  cashier_name, payer_name, payer_name_hi, status, origin, seq, paid_at, allocation: [...],
//  reversal: null | {date, reason}}.
boost::json::object PaymentJson(const PaymentRecord& p);

struct PaymentResult {
  PaymentRecord payment;
  bool replayed = false;  // the idempotency key was seen before: the stored answer
};

// A collection made ready for the ledger (Payments::PrepareCollect): submit `command` to `ledger`
// once, then give its answer and `made` to Payments::FinishCollect.
struct PreparedCollection {
  ledger::Ledger* ledger = nullptr;  // the ULB's
  ledger::Command command;
  std::shared_ptr<PaymentRecord> made;  // the record as the command's decide makes it
};

class Payments {
 public:
  explicit Payments(ledger::LedgerSet& ledgers) : ledgers_(ledgers) {}

  // Collects a payment: allocates it to the property's dues today (IST), takes the next receipt
  // number of the counter's series and posts the collection journal, in one command.
  Result<PaymentResult> Collect(const std::string& ulb, const property_tax::WriteContext& ctx,
                                const PaymentInput& in);
  // Collect in two steps, for a caller that must not hold its thread while the ledger commits
  // (Ledger::Submit with a callback): PrepareCollect checks the input and builds the command
  // (Collect's errors; nothing is read or written); FinishCollect turns the ledger's answer into
  // Collect's. FinishCollect reads the payment back only when FinishCollectReads (a replayed key).
  Result<PreparedCollection> PrepareCollect(const std::string& ulb,
                                            const property_tax::WriteContext& ctx,
                                            const PaymentInput& in);
  Result<PaymentResult> FinishCollect(const std::string& ulb, PaymentRecord& made,
                                      const Result<ledger::CommitResult>& r);
  static bool FinishCollectReads(const Result<ledger::CommitResult>& r);
  // Reverses a bounced cheque or DD payment: takes its allocation back and posts the mirror
  // journal, dated today (IST), at the payment's counter.
  Result<PaymentResult> Reverse(const std::string& ulb, const property_tax::WriteContext& ctx,
                                const std::string& receipt_no, const std::string& reason);

  Result<PaymentRecord> Get(const std::string& ulb, const std::string& receipt_no);
  // The property's payments, newest first (NotFound for a property that does not exist).
  Result<std::vector<PaymentRecord>> OfProperty(const std::string& ulb,
                                                const std::string& property_id);

 private:
  ledger::LedgerSet& ledgers_;
};

// Reads inside a transaction (for other services and the verify page).
Result<std::optional<PaymentRecord>> LoadPayment(store::Transaction& tx,
                                                 const std::string& receipt_no);

}  // namespace palika::payments
