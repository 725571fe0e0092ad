#include "services/property_tax/billing.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "core/check.h"
#include "core/json.h"
#include "services/property_tax/register.h"

namespace palika::property_tax {
namespace json = boost::json;
using store::Transaction;

namespace {

// The six money columns of pt_account, in the order AccountLine lists them.
constexpr char kAccountColumns[] =
    "fy, head, demanded_paise, principal_paid_paise, rebate_granted_paise, "
    "surcharge_levied_paise, surcharge_paid_paise, surcharge_waived_paise";

Status BadRow(std::string_view table, std::string_view key, std::string_view what) {
  return Status::Corruption(fmt::format(
      "{} row {} cannot be read ({}); the table was changed outside the ledger. Run `palika "
      "verify` on this ULB and restore it if verify reports a difference.",
      table, key, what));
}

Result<AccountLine> AccountLineFromRow(const store::Row& r, const std::string& property_id) {
  auto fy = FinancialYear::Parse(r.Text(0));
  auto head = HeadFromCode(r.Text(1));
  const std::string key = property_id + " " + r.Text(0) + " " + r.Text(1);
  if (!fy.ok()) return BadRow("pt_account", key, "financial year");
  if (!head) return BadRow("pt_account", key, "head");
  AccountLine l;
  l.fy = *fy;
  l.head = *head;
  l.demanded = Money::FromPaise(r.Int(2));
  l.principal_paid = Money::FromPaise(r.Int(3));
  l.rebate_granted = Money::FromPaise(r.Int(4));
  l.surcharge_levied = Money::FromPaise(r.Int(5));
  l.surcharge_paid = Money::FromPaise(r.Int(6));
  l.surcharge_waived = Money::FromPaise(r.Int(7));
  return l;
}

Result<RateTable> RateTableFromRow(const std::string& fy, const std::string& text) {
  auto obj = ParseJsonObject(text);
  if (!obj.ok()) return BadRow("pt_rate_tables", fy, "table_json is not JSON");
  auto table = RateTableFromJson(*obj);
  if (!table.ok()) return BadRow("pt_rate_tables", fy, table.status().message());
  return std::move(*table);
}

Result<WaiverScheme> WaiverFromRow(const std::string& id, const std::string& text) {
  auto obj = ParseJsonObject(text);
  if (!obj.ok()) return BadRow("pt_waiver_schemes", id, "scheme_json is not JSON");
  auto scheme = WaiverSchemeFromJson(*obj);
  if (!scheme.ok()) return BadRow("pt_waiver_schemes", id, scheme.status().message());
  return std::move(*scheme);
}

Status NoSuchProperty(const std::string& id) {
  return Status::NotFound(
      "property_not_found",
      "There is no property " + id + " in this ULB. Search for it by owner, mobile or address.",
      "इस निकाय में संपत्ति " + id + " नहीं है। स्वामी, मोबाइल या पते से खोजें।");
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Tables

void RegisterBillingProjections(ledger::Projections& p) {
  p.AddTable("pt_rate_tables",
             "CREATE TABLE IF NOT EXISTS pt_rate_tables(fy TEXT PRIMARY KEY,"
             " version INTEGER NOT NULL, table_json TEXT NOT NULL, reason TEXT NOT NULL,"
             " actor TEXT NOT NULL, set_us INTEGER NOT NULL)",
             "fy");
  p.AddTable("pt_account",
             "CREATE TABLE IF NOT EXISTS pt_account(property_id TEXT NOT NULL, fy TEXT NOT NULL,"
             " head TEXT NOT NULL, demanded_paise INTEGER NOT NULL,"
             " principal_paid_paise INTEGER NOT NULL, rebate_granted_paise INTEGER NOT NULL,"
             " surcharge_levied_paise INTEGER NOT NULL, surcharge_paid_paise INTEGER NOT NULL,"
             " surcharge_waived_paise INTEGER NOT NULL, PRIMARY KEY (property_id, fy, head))",
             "property_id, fy, head");
  p.AddTable("pt_advance",
             "CREATE TABLE IF NOT EXISTS pt_advance(property_id TEXT PRIMARY KEY,"
             " advance_paise INTEGER NOT NULL)",
             "property_id");
  p.AddTable("pt_outages",
             "CREATE TABLE IF NOT EXISTS pt_outages(id TEXT PRIMARY KEY, from_date TEXT NOT NULL,"
             " to_date TEXT NOT NULL, reason TEXT NOT NULL, recorded_us INTEGER NOT NULL)",
             "id");
  p.AddTable("pt_waiver_schemes",
             "CREATE TABLE IF NOT EXISTS pt_waiver_schemes(id INTEGER PRIMARY KEY,"
             " name TEXT NOT NULL, from_date TEXT NOT NULL, to_date TEXT NOT NULL,"
             " scheme_json TEXT NOT NULL, actor TEXT NOT NULL, declared_us INTEGER NOT NULL)",
             "id");
  p.AddTable("pt_returns",
             "CREATE TABLE IF NOT EXISTS pt_returns(property_id TEXT NOT NULL, fy TEXT NOT NULL,"
             " revision INTEGER NOT NULL, filed_by TEXT NOT NULL, zone TEXT NOT NULL,"
             " annual_value_paise INTEGER NOT NULL, total_paise INTEGER NOT NULL,"
             " assessment_json TEXT NOT NULL, actor TEXT NOT NULL, filed_us INTEGER NOT NULL,"
             " PRIMARY KEY (property_id, fy, revision))",
             "property_id, fy, revision");
  p.AddTable("pt_demands",
             "CREATE TABLE IF NOT EXISTS pt_demands(property_id TEXT NOT NULL, fy TEXT NOT NULL,"
             " annual_value_paise INTEGER NOT NULL, total_paise INTEGER NOT NULL,"
             " source TEXT NOT NULL, advance_applied_paise INTEGER NOT NULL,"
             " raised_us INTEGER NOT NULL, PRIMARY KEY (property_id, fy));"
             "CREATE INDEX IF NOT EXISTS pt_demands_by_fy ON pt_demands(fy)",
             "property_id, fy");
}

void RegisterBillingStateProjections(ledger::Projections& p) {
  p.AddTable("pt_state_outages",
             "CREATE TABLE IF NOT EXISTS pt_state_outages(id TEXT PRIMARY KEY,"
             " from_date TEXT NOT NULL, to_date TEXT NOT NULL, reason TEXT NOT NULL,"
             " ulbs_json TEXT NOT NULL, actor TEXT NOT NULL, declared_us INTEGER NOT NULL)",
             "id");
}

// ---------------------------------------------------------------------------------------------
// Reads

Result<std::vector<AccountLine>> LoadAccount(Transaction& tx, const std::string& property_id) {
  PALIKA_ASSIGN_OR_RETURN(auto rows,
                          tx.Query(fmt::format("SELECT {} FROM pt_account WHERE property_id = ?"
                                               " ORDER BY fy",
                                               kAccountColumns),
                                   {property_id}));
  std::vector<AccountLine> out;
  out.reserve(rows.size());
  for (const auto& r : rows) {
    PALIKA_ASSIGN_OR_RETURN(AccountLine l, AccountLineFromRow(r, property_id));
    out.push_back(std::move(l));
  }
  // Within a year, bill order (the text order of head codes is not it).
  auto rank = [](Head h) {
    return std::find(kAllHeads.begin(), kAllHeads.end(), h) - kAllHeads.begin();
  };
  std::stable_sort(out.begin(), out.end(), [&](const AccountLine& a, const AccountLine& b) {
    if (a.fy != b.fy) return a.fy < b.fy;
    return rank(a.head) < rank(b.head);
  });
  return out;
}

Result<Money> LoadAdvance(Transaction& tx, const std::string& property_id) {
  PALIKA_ASSIGN_OR_RETURN(
      auto r,
      tx.QueryOne("SELECT advance_paise FROM pt_advance WHERE property_id = ?", {property_id}));
  return r ? Money::FromPaise(r->Int(0)) : Money();
}

Result<std::vector<RateTable>> LoadRateTables(Transaction& tx) {
  PALIKA_ASSIGN_OR_RETURN(auto rows,
                          tx.Query("SELECT fy, table_json FROM pt_rate_tables ORDER BY fy"));
  std::vector<RateTable> out;
  for (const auto& r : rows) {
    PALIKA_ASSIGN_OR_RETURN(RateTable t, RateTableFromRow(r.Text(0), r.Text(1)));
    out.push_back(std::move(t));
  }
  return out;
}

Result<std::optional<RateTable>> LoadRateTable(Transaction& tx, FinancialYear fy) {
  PALIKA_ASSIGN_OR_RETURN(
      auto r, tx.QueryOne("SELECT fy, table_json FROM pt_rate_tables WHERE fy = ?", {fy.Format()}));
  if (!r) return std::optional<RateTable>();
  PALIKA_ASSIGN_OR_RETURN(RateTable t, RateTableFromRow(r->Text(0), r->Text(1)));
  return std::optional<RateTable>(std::move(t));
}

Result<std::vector<Outage>> LoadOutages(Transaction& tx) {
  PALIKA_ASSIGN_OR_RETURN(
      auto rows, tx.Query("SELECT id, from_date, to_date FROM pt_outages ORDER BY from_date, id"));
  std::vector<Outage> out;
  for (const auto& r : rows) {
    auto from = CivilDate::Parse(r.Text(1));
    auto to = CivilDate::Parse(r.Text(2));
    if (!from.ok() || !to.ok()) return BadRow("pt_outages", r.Text(0), "dates");
    out.push_back({*from, *to});
  }
  return out;
}

Result<std::optional<WaiverScheme>> WaiverSchemeOn(Transaction& tx, CivilDate on) {
  const std::string day = on.Format();
  PALIKA_ASSIGN_OR_RETURN(
      auto r, tx.QueryOne("SELECT id, scheme_json FROM pt_waiver_schemes"
                          " WHERE from_date <= ? AND to_date >= ? ORDER BY id DESC LIMIT 1",
                          {day, day}));
  if (!r) return std::optional<WaiverScheme>();
  PALIKA_ASSIGN_OR_RETURN(WaiverScheme s, WaiverFromRow(r->Text(0), r->Text(1)));
  return std::optional<WaiverScheme>(std::move(s));
}

Result<Dues> PropertyDues(Transaction& tx, const std::string& property_id, CivilDate on,
                          bool online) {
  PALIKA_ASSIGN_OR_RETURN(auto exists,
                          tx.QueryOne("SELECT 1 FROM properties WHERE id = ?", {property_id}));
  if (!exists) return NoSuchProperty(property_id);
  PALIKA_ASSIGN_OR_RETURN(auto account, LoadAccount(tx, property_id));
  PALIKA_ASSIGN_OR_RETURN(auto rates, LoadRateTables(tx));
  DuesQuery q;
  q.on = on;
  q.online = online;
  PALIKA_ASSIGN_OR_RETURN(q.outages, LoadOutages(tx));
  PALIKA_ASSIGN_OR_RETURN(q.waiver, WaiverSchemeOn(tx, on));
  return ComputeDues(account, rates, q);
}

// ---------------------------------------------------------------------------------------------
// Apply side of payments

Status ApplyAllocation(Transaction& tx, const std::string& property_id,
                       const Allocation& allocation, int sign) {
  PALIKA_ASSERT(sign == 1 || sign == -1);
  auto broken = [&](std::string_view what) {
    return Status::Corruption(fmt::format(
        "applying a payment allocation to property {} ({} on {}): {}; the ledger and the "
        "account disagree. Run `palika verify` on this ULB.",
        property_id, sign > 0 ? "payment" : "reversal", allocation.on.Format(), what));
  };
  PALIKA_ASSIGN_OR_RETURN(auto account, LoadAccount(tx, property_id));
  // Work out every new line first, so nothing is written when one does not fit.
  std::vector<AccountLine> changed;
  for (const AllocationLine& l : allocation.lines) {
    auto it = std::find_if(account.begin(), account.end(),
                           [&](const AccountLine& a) { return a.fy == l.fy && a.head == l.head; });
    if (it == account.end()) {
      return broken(fmt::format("it has no demand for {} {}", l.fy.Format(), HeadCode(l.head)));
    }
    const int64_t s = sign;
    it->principal_paid = Money::FromPaise(it->principal_paid.paise() + s * l.principal.paise());
    it->rebate_granted = Money::FromPaise(it->rebate_granted.paise() + s * l.rebate.paise());
    it->surcharge_levied =
        Money::FromPaise(it->surcharge_levied.paise() + s * l.surcharge_levied.paise());
    it->surcharge_paid = Money::FromPaise(it->surcharge_paid.paise() + s * l.surcharge.paise());
    it->surcharge_waived = Money::FromPaise(it->surcharge_waived.paise() + s * l.waiver.paise());
    for (Money m : {it->principal_paid, it->rebate_granted, it->surcharge_levied,
                    it->surcharge_paid, it->surcharge_waived}) {
      if (m.IsNegative()) {
        return broken(fmt::format("{} {} would go negative", l.fy.Format(), HeadCode(l.head)));
      }
    }
    if (it->principal_paid.paise() + it->rebate_granted.paise() > it->demanded.paise()) {
      return broken(
          fmt::format("{} {} would be settled beyond its demand", l.fy.Format(), HeadCode(l.head)));
    }
  }
  PALIKA_ASSIGN_OR_RETURN(Money advance, LoadAdvance(tx, property_id));
  const int64_t new_advance = advance.paise() + sign * allocation.advance.paise();
  if (new_advance < 0) return broken("the advance would go negative");

  for (const AllocationLine& l : allocation.lines) {
    auto it = std::find_if(account.begin(), account.end(),
                           [&](const AccountLine& a) { return a.fy == l.fy && a.head == l.head; });
    PALIKA_RETURN_IF_ERROR(tx.Exec(
        "UPDATE pt_account SET principal_paid_paise = ?, rebate_granted_paise = ?,"
        " surcharge_levied_paise = ?, surcharge_paid_paise = ?, surcharge_waived_paise = ?"
        " WHERE property_id = ? AND fy = ? AND head = ?",
        {it->principal_paid.paise(), it->rebate_granted.paise(), it->surcharge_levied.paise(),
         it->surcharge_paid.paise(), it->surcharge_waived.paise(), property_id, l.fy.Format(),
         std::string(HeadCode(l.head))}));
  }
  if (new_advance != advance.paise()) {
    if (new_advance == 0) {
      PALIKA_RETURN_IF_ERROR(
          tx.Exec("DELETE FROM pt_advance WHERE property_id = ?", {property_id}));
    } else {
      PALIKA_RETURN_IF_ERROR(
          tx.Exec("INSERT INTO pt_advance(property_id, advance_paise) VALUES (?, ?)"
                  " ON CONFLICT(property_id) DO UPDATE SET advance_paise = excluded.advance_paise",
                  {property_id, new_advance}));
    }
  }
  return Status::OK();
}

}  // namespace palika::property_tax
