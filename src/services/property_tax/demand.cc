#include "services/property_tax/demand.h"

#include <fmt/format.h>
#include <pthread.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include "core/json.h"
#include "services/accounts/journal.h"
#include "services/property_tax/allocation.h"
#include "services/property_tax/assessment.h"
#include "services/property_tax/billing.h"

namespace palika::property_tax {
namespace json = boost::json;
using ledger::Decision;
using ledger::Entry;
using ledger::Event;
using store::Transaction;

namespace {

constexpr char kRaised[] = "demand.raised";
constexpr int64_t kEventVersion = 1;       // one property (demand.h)
constexpr int64_t kBatchEventVersion = 2;  // a batch of properties
// Commands of one raise submitted at a time, and batches priced ahead of the writer (RaiseDemand).
constexpr int kCommandsInFlight = 2;
constexpr size_t kPricedAhead = 4;
// Priced batches in a row found stale after which the writer prices the rest itself.
constexpr int kMaxStalePriced = 4;

Status RateTableMissing(FinancialYear fy) {
  return Status::NotFound(
      "rate_table_missing",
      fmt::format("There is no rate table for {} in this ULB. Set the year's rates first "
                  "(palika rates set, or PUT /api/v1/ulbs/{{ulb}}/rates/{}).",
                  fy.Format(), fy.Format()),
      fmt::format("इस निकाय में {} की दर तालिका नहीं है। पहले वर्ष की दरें निर्धारित करें "
                  "(palika rates set, या PUT /api/v1/ulbs/{{ulb}}/rates/{})।",
                  fy.Format(), fy.Format()));
}

// One property's bill for the year: heads with a non-zero amount, in bill order.
struct Bill {
  Money annual_value;
  std::vector<std::pair<Head, Money>> heads;
  std::string source;  // "return" | "register"
};

Result<Bill> BillFromAssessmentJson(const std::string& property_id, const std::string& text) {
  auto broken = [&] {
    return Status::Corruption(
        fmt::format("pt_returns of property {} holds an assessment that cannot be read; run "
                    "`palika verify` on this ULB.",
                    property_id));
  };
  auto obj = ParseJsonObject(text);
  if (!obj.ok()) return broken();
  Bill bill;
  bill.source = "return";
  try {
    bill.annual_value = Money::FromPaise(obj->at("annual_value_paise").as_int64());
    for (const auto& v : obj->at("heads").as_array()) {
      const auto& h = v.as_object();
      auto head = HeadFromCode(std::string(h.at("head").as_string()));
      if (!head) return broken();
      const Money amount = Money::FromPaise(h.at("amount_paise").as_int64());
      if (!amount.IsZero()) bill.heads.emplace_back(*head, amount);
    }
  } catch (const std::exception&) {
    return broken();
  }
  return bill;
}

Bill BillFromAssessment(const Assessment& a) {
  Bill bill;
  bill.source = "register";
  bill.annual_value = a.annual_value;
  for (const auto& h : a.heads) {
    if (!h.amount.IsZero()) bill.heads.emplace_back(h.head, h.amount);
  }
  return bill;
}

// What a batch needs of each of its properties, read by one range scan of each table for the
// whole batch (a million properties in one ULB: a lookup per property and table cost more than
// pricing them).
struct BatchProperty {
  std::string id;
  int64_t num = 0;
  bool raised = false;               // the year's demand exists
  Money advance;                     // pt_advance (zero if none)
  std::optional<std::string> filed;  // the latest return's assessment_json for the year
  AssessmentInput register_input;    // the register's record as a return would state it
};

Result<std::vector<BatchProperty>> LoadBatch(Transaction& tx, const std::string& year,
                                             int64_t after_num, int64_t batch) {
  std::vector<BatchProperty> out;
  PALIKA_RETURN_IF_ERROR(
      tx.ForEach("SELECT id, num, zone, plot_area_sqft FROM properties WHERE num > ?"
                 " ORDER BY num LIMIT ?",
                 {after_num, batch}, [&](const store::Row& r) {
                   BatchProperty b;
                   b.id = r.Text(0);
                   b.num = r.Int(1);
                   b.register_input.zone = r.Text(2);
                   b.register_input.plot_area_sqft = r.Int(3);
                   out.push_back(std::move(b));
                   return true;
                 }));
  if (out.empty()) return out;
  // The batch's ids span [low, high] in text order (ids follow register order but for wards of
  // three digits, so the range may hold a few ids of other batches: rows are matched by id).
  std::unordered_map<std::string_view, BatchProperty*> by_id;
  by_id.reserve(out.size());
  std::string_view low = out.front().id, high = low;
  for (BatchProperty& b : out) {
    by_id.emplace(b.id, &b);
    low = std::min<std::string_view>(low, b.id);
    high = std::max<std::string_view>(high, b.id);
  }
  const std::vector<store::Value> range{std::string(low), std::string(high)};
  const std::vector<store::Value> range_year{std::string(low), std::string(high), year};
  auto find = [&](const store::Row& r) -> BatchProperty* {
    auto it = by_id.find(r.Text(0));
    return it == by_id.end() ? nullptr : it->second;
  };
  PALIKA_RETURN_IF_ERROR(tx.ForEach(
      "SELECT property_id FROM pt_demands WHERE fy = ?3 AND property_id BETWEEN ?1 AND ?2",
      range_year, [&](const store::Row& r) {
        if (BatchProperty* b = find(r)) b->raised = true;
        return true;
      }));
  PALIKA_RETURN_IF_ERROR(
      tx.ForEach("SELECT property_id, advance_paise FROM pt_advance"
                 " WHERE property_id BETWEEN ?1 AND ?2",
                 range, [&](const store::Row& r) {
                   if (BatchProperty* b = find(r)) b->advance = Money::FromPaise(r.Int(1));
                   return true;
                 }));
  // The latest revision last.
  PALIKA_RETURN_IF_ERROR(
      tx.ForEach("SELECT property_id, assessment_json FROM pt_returns"
                 " WHERE property_id BETWEEN ?1 AND ?2 AND fy = ?3 ORDER BY property_id, revision",
                 range_year, [&](const store::Row& r) {
                   if (BatchProperty* b = find(r)) b->filed = r.Text(1);
                   return true;
                 }));
  // Floors in register order (position).
  PALIKA_RETURN_IF_ERROR(tx.ForEach(
      "SELECT property_id, floor, built_up_sqft, construction, use_type, occupancy"
      " FROM property_floors WHERE property_id BETWEEN ?1 AND ?2 ORDER BY property_id, position",
      range, [&](const store::Row& f) {
        if (BatchProperty* b = find(f)) {
          b->register_input.floors.push_back({f.Int(1), f.Int(2), f.Text(3), f.Text(4), f.Text(5)});
        }
        return true;
      }));
  return out;
}

// What one batch command found and raised; the caller adds these up.
struct BatchOutcome {
  int64_t scanned = 0;
  int64_t last_num = 0;
  int64_t raised = 0;
  int64_t already = 0;
  Money total;
  std::vector<DemandFailure> failures;
};

// Decides the demand of the next `batch` properties after `after_num` (register key order).
Result<Decision> DecideBatch(Transaction& tx, int64_t now_us, FinancialYear fy, int64_t after_num,
                             int64_t batch, BatchOutcome& out) {
  out = BatchOutcome{};
  out.last_num = after_num;
  PALIKA_ASSIGN_OR_RETURN(std::optional<RateTable> table, LoadRateTable(tx, fy));
  if (!table) return RateTableMissing(fy);
  const std::string year = fy.Format();
  PALIKA_ASSIGN_OR_RETURN(std::vector<BatchProperty> props, LoadBatch(tx, year, after_num, batch));
  // Read once per batch what crediting an advance needs.
  const CivilDate today = CivilDate::IstDateOfUtcMicros(now_us);
  RateTables rates;
  DuesQuery dues_query;
  dues_query.on = today;

  Decision d;
  // The demands without an advance, for the one batch event (demand.h); a property with an
  // advance gets an event of its own beside its journal.
  json::array demands;
  for (const BatchProperty& prop : props) {
    const std::string& id = prop.id;
    out.last_num = prop.num;
    ++out.scanned;
    if (prop.raised) {
      ++out.already;
      continue;
    }
    Bill bill;
    if (prop.filed) {
      PALIKA_ASSIGN_OR_RETURN(bill, BillFromAssessmentJson(id, *prop.filed));
    } else {
      auto assessed = Assess(prop.register_input, *table);
      if (!assessed.ok()) {
        out.failures.push_back({id, assessed.status()});
        continue;
      }
      bill = BillFromAssessment(*assessed);
    }
    Money total;
    for (const auto& [head, amount] : bill.heads) total += amount;
    const Money advance = prop.advance;
    if (advance.IsZero()) {
      json::array amounts;
      amounts.reserve(kAllHeads.size());
      for (Head head : kAllHeads) {
        int64_t paise = 0;
        for (const auto& [h, amount] : bill.heads) {
          if (h == head) paise = amount.paise();
        }
        amounts.push_back(paise);
      }
      demands.push_back(json::array{json::string(id), bill.annual_value.paise(),
                                    json::string(bill.source), std::move(amounts)});
      ++out.raised;
      out.total += total;
      continue;
    }
    json::array heads;
    for (const auto& [head, amount] : bill.heads) {
      heads.push_back(json::object{{"head", HeadCode(head)}, {"amount_paise", amount.paise()}});
    }
    json::object payload{{"v", kEventVersion},
                         {"property_id", id},
                         {"fy", year},
                         {"annual_value_paise", bill.annual_value.paise()},
                         {"heads", std::move(heads)},
                         {"source", bill.source}};
    // An advance is credited to the new demand as a payment made today (allocation.h), and the
    // books follow: the advance held (a liability) becomes the heads it settled.
    std::optional<ledger::Event> journal;
    if (!rates) {
      PALIKA_ASSIGN_OR_RETURN(rates, LoadRateTables(tx));
      PALIKA_ASSIGN_OR_RETURN(dues_query.outages, LoadOutages(tx));
      PALIKA_ASSIGN_OR_RETURN(dues_query.waiver, WaiverSchemeOn(tx, today));
    }
    PALIKA_ASSIGN_OR_RETURN(std::vector<AccountLine> account, LoadAccount(tx, id));
    for (const auto& [head, amount] : bill.heads) {
      AccountLine l;
      l.fy = fy;
      l.head = head;
      l.demanded = amount;
      account.push_back(l);
    }
    auto dues = ComputeDues(account, *rates, dues_query);
    if (!dues.ok()) {
      out.failures.push_back({id, dues.status()});
      continue;
    }
    PALIKA_ASSIGN_OR_RETURN(Allocation applied, ApplyAdvance(*dues, advance));
    payload["advance_applied"] = AllocationToJson(applied);
    if (!applied.lines.empty()) {
      PALIKA_ASSIGN_OR_RETURN(journal, accounts::JournalEvent(accounts::AdvanceAdjustmentJournal(
                                           applied, today, "demand " + year + " " + id)));
    }
    d.events.push_back({kRaised, std::move(payload)});
    if (journal) d.events.push_back(std::move(*journal));
    ++out.raised;
    out.total += total;
  }
  if (!demands.empty()) {
    json::array heads;
    for (Head head : kAllHeads) heads.push_back(json::string(HeadCode(head)));
    d.events.push_back({kRaised,
                        {{"v", kBatchEventVersion},
                         {"fy", year},
                         {"heads", std::move(heads)},
                         {"demands", std::move(demands)}}});
  }
  d.response = nullptr;
  return d;
}

// One property's demand: its pt_account rows (the heads with an amount) and its pt_demands row.
// `heads` are (head code, paise) in bill order.
Status InsertDemand(Transaction& tx, const std::string& id, const std::string& fy,
                    int64_t annual_value, const std::string& source,
                    const std::vector<std::pair<std::string, int64_t>>& heads,
                    int64_t advance_applied, int64_t raised_us) {
  int64_t total = 0;
  // Every head's account row in one statement (a demand has at most a handful of heads).
  std::vector<store::Value> params;
  params.reserve(heads.size() * 4);
  for (const auto& [head, amount] : heads) {
    total += amount;
    params.insert(params.end(), {id, fy, head, amount});
  }
  if (!heads.empty()) {
    std::string sql =
        "INSERT INTO pt_account(property_id, fy, head, demanded_paise, principal_paid_paise,"
        " rebate_granted_paise, surcharge_levied_paise, surcharge_paid_paise,"
        " surcharge_waived_paise) VALUES ";
    for (size_t i = 0; i < heads.size(); ++i)
      sql += i ? ", (?, ?, ?, ?, 0, 0, 0, 0, 0)" : "(?, ?, ?, ?, 0, 0, 0, 0, 0)";
    PALIKA_RETURN_IF_ERROR(tx.Exec(sql, params));
  }
  return tx.Exec(
      "INSERT INTO pt_demands(property_id, fy, annual_value_paise, total_paise, source,"
      " advance_applied_paise, raised_us) VALUES (?, ?, ?, ?, ?, ?, ?)",
      {id, fy, annual_value, total, source, advance_applied, raised_us});
}

// Version 1: one property, possibly with an advance credited.
Status ApplyRaisedOne(Transaction& tx, const Entry& e, const json::object& o) {
  const std::string id(o.at("property_id").as_string());
  const std::string fy(o.at("fy").as_string());
  std::vector<std::pair<std::string, int64_t>> heads;
  for (const auto& v : o.at("heads").as_array()) {
    const auto& h = v.as_object();
    heads.emplace_back(std::string(h.at("head").as_string()), h.at("amount_paise").as_int64());
  }
  int64_t advance_applied = 0;
  if (const auto* a = o.if_contains("advance_applied")) {
    auto allocation = AllocationFromJson(a->as_object());
    if (!allocation.ok()) {
      return Status::Corruption(fmt::format("entry {} ({}): advance_applied: {}", e.seq, e.type,
                                            allocation.status().message()));
    }
    // The advance is spent on the allocation; what it leaves over is the advance again.
    advance_applied = allocation->amount.paise() - allocation->advance.paise();
    PALIKA_ASSIGN_OR_RETURN(Money held, LoadAdvance(tx, id));
    if (held.paise() < allocation->amount.paise()) {
      return Status::Corruption(
          fmt::format("entry {} ({}) credits an advance of {} paise to property {}, which holds {}",
                      e.seq, e.type, allocation->amount.paise(), id, held.paise()));
    }
    const int64_t rest = held.paise() - allocation->amount.paise();
    if (rest == 0) {
      PALIKA_RETURN_IF_ERROR(tx.Exec("DELETE FROM pt_advance WHERE property_id = ?", {id}));
    } else {
      PALIKA_RETURN_IF_ERROR(
          tx.Exec("UPDATE pt_advance SET advance_paise = ? WHERE property_id = ?", {rest, id}));
    }
    // The head rows first: the allocation settles them.
    PALIKA_RETURN_IF_ERROR(InsertDemand(tx, id, fy, o.at("annual_value_paise").as_int64(),
                                        std::string(o.at("source").as_string()), heads,
                                        advance_applied, e.time_us));
    return ApplyAllocation(tx, id, *allocation, +1);
  }
  return InsertDemand(tx, id, fy, o.at("annual_value_paise").as_int64(),
                      std::string(o.at("source").as_string()), heads, advance_applied, e.time_us);
}

// Rows for one table, inserted `kRows` to a statement (a batch holds hundreds of demands; one
// statement per row costs more than the insert itself), the rest by Flush.
class RowInserter {
 public:
  static constexpr size_t kRows = 64;
  // `insert` is "INSERT INTO t(columns) VALUES " and `values` one row's "(?, ?, 0)" with
  // `params` parameters.
  RowInserter(Transaction& tx, std::string_view insert, std::string_view values, size_t params)
      : tx_(tx), params_(params), insert_(insert), values_(values), many_(Statement(kRows)) {
    pending_.reserve(kRows * params_);
  }

  // One row's parameters, in order.
  Status Add(std::initializer_list<store::Value> row) {
    pending_.insert(pending_.end(), row);
    if (pending_.size() < kRows * params_) return Status::OK();
    Status s = tx_.Exec(many_, pending_);
    pending_.clear();
    return s;
  }

  // The rows left, in statements of 32, 16, ... 1 rows (six statements at most, each prepared
  // once: one statement a row cost a batch of 500 demands ~4% of the writer).
  Status Flush() {
    std::vector<store::Value> rows;
    size_t at = 0;
    for (size_t n = kRows / 2; n > 0; n /= 2) {
      if ((pending_.size() - at) / params_ < n) continue;
      rows.assign(pending_.begin() + static_cast<std::ptrdiff_t>(at),
                  pending_.begin() + static_cast<std::ptrdiff_t>(at + n * params_));
      PALIKA_RETURN_IF_ERROR(tx_.Exec(Statement(n), rows));
      at += n * params_;
    }
    pending_.clear();
    return Status::OK();
  }

 private:
  std::string Statement(size_t rows) const {
    std::string sql = insert_;
    for (size_t i = 0; i < rows; ++i) {
      if (i) sql += ", ";
      sql += values_;
    }
    return sql;
  }

  Transaction& tx_;
  const size_t params_;
  const std::string insert_;
  const std::string values_;
  std::string many_;
  std::vector<store::Value> pending_;
};

// Version 2: a batch of properties without an advance. The same rows as InsertDemand writes for
// each, in the same order within each table.
Status ApplyRaisedBatch(Transaction& tx, const Entry& e, const json::object& o) {
  auto broken = [&](const std::string& why) {
    return Status::Corruption(fmt::format("entry {} ({}): {}", e.seq, e.type, why));
  };
  const std::string fy(o.at("fy").as_string());
  std::vector<std::string> head_codes;
  for (const auto& h : o.at("heads").as_array()) {
    std::string code(h.as_string());
    if (!HeadFromCode(code)) return broken("unknown head " + code);
    head_codes.push_back(std::move(code));
  }
  RowInserter accounts(tx,
                       "INSERT INTO pt_account(property_id, fy, head, demanded_paise,"
                       " principal_paid_paise, rebate_granted_paise, surcharge_levied_paise,"
                       " surcharge_paid_paise, surcharge_waived_paise) VALUES ",
                       "(?, ?, ?, ?, 0, 0, 0, 0, 0)", 4);
  RowInserter demands(tx,
                      "INSERT INTO pt_demands(property_id, fy, annual_value_paise, total_paise,"
                      " source, advance_applied_paise, raised_us) VALUES ",
                      "(?, ?, ?, ?, ?, 0, ?)", 6);
  for (const auto& v : o.at("demands").as_array()) {
    const json::array& row = v.as_array();
    if (row.size() != 4)
      return broken("a demand is not [property_id, annual_value, source, amounts]");
    const std::string id(row[0].as_string());
    const std::string source(row[2].as_string());
    if (source != "return" && source != "register") return broken("unknown source " + source);
    const json::array& amounts = row[3].as_array();
    if (amounts.size() != head_codes.size()) return broken("amounts do not match the heads");
    int64_t total = 0;
    for (size_t i = 0; i < amounts.size(); ++i) {
      const int64_t paise = amounts[i].as_int64();
      if (paise == 0) continue;
      total += paise;
      PALIKA_RETURN_IF_ERROR(accounts.Add({id, fy, head_codes[i], paise}));
    }
    PALIKA_RETURN_IF_ERROR(demands.Add({id, fy, row[1].as_int64(), total, source, e.time_us}));
  }
  PALIKA_RETURN_IF_ERROR(accounts.Flush());
  return demands.Flush();
}

Status ApplyRaised(Transaction& tx, const Entry& e, const json::object& o) {
  const int64_t v = o.at("v").as_int64();
  if (v == kEventVersion) return ApplyRaisedOne(tx, e, o);
  if (v == kBatchEventVersion) return ApplyRaisedBatch(tx, e, o);
  return Status::Corruption(fmt::format(
      "entry {} ({}) has payload version {}, which this build does not know", e.seq, e.type, v));
}

}  // namespace

void RegisterDemandProjections(ledger::Projections& p) { p.OnEventObject(kRaised, ApplyRaised); }

json::object DemandRunJson(const DemandRun& run) {
  json::array failures;
  for (const auto& f : run.failures) {
    failures.push_back(json::object{{"property_id", f.property_id},
                                    {"code", f.why.code()},
                                    {"message", f.why.message()},
                                    {"message_hi", f.why.message_hi()}});
  }
  return {{"fy", run.fy.Format()},
          {"properties", run.properties},
          {"raised", run.raised},
          {"already_raised", run.already_raised},
          {"failed", run.failed},
          {"failures", std::move(failures)},
          {"total_paise", run.total.paise()}};
}

json::object DemandProgressJson(const DemandProgress& p) {
  return {{"fy", p.fy.Format()},
          {"properties", p.properties},
          {"raised", p.raised},
          {"total_demand_paise", p.total.paise()}};
}

namespace {

// A batch priced ahead of the writer on a read snapshot (RaiseDemand): DecideBatch's decision for
// the properties after `after`, as the writer would decide it if nothing but this raise's own
// entries were appended after the snapshot's last entry `seen_seq` and the day is still `today`.
struct PricedBatch {
  int64_t after = 0;
  int64_t seen_seq = 0;
  CivilDate today;
  Decision decision;
  BatchOutcome outcome;
  std::vector<std::string> payloads;  // each event's payload as the ledger stores it
};

// An entry one of this raise's commands appended (or was about to: a command that failed leaves
// none, and a later command may have taken its number).
struct OwnEntry {
  int64_t time_us = 0;
  std::string type;
  std::string payload;
};

const std::string* TextOf(const store::Value& v) { return std::get_if<std::string>(&v); }

// Whether every entry after `seen_seq` is one this raise wrote, byte for byte: then the state
// differs from the snapshot at `seen_seq` only by other batches' demands (batches never share a
// property), and what was priced on it is what pricing now would give. Sets `last_seq` to the
// last entry read.
Result<bool> OnlyOwnEntriesAfter(Transaction& tx, const std::string& origin,
                                 const std::string& actor, int64_t seen_seq,
                                 const std::map<int64_t, OwnEntry>& own, int64_t& last_seq) {
  bool own_only = true;
  last_seq = seen_seq;
  PALIKA_RETURN_IF_ERROR(tx.ForEach(
      "SELECT seq, time_us, actor, type, payload FROM ledger_entries WHERE origin = ? AND seq > ?"
      " ORDER BY seq",
      {origin, seen_seq}, [&](const store::Row& r) {
        auto it = own.find(r.Int(0));
        const std::string* row_actor = TextOf(r.at(2));
        const std::string* type = TextOf(r.at(3));
        const std::string* payload = TextOf(r.at(4));
        if (it == own.end() || r.Int(1) != it->second.time_us || !row_actor ||
            *row_actor != actor || !type || *type != it->second.type || !payload ||
            *payload != it->second.payload) {
          own_only = false;
          return false;
        }
        last_seq = r.Int(0);
        return true;
      }));
  return own_only;
}

}  // namespace

Result<DemandRun> RaiseDemand(ledger::LedgerSet& ledgers, const std::string& ulb,
                              const std::string& actor, FinancialYear fy,
                              const DemandOptions& options) {
  if (options.batch < 1 || options.batch > 5000) {
    return Status::InvalidArgument("invalid_field", "Field 'batch': must be 1 to 5000.",
                                   "फ़ील्ड 'batch': 1 से 5000 होना चाहिए।");
  }
  PALIKA_ASSIGN_OR_RETURN(ledger::Ledger * l, ledgers.Ulb(ulb));
  int64_t total_properties = 0;
  PALIKA_RETURN_IF_ERROR(l->Read([&](Transaction& tx) -> Status {
    PALIKA_ASSIGN_OR_RETURN(std::optional<RateTable> table, LoadRateTable(tx, fy));
    if (!table) return RateTableMissing(fy);
    PALIKA_ASSIGN_OR_RETURN(auto n, tx.QueryOne("SELECT COUNT(*) FROM properties"));
    total_properties = n ? n->Int(0) : 0;
    return Status::OK();
  }));
  // Two threads and the writer. A pricer thread prices the next batches (reading the register,
  // returns, advances and rates, and computing the bills: a third of the writer's work when it
  // did it) on read snapshots, up to kPricedAhead ahead. This thread keeps kCommandsInFlight
  // commands submitted, so that the writer decides the next batch while the last one's WAL is
  // synced (ledger.h). Each command's decide, on the writer, takes the batch after the one decided
  // before it (decides run one at a time, in order, so batches follow each other in register
  // order), and uses the priced one only if nothing but this raise's own entries was appended
  // since its snapshot (OnlyOwnEntriesAfter) on the same day; otherwise, and when nothing was
  // priced, it prices the batch itself with the same DecideBatch. Either way the writer's decide
  // returns the same events, and decide -> events -> apply stays the one write path.
  const int64_t batch = options.batch;
  std::mutex mu;
  std::condition_variable cv;
  // Guarded by mu, the writer's side: the last property a decided command took; whether a
  // command found fewer than a batch after it; the first command that failed.
  int64_t after = 0;
  bool ended = false;
  Status failed;
  // Guarded by mu, the pricer's side: batches priced, in order; the property the next one starts
  // after; whether it found the end (or could not read: the writer then prices the rest itself
  // and answers the error, if it persists); a count that changes when the writer discards what
  // was priced (its own pricing ended a batch elsewhere), so a batch priced meanwhile is dropped.
  std::deque<PricedBatch> priced;
  int64_t price_after = 0;
  bool pricer_ended = !options.price_ahead;
  bool pricer_broken = !options.price_ahead;
  bool stopping = false;
  uint64_t pricer_epoch = 0;
  // The writer's alone (decides run on it): the entries this raise appended after the oldest
  // snapshot a priced batch may still have been read at.
  std::map<int64_t, OwnEntry> own;
  int stale = 0;  // the writer's: priced batches in a row that were no longer current
  // Guarded by mu: the commands in flight and their answers.
  struct Slot {
    BatchOutcome out;
    bool decided = false;  // false: the command found the raise ended and did nothing
    bool priced_ahead = false;
    Status status;
  };
  int in_flight = 0;
  std::deque<std::shared_ptr<Slot>> answered;

  std::thread pricer([&] {
    (void)pthread_setname_np(pthread_self(), ("price-" + ulb).substr(0, 15).c_str());  // top -H
    for (;;) {
      {
        // Refilled from half empty: a new snapshot starts with a cold page cache (SQLite drops a
        // connection's cache when the file changed since its last read), so each prices several.
        std::unique_lock lk(mu);
        cv.wait(lk,
                [&] { return stopping || (!pricer_ended && priced.size() <= kPricedAhead / 2); });
        if (stopping) return;
      }
      Status s = l->Read([&](Transaction& tx) -> Status {
        // The last entry first: whatever the reads below see, nothing older is missed.
        PALIKA_ASSIGN_OR_RETURN(auto last,
                                tx.QueryOne("SELECT COALESCE(MAX(seq), 0) FROM ledger_entries"
                                            " WHERE origin = ?",
                                            {l->origin()}));
        for (;;) {
          PricedBatch p;
          uint64_t epoch = 0;
          {
            std::lock_guard lk(mu);
            if (stopping || pricer_ended || priced.size() >= kPricedAhead) return Status::OK();
            p.after = price_after;
            epoch = pricer_epoch;
          }
          p.seen_seq = last ? last->Int(0) : 0;
          const int64_t now_us = NowMicros();
          p.today = CivilDate::IstDateOfUtcMicros(now_us);
          PALIKA_ASSIGN_OR_RETURN(p.decision,
                                  DecideBatch(tx, now_us, fy, p.after, batch, p.outcome));
          for (const Event& e : p.decision.events) {
            PALIKA_ASSIGN_OR_RETURN(std::string text, CanonicalJson(e.payload));
            p.payloads.push_back(std::move(text));
          }
          std::lock_guard lk(mu);
          // Restarted meanwhile: what was priced follows a batch the writer did not decide.
          if (epoch != pricer_epoch) return Status::OK();
          price_after = p.outcome.last_num;
          if (p.outcome.scanned < batch) pricer_ended = true;
          priced.push_back(std::move(p));
        }
      });
      if (!s.ok()) {
        std::lock_guard lk(mu);
        pricer_ended = pricer_broken = true;
      }
    }
  });

  // Runs on the writer.
  auto decide = [&](Slot& slot, Transaction& tx, int64_t now_us) -> Result<Decision> {
    std::optional<PricedBatch> ahead;
    int64_t from = 0;
    bool pricing = false;
    {
      std::lock_guard lk(mu);
      if (ended || !failed.ok()) return Decision{};
      from = after;
      if (!priced.empty() && priced.front().after == from) {
        ahead = std::move(priced.front());
        priced.pop_front();
        cv.notify_all();
      }
      pricing = !pricer_broken;
    }
    BatchOutcome& out = slot.out;
    Decision d;
    std::vector<std::string> payloads;
    int64_t last_seq = 0;
    bool current = false;
    if (ahead && ahead->today == CivilDate::IstDateOfUtcMicros(now_us)) {
      PALIKA_ASSIGN_OR_RETURN(
          current, OnlyOwnEntriesAfter(tx, l->origin(), actor, ahead->seen_seq, own, last_seq));
    }
    if (ahead) stale = current ? 0 : stale + 1;
    if (current) {
      d = std::move(ahead->decision);
      out = std::move(ahead->outcome);
      payloads = std::move(ahead->payloads);
      slot.priced_ahead = true;
    } else {
      PALIKA_ASSIGN_OR_RETURN(d, DecideBatch(tx, now_us, fy, from, batch, out));
      if (pricing) {
        PALIKA_ASSIGN_OR_RETURN(auto last,
                                tx.QueryOne("SELECT COALESCE(MAX(seq), 0) FROM ledger_entries"
                                            " WHERE origin = ?",
                                            {l->origin()}));
        last_seq = last ? last->Int(0) : 0;
        for (const Event& e : d.events) {
          PALIKA_ASSIGN_OR_RETURN(std::string text, CanonicalJson(e.payload));
          payloads.push_back(std::move(text));
        }
      }
    }
    // Later batches are priced on snapshots at least as new as this one's.
    if (ahead) own.erase(own.begin(), own.upper_bound(ahead->seen_seq));
    if (pricing) {
      for (size_t i = 0; i < d.events.size(); ++i) {
        d.events[i].canonical = payloads[i];  // the writer need not serialise it again
        own[last_seq + 1 + static_cast<int64_t>(i)] =
            OwnEntry{now_us, d.events[i].type, std::move(payloads[i])};
      }
    } else {
      own.clear();
    }
    std::lock_guard lk(mu);
    after = out.last_num;
    if (out.scanned < batch) ended = true;
    if (stale >= kMaxStalePriced && !pricer_broken) {
      // Other commands keep writing (payments while the raise runs): pricing ahead only wastes
      // the CPU they need.
      pricer_ended = pricer_broken = true;
      priced.clear();
    }
    const int64_t next = priced.empty() ? price_after : priced.front().after;
    if (!ended && next != after && !pricer_broken) {
      // Priced from elsewhere (the register changed under the pricer): start again here.
      priced.clear();
      price_after = after;
      pricer_ended = false;
      ++pricer_epoch;
      cv.notify_all();
    }
    slot.decided = true;
    return d;
  };

  std::vector<std::shared_ptr<Slot>> outcomes;  // in the order they were answered
  DemandRun run;                                // the counts so far (for progress)
  for (bool finished = false; !finished;) {
    std::vector<int64_t> progress;
    std::shared_ptr<Slot> next;
    {
      std::unique_lock lk(mu);
      cv.wait(lk, [&] {
        return !answered.empty() || in_flight == 0 ||
               (in_flight < kCommandsInFlight && !ended && failed.ok());
      });
      while (!answered.empty()) {
        std::shared_ptr<Slot> slot = std::move(answered.front());
        answered.pop_front();
        --in_flight;
        if (!slot->status.ok()) {
          // The batches decided after this one may be committed; a run again raises the rest.
          if (failed.ok()) failed = slot->status;
          continue;
        }
        if (!slot->decided || slot->out.scanned == 0) continue;
        run.properties += slot->out.scanned;
        progress.push_back(run.properties);
        outcomes.push_back(std::move(slot));
      }
      finished = in_flight == 0 && (ended || !failed.ok());
      if (!finished && in_flight < kCommandsInFlight && !ended && failed.ok()) {
        ++in_flight;
        next = std::make_shared<Slot>();
      }
    }
    if (options.progress) {
      for (int64_t done : progress) options.progress(done, total_properties);
    }
    if (!next) continue;
    ledger::Command c;
    c.actor = actor;
    c.decide = [&decide, slot = next](Transaction& tx, int64_t now_us) {
      return decide(*slot, tx, now_us);
    };
    // `done` runs on the ledger's sync thread (or here, when refused at once): it only hands
    // the answer on.
    l->Submit(std::move(c), [&, slot = next](Result<ledger::CommitResult> r) {
      std::lock_guard lk(mu);
      slot->status = r.status();
      answered.push_back(slot);
      cv.notify_all();
    });
  }
  {
    std::lock_guard lk(mu);
    stopping = true;
  }
  cv.notify_all();
  pricer.join();
  PALIKA_RETURN_IF_ERROR(failed);
  // Added up in register order, so the failures listed are the first ones.
  std::sort(outcomes.begin(), outcomes.end(),
            [](const auto& a, const auto& b) { return a->out.last_num < b->out.last_num; });
  run = DemandRun{};
  run.fy = fy;
  for (auto& slot : outcomes) {
    BatchOutcome& out = slot->out;
    run.properties += out.scanned;
    run.raised += out.raised;
    run.already_raised += out.already;
    run.failed += static_cast<int64_t>(out.failures.size());
    run.total += out.total;
    if (slot->priced_ahead) ++run.priced_ahead;
    for (auto& f : out.failures) {
      if (run.failures.size() < kMaxListedDemandFailures) run.failures.push_back(std::move(f));
    }
  }
  return run;
}

Result<DemandProgress> GetDemandProgress(ledger::LedgerSet& ledgers, const std::string& ulb,
                                         FinancialYear fy) {
  PALIKA_ASSIGN_OR_RETURN(ledger::Ledger * l, ledgers.Ulb(ulb));
  DemandProgress p;
  p.fy = fy;
  PALIKA_RETURN_IF_ERROR(l->Read([&](Transaction& tx) -> Status {
    PALIKA_ASSIGN_OR_RETURN(auto n, tx.QueryOne("SELECT COUNT(*) FROM properties"));
    p.properties = n ? n->Int(0) : 0;
    PALIKA_ASSIGN_OR_RETURN(
        auto r, tx.QueryOne("SELECT COUNT(*), COALESCE(SUM(total_paise), 0) FROM pt_demands"
                            " WHERE fy = ?",
                            {fy.Format()}));
    p.raised = r ? r->Int(0) : 0;
    p.total = Money::FromPaise(r ? r->Int(1) : 0);
    return Status::OK();
  }));
  return p;
}

}  // namespace palika::property_tax
