#include "services/payments/payments.h"

#include <fmt/format.h>

#include <array>
#include <memory>

#include "core/ids.h"
#include "core/json.h"
#include "services/accounts/journal.h"
#include "services/payments/receipt_numbers.h"
#include "services/property_tax/billing.h"

namespace palika::payments {
namespace json = boost::json;
using ledger::Decision;
using ledger::Entry;
using ledger::Event;
using property_tax::Allocation;
using store::Transaction;

namespace {

constexpr int64_t kEventVersion = 1;
constexpr int64_t kMaxAmountPaise = 100'00'00'000'00;  // ₹100 crore: more is surely a typing slip
constexpr size_t kMaxReferenceChars = 100;
constexpr size_t kMaxNameChars = 100;
constexpr size_t kMaxReasonChars = 500;
constexpr std::array<std::string_view, 5> kModes = {"cash", "cheque", "dd", "upi", "online"};

std::string Str(const json::object& o, std::string_view k) {
  if (auto* v = o.if_contains(k); v && v->is_string()) return std::string(v->as_string());
  return "";
}

Status FieldProblem(std::string_view field, const std::string& en, const std::string& hi) {
  return Status::InvalidArgument("invalid_field", fmt::format("Field '{}': {}", field, en),
                                 fmt::format("फ़ील्ड '{}': {}", field, hi));
}

// Text from a person: valid UTF-8, no control characters, at most `max` characters.
bool PlainText(const std::string& s, size_t max) {
  if (!IsValidUtf8(s) || Utf8Length(s) > max) return false;
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return false;
  }
  return true;
}

Status ReceiptNotFound(const std::string& receipt_no) {
  return Status::NotFound("receipt_not_found",
                          "There is no receipt " + receipt_no +
                              " in this ULB. Check the number printed on the receipt.",
                          "इस निकाय में रसीद " + receipt_no + " नहीं है। रसीद पर छपा क्रमांक जाँचें।");
}

Status PropertyNotFound(const std::string& id) {
  return Status::NotFound(
      "property_not_found",
      "There is no property " + id + " in this ULB. Search for it by owner, mobile or address.",
      "इस निकाय में संपत्ति " + id + " नहीं है। स्वामी, मोबाइल या पते से खोजें।");
}

Status DayClosed(const CivilDate& date, const std::string& counter) {
  return Status::Conflict(
      "counter_day_closed",
      fmt::format("The day {} is closed for counter {}; nothing more can be collected or "
                  "reversed there today. Use another counter, or ask the accountant.",
                  date.FormatIndian(), counter),
      fmt::format("काउंटर {} का दिन {} बंद हो चुका है; आज वहाँ और वसूली या वापसी नहीं हो सकती। "
                  "दूसरा काउंटर उपयोग करें, या लेखापाल से संपर्क करें।",
                  counter, date.FormatIndian()));
}

Status CheckVersion(const json::object& o, const Entry& e) {
  const auto* v = o.if_contains("v");
  if (!v || !v->is_int64() || v->as_int64() != kEventVersion) {
    return Status::Corruption(
        fmt::format("entry {} ({}) has a payload version this build does not know", e.seq, e.type));
  }
  return Status::OK();
}

Result<Allocation> EventAllocation(const json::object& o, const Entry& e) {
  const auto* a = o.if_contains("allocation");
  if (!a || !a->is_object()) {
    return Status::Corruption(fmt::format("entry {} ({}) has no allocation", e.seq, e.type));
  }
  auto alloc = property_tax::AllocationFromJson(a->as_object());
  if (!alloc.ok()) {
    return Status::Corruption(fmt::format("entry {} ({}): its allocation does not read back: {}",
                                          e.seq, e.type, alloc.status().message()));
  }
  return alloc;
}

Status ApplyReceived(Transaction& tx, const Entry& e, const json::object& o) {
  PALIKA_RETURN_IF_ERROR(CheckVersion(o, e));
  PALIKA_ASSIGN_OR_RETURN(Allocation alloc, EventAllocation(o, e));
  const std::string fy = Str(o, "fy");
  const std::string series = Str(o, "series");
  const int64_t serial = o.at("serial").as_int64();
  const std::string property_id = Str(o, "property_id");
  PALIKA_RETURN_IF_ERROR(RecordReceiptSerial(tx, fy, series, serial));
  PALIKA_RETURN_IF_ERROR(tx.Exec(
      "INSERT INTO payments(receipt_no, property_id, fy, series, serial, date, mode, reference,"
      " amount_paise, advance_paise, counter, cashier_id, status, origin, seq, time_us)"
      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'received', ?, ?, ?)",
      {Str(o, "receipt_no"), property_id, fy, series, serial, Str(o, "date"), Str(o, "mode"),
       Str(o, "reference"), o.at("amount_paise").as_int64(), alloc.advance.paise(),
       Str(o, "counter"), Str(o, "cashier_id"), e.origin, static_cast<int64_t>(e.seq), e.time_us}));
  return property_tax::ApplyAllocation(tx, property_id, alloc, +1);
}

Status ApplyReversed(Transaction& tx, const Entry& e) {
  const json::object o = json::parse(e.payload).as_object();
  PALIKA_RETURN_IF_ERROR(CheckVersion(o, e));
  PALIKA_ASSIGN_OR_RETURN(Allocation alloc, EventAllocation(o, e));
  const std::string receipt_no = Str(o, "receipt_no");
  int64_t changed = 0;
  PALIKA_RETURN_IF_ERROR(tx.Exec(
      "UPDATE payments SET status = 'reversed', reversed_seq = ?, reversed_date = ?,"
      " reversal_reason = ? WHERE receipt_no = ? AND status = 'received'",
      {static_cast<int64_t>(e.seq), Str(o, "date"), Str(o, "reason"), receipt_no}, &changed));
  if (changed != 1) {
    return Status::Corruption(fmt::format(
        "entry {} reverses payment {}, which is not a received payment", e.seq, receipt_no));
  }
  return property_tax::ApplyAllocation(tx, Str(o, "property_id"), alloc, -1);
}

std::string JoinNames(const std::vector<property_tax::Owner>& owners, bool hindi) {
  std::string out;
  for (const auto& o : owners) {
    const std::string& n = hindi ? o.name_hi : o.name;
    if (n.empty()) continue;
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

// Whether taking `alloc` back leaves every account line and the advance at zero or more.
Status CheckReversible(Transaction& tx, const PaymentRecord& p) {
  PALIKA_ASSIGN_OR_RETURN(Money advance, property_tax::LoadAdvance(tx, p.property_id));
  if (advance < p.allocation.advance) {
    return Status::Conflict(
        "advance_already_used",
        fmt::format("Payment {} left an advance of {}, but only {} of it is unused: a later "
                    "demand has consumed the rest. Reversing it now would make the account "
                    "negative; ask the revenue officer to raise the unpaid amount as a demand "
                    "correction instead.",
                    p.receipt_no, p.allocation.advance.Format(), advance.Format()),
        fmt::format("भुगतान {} से {} अग्रिम बना था, पर उसमें से केवल {} बचा है: बाद की माँग ने बाकी "
                    "का उपयोग कर लिया। अब वापसी से खाता ऋणात्मक हो जाएगा; राजस्व अधिकारी से बकाया "
                    "राशि को माँग सुधार के रूप में जोड़ने को कहें।",
                    p.receipt_no, p.allocation.advance.Format(), advance.Format()));
  }
  PALIKA_ASSIGN_OR_RETURN(auto account, property_tax::LoadAccount(tx, p.property_id));
  for (const auto& line : p.allocation.lines) {
    const property_tax::AccountLine* found = nullptr;
    for (const auto& a : account) {
      if (a.fy == line.fy && a.head == line.head) found = &a;
    }
    const bool ok =
        found != nullptr && found->principal_paid >= line.principal &&
        found->rebate_granted >= line.rebate && found->surcharge_paid >= line.surcharge &&
        found->surcharge_waived >= line.waiver && found->surcharge_levied >= line.surcharge_levied;
    if (!ok) {
      return Status::Conflict(
          "reversal_blocked",
          fmt::format("Payment {} cannot be taken back from the account of {} for {}: the "
                      "account has changed since in a way that would make it negative. Ask "
                      "the revenue officer to correct the account.",
                      p.receipt_no, p.property_id, line.fy.Format()),
          fmt::format("भुगतान {} को संपत्ति {} के {} के खाते से वापस नहीं लिया जा सकता: खाता तब से "
                      "ऐसे बदला है कि वह ऋणात्मक हो जाएगा। राजस्व अधिकारी से खाता सुधारने को कहें।",
                      p.receipt_no, p.property_id, line.fy.Format()));
    }
  }
  return Status::OK();
}

Result<PaymentResult> Answer(Payments& payments, const std::string& ulb,
                             const Result<ledger::CommitResult>& r) {
  if (!r.ok()) return r.status();
  PALIKA_ASSIGN_OR_RETURN(PaymentRecord p,
                          payments.Get(ulb, Str(r->response.as_object(), "receipt_no")));
  return PaymentResult{std::move(p), r->replayed};
}

constexpr char kSelectPayment[] =
    "SELECT p.receipt_no, p.status, p.reversed_date, p.reversal_reason, p.origin, p.seq,"
    " e.time_us, e.payload FROM payments p JOIN ledger_entries e"
    " ON e.origin = p.origin AND e.seq = p.seq ";

Result<PaymentRecord> RecordFromRow(const store::Row& r) {
  PaymentRecord p;
  p.receipt_no = r.Text(0);
  p.status = r.Text(1);
  if (!r.IsNull(2)) {
    auto d = CivilDate::Parse(r.Text(2));
    if (!d.ok()) return Status::Corruption("payment " + p.receipt_no + ": bad reversal date");
    p.reversed_on = *d;
  }
  p.reversal_reason = r.Text(3);
  p.origin = r.Text(4);
  p.seq = static_cast<uint64_t>(r.Int(5));
  p.time_us = r.Int(6);
  try {
    const json::object o = json::parse(r.Text(7)).as_object();
    p.property_id = Str(o, "property_id");
    p.fy = Str(o, "fy");
    p.series = Str(o, "series");
    p.serial = o.at("serial").as_int64();
    auto date = CivilDate::Parse(Str(o, "date"));
    if (!date.ok()) return Status::Corruption("payment " + p.receipt_no + ": bad date");
    p.date = *date;
    p.mode = Str(o, "mode");
    p.reference = Str(o, "reference");
    p.amount = Money::FromPaise(o.at("amount_paise").as_int64());
    p.counter = Str(o, "counter");
    p.cashier_id = Str(o, "cashier_id");
    p.cashier_name = Str(o, "cashier_name");
    p.payer_name = Str(o, "payer_name");
    p.payer_name_hi = Str(o, "payer_name_hi");
    p.address = Str(o, "address");
    p.address_hi = Str(o, "address_hi");
    p.ulb = Str(o, "ulb");
    p.ulb_name = Str(o, "ulb_name");
    p.ulb_name_hi = Str(o, "ulb_name_hi");
    auto alloc = property_tax::AllocationFromJson(o.at("allocation").as_object());
    if (!alloc.ok()) {
      return Status::Corruption("payment " + p.receipt_no + ": " + alloc.status().message());
    }
    p.allocation = std::move(*alloc);
    p.advance = p.allocation.advance;
  } catch (const std::exception& e) {
    return Status::Corruption(
        fmt::format("payment {}: its ledger entry is malformed ({})", p.receipt_no, e.what()));
  }
  return p;
}

}  // namespace

void RegisterPaymentProjections(ledger::Projections& p) {
  AddReceiptSeriesTable(p);
  // One unique key: receipt_no is ReceiptNo::Format of (ULB, fy, series, serial), one to one
  // (series never holds the separator, the serial is always six digits), and receipt_series keeps
  // each series' serials gapless. Nothing reads payments by date: the day's books are the
  // journal's (journal_by_date). Until schema migration 3 (ledger/migrations.cc) it also had
  // UNIQUE (fy, series, serial) and payments_by_date ON (date, counter), each a leaf page written
  // for nearly every payment (the keys scatter over counters). A rowid table on purpose: its rows
  // append, and receipt_no's narrow index entries split leaves less often than whole rows keyed
  // by receipt_no would (WITHOUT ROWID measured ~10 more WAL pages a commit of ~23 payments).
  p.AddTable("payments",
             "CREATE TABLE IF NOT EXISTS payments(receipt_no TEXT PRIMARY KEY,"
             " property_id TEXT NOT NULL, fy TEXT NOT NULL, series TEXT NOT NULL,"
             " serial INTEGER NOT NULL, date TEXT NOT NULL, mode TEXT NOT NULL,"
             " reference TEXT NOT NULL, amount_paise INTEGER NOT NULL,"
             " advance_paise INTEGER NOT NULL, counter TEXT NOT NULL, cashier_id TEXT NOT NULL,"
             " status TEXT NOT NULL, origin TEXT NOT NULL, seq INTEGER NOT NULL,"
             " time_us INTEGER NOT NULL, reversed_seq INTEGER, reversed_date TEXT,"
             " reversal_reason TEXT);"
             "CREATE INDEX IF NOT EXISTS payments_by_property ON payments(property_id, seq)",
             "receipt_no");
  p.OnEventObject(kPaymentReceived, ApplyReceived);
  p.OnEvent(kPaymentReversed, ApplyReversed);
}

bool IsPaymentMode(std::string_view mode) {
  for (auto m : kModes) {
    if (m == mode) return true;
  }
  return false;
}

Status ValidatePaymentInput(const PaymentInput& in) {
  if (in.amount.paise() <= 0 || in.amount.paise() > kMaxAmountPaise) {
    return FieldProblem("amount_paise",
                        fmt::format("must be more than zero and at most {} (in paise: 1 to {}).",
                                    Money::FromPaise(kMaxAmountPaise).Format(), kMaxAmountPaise),
                        fmt::format("शून्य से अधिक और अधिकतम {} होना चाहिए (पैसे में: 1 से {})।",
                                    Money::FromPaise(kMaxAmountPaise).Format(), kMaxAmountPaise));
  }
  if (!IsPaymentMode(in.mode)) {
    return FieldProblem("mode", "must be cash, cheque, dd or upi.",
                        "cash, cheque, dd या upi में से एक होना चाहिए।");
  }
  if (!PlainText(in.reference, kMaxReferenceChars)) {
    return FieldProblem("reference",
                        fmt::format("at most {} characters of plain text.", kMaxReferenceChars),
                        fmt::format("अधिकतम {} वर्णों का सादा पाठ होना चाहिए।", kMaxReferenceChars));
  }
  if (in.mode != "cash" && in.reference.empty()) {
    return FieldProblem("reference",
                        "required for a " + in.mode +
                            " payment: the cheque or DD number and bank, or the UPI reference.",
                        in.mode + " भुगतान के लिए आवश्यक है: चेक या डीडी क्रमांक और बैंक, या यूपीआई संदर्भ।");
  }
  for (auto [field, value] :
       {std::pair{"payer_name", &in.payer_name}, std::pair{"payer_name_hi", &in.payer_name_hi}}) {
    if (!PlainText(*value, kMaxNameChars)) {
      return FieldProblem(field, fmt::format("at most {} characters of plain text.", kMaxNameChars),
                          fmt::format("अधिकतम {} वर्णों का सादा पाठ होना चाहिए।", kMaxNameChars));
    }
  }
  if (in.mode != "online") PALIKA_RETURN_IF_ERROR(CounterCode(in.counter).status());
  return Status::OK();
}

json::object PaymentJson(const PaymentRecord& p) {
  json::value reversal = nullptr;
  if (p.reversed_on) {
    reversal = json::object{{"date", p.reversed_on->Format()}, {"reason", p.reversal_reason}};
  }
  return {{"receipt_no", p.receipt_no},
          {"property_id", p.property_id},
          {"fy", p.fy},
          {"date", p.date.Format()},
          {"paid_at", FormatUtcMicros(p.time_us)},
          {"mode", p.mode},
          {"reference", p.reference},
          {"amount_paise", p.amount.paise()},
          {"advance_paise", p.advance.paise()},
          {"counter", p.counter},
          {"cashier_name", p.cashier_name},
          {"payer_name", p.payer_name},
          {"payer_name_hi", p.payer_name_hi},
          {"status", p.status},
          {"origin", p.origin},
          {"seq", static_cast<int64_t>(p.seq)},
          {"allocation", property_tax::AllocationToJson(p.allocation)},
          {"reversal", std::move(reversal)}};
}

Result<std::optional<PaymentRecord>> LoadPayment(Transaction& tx, const std::string& receipt_no) {
  PALIKA_ASSIGN_OR_RETURN(
      auto row, tx.QueryOne(std::string(kSelectPayment) + "WHERE p.receipt_no = ?", {receipt_no}));
  if (!row) return std::optional<PaymentRecord>();
  PALIKA_ASSIGN_OR_RETURN(PaymentRecord p, RecordFromRow(*row));
  return std::optional<PaymentRecord>(std::move(p));
}

Result<PaymentResult> Payments::Collect(const std::string& ulb,
                                        const property_tax::WriteContext& ctx,
                                        const PaymentInput& input) {
  PALIKA_ASSIGN_OR_RETURN(PreparedCollection p, PrepareCollect(ulb, ctx, input));
  return FinishCollect(ulb, *p.made, p.ledger->Submit(std::move(p.command)));
}

bool Payments::FinishCollectReads(const Result<ledger::CommitResult>& r) {
  return r.ok() && (r->replayed || r->first_seq == 0);
}

Result<PaymentResult> Payments::FinishCollect(const std::string& ulb, PaymentRecord& made,
                                              const Result<ledger::CommitResult>& r) {
  if (!FinishCollectReads(r)) {
    if (!r.ok()) return r.status();
    made.origin = ledgers_.origin();
    made.seq = r->first_seq;  // payment.received is the command's first entry
    return PaymentResult{std::move(made), false};
  }
  return Answer(*this, ulb, r);
}

Result<PreparedCollection> Payments::PrepareCollect(const std::string& ulb,
                                                    const property_tax::WriteContext& ctx,
                                                    const PaymentInput& input) {
  PALIKA_RETURN_IF_ERROR(ValidatePaymentInput(input));
  PreparedCollection out;
  PALIKA_ASSIGN_OR_RETURN(out.ledger, ledgers_.Ulb(ulb));
  const bool online = input.mode == "online";
  std::string series(kOnlineSeries);
  if (!online) {
    PALIKA_ASSIGN_OR_RETURN(series, CounterCode(input.counter));
  }
  ledger::Command& c = out.command;
  c.actor = ctx.actor;
  c.idempotency_key = ctx.idempotency_key;
  c.request_hash = ctx.request_hash;
  // The record as decide makes it, so that a new payment is answered without reading it back.
  auto made = std::make_shared<PaymentRecord>();
  out.made = made;
  c.decide = [in = input, ulb, series, online, actor = ctx.actor, made](
                 Transaction& tx, int64_t now_us) -> Result<Decision> {
    PALIKA_ASSIGN_OR_RETURN(auto property, property_tax::LoadPropertyNames(tx, in.property_id));
    if (!property) return PropertyNotFound(in.property_id);
    const CivilDate date = CivilDate::IstDateOfUtcMicros(now_us);
    const std::string fy = FinancialYear::Of(date).Format();
    PALIKA_ASSIGN_OR_RETURN(bool closed, accounts::IsDayClosed(tx, date, series));
    if (closed) return DayClosed(date, series);
    PALIKA_ASSIGN_OR_RETURN(auto dues,
                            property_tax::FoundPropertyDues(tx, in.property_id, date, online));
    PALIKA_ASSIGN_OR_RETURN(Allocation alloc, property_tax::Allocate(dues, in.amount));
    PALIKA_ASSIGN_OR_RETURN(int64_t serial, NextReceiptSerial(tx, fy, series));
    const std::string receipt_no = ReceiptNo{ulb, fy, series, serial}.Format();
    const auto& owners = property->owners;
    std::string owner_names = JoinNames(owners, false);
    std::string owner_names_hi = JoinNames(owners, true);
    std::string payer = in.payer_name;
    std::string payer_hi = in.payer_name_hi;
    if (payer.empty() && payer_hi.empty()) {
      payer = owner_names;
      payer_hi = owner_names_hi;
    }
    Decision d;
    d.events.push_back({kPaymentReceived,
                        {{"v", kEventVersion},
                         {"receipt_no", receipt_no},
                         {"fy", fy},
                         {"series", series},
                         {"serial", serial},
                         {"date", date.Format()},
                         {"property_id", in.property_id},
                         {"mode", in.mode},
                         {"reference", in.reference},
                         {"amount_paise", in.amount.paise()},
                         {"allocation", property_tax::AllocationToJson(alloc)},
                         {"payer_name", payer},
                         {"payer_name_hi", payer_hi},
                         {"owner_names", std::move(owner_names)},
                         {"owner_names_hi", std::move(owner_names_hi)},
                         {"address", property->address},
                         {"address_hi", property->address_hi},
                         {"cashier_id", online ? std::string() : actor},
                         {"cashier_name", online ? std::string() : in.cashier_name},
                         {"counter", series},
                         {"ulb", ulb},
                         {"ulb_name", in.ulb_name},
                         {"ulb_name_hi", in.ulb_name_hi}}});
    PALIKA_ASSIGN_OR_RETURN(Event journal,
                            accounts::JournalEvent(accounts::PropertyTaxCollectionJournal(
                                alloc, in.mode, date, receipt_no, series)));
    d.events.push_back(std::move(journal));
    d.response = json::object{{"receipt_no", receipt_no}};
    // What RecordFromRow would read back from the payment.received entry and its row.
    PaymentRecord& p = *made;
    const json::object& o = d.events.front().payload;
    p.receipt_no = receipt_no;
    p.property_id = in.property_id;
    p.fy = fy;
    p.series = series;
    p.serial = serial;
    p.date = date;
    p.mode = in.mode;
    p.reference = in.reference;
    p.amount = in.amount;
    p.counter = series;
    p.cashier_id = Str(o, "cashier_id");
    p.cashier_name = Str(o, "cashier_name");
    p.payer_name = payer;
    p.payer_name_hi = payer_hi;
    p.address = property->address;
    p.address_hi = property->address_hi;
    p.ulb = ulb;
    p.ulb_name = in.ulb_name;
    p.ulb_name_hi = in.ulb_name_hi;
    p.status = "received";
    p.time_us = now_us;
    p.allocation = std::move(alloc);  // what the entry's allocation reads back as
    p.advance = p.allocation.advance;
    return d;
  };
  return out;
}

Result<PaymentResult> Payments::Reverse(const std::string& ulb,
                                        const property_tax::WriteContext& ctx,
                                        const std::string& receipt_no, const std::string& reason) {
  PALIKA_ASSIGN_OR_RETURN(ReceiptNo no, ParseReceiptNo(receipt_no));
  if (reason.empty() || !PlainText(reason, kMaxReasonChars)) {
    return FieldProblem(
        "reason",
        fmt::format("say why the payment is reversed, e.g. \"cheque returned unpaid: funds "
                    "insufficient\" (1 to {} characters).",
                    kMaxReasonChars),
        fmt::format("भुगतान वापस लेने का कारण लिखें, जैसे \"चेक अनादरित: अपर्याप्त राशि\" (1 से {} वर्ण)।",
                    kMaxReasonChars));
  }
  PALIKA_ASSIGN_OR_RETURN(ledger::Ledger * l, ledgers_.Ulb(ulb));
  ledger::Command c;
  c.actor = ctx.actor;
  c.idempotency_key = ctx.idempotency_key;
  c.request_hash = ctx.request_hash;
  c.decide = [no = no.Format(), reason](Transaction& tx, int64_t now_us) -> Result<Decision> {
    PALIKA_ASSIGN_OR_RETURN(auto found, LoadPayment(tx, no));
    if (!found) return ReceiptNotFound(no);
    const PaymentRecord& p = *found;
    if (p.status == "reversed") {
      return Status::Conflict(
          "payment_already_reversed",
          fmt::format("Payment {} was already reversed on {}. A payment is reversed once.", no,
                      p.reversed_on ? p.reversed_on->FormatIndian() : "?"),
          fmt::format("भुगतान {} {} को पहले ही वापस लिया जा चुका है। भुगतान एक ही बार वापस होता है।", no,
                      p.reversed_on ? p.reversed_on->FormatIndian() : "?"));
    }
    if (p.mode != "cheque" && p.mode != "dd") {
      return Status::Conflict(
          "payment_not_reversible",
          fmt::format("Payment {} was made by {}, which cannot bounce; only a cheque or demand "
                      "draft payment is reversed. A wrong entry is corrected by a refund order.",
                      no, p.mode),
          fmt::format("भुगतान {} {} से हुआ था, जो अनादरित नहीं हो सकता; केवल चेक या डिमांड ड्राफ्ट "
                      "भुगतान वापस लिया जाता है। गलत प्रविष्टि वापसी आदेश से सुधारी जाती है।",
                      no, p.mode));
    }
    const CivilDate date = CivilDate::IstDateOfUtcMicros(now_us);
    PALIKA_ASSIGN_OR_RETURN(bool closed, accounts::IsDayClosed(tx, date, p.counter));
    if (closed) return DayClosed(date, p.counter);
    PALIKA_RETURN_IF_ERROR(CheckReversible(tx, p));
    Decision d;
    d.events.push_back({kPaymentReversed,
                        {{"v", kEventVersion},
                         {"receipt_no", no},
                         {"property_id", p.property_id},
                         {"date", date.Format()},
                         {"reason", reason},
                         {"allocation", property_tax::AllocationToJson(p.allocation)}}});
    const accounts::Journal original =
        accounts::PropertyTaxCollectionJournal(p.allocation, p.mode, p.date, no, p.counter);
    PALIKA_ASSIGN_OR_RETURN(Event journal,
                            accounts::JournalEvent(accounts::MirrorJournal(original, date, no)));
    d.events.push_back(std::move(journal));
    d.response = json::object{{"receipt_no", no}};
    return d;
  };
  return Answer(*this, ulb, l->Submit(std::move(c)));
}

Result<PaymentRecord> Payments::Get(const std::string& ulb, const std::string& receipt_no) {
  PALIKA_ASSIGN_OR_RETURN(ledger::Ledger * l, ledgers_.Ulb(ulb));
  std::optional<PaymentRecord> out;
  PALIKA_RETURN_IF_ERROR(l->Read([&](Transaction& tx) -> Status {
    PALIKA_ASSIGN_OR_RETURN(out, LoadPayment(tx, receipt_no));
    return Status::OK();
  }));
  if (!out) return ReceiptNotFound(receipt_no);
  return std::move(*out);
}

Result<std::vector<PaymentRecord>> Payments::OfProperty(const std::string& ulb,
                                                        const std::string& property_id) {
  PALIKA_ASSIGN_OR_RETURN(ledger::Ledger * l, ledgers_.Ulb(ulb));
  std::vector<PaymentRecord> out;
  bool exists = false;
  PALIKA_RETURN_IF_ERROR(l->Read([&](Transaction& tx) -> Status {
    PALIKA_ASSIGN_OR_RETURN(auto prop,
                            tx.QueryOne("SELECT 1 FROM properties WHERE id = ?", {property_id}));
    exists = prop.has_value();
    PALIKA_ASSIGN_OR_RETURN(
        auto rows, tx.Query(std::string(kSelectPayment) +
                                "WHERE p.property_id = ? ORDER BY p.time_us DESC, p.seq DESC",
                            {property_id}));
    for (const auto& r : rows) {
      PALIKA_ASSIGN_OR_RETURN(PaymentRecord p, RecordFromRow(r));
      out.push_back(std::move(p));
    }
    return Status::OK();
  }));
  if (!exists) return PropertyNotFound(property_id);
  return out;
}

}  // namespace palika::payments
