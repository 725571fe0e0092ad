#pragma once
// The cashier's day close: at the end of the day the cashier counts the cash of their counter
// and records what they hold; Palika computes what they should hold from the journal (cash in
// hand, 450-10, debited less credited by that counter's vouchers of that date) and records both
// and the difference (positive: excess, negative: shortage). A date and counter close once; after
// it, the payments service refuses payments on that counter and date (IsDayClosed, journal.h).
//
// Event (payload "v": 1), on the ULB's ledger:
//   day.closed {v, date, counter, expected_paise, declared_paise, difference_paise, note,
//               cashier_id, cashier_name}        the cashier's name copied in: the ULB replays
//               alone
// Table: day_closes (journal.cc registers it with the journal's tables).
//
// Errors: InvalidArgument "invalid_field" (naming it, English and Hindi), "day_close_future" (a
// date after today in India); Conflict "day_already_closed"; "idempotency_key_reused" from the
// ledger. Thread-safe: all state is in the ledgers.

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/civil_date.h"
#include "core/money.h"
#include "ledger/ledger_set.h"
#include "ledger/projections.h"
#include "services/property_tax/register.h"
#include "store/transaction.h"

namespace palika::accounts {

inline constexpr char kDayClosed[] = "day.closed";

struct DayCloseRequest {
  CivilDate date;
  std::string counter;  // "C1"
  Money declared;       // cash counted, >= 0
  std::string note;     // optional
};

struct DayCloseRecord {
  CivilDate date;
  std::string counter;
  Money expected;
  Money declared;
  Money difference;  // declared - expected
  std::string note;
  std::string cashier_id;
  std::string cashier_name;
  int64_t time_us = 0;
};

// {date, counter, declared_cash_paise, note?}: strict, unknown fields refused.
Result<DayCloseRequest> ParseDayCloseRequest(const boost::json::object& body);
boost::json::object DayCloseJson(const DayCloseRecord& record);

// The counter's cash in hand from the journal for that date: debits less credits on 450-10.
Result<Money> ExpectedCash(store::Transaction& tx, CivilDate date, const std::string& counter);
// Closes, newest date first; only that date's when `date` is given.
Result<std::vector<DayCloseRecord>> ListDayCloses(store::Transaction& tx,
                                                  std::optional<CivilDate> date);

// Apply of day.closed (registered by RegisterAccountsProjections).
Status ApplyDayClosed(store::Transaction& tx, const ledger::Entry& e);

struct DayCloseResult {
  DayCloseRecord record;
  bool replayed = false;  // the idempotency key was seen before: this is the stored answer
};

// Records the close of `request.counter` on `request.date` by the cashier ctx.actor, whose
// display name is `cashier_name`.
Result<DayCloseResult> CloseDay(ledger::LedgerSet& ledgers, const std::string& ulb,
                                const property_tax::WriteContext& ctx,
                                const std::string& cashier_name, const DayCloseRequest& request);

}  // namespace palika::accounts
