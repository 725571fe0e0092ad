#include "services/accounts/reports.h"

#include <fmt/format.h>

#include <map>

#include "services/accounts/chart_of_accounts.h"
#include "services/accounts/dcb_xlsx.h"

namespace palika::accounts {
namespace json = boost::json;
using store::Transaction;

namespace {

json::object MoneyJson(Money m) { return {{"paise", m.paise()}, {"text", m.Format()}}; }

json::object DcbPartJson(const Dcb& d) {
  return {{"demand_paise", d.demand.paise()},
          {"collection_paise", d.collection.paise()},
          {"balance_paise", d.balance.paise()}};
}

json::object DcbRowJson(const DcbRow& r) {
  return {{"ward", r.ward},
          {"ward_name", r.ward_name},
          {"ward_name_hi", r.ward_name_hi},
          {"properties", r.properties},
          {"arrear", DcbPartJson(r.arrear)},
          {"current", DcbPartJson(r.current)},
          {"total", DcbPartJson(r.total)}};
}

void Add(Dcb& to, const Dcb& d) {
  to.demand += d.demand;
  to.collection += d.collection;
  to.balance += d.balance;
}

}  // namespace

Result<CollectionRegisterReport> CollectionRegister(Transaction& tx, CivilDate date) {
  // Each voucher's movement on cash and bank: + for money in (collection), - for money out.
  PALIKA_ASSIGN_OR_RETURN(
      auto rows,
      tx.Query("SELECT j.counter, j.mode, j.voucher, COUNT(DISTINCT j.voucher_no),"
               " COALESCE(SUM(l.debit_paise - l.credit_paise), 0)"
               " FROM journal j JOIN journal_lines l ON l.voucher_no = j.voucher_no"
               " WHERE j.date = ? AND j.voucher IN ('collection', 'reversal')"
               " AND l.account IN (?, ?, ?)"
               " GROUP BY j.counter, j.mode, j.voucher ORDER BY j.counter, j.mode",
               {date.Format(), std::string(kCollectionAccounts[0]),
                std::string(kCollectionAccounts[1]), std::string(kCollectionAccounts[2])}));
  CollectionRegisterReport out;
  out.date = date;
  std::map<std::pair<std::string, std::string>, CollectionRow> by;
  for (const auto& row : rows) {
    CollectionRow& r = by[{row.Text(0), row.Text(1)}];
    r.counter = row.Text(0);
    r.mode = row.Text(1);
    const Money moved = Money::FromPaise(row.Int(4));
    if (row.Text(2) == "collection") {
      r.receipts += row.Int(3);
      r.collected += moved;
    } else {
      r.reversals += row.Int(3);
      r.reversed -= moved;
    }
  }
  for (auto& [key, r] : by) {
    r.net = r.collected - r.reversed;
    out.collected += r.collected;
    out.reversed += r.reversed;
    out.net += r.net;
    out.rows.push_back(r);
  }
  return out;
}

json::object CollectionRegisterJson(const CollectionRegisterReport& r) {
  json::array rows;
  for (const auto& c : r.rows) {
    rows.push_back(json::object{{"counter", c.counter},
                                {"mode", c.mode},
                                {"receipts", c.receipts},
                                {"reversals", c.reversals},
                                {"collected_paise", c.collected.paise()},
                                {"reversed_paise", c.reversed.paise()},
                                {"net_paise", c.net.paise()},
                                {"net", c.net.Format()}});
  }
  return {{"date", r.date.Format()},
          {"rows", std::move(rows)},
          {"collected_paise", r.collected.paise()},
          {"reversed_paise", r.reversed.paise()},
          {"net_paise", r.net.paise()},
          {"net", r.net.Format()}};
}

Result<CollectionSummary> CollectionsBetween(Transaction& tx, CivilDate from, CivilDate to) {
  if (to < from || from.DaysUntil(to) >= kMaxReportDays) {
    return Status::InvalidArgument(
        "invalid_period",
        fmt::format("The period must start on or before its end and last at most {} days.",
                    kMaxReportDays),
        fmt::format("अवधि की शुरुआत उसके अंत से पहले या उसी दिन हो, और अवधि अधिकतम {} दिन की हो।",
                    kMaxReportDays));
  }
  CollectionSummary out;
  out.from = from;
  out.to = to;
  std::map<std::string, CollectionTotal> days, modes;
  std::map<int64_t, CollectionTotal> wards;
  PALIKA_ASSIGN_OR_RETURN(auto ward_rows,
                          tx.Query("SELECT number, name, name_hi FROM wards ORDER BY number"));
  for (const auto& w : ward_rows) {
    CollectionTotal& t = wards[w.Int(0)];
    t.key = std::to_string(w.Int(0));
    t.name = w.Text(1);
    t.name_hi = w.Text(2);
  }
  // One row per voucher kind, day, mode and ward, with the movement on cash and bank as the
  // collection register counts it; a voucher's reference is its receipt number.
  PALIKA_RETURN_IF_ERROR(tx.ForEach(
      "SELECT j.date, j.mode, COALESCE(pr.ward, 0), j.voucher, COUNT(DISTINCT j.voucher_no),"
      " COALESCE(SUM(l.debit_paise - l.credit_paise), 0)"
      " FROM journal j JOIN journal_lines l ON l.voucher_no = j.voucher_no"
      " LEFT JOIN payments p ON p.receipt_no = j.reference"
      " LEFT JOIN properties pr ON pr.id = p.property_id"
      " WHERE j.date BETWEEN ? AND ? AND j.voucher IN ('collection', 'reversal')"
      " AND l.account IN (?, ?, ?)"
      " GROUP BY j.date, j.mode, COALESCE(pr.ward, 0), j.voucher",
      {from.Format(), to.Format(), std::string(kCollectionAccounts[0]),
       std::string(kCollectionAccounts[1]), std::string(kCollectionAccounts[2])},
      [&](const store::Row& row) {
        const bool collection = row.Text(3) == "collection";
        const int64_t vouchers = row.Int(4);
        const Money moved = Money::FromPaise(row.Int(5));
        auto add = [&](CollectionTotal& t) {
          (collection ? t.receipts : t.reversals) += vouchers;
          t.net += moved;
        };
        add(days[row.Text(0)]);
        CollectionTotal& m = modes[row.Text(1)];
        m.key = row.Text(1);
        add(m);
        CollectionTotal& w = wards[row.Int(2)];
        w.key = std::to_string(row.Int(2));
        add(w);
        (collection ? out.receipts : out.reversals) += vouchers;
        out.net += moved;
        return true;
      }));
  for (CivilDate d = from; d <= to; d = d.AddDays(1)) {
    CollectionTotal t = days[d.Format()];
    t.key = d.Format();
    const std::string month = t.key.substr(0, 7);
    if (out.by_month.empty() || out.by_month.back().key != month) {
      out.by_month.push_back(CollectionTotal{month, "", "", 0, 0, Money()});
    }
    out.by_month.back().receipts += t.receipts;
    out.by_month.back().reversals += t.reversals;
    out.by_month.back().net += t.net;
    out.by_day.push_back(std::move(t));
  }
  for (auto& [k, t] : modes) out.by_mode.push_back(std::move(t));
  for (auto& [n, t] : wards) {
    if (n != 0) out.by_ward.push_back(t);
  }
  if (auto it = wards.find(0); it != wards.end()) {
    it->second.name = "No ward";
    it->second.name_hi = "बिना वार्ड";
    out.by_ward.push_back(std::move(it->second));
  }
  return out;
}

Result<Money> NetCollected(Transaction& tx, CivilDate from, CivilDate to) {
  PALIKA_ASSIGN_OR_RETURN(
      auto row,
      tx.QueryOne("SELECT COALESCE(SUM(debit_paise - credit_paise), 0) FROM journal_daily"
                  " WHERE account IN (?, ?, ?) AND date BETWEEN ? AND ?",
                  {std::string(kCollectionAccounts[0]), std::string(kCollectionAccounts[1]),
                   std::string(kCollectionAccounts[2]), from.Format(), to.Format()}));
  if (!row) return Money();
  return Money::FromPaise(row->Int(0));
}

std::string CollectionSummaryCsv(const CollectionSummary& s) {
  std::string out = "\xEF\xBB\xBF";  // UTF-8 byte-order mark, so Excel shows Devanagari
  out += "section,key,name,name_hi,receipts,reversals,net\r\n";
  auto rows = [&](const char* section, const std::vector<CollectionTotal>& list) {
    for (const auto& t : list) {
      out += fmt::format("{},{},{},{},{},{},{}\r\n", section, t.key, CsvField(t.name),
                         CsvField(t.name_hi), t.receipts, t.reversals, t.net.FormatPlain());
    }
  };
  rows("day", s.by_day);
  rows("mode", s.by_mode);
  rows("ward", s.by_ward);
  out += fmt::format("total,{} to {},,,{},{},{}\r\n", s.from.Format(), s.to.Format(), s.receipts,
                     s.reversals, s.net.FormatPlain());
  return out;
}

std::string TrialBalanceCsv(const TrialBalanceReport& r) {
  std::string out = "\xEF\xBB\xBF";
  out += "account,name,name_hi,debit,credit,debit_balance,credit_balance\r\n";
  for (const auto& a : r.rows) {
    const Account* acc = FindAccount(a.account);
    out += fmt::format(
        "{},{},{},{},{},{},{}\r\n", a.account, CsvField(acc ? std::string(acc->name) : a.account),
        CsvField(acc ? std::string(acc->name_hi) : a.account), a.debit.FormatPlain(),
        a.credit.FormatPlain(), a.debit_balance.FormatPlain(), a.credit_balance.FormatPlain());
  }
  out += fmt::format("total,,,{},{},{},{}\r\n", r.debit.FormatPlain(), r.credit.FormatPlain(),
                     r.debit_balance.FormatPlain(), r.credit_balance.FormatPlain());
  return out;
}

Result<TrialBalanceReport> TrialBalance(Transaction& tx, CivilDate on) {
  PALIKA_ASSIGN_OR_RETURN(
      auto rows, tx.Query("SELECT account, SUM(debit_paise), SUM(credit_paise) FROM journal_daily"
                          " WHERE date <= ? GROUP BY account ORDER BY account",
                          {on.Format()}));
  TrialBalanceReport out;
  out.on = on;
  for (const auto& row : rows) {
    TrialBalanceRow r;
    r.account = row.Text(0);
    r.debit = Money::FromPaise(row.Int(1));
    r.credit = Money::FromPaise(row.Int(2));
    const Money net = r.debit - r.credit;
    if (net.IsNegative()) {
      r.credit_balance = -net;
    } else {
      r.debit_balance = net;
    }
    out.debit += r.debit;
    out.credit += r.credit;
    out.debit_balance += r.debit_balance;
    out.credit_balance += r.credit_balance;
    out.rows.push_back(std::move(r));
  }
  return out;
}

json::object TrialBalanceJson(const TrialBalanceReport& r) {
  json::array rows;
  for (const auto& a : r.rows) {
    const Account* acc = FindAccount(a.account);
    rows.push_back(json::object{{"account", a.account},
                                {"name", acc ? std::string(acc->name) : a.account},
                                {"name_hi", acc ? std::string(acc->name_hi) : a.account},
                                {"kind", acc ? std::string(AccountKindCode(acc->kind)) : "unknown"},
                                {"debit_paise", a.debit.paise()},
                                {"credit_paise", a.credit.paise()},
                                {"debit_balance_paise", a.debit_balance.paise()},
                                {"credit_balance_paise", a.credit_balance.paise()}});
  }
  return {{"on", r.on.Format()},
          {"accounts", std::move(rows)},
          {"debit_paise", r.debit.paise()},
          {"credit_paise", r.credit.paise()},
          {"debit_balance_paise", r.debit_balance.paise()},
          {"credit_balance_paise", r.credit_balance.paise()},
          {"balanced", r.debit == r.credit && r.debit_balance == r.credit_balance},
          {"total", MoneyJson(r.debit)}};
}

Result<std::vector<PostedJournal>> JournalOn(Transaction& tx, CivilDate date) {
  std::vector<PostedJournal> out;
  // One pass over the day's vouchers and their lines, in voucher and line order.
  PALIKA_RETURN_IF_ERROR(tx.ForEach(
      "SELECT j.voucher_no, j.voucher, j.reference, j.counter, j.mode, j.narration, j.actor,"
      " j.time_us, l.account, l.debit_paise, l.credit_paise"
      " FROM journal j JOIN journal_lines l ON l.voucher_no = j.voucher_no"
      " WHERE j.date = ? ORDER BY j.voucher_no, l.line_no",
      {date.Format()}, [&](const store::Row& row) {
        if (out.empty() || out.back().voucher_no != row.Int(0)) {
          PostedJournal p;
          p.voucher_no = row.Int(0);
          p.journal.voucher = row.Text(1);
          p.journal.date = date;
          p.journal.reference = row.Text(2);
          p.journal.counter = row.Text(3);
          p.journal.mode = row.Text(4);
          p.journal.narration = row.Text(5);
          p.actor = row.Text(6);
          p.time_us = row.Int(7);
          out.push_back(std::move(p));
        }
        out.back().journal.lines.push_back(
            {row.Text(8), Money::FromPaise(row.Int(9)), Money::FromPaise(row.Int(10))});
        return true;
      }));
  return out;
}

json::object PostedJournalJson(const PostedJournal& p) {
  json::array lines;
  for (const auto& l : p.journal.lines) {
    const Account* acc = FindAccount(l.account);
    lines.push_back(json::object{{"account", l.account},
                                 {"name", acc ? std::string(acc->name) : l.account},
                                 {"name_hi", acc ? std::string(acc->name_hi) : l.account},
                                 {"debit_paise", l.debit.paise()},
                                 {"credit_paise", l.credit.paise()}});
  }
  return {{"voucher_no", p.voucher_no},
          {"voucher", p.journal.voucher},
          {"date", p.journal.date.Format()},
          {"reference", p.journal.reference},
          {"counter", p.journal.counter},
          {"mode", p.journal.mode},
          {"narration", p.journal.narration},
          {"actor", p.actor},
          {"posted_at", FormatUtcMicros(p.time_us)},
          {"lines", std::move(lines)}};
}

Result<DcbReport> DcbRegister(Transaction& tx, FinancialYear fy) {
  DcbReport out;
  out.fy = fy;
  std::map<int64_t, DcbRow> wards;
  PALIKA_ASSIGN_OR_RETURN(auto ward_rows,
                          tx.Query("SELECT number, name, name_hi FROM wards ORDER BY number"));
  for (const auto& w : ward_rows) {
    DcbRow& r = wards[w.Int(0)];
    r.ward = w.Int(0);
    r.ward_name = w.Text(1);
    r.ward_name_hi = w.Text(2);
  }
  // Years are "YYYY-YY", so text order is year order.
  PALIKA_ASSIGN_OR_RETURN(
      auto rows,
      tx.Query("SELECT p.ward, a.fy = ?, COUNT(DISTINCT a.property_id),"
               " SUM(a.demanded_paise + a.surcharge_levied_paise - a.rebate_granted_paise"
               "     - a.surcharge_waived_paise),"
               " SUM(a.principal_paid_paise + a.surcharge_paid_paise)"
               " FROM pt_account a JOIN properties p ON p.id = a.property_id"
               // By position: PostgreSQL would not see "a.fy = ?" twice as one expression.
               " WHERE a.fy <= ? GROUP BY 1, 2",
               {fy.Format(), fy.Format()}));
  PALIKA_ASSIGN_OR_RETURN(auto counts,
                          tx.Query("SELECT p.ward, COUNT(DISTINCT a.property_id)"
                                   " FROM pt_account a JOIN properties p ON p.id = a.property_id"
                                   " WHERE a.fy <= ? GROUP BY p.ward",
                                   {fy.Format()}));
  for (const auto& row : rows) {
    DcbRow& r = wards[row.Int(0)];
    r.ward = row.Int(0);
    Dcb d{Money::FromPaise(row.Int(3)), Money::FromPaise(row.Int(4)), Money()};
    d.balance = d.demand - d.collection;
    Add(row.Int(1) != 0 ? r.current : r.arrear, d);
  }
  for (const auto& row : counts) wards[row.Int(0)].properties = row.Int(1);
  out.total.ward_name = "Total";
  out.total.ward_name_hi = "कुल";
  for (auto& [n, r] : wards) {
    r.total = r.arrear;
    Add(r.total, r.current);
    out.total.properties += r.properties;
    Add(out.total.arrear, r.arrear);
    Add(out.total.current, r.current);
    Add(out.total.total, r.total);
    out.rows.push_back(r);
  }
  return out;
}

json::object DcbJson(const DcbReport& r) {
  json::array rows;
  for (const auto& w : r.rows) rows.push_back(DcbRowJson(w));
  return {{"fy", r.fy.Format()}, {"wards", std::move(rows)}, {"total", DcbRowJson(r.total)}};
}

}  // namespace palika::accounts
