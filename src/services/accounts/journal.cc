#include "services/accounts/journal.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>

#include "core/json.h"
#include "services/accounts/chart_of_accounts.h"
#include "services/accounts/day_close.h"

namespace palika::accounts {
namespace json = boost::json;
using ledger::Entry;
using store::Transaction;

namespace {

constexpr int64_t kEventVersion = 1;
constexpr size_t kMaxTextChars = 200;
constexpr size_t kMaxLines = 200;

Status Invalid(const std::string& en, const std::string& hi) {
  return Status::InvalidArgument("journal_invalid", en, hi);
}

Status CheckText(std::string_view field, const std::string& value, bool required) {
  if (required && value.empty()) {
    return Invalid(fmt::format("The journal's {} is empty; give it.", field),
                   fmt::format("जर्नल का {} खाली है; उसे भरें।", field));
  }
  if (Utf8Length(value) > kMaxTextChars || value.find_first_of("\r\n\t") != std::string::npos) {
    return Invalid(fmt::format("The journal's {} is longer than {} characters or has a line break; "
                               "shorten it.",
                               field, kMaxTextChars),
                   fmt::format("जर्नल का {} {} अक्षरों से लंबा है या उसमें नई पंक्ति है; उसे छोटा करें।", field,
                               kMaxTextChars));
  }
  return Status::OK();
}

std::string Str(const json::object& o, std::string_view k) {
  return std::string(o.at(k).as_string());
}

// Adds `amount` to the line of `account` on the credit side, keeping first-use order.
void Credit(std::vector<JournalLine>& lines, std::string_view account, Money amount) {
  if (amount.IsZero()) return;
  for (JournalLine& l : lines) {
    if (l.account == account && l.debit.IsZero()) {
      l.credit += amount;
      return;
    }
  }
  lines.push_back({std::string(account), Money(), amount});
}

std::string_view HeadAccount(property_tax::Head head) {
  switch (head) {
    case property_tax::Head::kPropertyTax:
      return kPropertyTax;
    case property_tax::Head::kSamekitKar:
      return kSamekitKar;
    case property_tax::Head::kEducationCess:
      return kEducationCessPayable;
    case property_tax::Head::kUrbanDevelopmentCess:
      return kUrbanDevelopmentCessPayable;
  }
  return kPropertyTax;
}

// Cr each head's principal and all the surcharge an allocation settled with money.
void AddCredits(std::vector<JournalLine>& lines, const property_tax::Allocation& allocation) {
  for (const property_tax::AllocationLine& l : allocation.lines) {
    Credit(lines, HeadAccount(l.head), l.principal);
  }
  Money surcharge;
  for (const property_tax::AllocationLine& l : allocation.lines) surcharge += l.surcharge;
  Credit(lines, kSurcharge, surcharge);
}

// A multi-row statement, "<head> VALUES (?, ..), (?, ..)<tail>", for 1 to kRowsPerStatement
// rows: a few statements a journal instead of two a line (each row count prepared once).
constexpr size_t kRowsPerStatement = 16;

class RowsStatement {
 public:
  RowsStatement(std::string_view head, size_t columns, std::string_view tail) {
    std::string row = "(?";
    for (size_t i = 1; i < columns; ++i) row += ", ?";
    row += ")";
    std::string values = " VALUES " + row;
    for (size_t n = 1; n <= kRowsPerStatement; ++n) {
      sql_[n] = std::string(head) + values + std::string(tail);
      values += ", " + row;
    }
  }
  const std::string& For(size_t rows) const { return sql_.at(rows); }

 private:
  std::array<std::string, kRowsPerStatement + 1> sql_;
};

const RowsStatement& InsertLines() {
  static const RowsStatement s(
      "INSERT INTO journal_lines(voucher_no, line_no, account, debit_paise, credit_paise)", 5, "");
  return s;
}

const RowsStatement& AddToDaily() {
  static const RowsStatement s(
      "INSERT INTO journal_daily(account, date, debit_paise, credit_paise)", 4,
      " ON CONFLICT (account, date) DO UPDATE SET"
      " debit_paise = journal_daily.debit_paise + excluded.debit_paise,"
      " credit_paise = journal_daily.credit_paise + excluded.credit_paise");
  return s;
}

Status ApplyJournalPosted(Transaction& tx, const Entry& e, const json::object& o) {
  if (o.at("v").as_int64() != kEventVersion) {
    return Status::Corruption(
        fmt::format("entry {} ({}) has payload version {}, which this build "
                    "does not know",
                    e.seq, e.type, o.at("v").as_int64()));
  }
  const std::string date = Str(o, "date");
  // The voucher number is the next one, taken in the insert itself.
  int64_t voucher_no = 0;
  PALIKA_RETURN_IF_ERROR(tx.ForEach(
      "INSERT INTO journal(voucher_no, date, voucher, reference, counter, mode, narration, origin,"
      " seq, time_us, actor) VALUES ((SELECT COALESCE(MAX(voucher_no), 0) + 1 FROM journal),"
      " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING voucher_no",
      {date, Str(o, "voucher"), Str(o, "reference"), Str(o, "counter"), Str(o, "mode"),
       Str(o, "narration"), e.origin, static_cast<int64_t>(e.seq), e.time_us, e.actor},
      [&](const store::Row& r) {
        voucher_no = r.Int(0);
        return true;
      }));
  if (voucher_no == 0) return Status::Internal("journal insert returned no voucher number");
  // The lines, and each account's day totals (one row per account, so that an account named on
  // two lines is added once: PostgreSQL refuses to upsert one row twice in a statement), each
  // written a chunk of rows a statement.
  struct Daily {
    std::string account;
    int64_t debit = 0, credit = 0;
  };
  std::vector<Daily> daily;
  std::vector<store::Value> line_params;
  int64_t line_no = 0;
  size_t in_chunk = 0;
  const json::array& lines = o.at("lines").as_array();
  for (const json::value& v : lines) {
    const json::object& l = v.as_object();
    std::string account = Str(l, "account");
    const int64_t debit = l.at("debit_paise").as_int64();
    const int64_t credit = l.at("credit_paise").as_int64();
    auto d = std::find_if(daily.begin(), daily.end(),
                          [&](const Daily& x) { return x.account == account; });
    if (d == daily.end()) {
      daily.push_back({account, debit, credit});
    } else {
      d->debit += debit;
      d->credit += credit;
    }
    line_params.insert(line_params.end(),
                       {voucher_no, ++line_no, std::move(account), debit, credit});
    if (++in_chunk == kRowsPerStatement || line_no == static_cast<int64_t>(lines.size())) {
      PALIKA_RETURN_IF_ERROR(tx.Exec(InsertLines().For(in_chunk), line_params));
      line_params.clear();
      in_chunk = 0;
    }
  }
  for (size_t i = 0; i < daily.size(); i += kRowsPerStatement) {
    const size_t n = std::min(kRowsPerStatement, daily.size() - i);
    std::vector<store::Value> params;
    params.reserve(4 * n);
    for (size_t k = i; k < i + n; ++k) {
      params.insert(params.end(), {daily[k].account, date, daily[k].debit, daily[k].credit});
    }
    PALIKA_RETURN_IF_ERROR(tx.Exec(AddToDaily().For(n), params));
  }
  return Status::OK();
}

}  // namespace

bool IsPaymentMode(std::string_view mode) {
  for (std::string_view m : {"cash", "cheque", "dd", "upi", "online"}) {
    if (m == mode) return true;
  }
  return false;
}

void RegisterAccountsProjections(ledger::Projections& p) {
  // journal_by_date holds (date, voucher_no): a day's vouchers are appended at its end, one leaf
  // for a batch of payments. A day's vouchers of one counter (the day close) are read from the
  // day's and filtered. Until schema migration 3 it was ON (date, counter), where each counter's
  // payments landed on a leaf of their own; journal_lines was a rowid table beside its key.
  p.AddTable("journal",
             "CREATE TABLE IF NOT EXISTS journal(voucher_no INTEGER PRIMARY KEY,"
             " date TEXT NOT NULL, voucher TEXT NOT NULL, reference TEXT NOT NULL,"
             " counter TEXT NOT NULL, mode TEXT NOT NULL, narration TEXT NOT NULL,"
             " origin TEXT NOT NULL, seq INTEGER NOT NULL, time_us INTEGER NOT NULL,"
             " actor TEXT NOT NULL);"
             "CREATE INDEX IF NOT EXISTS journal_by_date ON journal(date)",
             "voucher_no");
  p.AddTable("journal_lines",
             "CREATE TABLE IF NOT EXISTS journal_lines(voucher_no INTEGER NOT NULL,"
             " line_no INTEGER NOT NULL, account TEXT NOT NULL, debit_paise INTEGER NOT NULL,"
             " credit_paise INTEGER NOT NULL, PRIMARY KEY (voucher_no, line_no)) WITHOUT ROWID",
             "voucher_no, line_no");
  // Each account's totals per day, so that a trial balance sums days, not every line: at 100,000
  // journals a full scan of the lines took a second (debug build), the days a few milliseconds.
  // (No index on journal_lines.account: SQLite then preferred it to the date for a day's report.)
  p.AddTable("journal_daily",
             "CREATE TABLE IF NOT EXISTS journal_daily(account TEXT NOT NULL, date TEXT NOT NULL,"
             " debit_paise INTEGER NOT NULL, credit_paise INTEGER NOT NULL,"
             " PRIMARY KEY (account, date))",
             "account, date");
  p.AddTable("day_closes",
             "CREATE TABLE IF NOT EXISTS day_closes(date TEXT NOT NULL, counter TEXT NOT NULL,"
             " expected_paise INTEGER NOT NULL, declared_paise INTEGER NOT NULL,"
             " difference_paise INTEGER NOT NULL, note TEXT NOT NULL,"
             " cashier_id TEXT NOT NULL, cashier_name TEXT NOT NULL, origin TEXT NOT NULL,"
             " seq INTEGER NOT NULL, time_us INTEGER NOT NULL, PRIMARY KEY (date, counter))",
             "date, counter");
  p.OnEventObject(kJournalPosted, ApplyJournalPosted);
  p.OnEvent(kDayClosed, ApplyDayClosed);
}

Result<ledger::Event> JournalEvent(const Journal& journal) {
  PALIKA_RETURN_IF_ERROR(CheckText("voucher", journal.voucher, true));
  PALIKA_RETURN_IF_ERROR(CheckText("reference", journal.reference, true));
  // Money that moved moved at a counter; an adjustment (no mode) belongs to none.
  PALIKA_RETURN_IF_ERROR(CheckText("counter", journal.counter, !journal.mode.empty()));
  PALIKA_RETURN_IF_ERROR(CheckText("narration", journal.narration, false));
  if (!journal.mode.empty() && !IsPaymentMode(journal.mode)) {
    return Invalid(fmt::format("Mode '{}' is not a mode of payment; use cash, cheque, dd, upi or "
                               "online.",
                               journal.mode),
                   fmt::format("'{}' भुगतान का कोई तरीका नहीं है; cash, cheque, dd, upi या online "
                               "लिखें।",
                               journal.mode));
  }
  if (journal.lines.empty() || journal.lines.size() > kMaxLines) {
    return Invalid(
        fmt::format("A journal needs 1 to {} lines; this one has {}.", kMaxLines,
                    journal.lines.size()),
        fmt::format("जर्नल में 1 से {} पंक्तियाँ होनी चाहिए; इसमें {} हैं।", kMaxLines, journal.lines.size()));
  }
  Money debits;
  Money credits;
  json::array lines;
  for (size_t i = 0; i < journal.lines.size(); ++i) {
    const JournalLine& l = journal.lines[i];
    if (FindAccount(l.account) == nullptr) {
      return Status::InvalidArgument(
          "unknown_account",
          fmt::format("Line {}: account '{}' is not in the chart of accounts; use one of its "
                      "codes (GET …/accounts/chart).",
                      i + 1, l.account),
          fmt::format("पंक्ति {}: खाता '{}' लेखा-सूची में नहीं है; सूची का कोई कोड लिखें।", i + 1, l.account));
    }
    if (l.debit.IsNegative() || l.credit.IsNegative() || l.debit.IsZero() == l.credit.IsZero()) {
      return Status::InvalidArgument(
          "journal_line_invalid",
          fmt::format("Line {} ({}): a line is either a debit or a credit, of more than zero; "
                      "split it or remove it.",
                      i + 1, l.account),
          fmt::format("पंक्ति {} ({}): हर पंक्ति या तो नामे या जमा होती है, शून्य से अधिक; उसे "
                      "बाँटें या हटाएँ।",
                      i + 1, l.account));
    }
    auto d = debits.CheckedAdd(l.debit);
    auto c = credits.CheckedAdd(l.credit);
    if (!d.ok()) return d.status();
    if (!c.ok()) return c.status();
    debits = *d;
    credits = *c;
    lines.push_back(json::object{{"account", l.account},
                                 {"debit_paise", l.debit.paise()},
                                 {"credit_paise", l.credit.paise()}});
  }
  if (debits != credits) {
    return Status::InvalidArgument(
        "journal_unbalanced",
        fmt::format("The journal does not balance: debits {} and credits {}; they must be equal.",
                    debits.Format(), credits.Format()),
        fmt::format("जर्नल संतुलित नहीं है: नामे {} और जमा {}; दोनों बराबर होने चाहिए।", debits.Format(),
                    credits.Format()));
  }
  json::object payload{{"v", kEventVersion},
                       {"voucher", journal.voucher},
                       {"date", journal.date.Format()},
                       {"reference", journal.reference},
                       {"counter", journal.counter},
                       {"mode", journal.mode},
                       {"narration", journal.narration},
                       {"lines", std::move(lines)}};
  return ledger::Event{kJournalPosted, std::move(payload)};
}

Result<Journal> JournalFromPayload(const json::object& o) {
  try {
    Journal j;
    j.voucher = Str(o, "voucher");
    auto date = CivilDate::Parse(o.at("date").as_string());
    if (!date.ok()) return Status::Corruption("journal event with a bad date");
    j.date = *date;
    j.reference = Str(o, "reference");
    j.counter = Str(o, "counter");
    j.mode = Str(o, "mode");
    j.narration = Str(o, "narration");
    for (const json::value& v : o.at("lines").as_array()) {
      const json::object& l = v.as_object();
      j.lines.push_back({Str(l, "account"), Money::FromPaise(l.at("debit_paise").as_int64()),
                         Money::FromPaise(l.at("credit_paise").as_int64())});
    }
    return j;
  } catch (const std::exception& ex) {
    return Status::Corruption(std::string("not a journal event: ") + ex.what());
  }
}

Journal PropertyTaxCollectionJournal(const property_tax::Allocation& allocation,
                                     std::string_view mode, CivilDate date, std::string receipt_no,
                                     std::string counter) {
  Journal j;
  j.voucher = "collection";
  j.date = date;
  j.narration = fmt::format("Property tax collected, receipt {}", receipt_no);
  j.reference = std::move(receipt_no);
  j.counter = std::move(counter);
  j.mode = std::string(mode);
  // Online money reaches the bank only when the gateway settles: until then it is in clearing.
  const std::string_view cash_account = mode == "cash"     ? kCashInHand
                                        : mode == "online" ? kGatewayClearing
                                                           : kBank;
  j.lines.push_back({std::string(cash_account), allocation.amount, Money()});
  AddCredits(j.lines, allocation);
  Credit(j.lines, kAdvanceCollections, allocation.advance);
  return j;
}

Journal AdvanceAdjustmentJournal(const property_tax::Allocation& allocation, CivilDate date,
                                 std::string reference) {
  Journal j;
  j.voucher = "advance_adjustment";
  j.date = date;
  j.narration = fmt::format("Advance credited to the demand, {}", reference);
  j.reference = std::move(reference);
  Money applied;
  for (const property_tax::AllocationLine& l : allocation.lines) applied += l.Paid();
  if (!applied.IsZero()) j.lines.push_back({std::string(kAdvanceCollections), applied, Money()});
  AddCredits(j.lines, allocation);
  return j;
}

Journal MirrorJournal(const Journal& original, CivilDate date, std::string reference) {
  Journal j = original;
  j.voucher = "reversal";
  j.date = date;
  j.narration = fmt::format("Reversal of {} {}", original.voucher, original.reference);
  j.reference = std::move(reference);
  for (JournalLine& l : j.lines) std::swap(l.debit, l.credit);
  return j;
}

Result<bool> IsDayClosed(Transaction& tx, CivilDate date, const std::string& counter) {
  PALIKA_ASSIGN_OR_RETURN(auto row,
                          tx.QueryOne("SELECT 1 FROM day_closes WHERE date = ? AND counter = ?",
                                      {date.Format(), counter}));
  return row.has_value();
}

}  // namespace palika::accounts
