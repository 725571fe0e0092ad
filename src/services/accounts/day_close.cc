#include "services/accounts/day_close.h"

#include <fmt/format.h>

#include "core/json.h"
#include "services/accounts/chart_of_accounts.h"
#include "services/accounts/journal.h"

namespace palika::accounts {
namespace json = boost::json;
using store::Transaction;

namespace {

constexpr int64_t kEventVersion = 1;
constexpr int64_t kMaxDeclaredPaise = 1'000'000'000'000;  // ₹1,000 crore: beyond any counter

Status FieldProblem(std::string_view field, const std::string& en, const std::string& hi) {
  return Status::InvalidArgument("invalid_field", fmt::format("Field '{}': {}", field, en),
                                 fmt::format("फ़ील्ड '{}': {}", field, hi));
}

std::string Str(const json::object& o, std::string_view k) {
  return std::string(o.at(k).as_string());
}

DayCloseRecord RecordFromJson(const json::object& o) {
  DayCloseRecord r;
  r.date = CivilDate::Parse(o.at("date").as_string()).value();
  r.counter = Str(o, "counter");
  r.expected = Money::FromPaise(o.at("expected_paise").as_int64());
  r.declared = Money::FromPaise(o.at("declared_paise").as_int64());
  r.difference = Money::FromPaise(o.at("difference_paise").as_int64());
  r.note = Str(o, "note");
  r.cashier_id = Str(o, "cashier_id");
  r.cashier_name = Str(o, "cashier_name");
  return r;
}

DayCloseRecord RecordFromRow(const store::Row& row) {
  DayCloseRecord r;
  r.date = CivilDate::Parse(row.Text(0)).value();
  r.counter = row.Text(1);
  r.expected = Money::FromPaise(row.Int(2));
  r.declared = Money::FromPaise(row.Int(3));
  r.difference = Money::FromPaise(row.Int(4));
  r.note = row.Text(5);
  r.cashier_id = row.Text(6);
  r.cashier_name = row.Text(7);
  r.time_us = row.Int(8);
  return r;
}

}  // namespace

Result<DayCloseRequest> ParseDayCloseRequest(const json::object& body) {
  ObjectReader r(body);
  DayCloseRequest req;
  PALIKA_ASSIGN_OR_RETURN(std::string date, r.String("date", 10));
  auto parsed = CivilDate::Parse(date);
  if (!parsed.ok()) {
    return FieldProblem("date", "must be a date written YYYY-MM-DD, such as 2026-11-28.",
                        "तारीख YYYY-MM-DD रूप में लिखें, जैसे 2026-11-28।");
  }
  req.date = *parsed;
  PALIKA_ASSIGN_OR_RETURN(req.counter, r.String("counter", 20));
  PALIKA_ASSIGN_OR_RETURN(int64_t declared, r.Int("declared_cash_paise", 0, kMaxDeclaredPaise));
  req.declared = Money::FromPaise(declared);
  PALIKA_ASSIGN_OR_RETURN(auto note, r.OptionalString("note", 500));
  req.note = note.value_or("");
  PALIKA_RETURN_IF_ERROR(r.Finish());
  return req;
}

json::object DayCloseJson(const DayCloseRecord& r) {
  json::object o{{"date", r.date.Format()},
                 {"counter", r.counter},
                 {"expected_paise", r.expected.paise()},
                 {"declared_paise", r.declared.paise()},
                 {"difference_paise", r.difference.paise()},
                 {"expected", r.expected.Format()},
                 {"declared", r.declared.Format()},
                 {"difference", r.difference.Format()},
                 {"note", r.note},
                 {"cashier_id", r.cashier_id},
                 {"cashier_name", r.cashier_name}};
  if (r.time_us != 0) o["closed_at"] = FormatUtcMicros(r.time_us);
  return o;
}

Result<Money> ExpectedCash(Transaction& tx, CivilDate date, const std::string& counter) {
  PALIKA_ASSIGN_OR_RETURN(
      auto row, tx.QueryOne("SELECT COALESCE(SUM(l.debit_paise), 0), COALESCE(SUM(l.credit_paise),"
                            " 0) FROM journal j JOIN journal_lines l ON l.voucher_no = j.voucher_no"
                            " WHERE j.date = ? AND j.counter = ? AND l.account = ?",
                            {date.Format(), counter, std::string(kCashInHand)}));
  return Money::FromPaise(row->Int(0)) - Money::FromPaise(row->Int(1));
}

Result<std::vector<DayCloseRecord>> ListDayCloses(Transaction& tx, std::optional<CivilDate> date) {
  const std::string cols =
      "SELECT date, counter, expected_paise, declared_paise, difference_paise, note, cashier_id,"
      " cashier_name, time_us FROM day_closes";
  std::vector<store::Row> rows;
  if (date) {
    PALIKA_ASSIGN_OR_RETURN(rows,
                            tx.Query(cols + " WHERE date = ? ORDER BY counter", {date->Format()}));
  } else {
    PALIKA_ASSIGN_OR_RETURN(rows, tx.Query(cols + " ORDER BY date DESC, counter"));
  }
  std::vector<DayCloseRecord> out;
  for (const auto& row : rows) out.push_back(RecordFromRow(row));
  return out;
}

Status ApplyDayClosed(Transaction& tx, const ledger::Entry& e) {
  const json::object o = json::parse(e.payload).as_object();
  if (o.at("v").as_int64() != kEventVersion) {
    return Status::Corruption(
        fmt::format("entry {} ({}) has payload version {}, which this build "
                    "does not know",
                    e.seq, e.type, o.at("v").as_int64()));
  }
  return tx.Exec(
      "INSERT INTO day_closes(date, counter, expected_paise, declared_paise, difference_paise,"
      " note, cashier_id, cashier_name, origin, seq, time_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?,"
      " ?, ?)",
      {Str(o, "date"), Str(o, "counter"), o.at("expected_paise").as_int64(),
       o.at("declared_paise").as_int64(), o.at("difference_paise").as_int64(), Str(o, "note"),
       Str(o, "cashier_id"), Str(o, "cashier_name"), e.origin, static_cast<int64_t>(e.seq),
       e.time_us});
}

Result<DayCloseResult> CloseDay(ledger::LedgerSet& ledgers, const std::string& ulb,
                                const property_tax::WriteContext& ctx,
                                const std::string& cashier_name, const DayCloseRequest& request) {
  PALIKA_ASSIGN_OR_RETURN(ledger::Ledger * ledger, ledgers.Ulb(ulb));
  ledger::Command c;
  c.actor = ctx.actor;
  c.idempotency_key = ctx.idempotency_key;
  c.request_hash = ctx.request_hash;
  c.decide = [&](Transaction& tx, int64_t now_us) -> Result<ledger::Decision> {
    const CivilDate today = CivilDate::IstDateOfUtcMicros(now_us);
    if (request.date > today) {
      return Status::InvalidArgument(
          "day_close_future",
          fmt::format("{} has not ended yet (today is {}); close a day on or after it.",
                      request.date.FormatIndian(), today.FormatIndian()),
          fmt::format("{} अभी समाप्त नहीं हुआ (आज {} है); दिन उसी दिन या उसके बाद बंद करें।",
                      request.date.FormatIndian(), today.FormatIndian()));
    }
    PALIKA_ASSIGN_OR_RETURN(bool closed, IsDayClosed(tx, request.date, request.counter));
    if (closed) {
      return Status::Conflict(
          "day_already_closed",
          fmt::format("Counter {} was already closed for {}; a day closes once. See the list of "
                      "day closes.",
                      request.counter, request.date.FormatIndian()),
          fmt::format("काउंटर {} का {} का दिन पहले ही बंद हो चुका है; दिन एक ही बार बंद होता है। "
                      "दिन-बंदी की सूची देखें।",
                      request.counter, request.date.FormatIndian()));
    }
    PALIKA_ASSIGN_OR_RETURN(Money expected, ExpectedCash(tx, request.date, request.counter));
    DayCloseRecord r;
    r.date = request.date;
    r.counter = request.counter;
    r.expected = expected;
    r.declared = request.declared;
    r.difference = request.declared - expected;
    r.note = request.note;
    r.cashier_id = ctx.actor;
    r.cashier_name = cashier_name;
    json::object payload{{"v", kEventVersion},
                         {"date", r.date.Format()},
                         {"counter", r.counter},
                         {"expected_paise", r.expected.paise()},
                         {"declared_paise", r.declared.paise()},
                         {"difference_paise", r.difference.paise()},
                         {"note", r.note},
                         {"cashier_id", r.cashier_id},
                         {"cashier_name", r.cashier_name}};
    ledger::Decision d;
    d.response = payload;
    d.events.push_back({kDayClosed, std::move(payload)});
    return d;
  };
  PALIKA_ASSIGN_OR_RETURN(auto commit, ledger->Submit(std::move(c)));
  DayCloseResult out;
  out.record = RecordFromJson(commit.response.as_object());
  out.replayed = commit.replayed;
  return out;
}

}  // namespace palika::accounts
