// The routes of counter payments, reversals and receipts (JSON and PDF), and the receipt check
// behind the public /verify page (served by src/web). Each route is declared once, with its access
// rule, in PaymentRoutes(); handlers parse, call the service and shape its answer.
//
// A receipt number contains '/', which the router refuses inside an encoded segment, so a
// receipt's URL takes it either as its last path segments (/receipts/0152/2026-27/C1/000123) or
// with dashes (/receipts/0152-2026-27-C1-000123, the form the API hands out); ".pdf" at the end
// or ?format=pdf gives the printable receipt (&layout=thermal for 80 mm printers).

#include "http/api/payment_api.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "core/json.h"
#include "documents/receipt_code.h"
#include "documents/verify_page.h"
#include "http/api/api.h"
#include "http/api/write_context.h"
#include "services/payments/receipt_numbers.h"
#include "services/property_tax/rates.h"

namespace palika::http {
namespace json = boost::json;
using payments::Payments;

namespace {

std::string PdfUrl(const payments::PaymentRecord& p) {
  return fmt::format("/api/v1/ulbs/{}/receipts/{}.pdf", p.ulb, ReceiptNoInUrl(p.receipt_no));
}

// The payment with its receipt code and PDF link.
Result<json::object> PaymentAnswer(ApiContext& ctx, const payments::PaymentRecord& p) {
  json::object out = payments::PaymentJson(p);
  PALIKA_ASSIGN_OR_RETURN(std::string code, ReceiptCodeOf(ReceiptOf(p), ctx.ledgers.node_signer()));
  out["receipt_code"] = code;
  out["verify_url"] = documents::VerifyUrl(code);
  out["pdf_url"] = PdfUrl(p);
  return out;
}

Response Answer(ApiContext& ctx, const Result<payments::PaymentResult>& r, int status) {
  if (!r.ok()) return Response::Error(r.status());
  auto out = PaymentAnswer(ctx, r->payment);
  if (!out.ok()) return Response::Error(out.status());
  Response resp = Response::Json(r->replayed ? 200 : status, *out);
  if (r->replayed) resp.With("Idempotent-Replayed", "true");
  return resp;
}

// The collection a request asks for, checked; what the ledger gets.
struct Collection {
  std::string ulb;
  payments::PreparedCollection prepared;
};

// `ulb_info`: the ULB's profile if the caller has it from memory (else it is read).
Result<Collection> ParseCollection(ApiContext& ctx, Request& req, const identity::Principal& who,
                                   std::optional<registry::UlbInfo> ulb_info = std::nullopt) {
  // The key is checked first: without one nothing else matters.
  PALIKA_RETURN_IF_ERROR(IdempotencyKey(req, /*required=*/true).status());
  PALIKA_ASSIGN_OR_RETURN(json::object body, ParseJsonObject(req.body));
  ObjectReader r(body);
  PALIKA_ASSIGN_OR_RETURN(std::string property, r.String("property", 20));
  PALIKA_ASSIGN_OR_RETURN(std::string id, property_tax::CanonicalPropertyId(property));
  PALIKA_ASSIGN_OR_RETURN(int64_t amount, r.Int("amount_paise", 1, 10'000'000'000'000));
  PALIKA_ASSIGN_OR_RETURN(std::string mode, r.String("mode", 10));
  PALIKA_ASSIGN_OR_RETURN(auto reference, r.OptionalString("reference", 100));
  PALIKA_ASSIGN_OR_RETURN(auto counter, r.OptionalString("counter", 8));
  PALIKA_ASSIGN_OR_RETURN(auto payer, r.OptionalString("payer_name", 100));
  PALIKA_ASSIGN_OR_RETURN(auto payer_hi, r.OptionalString("payer_name_hi", 100));
  PALIKA_RETURN_IF_ERROR(r.Finish());
  // Online payments come through the gateway, never a counter.
  if (mode == "online") {
    return Status::InvalidArgument(
        "invalid_field", "Field 'mode': must be cash, cheque, dd or upi at a counter.",
        "फ़ील्ड 'mode': काउंटर पर cash, cheque, dd या upi में से एक होना चाहिए।");
  }
  Collection out;
  out.ulb = req.Param("ulb");
  if (!ulb_info) {
    PALIKA_ASSIGN_OR_RETURN(ulb_info, ctx.registry.GetUlb(out.ulb));
  }
  const registry::UlbInfo& info = *ulb_info;
  payments::PaymentInput in;
  in.property_id = id;
  in.amount = Money::FromPaise(amount);
  in.mode = mode;
  in.reference = reference.value_or("");
  in.counter = counter.value_or("");
  in.payer_name = payer.value_or("");
  in.payer_name_hi = payer_hi.value_or("");
  in.cashier_name = who.display_name;
  in.ulb_name = info.name;
  in.ulb_name_hi = info.name_hi;
  PALIKA_RETURN_IF_ERROR(payments::ValidatePaymentInput(in));
  PALIKA_ASSIGN_OR_RETURN(
      auto wctx, WriteContextFor(req, who, "payment.collect", body, /*key_required=*/true));
  PALIKA_ASSIGN_OR_RETURN(out.prepared, Payments(ctx.ledgers).PrepareCollect(out.ulb, wctx, in));
  return out;
}

// Hands a checked collection (or its refusal) to the ledger; the answer goes to respond.
void SubmitCollection(ApiContext& ctx, Result<Collection> collection, Respond respond) {
  if (!collection.ok()) return respond(Reply{Response::Error(collection.status()), {}, false});
  ledger::Ledger* ledger = collection->prepared.ledger;
  auto made = collection->prepared.made;
  ledger->Submit(
      std::move(collection->prepared.command),
      [&ctx, ulb = std::move(collection->ulb), made = std::move(made),
       respond = std::move(respond)](Result<ledger::CommitResult> r) {
        const bool reads = Payments::FinishCollectReads(r);
        respond(Reply{{},
                      [&ctx, ulb, made, r = std::move(r)] {
                        return Answer(ctx, Payments(ctx.ledgers).FinishCollect(ulb, *made, r), 201);
                      },
                      reads});
      });
}

// Collecting does not hold the worker thread while the ledger commits: the ledger's sync thread
// hands the answer to the server, which signs and writes it on its I/O thread (or reads the
// payment back on a worker, for a replayed key).
void CollectPayment(ApiContext& ctx, Request& req, const identity::Principal& who,
                    Respond respond) {
  SubmitCollection(ctx, ParseCollection(ctx, req, who), std::move(respond));
}

// The same on the server's I/O thread (the payment's first half without a hop to a worker and
// back), when nothing on the way can block: the ULB's profile is in memory and the ledger takes
// the command without waiting (not in synchronous backup mode). Parsing, checking and hashing the
// request only compute; a replayed key is found by the ledger's writer, and its stored payment is
// read on a worker (the Reply's make blocks).
bool TryCollectPaymentInline(ApiContext& ctx, Request& req, const identity::Principal& who,
                             const Respond& respond) {
  const std::string& ulb = req.Param("ulb");
  ledger::Ledger* ledger = ctx.ledgers.OpenUlb(ulb);
  if (ledger == nullptr || ledger->SubmitWaits()) return false;
  std::optional<registry::UlbInfo> info = ctx.registry.UlbFromMemory(ulb);
  if (!info) return false;
  SubmitCollection(ctx, ParseCollection(ctx, req, who, std::move(info)), respond);
  return true;
}

Response ReversePayment(ApiContext& ctx, Request& req, const identity::Principal& who) {
  auto body = ParseJsonObject(req.body);
  if (!body.ok()) return Response::Error(body.status());
  ObjectReader r(*body);
  auto receipt_no = r.String("receipt_no", 40);
  if (!receipt_no.ok()) return Response::Error(receipt_no.status());
  auto reason = r.String("reason", 500);
  if (!reason.ok()) return Response::Error(reason.status());
  if (Status s = r.Finish(); !s.ok()) return Response::Error(s);
  auto no = payments::ParseReceiptNo(*receipt_no);
  if (!no.ok()) return Response::Error(no.status());
  const std::string ulb = req.Param("ulb");
  if (no->ulb != ulb) {
    return Response::Error(Status::NotFound(
        "receipt_not_found",
        "Receipt " + no->Format() + " belongs to ULB " + no->ulb + ", not " + ulb + ".",
        "रसीद " + no->Format() + " निकाय " + no->ulb + " की है, " + ulb + " की नहीं।"));
  }
  // The key is optional here: reversing twice is refused anyway.
  property_tax::WriteContext wctx{who.user_id, "", ""};
  if (req.Header("idempotency-key")) {
    auto w = WriteContextFor(req, who, "payment.reverse", *body, /*key_required=*/true);
    if (!w.ok()) return Response::Error(w.status());
    wctx = *w;
  }
  return Answer(ctx, Payments(ctx.ledgers).Reverse(ulb, wctx, no->Format(), *reason), 200);
}

Response GetReceipt(ApiContext& ctx, Request& req) {
  std::string text = req.Param("receipt_no");
  bool pdf = req.Query("format").value_or("json") == "pdf";
  if (text.ends_with(".pdf")) {
    text.resize(text.size() - 4);
    pdf = true;
  }
  auto no = payments::ParseReceiptNo(text);
  if (!no.ok()) return Response::Error(no.status());
  const std::string ulb = req.Param("ulb");
  auto p = Payments(ctx.ledgers).Get(ulb, no->Format());
  if (!p.ok()) return Response::Error(p.status());
  if (!pdf) {
    auto out = PaymentAnswer(ctx, *p);
    if (!out.ok()) return Response::Error(out.status());
    return Response::Json(200, *out);
  }
  const std::string layout_name = req.Query("layout").value_or("a4");
  if (layout_name != "a4" && layout_name != "thermal") {
    return Response::Error(Status::InvalidArgument(
        "invalid_field", "Query 'layout': must be a4 or thermal (80 mm receipt printers).",
        "क्वेरी 'layout': a4 या thermal (80 मिमी रसीद प्रिंटर) होना चाहिए।"));
  }
  const auto layout =
      layout_name == "thermal" ? documents::Layout::kThermal80mm : documents::Layout::kA4;
  auto bytes = ReceiptPdfOf(*p, ctx.ledgers.node_signer(), layout);
  if (!bytes.ok()) return Response::Error(bytes.status());
  Response resp = Response::Text(200, std::move(*bytes), "application/pdf");
  resp.With("Content-Disposition",
            "inline; filename=\"receipt-" + ReceiptNoInUrl(p->receipt_no) + ".pdf\"");
  return resp;
}

Response PropertyPayments(ApiContext& ctx, Request& req) {
  auto id = property_tax::CanonicalPropertyId(req.Param("id"));
  if (!id.ok()) return Response::Error(id.status());
  auto list = Payments(ctx.ledgers).OfProperty(req.Param("ulb"), *id);
  if (!list.ok()) return Response::Error(list.status());
  json::array items;
  for (const auto& p : *list) {
    json::object item = payments::PaymentJson(p);
    item["pdf_url"] = PdfUrl(p);
    items.push_back(std::move(item));
  }
  return Response::Json(200, json::object{{"property_id", *id}, {"payments", std::move(items)}});
}

// What the ledger says about a receipt whose code checked: recorded (and the same payment), or
// reversed, or unknown.
json::object LedgerStatus(ApiContext& ctx, const documents::VerifiedReceipt& v) {
  auto p = Payments(ctx.ledgers).Get(v.fields.ulb, v.fields.receipt_no);
  if (!p.ok()) return {{"found", false}, {"status", "not_found"}};
  const bool same = p->origin == v.fields.origin && p->seq == v.fields.seq &&
                    p->amount == v.fields.amount && p->property_id == v.fields.property_id;
  if (!same) return {{"found", false}, {"status", "not_found"}};
  json::object out{{"found", true}, {"status", p->status}};
  if (p->reversed_on) out["reversed_on"] = p->reversed_on->Format();
  return out;
}

}  // namespace

documents::Receipt ReceiptOf(const payments::PaymentRecord& p) {
  documents::Receipt r;
  r.ulb_code = p.ulb;
  r.ulb_name_en = p.ulb_name;
  r.ulb_name_hi = p.ulb_name_hi;
  r.receipt_no = p.receipt_no;
  r.paid_at_micros = p.time_us;
  r.property_id = p.property_id;
  r.payer_name_en = p.payer_name;
  r.payer_name_hi = p.payer_name_hi;
  r.owner_address_en = p.address;
  r.owner_address_hi = p.address_hi;
  r.mode = documents::ParsePaymentMode(p.mode).value_or(documents::PaymentMode::kCash);
  r.mode_reference = p.reference;
  r.amount = p.amount;
  for (const auto& line : p.allocation.lines) {
    const std::string fy = line.fy.Format();
    const std::string head(property_tax::HeadName(line.head));
    const std::string head_hi(property_tax::HeadNameHi(line.head));
    if (!line.surcharge.IsZero()) {
      r.allocations.push_back(
          {fy, "Surcharge on " + head, "अधिभार (" + head_hi + ")", line.surcharge});
    }
    if (!line.principal.IsZero()) r.allocations.push_back({fy, head, head_hi, line.principal});
  }
  r.advance = p.allocation.advance;
  r.cashier_name = p.cashier_name;
  r.origin = p.origin;
  r.seq = p.seq;
  return r;
}

Result<std::string> ReceiptCodeOf(const documents::Receipt& receipt,
                                  const ledger::NoteSigner& node_key) {
  // Deriving a ULB's receipt key (an Ed25519 key pair from the node's seed) cost as much as the
  // signature itself on every payment: derived keys are kept, by node public key and ULB.
  // (Shared, not copied: a copy of a key is a string and 64 secret bytes more on every receipt.)
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<const ledger::NoteSigner>, std::less<>>
      derived;  // guarded by mu
  std::string id;
  id.reserve(node_key.public_key().size() + receipt.ulb_code.size());
  id.append(node_key.public_key()).append(receipt.ulb_code);
  std::shared_ptr<const ledger::NoteSigner> key;
  {
    std::lock_guard lk(mu);
    if (auto it = derived.find(id); it != derived.end()) key = it->second;
  }
  if (!key) {
    PALIKA_ASSIGN_OR_RETURN(ledger::NoteSigner made,
                            documents::ReceiptSigner(node_key, receipt.ulb_code));
    key = std::make_shared<const ledger::NoteSigner>(std::move(made));
    std::lock_guard lk(mu);
    if (derived.size() >= 1024) derived.clear();  // bounded: a state has a few hundred ULBs
    derived.emplace(std::move(id), key);
  }
  return documents::MakeReceiptCode(receipt, *key);
}

Result<std::string> ReceiptPdfOf(const payments::PaymentRecord& p,
                                 const ledger::NoteSigner& node_key, documents::Layout layout) {
  const documents::Receipt receipt = ReceiptOf(p);
  PALIKA_ASSIGN_OR_RETURN(std::string code, ReceiptCodeOf(receipt, node_key));
  return documents::RenderReceiptPdf(receipt, code, layout);
}

std::string ReceiptNoInUrl(const std::string& receipt_no) {
  std::string out = receipt_no;
  std::replace(out.begin(), out.end(), '/', '-');
  return out;
}

ReceiptVerification VerifyReceiptCode(ApiContext& ctx, std::string_view text) {
  const std::string code(documents::ReceiptCodeFromText(text));
  ReceiptVerification out{
      documents::VerifyReceiptCodeWithNodeKey(code, ctx.ledgers.node_verifier()), std::nullopt};
  if (out.verdict.ok()) out.ledger = LedgerStatus(ctx, *out.verdict);
  return out;
}

json::object ReceiptVerificationJson(const ReceiptVerification& v) {
  json::object out = documents::VerifiedReceiptJson(v.verdict);
  out["ledger"] = v.ledger ? json::value(*v.ledger) : json::value(nullptr);
  return out;
}

std::vector<ApiRoute> PaymentRoutes() {
  using identity::Permission;
  using P = const identity::Principal*;
  return {
      {{"POST", "/api/v1/ulbs/{ulb}/payments", Access::kUlb, Permission::kPaymentCollect},
       nullptr,
       [](ApiContext& ctx, Request& q, P p, Respond respond) {
         CollectPayment(ctx, q, *p, std::move(respond));
       },
       [](ApiContext& ctx, Request& q, P p, const Respond& respond) {
         return TryCollectPaymentInline(ctx, q, *p, respond);
       }},
      {{"POST", "/api/v1/ulbs/{ulb}/payments/reversals", Access::kUlb, Permission::kPaymentReverse},
       [](ApiContext& ctx, Request& q, P p) { return ReversePayment(ctx, q, *p); }},
      // Cashiers, accountants and revenue officers all hold property.read.
      {{"GET", "/api/v1/ulbs/{ulb}/receipts/{receipt_no*}", Access::kUlb,
        Permission::kPropertyRead},
       [](ApiContext& ctx, Request& q, P) { return GetReceipt(ctx, q); }},
      {{"GET", "/api/v1/ulbs/{ulb}/properties/{id}/payments", Access::kUlb,
        Permission::kPropertyRead},
       [](ApiContext& ctx, Request& q, P) { return PropertyPayments(ctx, q); }},
  };
}

}  // namespace palika::http
