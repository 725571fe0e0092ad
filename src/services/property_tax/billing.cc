#include "services/property_tax/billing.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <variant>

#include "core/check.h"
#include "core/ids.h"
#include "core/json.h"
#include "services/property_tax/demand.h"
#include "services/property_tax/rates_json.h"

namespace palika::property_tax {
namespace json = boost::json;
using ledger::Decision;
using ledger::Entry;
using ledger::Event;
using store::Transaction;

namespace {

constexpr char kRatesSet[] = "rates.set";
constexpr char kAssessmentFiled[] = "assessment.filed";
constexpr char kWaiverDeclared[] = "waiver.declared";
constexpr char kOutageRecorded[] = "outage.recorded";
constexpr char kOutageDeclared[] = "outage.declared";
constexpr int64_t kEventVersion = 1;
constexpr int64_t kMaxOutageDays = 366;

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

// The six amounts of a pt_account line, from column `at` on, in the table's order (demanded,
// principal paid, rebate granted, surcharge levied, paid, waived).
void ReadAmounts(const store::Row& r, size_t at, AccountLine& l) {
  l.demanded = Money::FromPaise(r.Int(at));
  l.principal_paid = Money::FromPaise(r.Int(at + 1));
  l.rebate_granted = Money::FromPaise(r.Int(at + 2));
  l.surcharge_levied = Money::FromPaise(r.Int(at + 3));
  l.surcharge_paid = Money::FromPaise(r.Int(at + 4));
  l.surcharge_waived = Money::FromPaise(r.Int(at + 5));
}

Result<AccountLine> AccountLineFromRow(const store::Row& r, const std::string& property_id) {
  auto fy = FinancialYear::Parse(r.Text(0));
  auto head = HeadFromCode(r.Text(1));
  auto key = [&] { return property_id + " " + r.Text(0) + " " + r.Text(1); };
  if (!fy.ok()) return BadRow("pt_account", key(), "financial year");
  if (!head) return BadRow("pt_account", key(), "head");
  AccountLine l;
  l.fy = *fy;
  l.head = *head;
  ReadAmounts(r, 2, l);
  return l;
}

Result<RateTable> ParseRateTableRow(const std::string& fy, const std::string& text) {
  auto obj = ParseJsonObject(text);
  if (!obj.ok()) return BadRow("pt_rate_tables", fy, "table_json is not JSON");
  auto table = RateTableFromJson(*obj);
  if (!table.ok()) return BadRow("pt_rate_tables", fy, table.status().message());
  return std::move(*table);
}

// Every payment and every demand batch reads the rate tables, and parsing one strictly (a few
// hundred value rates) cost more than the rest of a payment's decide. Parsed tables are kept
// here, keyed by their exact stored text: the same text always parses to the same table, so a
// cached table can never differ from what parsing the row would give. Bounded; thread-safe.
Result<RateTable> RateTableFromRow(const std::string& fy, const std::string& text) {
  static std::mutex mu;
  static std::unordered_map<std::string, RateTable> cache;
  constexpr size_t kMaxCached = 256;
  {
    std::lock_guard lock(mu);
    if (auto it = cache.find(text); it != cache.end()) return it->second;
  }
  PALIKA_ASSIGN_OR_RETURN(RateTable table, ParseRateTableRow(fy, text));
  std::lock_guard lock(mu);
  if (cache.size() >= kMaxCached) cache.clear();
  cache.emplace(text, table);
  return table;
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
// Apply: each records what its event says, nothing else.

namespace {

Status CheckVersion(const json::object& o, const Entry& e) {
  if (!o.contains("v") || o.at("v").as_int64() != kEventVersion) {
    return Status::Corruption(
        fmt::format("entry {} ({}) has a payload version this build does not know", e.seq, e.type));
  }
  return Status::OK();
}

std::string Str(const json::object& o, std::string_view k) {
  return std::string(o.at(k).as_string());
}

// The canonical text of a JSON value carried in an event (stored as the event gave it).
Result<std::string> Canonical(const json::value& v, const Entry& e) {
  auto text = CanonicalJson(v);
  if (!text.ok()) {
    return Status::Corruption(
        fmt::format("entry {} ({}): {}", e.seq, e.type, text.status().message()));
  }
  return std::move(*text);
}

Status ApplyRatesSet(Transaction& tx, const Entry& e) {
  const json::object o = json::parse(e.payload).as_object();
  PALIKA_RETURN_IF_ERROR(CheckVersion(o, e));
  PALIKA_ASSIGN_OR_RETURN(std::string table, Canonical(o.at("table"), e));
  return tx.Exec(
      "INSERT INTO pt_rate_tables(fy, version, table_json, reason, actor, set_us)"
      " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(fy) DO UPDATE SET version = excluded.version,"
      " table_json = excluded.table_json, reason = excluded.reason, actor = excluded.actor,"
      " set_us = excluded.set_us",
      {Str(o, "fy"), o.at("version").as_int64(), table, Str(o, "reason"), e.actor, e.time_us});
}

Status ApplyAssessmentFiled(Transaction& tx, const Entry& e) {
  const json::object o = json::parse(e.payload).as_object();
  PALIKA_RETURN_IF_ERROR(CheckVersion(o, e));
  const json::object& a = o.at("assessment").as_object();
  PALIKA_ASSIGN_OR_RETURN(std::string text, Canonical(a, e));
  return tx.Exec(
      "INSERT INTO pt_returns(property_id, fy, revision, filed_by, zone, annual_value_paise,"
      " total_paise, assessment_json, actor, filed_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {Str(o, "property_id"), Str(o, "fy"), o.at("revision").as_int64(), Str(o, "filed_by"),
       Str(a, "zone"), a.at("annual_value_paise").as_int64(), a.at("total_paise").as_int64(), text,
       e.actor, e.time_us});
}

Status ApplyWaiverDeclared(Transaction& tx, const Entry& e) {
  const json::object o = json::parse(e.payload).as_object();
  PALIKA_RETURN_IF_ERROR(CheckVersion(o, e));
  const json::object& scheme = o.at("scheme").as_object();
  PALIKA_ASSIGN_OR_RETURN(std::string text, Canonical(scheme, e));
  return tx.Exec(
      "INSERT INTO pt_waiver_schemes(id, name, from_date, to_date, scheme_json, actor,"
      " declared_us) VALUES (?, ?, ?, ?, ?, ?, ?)",
      {o.at("id").as_int64(), Str(scheme, "name"), Str(scheme, "from"), Str(scheme, "to"), text,
       e.actor, e.time_us});
}

Status ApplyOutageRecorded(Transaction& tx, const Entry& e) {
  const json::object o = json::parse(e.payload).as_object();
  PALIKA_RETURN_IF_ERROR(CheckVersion(o, e));
  return tx.Exec(
      "INSERT INTO pt_outages(id, from_date, to_date, reason, recorded_us) VALUES (?, ?, ?, ?, ?)",
      {Str(o, "id"), Str(o, "from"), Str(o, "to"), Str(o, "reason"), e.time_us});
}

Status ApplyOutageDeclared(Transaction& tx, const Entry& e) {
  const json::object o = json::parse(e.payload).as_object();
  PALIKA_RETURN_IF_ERROR(CheckVersion(o, e));
  json::object ulbs{{"scope", o.at("scope")}, {"ulbs", o.at("ulbs")}};
  PALIKA_ASSIGN_OR_RETURN(std::string text, Canonical(ulbs, e));
  return tx.Exec(
      "INSERT INTO pt_state_outages(id, from_date, to_date, reason, ulbs_json, actor,"
      " declared_us) VALUES (?, ?, ?, ?, ?, ?, ?)",
      {Str(o, "id"), Str(o, "from"), Str(o, "to"), Str(o, "reason"), text, e.actor, e.time_us});
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
  // pt_account and pt_demands are kept in their keys' B-trees alone (WITHOUT ROWID): the yearly
  // demand inserts a million properties' rows at once, and a rowid table costs a second B-tree
  // insert for each row (the table and its key's index). Files made by earlier builds have
  // rowid tables until schema migration 2 (ledger/migrations.cc) converts them.
  p.AddTable("pt_account",
             "CREATE TABLE IF NOT EXISTS pt_account(property_id TEXT NOT NULL, fy TEXT NOT NULL,"
             " head TEXT NOT NULL, demanded_paise INTEGER NOT NULL,"
             " principal_paid_paise INTEGER NOT NULL, rebate_granted_paise INTEGER NOT NULL,"
             " surcharge_levied_paise INTEGER NOT NULL, surcharge_paid_paise INTEGER NOT NULL,"
             " surcharge_waived_paise INTEGER NOT NULL, PRIMARY KEY (property_id, fy, head))"
             " WITHOUT ROWID",
             "property_id, fy, head");
  // pt_advance likewise, since schema migration 3: a payment that leaves an advance writes one
  // B-tree, not two.
  p.AddTable("pt_advance",
             "CREATE TABLE IF NOT EXISTS pt_advance(property_id TEXT PRIMARY KEY,"
             " advance_paise INTEGER NOT NULL) WITHOUT ROWID",
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
             " raised_us INTEGER NOT NULL, PRIMARY KEY (property_id, fy)) WITHOUT ROWID;"
             "CREATE INDEX IF NOT EXISTS pt_demands_by_fy ON pt_demands(fy)",
             "property_id, fy");
  p.OnEvent(kRatesSet, ApplyRatesSet);
  p.OnEvent(kAssessmentFiled, ApplyAssessmentFiled);
  p.OnEvent(kWaiverDeclared, ApplyWaiverDeclared);
  p.OnEvent(kOutageRecorded, ApplyOutageRecorded);
  RegisterDemandProjections(p);
}

void RegisterBillingStateProjections(ledger::Projections& p) {
  p.AddTable("pt_state_outages",
             "CREATE TABLE IF NOT EXISTS pt_state_outages(id TEXT PRIMARY KEY,"
             " from_date TEXT NOT NULL, to_date TEXT NOT NULL, reason TEXT NOT NULL,"
             " ulbs_json TEXT NOT NULL, actor TEXT NOT NULL, declared_us INTEGER NOT NULL)",
             "id");
  p.OnEvent(kOutageDeclared, ApplyOutageDeclared);
}

// ---------------------------------------------------------------------------------------------
// Reads

Result<std::vector<AccountLine>> LoadAccount(Transaction& tx, const std::string& property_id) {
  static const std::string sql =
      fmt::format("SELECT {} FROM pt_account WHERE property_id = ? ORDER BY fy", kAccountColumns);
  std::vector<AccountLine> out;
  Status bad = Status::OK();
  PALIKA_RETURN_IF_ERROR(tx.ForEach(sql, {property_id}, [&](const store::Row& r) {
    auto l = AccountLineFromRow(r, property_id);
    if (!l.ok()) {
      bad = l.status();
      return false;
    }
    out.push_back(std::move(*l));
    return true;
  }));
  PALIKA_RETURN_IF_ERROR(bad);
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

namespace {

// One stored rate-table row as parsed, and the exact text it was parsed from.
struct ParsedRow {
  std::string text;
  RateTable table;
};

// A set of rows as LoadRateTables returns them, and the parsed rows it was built from.
struct ParsedSet {
  std::vector<std::shared_ptr<const ParsedRow>> rows;
  RateTables tables;
};

}  // namespace

Result<RateTables> LoadRateTables(Transaction& tx) {
  // Every payment reads the whole set. Parsed rows are found by what the database says of each
  // row, (fy, version, set_us), and a found one is used only if its text is byte for byte the
  // text stored now: so a table a rolled-back command wrote, a table of another ULB's database
  // or one altered outside the ledger can never be answered from the cache. Compared in place
  // (no copy, no hash of the texts); a set of rows all found shares its parsed tables instead of
  // copying a few hundred value rates per year. Bounded; thread-safe.
  static std::mutex mu;
  static std::unordered_map<std::string, std::shared_ptr<const ParsedRow>> parsed_rows;
  static std::unordered_map<std::string, std::shared_ptr<const ParsedSet>> parsed_sets;
  constexpr size_t kMaxCached = 256;
  std::vector<std::shared_ptr<const ParsedRow>> found;
  std::vector<std::pair<std::string, std::string>> unparsed;  // (fy, text) of rows not found
  std::vector<std::string> row_keys;
  std::string set_key;
  PALIKA_RETURN_IF_ERROR(tx.ForEach(
      "SELECT fy, version, set_us, table_json FROM pt_rate_tables ORDER BY fy", {},
      [&](const store::Row& r) {
        std::string row_key = fmt::format("{}\x1f{}\x1f{}", r.Text(0), r.Int(1), r.Int(2));
        const auto* text = std::get_if<std::string>(&r.at(3));
        std::shared_ptr<const ParsedRow> row;
        {
          std::lock_guard lock(mu);
          if (auto it = parsed_rows.find(row_key); it != parsed_rows.end()) row = it->second;
        }
        if (row && text && row->text == *text) {
          found.push_back(std::move(row));
        } else {
          found.emplace_back();
          unparsed.emplace_back(r.Text(0), r.Text(3));
        }
        set_key += row_key;
        set_key += '\x1e';
        row_keys.push_back(std::move(row_key));
        return true;
      }));
  if (unparsed.empty()) {
    std::lock_guard lock(mu);
    if (auto it = parsed_sets.find(set_key); it != parsed_sets.end() && it->second->rows == found) {
      return it->second->tables;
    }
  }
  // Parse what was not found (strictly: a row altered outside the ledger is Corruption).
  auto set = std::make_shared<ParsedSet>();
  auto tables = std::make_shared<std::vector<RateTable>>();
  tables->reserve(found.size());
  size_t next_unparsed = 0;
  for (size_t i = 0; i < found.size(); ++i) {
    if (!found[i]) {
      auto& [fy, text] = unparsed[next_unparsed++];
      PALIKA_ASSIGN_OR_RETURN(RateTable t, ParseRateTableRow(fy, text));
      found[i] = std::make_shared<const ParsedRow>(ParsedRow{std::move(text), std::move(t)});
      std::lock_guard lock(mu);
      if (parsed_rows.size() >= kMaxCached) parsed_rows.clear();
      parsed_rows.insert_or_assign(row_keys[i], found[i]);
    }
    tables->push_back(found[i]->table);
  }
  set->rows = std::move(found);
  set->tables = std::move(tables);
  std::lock_guard lock(mu);
  if (parsed_sets.size() >= kMaxCached) parsed_sets.clear();
  parsed_sets.insert_or_assign(std::move(set_key), set);
  return set->tables;
}

Result<std::optional<RateTable>> LoadRateTable(Transaction& tx, FinancialYear fy) {
  PALIKA_ASSIGN_OR_RETURN(
      auto r, tx.QueryOne("SELECT fy, table_json FROM pt_rate_tables WHERE fy = ?", {fy.Format()}));
  if (!r) return std::optional<RateTable>();
  PALIKA_ASSIGN_OR_RETURN(RateTable t, RateTableFromRow(r->Text(0), r->Text(1)));
  return std::optional<RateTable>(std::move(t));
}

Result<std::vector<Outage>> LoadOutages(Transaction& tx) {
  std::vector<Outage> out;
  Status bad = Status::OK();
  PALIKA_RETURN_IF_ERROR(
      tx.ForEach("SELECT id, from_date, to_date FROM pt_outages ORDER BY from_date, id", {},
                 [&](const store::Row& r) {
                   auto from = CivilDate::Parse(r.Text(1));
                   auto to = CivilDate::Parse(r.Text(2));
                   if (!from.ok() || !to.ok()) {
                     bad = BadRow("pt_outages", r.Text(0), "dates");
                     return false;
                   }
                   out.push_back({*from, *to});
                   return true;
                 }));
  PALIKA_RETURN_IF_ERROR(bad);
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
  return FoundPropertyDues(tx, property_id, on, online);
}

Result<Dues> FoundPropertyDues(Transaction& tx, const std::string& property_id, CivilDate on,
                               bool online) {
  PALIKA_ASSIGN_OR_RETURN(auto account, LoadAccount(tx, property_id));
  PALIKA_ASSIGN_OR_RETURN(RateTables rates, LoadRateTables(tx));
  DuesQuery q;
  q.on = on;
  q.online = online;
  PALIKA_ASSIGN_OR_RETURN(q.outages, LoadOutages(tx));
  PALIKA_ASSIGN_OR_RETURN(q.waiver, WaiverSchemeOn(tx, on));
  return ComputeDues(account, *rates, q);
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
  // Each line is changed in place and read back in the same statement (RETURNING), instead of
  // reading the whole account first: a line that does not fit fails the entry, and the caller
  // then rolls back what this entry wrote (the writer's savepoint; a replay stops there).
  const int64_t s = sign;
  for (const AllocationLine& l : allocation.lines) {
    std::optional<AccountLine> after;
    PALIKA_RETURN_IF_ERROR(
        tx.ForEach("UPDATE pt_account SET principal_paid_paise = principal_paid_paise + ?,"
                   " rebate_granted_paise = rebate_granted_paise + ?,"
                   " surcharge_levied_paise = surcharge_levied_paise + ?,"
                   " surcharge_paid_paise = surcharge_paid_paise + ?,"
                   " surcharge_waived_paise = surcharge_waived_paise + ?"
                   " WHERE property_id = ? AND fy = ? AND head = ?"
                   " RETURNING demanded_paise, principal_paid_paise, rebate_granted_paise,"
                   " surcharge_levied_paise, surcharge_paid_paise, surcharge_waived_paise",
                   {s * l.principal.paise(), s * l.rebate.paise(), s * l.surcharge_levied.paise(),
                    s * l.surcharge.paise(), s * l.waiver.paise(), property_id, l.fy.Format(),
                    std::string(HeadCode(l.head))},
                   [&](const store::Row& r) {
                     AccountLine a;
                     ReadAmounts(r, 0, a);
                     after = a;
                     return true;
                   }));
    if (!after) {
      return broken(fmt::format("it has no demand for {} {}", l.fy.Format(), HeadCode(l.head)));
    }
    for (Money m : {after->principal_paid, after->rebate_granted, after->surcharge_levied,
                    after->surcharge_paid, after->surcharge_waived}) {
      if (m.IsNegative()) {
        return broken(fmt::format("{} {} would go negative", l.fy.Format(), HeadCode(l.head)));
      }
    }
    if (after->principal_paid.paise() + after->rebate_granted.paise() > after->demanded.paise()) {
      return broken(
          fmt::format("{} {} would be settled beyond its demand", l.fy.Format(), HeadCode(l.head)));
    }
  }
  // No advance moves (most payments): the stored advance stays as it is, unread.
  if (allocation.advance.IsZero()) return Status::OK();
  PALIKA_ASSIGN_OR_RETURN(Money advance, LoadAdvance(tx, property_id));
  const int64_t new_advance = advance.paise() + sign * allocation.advance.paise();
  if (new_advance < 0) return broken("the advance would go negative");

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

// ---------------------------------------------------------------------------------------------
// Commands

namespace {

Status ReasonProblem() {
  return Status::InvalidArgument(
      "invalid_field",
      fmt::format("Field 'reason': say why (the resolution or order), 1 to {} characters.",
                  kMaxBillingReasonChars),
      fmt::format("फ़ील्ड 'reason': कारण लिखें (संकल्प या आदेश), 1 से {} वर्ण।", kMaxBillingReasonChars));
}

Status CheckReason(const std::string& reason) {
  const bool blank = reason.find_first_not_of(" \t\r\n") == std::string::npos;
  if (blank || !IsValidUtf8(reason) || Utf8Length(reason) > kMaxBillingReasonChars) {
    return ReasonProblem();
  }
  for (unsigned char c : reason) {
    if (c < 0x20) return ReasonProblem();
  }
  return Status::OK();
}

Status NoRateTable(FinancialYear fy) {
  return Status::NotFound(
      "rate_table_missing",
      fmt::format("There is no rate table for {} in this ULB. Set the year's rates first.",
                  fy.Format()),
      fmt::format("इस निकाय में {} की दर तालिका नहीं है। पहले वर्ष की दरें निर्धारित करें।", fy.Format()));
}

ledger::Command MakeCommand(const WriteContext& ctx, ledger::DecideFn decide) {
  ledger::Command c;
  c.actor = ctx.actor;
  c.idempotency_key = ctx.idempotency_key;
  c.request_hash = ctx.request_hash;
  c.decide = std::move(decide);
  return c;
}

Result<ReturnRecord> ReturnFromJson(const json::object& o) {
  try {
    ReturnRecord r;
    r.property_id = Str(o, "property_id");
    auto fy = FinancialYear::Parse(Str(o, "fy"));
    if (!fy.ok()) return fy.status();
    r.fy = *fy;
    r.revision = o.at("revision").as_int64();
    r.filed_by = Str(o, "filed_by");
    r.actor = Str(o, "actor");
    r.filed_us = o.at("filed_us").as_int64();
    r.assessment = o.at("assessment").as_object();
    return r;
  } catch (const std::exception& e) {
    return Status::Corruption(std::string("a stored return cannot be read: ") + e.what());
  }
}

Result<OutageRecord> OutageFromRow(const store::Row& r) {
  OutageRecord o;
  o.id = r.Text(0);
  auto from = CivilDate::Parse(r.Text(1));
  auto to = CivilDate::Parse(r.Text(2));
  auto ulbs = ParseJsonObject(r.Text(4));
  if (!from.ok() || !to.ok() || !ulbs.ok()) return BadRow("pt_state_outages", o.id, "fields");
  o.from = *from;
  o.to = *to;
  o.reason = r.Text(3);
  try {
    o.all_ulbs = ulbs->at("scope").as_string() == "all";
    for (const auto& u : ulbs->at("ulbs").as_array()) o.ulbs.emplace_back(u.as_string());
  } catch (const std::exception&) {
    return BadRow("pt_state_outages", o.id, "ulbs_json");
  }
  o.declared_us = r.Int(6);
  return o;
}

Result<std::vector<OutageRecord>> LoadStateOutages(Transaction& tx) {
  PALIKA_ASSIGN_OR_RETURN(
      auto rows, tx.Query("SELECT id, from_date, to_date, reason, ulbs_json, actor, declared_us"
                          " FROM pt_state_outages ORDER BY id"));
  std::vector<OutageRecord> out;
  for (const auto& r : rows) {
    PALIKA_ASSIGN_OR_RETURN(OutageRecord o, OutageFromRow(r));
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace

json::object ReturnJson(const ReturnRecord& r) {
  return {{"property_id", r.property_id},
          {"fy", r.fy.Format()},
          {"revision", r.revision},
          {"filed_by", r.filed_by},
          {"actor", r.actor},
          {"filed_us", r.filed_us},
          {"filed_at", FormatUtcMicros(r.filed_us)},
          {"assessment", r.assessment}};
}

json::object OutageJson(const OutageRecord& o) {
  json::array ulbs;
  for (const auto& u : o.ulbs) ulbs.emplace_back(u);
  return {{"id", o.id},
          {"from", o.from.Format()},
          {"to", o.to.Format()},
          {"days", o.from.DaysUntil(o.to) + 1},
          {"reason", o.reason},
          {"scope", o.all_ulbs ? "all" : "listed"},
          {"ulbs", std::move(ulbs)},
          {"declared_at", FormatUtcMicros(o.declared_us)}};
}

Result<ReturnInput> ReturnInputFromJson(const std::string& property_id, const json::object& body) {
  detail::FieldReader r(body, "");
  ReturnInput in;
  in.property_id = property_id;
  PALIKA_ASSIGN_OR_RETURN(in.fy, r.Year("fy"));
  PALIKA_ASSIGN_OR_RETURN(in.filed_by, r.String("filed_by", 10));
  if (in.filed_by != "owner" && in.filed_by != "staff") {
    return detail::FieldError("filed_by", "must be \"owner\" or \"staff\".",
                              "\"owner\" या \"staff\" होना चाहिए।");
  }
  if (body.contains("zone")) {
    PALIKA_ASSIGN_OR_RETURN(in.zone, r.String("zone", kMaxRateZoneChars));
  }
  if (body.contains("floors")) {
    PALIKA_ASSIGN_OR_RETURN(const json::array* floors, r.Array("floors", kMaxReturnFloors));
    std::vector<FloorInput> list;
    for (size_t i = 0; i < floors->size(); ++i) {
      PALIKA_ASSIGN_OR_RETURN(const json::object* f, detail::ElementObject(*floors, i, "floors"));
      detail::FieldReader fr(*f, fmt::format("floors[{}]", i));
      FloorInput floor;
      PALIKA_ASSIGN_OR_RETURN(floor.floor, fr.Int("floor", -10, 200));
      PALIKA_ASSIGN_OR_RETURN(floor.built_up_sqft, fr.Int("built_up_sqft", 1, kMaxAreaSqft));
      PALIKA_ASSIGN_OR_RETURN(floor.construction, fr.String("construction", 20));
      PALIKA_ASSIGN_OR_RETURN(floor.use, fr.String("use", 20));
      PALIKA_ASSIGN_OR_RETURN(floor.occupancy, fr.String("occupancy", 20));
      PALIKA_RETURN_IF_ERROR(fr.Finish());
      list.push_back(std::move(floor));
    }
    in.floors = std::move(list);
  }
  PALIKA_RETURN_IF_ERROR(r.Finish());
  return in;
}

Result<OutageDeclaration> OutageDeclarationFromJson(const json::object& body) {
  detail::FieldReader r(body, "");
  OutageDeclaration d;
  PALIKA_ASSIGN_OR_RETURN(d.from, r.Date("from"));
  PALIKA_ASSIGN_OR_RETURN(d.to, r.Date("to"));
  PALIKA_ASSIGN_OR_RETURN(d.reason, r.String("reason", kMaxBillingReasonChars));
  const json::value* ulbs = body.if_contains("ulbs");
  if (ulbs && !(ulbs->is_string() && ulbs->as_string() == "all")) {
    PALIKA_ASSIGN_OR_RETURN(const json::array* list, r.Array("ulbs", 1000));
    if (list->empty()) {
      return detail::FieldError("ulbs", "list at least one ULB code, or say \"all\".",
                                "कम से कम एक निकाय कोड दें, या \"all\" लिखें।");
    }
    for (size_t i = 0; i < list->size(); ++i) {
      PALIKA_ASSIGN_OR_RETURN(std::string code, detail::ElementString(*list, i, "ulbs", 10));
      d.ulbs.push_back(std::move(code));
    }
  } else if (ulbs) {
    (void)r.String("ulbs", 3);  // "all": marks the field as read
  }
  PALIKA_RETURN_IF_ERROR(r.Finish());
  return d;
}

Result<SetRatesResult> Billing::SetRates(const std::string& ulb, const WriteContext& ctx,
                                         const RateTable& table, const std::string& reason) {
  PALIKA_RETURN_IF_ERROR(ValidateRateTable(table));
  PALIKA_RETURN_IF_ERROR(CheckReason(reason));
  PALIKA_ASSIGN_OR_RETURN(ledger::Ledger * l, ledgers_.Ulb(ulb));
  const json::object table_json = RateTableToJson(table);
  PALIKA_ASSIGN_OR_RETURN(std::string canonical, CanonicalJson(table_json));
  auto r = l->Submit(MakeCommand(ctx, [=](Transaction& tx, int64_t) -> Result<Decision> {
    // Strictly again, from the form the event carries: what is recorded is what was checked.
    PALIKA_RETURN_IF_ERROR(RateTableFromJson(table_json).status());
    const std::string fy = table.fy.Format();
    PALIKA_ASSIGN_OR_RETURN(
        auto current,
        tx.QueryOne("SELECT version, table_json FROM pt_rate_tables WHERE fy = ?", {fy}));
    const int64_t version = current ? current->Int(0) + 1 : 1;
    if (current && current->Text(1) == canonical) {
      return Decision{{},
                      json::object{{"fy", fy}, {"version", current->Int(0)}, {"changed", false}}};
    }
    Decision d;
    d.events.push_back({kRatesSet,
                        {{"v", kEventVersion},
                         {"fy", fy},
                         {"version", version},
                         {"reason", reason},
                         {"table", table_json}}});
    d.response = json::object{{"fy", fy}, {"version", version}, {"changed", true}};
    return d;
  }));
  if (!r.ok()) return r.status();
  const json::object& o = r->response.as_object();
  SetRatesResult out;
  out.fy = table.fy;
  out.version = o.at("version").as_int64();
  out.changed = o.at("changed").as_bool();
  out.replayed = r->replayed;
  return out;
}

Result<RateTableRecord> Billing::GetRates(const std::string& ulb, FinancialYear fy) {
  PALIKA_ASSIGN_OR_RETURN(ledger::Ledger * l, ledgers_.Ulb(ulb));
  std::optional<RateTableRecord> out;
  PALIKA_RETURN_IF_ERROR(l->Read([&](Transaction& tx) -> Status {
    PALIKA_ASSIGN_OR_RETURN(auto r,
                            tx.QueryOne("SELECT fy, table_json, version, reason, actor, set_us"
                                        " FROM pt_rate_tables WHERE fy = ?",
                                        {fy.Format()}));
    if (!r) return Status::OK();
    PALIKA_ASSIGN_OR_RETURN(RateTable t, RateTableFromRow(r->Text(0), r->Text(1)));
    out = RateTableRecord{std::move(t), r->Int(2), r->Text(3), r->Text(4), r->Int(5)};
    return Status::OK();
  }));
  if (!out) return NoRateTable(fy);
  return std::move(*out);
}

namespace {

Status CheckReturnInput(const ReturnInput& input) {
  if (input.filed_by != "owner" && input.filed_by != "staff") {
    return detail::FieldError("filed_by", "must be \"owner\" or \"staff\".",
                              "\"owner\" या \"staff\" होना चाहिए।");
  }
  if (input.floors && input.floors->size() > kMaxReturnFloors) {
    return detail::FieldError("floors", fmt::format("at most {} floors.", kMaxReturnFloors),
                              fmt::format("अधिकतम {} तल।", kMaxReturnFloors));
  }
  return Status::OK();
}

// The return priced as filing it would price it now: the property must exist, its demand for the
// year must not be raised yet, and the year must have a rate table.
Result<Assessment> PriceReturn(Transaction& tx, const ReturnInput& input) {
  const std::string& id = input.property_id;
  const std::string fy = input.fy.Format();
  PALIKA_ASSIGN_OR_RETURN(auto property, LoadProperty(tx, id));
  if (!property) return NoSuchProperty(id);
  PALIKA_ASSIGN_OR_RETURN(
      auto demand,
      tx.QueryOne("SELECT 1 FROM pt_demands WHERE property_id = ? AND fy = ?", {id, fy}));
  if (demand) {
    return Status::Conflict(
        "demand_already_raised",
        fmt::format("The {} demand of property {} is already raised, so a return for that "
                    "year can no longer change it. File the return for the next year, or ask "
                    "the revenue officer for a correction.",
                    fy, id),
        fmt::format("संपत्ति {} की {} की माँग पहले ही जारी हो चुकी है, इसलिए उस वर्ष का विवरण "
                    "अब उसे नहीं बदल सकता। अगले वर्ष का विवरण भरें, या सुधार के लिए राजस्व "
                    "अधिकारी से कहें।",
                    id, fy));
  }
  PALIKA_ASSIGN_OR_RETURN(std::optional<RateTable> table, LoadRateTable(tx, input.fy));
  if (!table) return NoRateTable(input.fy);
  AssessmentInput in;
  in.zone = input.zone.value_or(property->details.zone);
  in.plot_area_sqft = property->details.plot_area_sqft;
  if (input.floors) {
    in.floors = *input.floors;
  } else {
    for (const Floor& f : property->details.floors) {
      in.floors.push_back({f.floor, f.built_up_sqft, f.construction, f.use, f.occupancy});
    }
  }
  return Assess(in, *table);
}

}  // namespace

Result<Assessment> Billing::PreviewReturn(const std::string& ulb, const ReturnInput& input) {
  PALIKA_RETURN_IF_ERROR(CheckReturnInput(input));
  PALIKA_ASSIGN_OR_RETURN(ledger::Ledger * l, ledgers_.Ulb(ulb));
  std::optional<Assessment> out;
  PALIKA_RETURN_IF_ERROR(l->Read([&](Transaction& tx) -> Status {
    PALIKA_ASSIGN_OR_RETURN(out, PriceReturn(tx, input));
    return Status::OK();
  }));
  return std::move(*out);
}

Result<ReturnRecord> Billing::FileReturn(const std::string& ulb, const WriteContext& ctx,
                                         const ReturnInput& input) {
  PALIKA_RETURN_IF_ERROR(CheckReturnInput(input));
  PALIKA_ASSIGN_OR_RETURN(ledger::Ledger * l, ledgers_.Ulb(ulb));
  auto r = l->Submit(MakeCommand(ctx, [=](Transaction& tx, int64_t now_us) -> Result<Decision> {
    const std::string& id = input.property_id;
    const std::string fy = input.fy.Format();
    PALIKA_ASSIGN_OR_RETURN(Assessment assessment, PriceReturn(tx, input));
    PALIKA_ASSIGN_OR_RETURN(auto last,
                            tx.QueryOne("SELECT MAX(revision) FROM pt_returns WHERE property_id = ?"
                                        " AND fy = ?",
                                        {id, fy}));
    ReturnRecord rec;
    rec.property_id = id;
    rec.fy = input.fy;
    rec.revision = last && !last->IsNull(0) ? last->Int(0) + 1 : 1;
    rec.filed_by = input.filed_by;
    rec.actor = ctx.actor;
    rec.filed_us = now_us;
    rec.assessment = AssessmentToJson(assessment);
    Decision d;
    d.events.push_back({kAssessmentFiled,
                        {{"v", kEventVersion},
                         {"property_id", id},
                         {"fy", fy},
                         {"revision", rec.revision},
                         {"filed_by", rec.filed_by},
                         {"assessment", rec.assessment}}});
    d.response = ReturnJson(rec);
    return d;
  }));
  if (!r.ok()) return r.status();
  return ReturnFromJson(r->response.as_object());
}

Result<std::vector<ReturnRecord>> Billing::Returns(const std::string& ulb,
                                                   const std::string& property_id,
                                                   std::optional<FinancialYear> fy) {
  PALIKA_ASSIGN_OR_RETURN(ledger::Ledger * l, ledgers_.Ulb(ulb));
  std::vector<ReturnRecord> out;
  PALIKA_RETURN_IF_ERROR(l->Read([&](Transaction& tx) -> Status {
    PALIKA_ASSIGN_OR_RETURN(auto exists,
                            tx.QueryOne("SELECT 1 FROM properties WHERE id = ?", {property_id}));
    if (!exists) return NoSuchProperty(property_id);
    std::string sql =
        "SELECT fy, revision, filed_by, actor, filed_us, assessment_json FROM pt_returns"
        " WHERE property_id = ?";
    std::vector<store::Value> params{property_id};
    if (fy) {
      sql += " AND fy = ?";
      params.emplace_back(fy->Format());
    }
    sql += " ORDER BY fy, revision";
    PALIKA_ASSIGN_OR_RETURN(auto rows, tx.Query(sql, params));
    for (const auto& row : rows) {
      ReturnRecord rec;
      rec.property_id = property_id;
      auto year = FinancialYear::Parse(row.Text(0));
      auto assessment = ParseJsonObject(row.Text(5));
      if (!year.ok() || !assessment.ok()) return BadRow("pt_returns", property_id, "fields");
      rec.fy = *year;
      rec.revision = row.Int(1);
      rec.filed_by = row.Text(2);
      rec.actor = row.Text(3);
      rec.filed_us = row.Int(4);
      rec.assessment = std::move(*assessment);
      out.push_back(std::move(rec));
    }
    return Status::OK();
  }));
  return out;
}

Result<WaiverRecord> Billing::DeclareWaiver(const std::string& ulb, const WriteContext& ctx,
                                            const WaiverScheme& scheme) {
  PALIKA_RETURN_IF_ERROR(ValidateWaiverScheme(scheme));
  PALIKA_ASSIGN_OR_RETURN(ledger::Ledger * l, ledgers_.Ulb(ulb));
  const json::object scheme_json = WaiverSchemeToJson(scheme);
  auto r = l->Submit(MakeCommand(ctx, [=](Transaction& tx, int64_t now_us) -> Result<Decision> {
    PALIKA_RETURN_IF_ERROR(WaiverSchemeFromJson(scheme_json).status());
    PALIKA_ASSIGN_OR_RETURN(
        auto overlap, tx.QueryOne("SELECT name, from_date, to_date FROM pt_waiver_schemes"
                                  " WHERE from_date <= ? AND to_date >= ? ORDER BY id LIMIT 1",
                                  {scheme.to.Format(), scheme.from.Format()}));
    if (overlap) {
      return Status::Conflict(
          "waiver_overlaps",
          fmt::format("The scheme '{}' already runs from {} to {}; a ULB's waiver schemes may not "
                      "overlap. Choose other dates.",
                      overlap->Text(0), overlap->Text(1), overlap->Text(2)),
          fmt::format("योजना '{}' पहले से {} से {} तक चल रही है; निकाय की छूट योजनाएँ एक-दूसरे पर "
                      "नहीं पड़ सकतीं। अन्य तिथियाँ चुनें।",
                      overlap->Text(0), overlap->Text(1), overlap->Text(2)));
    }
    PALIKA_ASSIGN_OR_RETURN(auto last, tx.QueryOne("SELECT MAX(id) FROM pt_waiver_schemes"));
    const int64_t id = last && !last->IsNull(0) ? last->Int(0) + 1 : 1;
    Decision d;
    d.events.push_back(
        {kWaiverDeclared, {{"v", kEventVersion}, {"id", id}, {"scheme", scheme_json}}});
    d.response = json::object{{"id", id}, {"declared_us", now_us}};
    return d;
  }));
  if (!r.ok()) return r.status();
  const json::object& o = r->response.as_object();
  return WaiverRecord{o.at("id").as_int64(), scheme, ctx.actor, o.at("declared_us").as_int64()};
}

Result<std::vector<WaiverRecord>> Billing::Waivers(const std::string& ulb) {
  PALIKA_ASSIGN_OR_RETURN(ledger::Ledger * l, ledgers_.Ulb(ulb));
  std::vector<WaiverRecord> out;
  PALIKA_RETURN_IF_ERROR(l->Read([&](Transaction& tx) -> Status {
    PALIKA_ASSIGN_OR_RETURN(
        auto rows,
        tx.Query("SELECT id, scheme_json, actor, declared_us FROM pt_waiver_schemes ORDER BY id"));
    for (const auto& row : rows) {
      PALIKA_ASSIGN_OR_RETURN(WaiverScheme s, WaiverFromRow(row.Text(0), row.Text(1)));
      out.push_back({row.Int(0), std::move(s), row.Text(2), row.Int(3)});
    }
    return Status::OK();
  }));
  return out;
}

Result<OutageRecord> Billing::DeclareOutage(const WriteContext& ctx, const OutageDeclaration& in) {
  if (in.to < in.from) {
    return Status::InvalidArgument("invalid_outage",
                                   fmt::format("The outage ends ({}) before it begins ({}).",
                                               in.to.Format(), in.from.Format()),
                                   fmt::format("बंदी शुरू होने ({}) से पहले समाप्त ({}) हो रही है।",
                                               in.from.Format(), in.to.Format()));
  }
  if (in.from.DaysUntil(in.to) + 1 > kMaxOutageDays) {
    return Status::InvalidArgument(
        "invalid_outage",
        fmt::format("An outage may be at most {} days long; declare a longer one in parts, "
                    "each with its order.",
                    kMaxOutageDays),
        fmt::format("बंदी अधिकतम {} दिन की हो सकती है; लंबी बंदी को भागों में, हर भाग के आदेश के "
                    "साथ, घोषित करें।",
                    kMaxOutageDays));
  }
  PALIKA_RETURN_IF_ERROR(CheckReason(in.reason));
  auto r = ledgers_.state().Submit(
      MakeCommand(ctx, [=](Transaction& tx, int64_t now_us) -> Result<Decision> {
        std::vector<std::string> ulbs;
        if (in.ulbs.empty()) {
          PALIKA_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT code FROM ulbs ORDER BY code"));
          for (const auto& row : rows) ulbs.push_back(row.Text(0));
        } else {
          for (const auto& code : in.ulbs) {
            PALIKA_ASSIGN_OR_RETURN(auto u,
                                    tx.QueryOne("SELECT 1 FROM ulbs WHERE code = ?", {code}));
            if (!u) {
              return Status::NotFound(
                  "ulb_not_found",
                  fmt::format("There is no ULB {}; check the code (palika ulb list).", code),
                  fmt::format("निकाय {} नहीं है; कोड जाँचें।", code));
            }
            if (std::find(ulbs.begin(), ulbs.end(), code) == ulbs.end()) ulbs.push_back(code);
          }
          std::sort(ulbs.begin(), ulbs.end());
        }
        PALIKA_ASSIGN_OR_RETURN(auto count, tx.QueryOne("SELECT COUNT(*) FROM pt_state_outages"));
        OutageRecord o;
        o.id = fmt::format("OUT-{:04d}", (count ? count->Int(0) : 0) + 1);
        o.from = in.from;
        o.to = in.to;
        o.reason = in.reason;
        o.all_ulbs = in.ulbs.empty();
        o.ulbs = ulbs;
        o.declared_us = now_us;
        json::array codes;
        for (const auto& c : ulbs) codes.emplace_back(c);
        Decision d;
        d.events.push_back({kOutageDeclared,
                            {{"v", kEventVersion},
                             {"id", o.id},
                             {"from", o.from.Format()},
                             {"to", o.to.Format()},
                             {"reason", o.reason},
                             {"scope", o.all_ulbs ? "all" : "listed"},
                             {"ulbs", std::move(codes)}}});
        d.response = OutageJson(o);
        d.response.as_object()["declared_us"] = now_us;
        return d;
      }));
  if (!r.ok()) return r.status();
  // The copies: for this outage and any an earlier crash left uncopied. A copy that fails now is
  // retried by the next declare or `palika outage sync`; the declaration stands.
  (void)SyncOutages(ctx.actor);
  const json::object& o = r->response.as_object();
  OutageRecord out;
  out.id = Str(o, "id");
  out.from = in.from;
  out.to = in.to;
  out.reason = in.reason;
  out.all_ulbs = Str(o, "scope") == "all";
  for (const auto& u : o.at("ulbs").as_array()) out.ulbs.emplace_back(u.as_string());
  out.declared_us = o.at("declared_us").as_int64();
  return out;
}

Result<std::vector<OutageRecord>> Billing::Outages() {
  std::vector<OutageRecord> out;
  PALIKA_RETURN_IF_ERROR(ledgers_.state().Read([&](Transaction& tx) -> Status {
    PALIKA_ASSIGN_OR_RETURN(out, LoadStateOutages(tx));
    return Status::OK();
  }));
  return out;
}

Result<int64_t> Billing::SyncOutages(const std::string& actor) {
  PALIKA_ASSIGN_OR_RETURN(std::vector<OutageRecord> outages, Outages());
  std::map<std::string, std::vector<const OutageRecord*>> by_ulb;
  for (const auto& o : outages) {
    for (const auto& u : o.ulbs) by_ulb[u].push_back(&o);
  }
  int64_t copied = 0;
  Status first_error;
  for (const auto& [code, list] : by_ulb) {
    auto l = ledgers_.Ulb(code);
    if (!l.ok()) {
      if (first_error.ok()) first_error = l.status();
      continue;
    }
    ledger::Command c;
    c.actor = actor;
    c.decide = [&list](Transaction& tx, int64_t) -> Result<Decision> {
      Decision d;
      for (const OutageRecord* o : list) {
        PALIKA_ASSIGN_OR_RETURN(auto have,
                                tx.QueryOne("SELECT 1 FROM pt_outages WHERE id = ?", {o->id}));
        if (have) continue;
        d.events.push_back({kOutageRecorded,
                            {{"v", kEventVersion},
                             {"id", o->id},
                             {"from", o->from.Format()},
                             {"to", o->to.Format()},
                             {"reason", o->reason}}});
      }
      d.response = static_cast<int64_t>(d.events.size());
      return d;
    };
    auto r = (*l)->Submit(std::move(c));
    if (!r.ok()) {
      if (first_error.ok()) first_error = r.status();
      continue;
    }
    copied += r->response.as_int64();
  }
  if (!first_error.ok()) return first_error;
  return copied;
}

Result<Dues> Billing::DuesOf(const std::string& ulb, const std::string& property_id, CivilDate on,
                             bool online) {
  PALIKA_ASSIGN_OR_RETURN(ledger::Ledger * l, ledgers_.Ulb(ulb));
  std::optional<Dues> out;
  PALIKA_RETURN_IF_ERROR(l->Read([&](Transaction& tx) -> Status {
    PALIKA_ASSIGN_OR_RETURN(out, PropertyDues(tx, property_id, on, online));
    return Status::OK();
  }));
  return std::move(*out);
}

Status LoadDemoBilling(ledger::LedgerSet& ledgers, const std::string& ulb,
                       const std::string& actor) {
  Billing billing(ledgers);
  const WriteContext ctx{actor, "", ""};
  for (const char* year : {"2025-26", "2026-27"}) {
    const FinancialYear fy = *FinancialYear::Parse(year);
    PALIKA_RETURN_IF_ERROR(
        billing.SetRates(ulb, ctx, DemoRateTable(fy), "Demo rates (DOMAIN.md figures)").status());
    PALIKA_RETURN_IF_ERROR(RaiseDemand(ledgers, ulb, actor, fy).status());
  }
  return Status::OK();
}

}  // namespace palika::property_tax
