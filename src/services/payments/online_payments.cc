#include "services/payments/online_payments.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/encoding.h"
#include "core/json.h"
#include "services/property_tax/billing.h"
#include "services/property_tax/register.h"

namespace palika::payments {
namespace json = boost::json;
using ledger::Decision;
using ledger::Entry;
using store::Transaction;

namespace {

constexpr int64_t kEventVersion = 1;
constexpr char kActor[] = "online";

std::string Str(const json::object& o, std::string_view k) {
  if (auto* v = o.if_contains(k); v && v->is_string()) return std::string(v->as_string());
  return "";
}

Status CheckVersion(const json::object& o, const Entry& e) {
  const auto* v = o.if_contains("v");
  if (!v || !v->is_int64() || v->as_int64() != kEventVersion) {
    return Status::Corruption(
        fmt::format("entry {} ({}) has a payload version this build does not know", e.seq, e.type));
  }
  return Status::OK();
}

Status ApplyCreated(Transaction& tx, const Entry& e) {
  const json::object o = json::parse(e.payload).as_object();
  PALIKA_RETURN_IF_ERROR(CheckVersion(o, e));
  return tx.Exec(
      "INSERT INTO online_orders(order_id, property_id, amount_paise, date, gateway, status,"
      " ulb_name, ulb_name_hi, created_us) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?)",
      {Str(o, "order_id"), Str(o, "property_id"), o.at("amount_paise").as_int64(), Str(o, "date"),
       Str(o, "gateway"), Str(o, "ulb_name"), Str(o, "ulb_name_hi"), e.time_us});
}

Status ApplyPaid(Transaction& tx, const Entry& e) {
  const json::object o = json::parse(e.payload).as_object();
  PALIKA_RETURN_IF_ERROR(CheckVersion(o, e));
  int64_t changed = 0;
  PALIKA_RETURN_IF_ERROR(
      tx.Exec("UPDATE online_orders SET status = 'paid', receipt_no = ?, txn_id = ?, reason = ''"
              " WHERE order_id = ? AND status != 'paid'",
              {Str(o, "receipt_no"), Str(o, "txn_id"), Str(o, "order_id")}, &changed));
  if (changed != 1) {
    return Status::Corruption(fmt::format("entry {} pays order {}, which is not an unpaid order",
                                          e.seq, Str(o, "order_id")));
  }
  return Status::OK();
}

Status ApplyFailed(Transaction& tx, const Entry& e) {
  const json::object o = json::parse(e.payload).as_object();
  PALIKA_RETURN_IF_ERROR(CheckVersion(o, e));
  int64_t changed = 0;
  PALIKA_RETURN_IF_ERROR(
      tx.Exec("UPDATE online_orders SET status = 'failed', reason = ?, txn_id = ?"
              " WHERE order_id = ? AND status = 'pending'",
              {Str(o, "reason"), Str(o, "txn_id"), Str(o, "order_id")}, &changed));
  if (changed != 1) {
    return Status::Corruption(fmt::format("entry {} fails order {}, which is not a pending order",
                                          e.seq, Str(o, "order_id")));
  }
  return Status::OK();
}

Status ApplyMismatch(Transaction& tx, const Entry& e) {
  const json::object o = json::parse(e.payload).as_object();
  PALIKA_RETURN_IF_ERROR(CheckVersion(o, e));
  return tx.Exec(
      "INSERT INTO online_mismatches(order_id, reported_paise, txn_id, time_us) VALUES (?, ?, ?, "
      "?)",
      {Str(o, "order_id"), o.at("reported_paise").as_int64(), Str(o, "txn_id"), e.time_us});
}

constexpr char kSelectOrder[] =
    "SELECT order_id, property_id, amount_paise, date, gateway, status, receipt_no, txn_id,"
    " reason, ulb_name, ulb_name_hi, created_us FROM online_orders ";

Result<OnlineOrder> OrderFromRow(const store::Row& r) {
  OnlineOrder o;
  o.order_id = r.Text(0);
  o.property_id = r.Text(1);
  o.amount = Money::FromPaise(r.Int(2));
  auto date = CivilDate::Parse(r.Text(3));
  if (!date.ok()) return Status::Corruption("online order " + o.order_id + ": bad date");
  o.date = *date;
  o.gateway = r.Text(4);
  o.status = r.Text(5);
  o.receipt_no = r.Text(6);
  o.txn_id = r.Text(7);
  o.reason = r.Text(8);
  o.ulb_name = r.Text(9);
  o.ulb_name_hi = r.Text(10);
  o.created_us = r.Int(11);
  return o;
}

Result<std::optional<OnlineOrder>> LoadOrder(Transaction& tx, const std::string& order_id) {
  PALIKA_ASSIGN_OR_RETURN(
      auto row, tx.QueryOne(std::string(kSelectOrder) + "WHERE order_id = ?", {order_id}));
  if (!row) return std::optional<OnlineOrder>();
  PALIKA_ASSIGN_OR_RETURN(OnlineOrder o, OrderFromRow(*row));
  return std::optional<OnlineOrder>(std::move(o));
}

Result<std::vector<OnlineOrder>> LoadOrders(Transaction& tx, const std::string& where,
                                            const std::vector<store::Value>& params) {
  std::vector<OnlineOrder> out;
  PALIKA_ASSIGN_OR_RETURN(auto rows, tx.Query(std::string(kSelectOrder) + where, params));
  for (const auto& r : rows) {
    PALIKA_ASSIGN_OR_RETURN(OnlineOrder o, OrderFromRow(r));
    out.push_back(std::move(o));
  }
  return out;
}

Status OrderNotFound(const std::string& order_id) {
  return Status::NotFound(
      "order_not_found",
      "There is no online payment " + order_id +
          " in this ULB. Start the payment again from the property's page.",
      "इस निकाय में ऑनलाइन भुगतान " + order_id + " नहीं है। संपत्ति के पृष्ठ से भुगतान फिर से शुरू करें।");
}

Status OnlineOff() {
  return Status::Conflict("online_payments_off",
                          "Online payment is not available here. Pay at the ULB's counter.",
                          "यहाँ ऑनलाइन भुगतान उपलब्ध नहीं है। निकाय के काउंटर पर भुगतान करें।");
}

Status AmountMismatchError(const OnlineOrder& o, Money reported) {
  return Status::InvalidArgument(
      "amount_mismatch",
      fmt::format("The gateway reports {} for online payment {}, which was for {}. Nothing was "
                  "recorded; the ULB will check the payment with the gateway.",
                  reported.Format(), o.order_id, o.amount.Format()),
      fmt::format("गेटवे ऑनलाइन भुगतान {} के लिए {} बता रहा है, जबकि वह {} का था। कुछ दर्ज नहीं हुआ; "
                  "निकाय गेटवे से भुगतान की जाँच करेगा।",
                  o.order_id, reported.Format(), o.amount.Format()));
}

// A new order id: the ULB, "ON", 48 random bits ("0152-ON-3f9c0a1b2c3d"), short enough for any
// gateway's merchant order id field.
std::string NewOrderId(const std::string& ulb) { return ulb + "-ON-" + HexEncode(RandomBytes(6)); }

}  // namespace

void RegisterOnlineOrderProjections(ledger::Projections& p) {
  p.AddTable("online_orders",
             "CREATE TABLE IF NOT EXISTS online_orders(order_id TEXT PRIMARY KEY,"
             " property_id TEXT NOT NULL, amount_paise INTEGER NOT NULL, date TEXT NOT NULL,"
             " gateway TEXT NOT NULL, status TEXT NOT NULL, receipt_no TEXT NOT NULL DEFAULT '',"
             " txn_id TEXT NOT NULL DEFAULT '', reason TEXT NOT NULL DEFAULT '',"
             " ulb_name TEXT NOT NULL, ulb_name_hi TEXT NOT NULL, created_us INTEGER NOT NULL);"
             "CREATE INDEX IF NOT EXISTS online_orders_by_property"
             " ON online_orders(property_id, status);"
             "CREATE INDEX IF NOT EXISTS online_orders_by_status ON online_orders(status)",
             "order_id");
  p.OnEvent(kOrderCreated, ApplyCreated);
  p.OnEvent(kOrderPaid, ApplyPaid);
  p.OnEvent(kOrderFailed, ApplyFailed);
  p.AddTable("online_mismatches",
             "CREATE TABLE IF NOT EXISTS online_mismatches(order_id TEXT NOT NULL,"
             " reported_paise INTEGER NOT NULL, txn_id TEXT NOT NULL, time_us INTEGER NOT NULL,"
             " PRIMARY KEY (order_id, reported_paise, txn_id))",
             "order_id, reported_paise, txn_id");
  p.OnEvent(kOrderAmountMismatch, ApplyMismatch);
}

Result<OnlineOrder> OnlinePayments::Get(const std::string& ulb, const std::string& order_id) {
  PALIKA_ASSIGN_OR_RETURN(ledger::Ledger * l, ledgers_.Ulb(ulb));
  std::optional<OnlineOrder> out;
  PALIKA_RETURN_IF_ERROR(l->Read([&](Transaction& tx) -> Status {
    PALIKA_ASSIGN_OR_RETURN(out, LoadOrder(tx, order_id));
    return Status::OK();
  }));
  if (!out) return OrderNotFound(order_id);
  return std::move(*out);
}

Result<std::vector<OnlineOrder>> OnlinePayments::Pending(const std::string& ulb) {
  PALIKA_ASSIGN_OR_RETURN(ledger::Ledger * l, ledgers_.Ulb(ulb));
  std::vector<OnlineOrder> out;
  PALIKA_RETURN_IF_ERROR(l->Read([&](Transaction& tx) -> Status {
    PALIKA_ASSIGN_OR_RETURN(
        out, LoadOrders(tx, "WHERE status = 'pending' ORDER BY created_us, order_id", {}));
    return Status::OK();
  }));
  return out;
}

Result<std::vector<AmountMismatch>> OnlinePayments::Mismatches(const std::string& ulb) {
  PALIKA_ASSIGN_OR_RETURN(ledger::Ledger * l, ledgers_.Ulb(ulb));
  std::vector<AmountMismatch> out;
  PALIKA_RETURN_IF_ERROR(l->Read([&](Transaction& tx) -> Status {
    return tx.ForEach(
        "SELECT m.order_id, o.property_id, o.amount_paise, m.reported_paise, m.txn_id, m.time_us"
        " FROM online_mismatches m JOIN online_orders o ON o.order_id = m.order_id"
        " ORDER BY m.time_us DESC, m.order_id",
        {}, [&](const store::Row& r) {
          out.push_back({r.Text(0), r.Text(1), Money::FromPaise(r.Int(2)),
                         Money::FromPaise(r.Int(3)), r.Text(4), r.Int(5)});
          return true;
        });
  }));
  return out;
}

Status OnlinePayments::RecordMismatch(const std::string& ulb, const OnlineOrder& order,
                                      Money reported, const std::string& txn_id) {
  spdlog::warn("online order {} of ULB {}: the gateway reports {} (txn {}), the order is for {}",
               order.order_id, ulb, reported.Format(), txn_id, order.amount.Format());
  auto l = ledgers_.Ulb(ulb);
  if (l.ok()) {
    ledger::Command c;
    c.actor = kActor;
    c.decide = [id = order.order_id, paise = reported.paise(), txn_id](
                   Transaction& tx, int64_t) -> Result<Decision> {
      PALIKA_ASSIGN_OR_RETURN(auto seen,
                              tx.QueryOne("SELECT 1 FROM online_mismatches WHERE order_id = ? AND"
                                          " reported_paise = ? AND txn_id = ?",
                                          {id, paise, txn_id}));
      Decision d;
      d.response = json::object{{"order_id", id}};
      if (seen) return d;  // recorded once
      d.events.push_back({kOrderAmountMismatch,
                          {{"v", kEventVersion},
                           {"order_id", id},
                           {"reported_paise", paise},
                           {"txn_id", txn_id}}});
      return d;
    };
    if (auto r = (*l)->Submit(std::move(c)); !r.ok()) {
      spdlog::error("online order {}: the mismatch could not be recorded: {}", order.order_id,
                    r.status().ToString());
    }
  }
  return AmountMismatchError(order, reported);
}

Result<OnlineOrder> OnlinePayments::Complete(const std::string& ulb, const OnlineOrder& order,
                                             const std::string& txn_id) {
  if (order.status == "paid") return order;
  if (order.status == "failed") {
    spdlog::warn(
        "online order {} of ULB {} was recorded as failed ({}), but the gateway reports "
        "it paid ({}): collecting it",
        order.order_id, ulb, order.reason, txn_id);
  }
  PaymentInput in;
  in.property_id = order.property_id;
  in.amount = order.amount;
  in.mode = "online";
  in.reference = txn_id;
  in.ulb_name = order.ulb_name;
  in.ulb_name_hi = order.ulb_name_hi;
  // The order's key: every completion of this order (a duplicate callback, reconciliation, a
  // retry after a crash) is this one collection.
  PALIKA_ASSIGN_OR_RETURN(std::string hash,
                          property_tax::RequestHash(
                              "online.collect", json::object{{"order_id", order.order_id},
                                                             {"amount_paise", order.amount.paise()},
                                                             {"txn_id", txn_id}}));
  PALIKA_ASSIGN_OR_RETURN(
      PaymentResult paid,
      Payments(ledgers_).Collect(ulb, {kActor, "online-order:" + order.order_id, hash}, in));
  PALIKA_ASSIGN_OR_RETURN(ledger::Ledger * l, ledgers_.Ulb(ulb));
  ledger::Command c;
  c.actor = kActor;
  c.decide = [id = order.order_id, receipt_no = paid.payment.receipt_no, txn_id](
                 Transaction& tx, int64_t) -> Result<Decision> {
    PALIKA_ASSIGN_OR_RETURN(auto found, LoadOrder(tx, id));
    if (!found) return OrderNotFound(id);
    Decision d;
    d.response = json::object{{"order_id", id}};
    if (found->status == "paid") return d;  // a concurrent completion recorded it
    d.events.push_back(
        {kOrderPaid,
         {{"v", kEventVersion}, {"order_id", id}, {"receipt_no", receipt_no}, {"txn_id", txn_id}}});
    return d;
  };
  PALIKA_RETURN_IF_ERROR(l->Submit(std::move(c)).status());
  return Get(ulb, order.order_id);
}

Result<OnlineOrder> OnlinePayments::Fail(const std::string& ulb, const OnlineOrder& order,
                                         const std::string& reason, const std::string& txn_id) {
  if (order.status != "pending") return order;
  PALIKA_ASSIGN_OR_RETURN(ledger::Ledger * l, ledgers_.Ulb(ulb));
  ledger::Command c;
  c.actor = kActor;
  c.decide = [id = order.order_id, reason, txn_id](Transaction& tx, int64_t) -> Result<Decision> {
    PALIKA_ASSIGN_OR_RETURN(auto found, LoadOrder(tx, id));
    if (!found) return OrderNotFound(id);
    Decision d;
    d.response = json::object{{"order_id", id}};
    if (found->status != "pending") return d;
    d.events.push_back({kOrderFailed,
                        {{"v", kEventVersion},
                         {"order_id", id},
                         {"reason", reason.empty() ? std::string("failed") : reason},
                         {"txn_id", txn_id}}});
    return d;
  };
  PALIKA_RETURN_IF_ERROR(l->Submit(std::move(c)).status());
  return Get(ulb, order.order_id);
}

Result<OnlineOrder> OnlinePayments::Settle(const std::string& ulb, const OnlineOrder& order,
                                           const GatewayOrderStatus& at) {
  if (at.status == kGatewaySuccess) {
    if (at.amount != order.amount) return RecordMismatch(ulb, order, at.amount, at.txn_id);
    return Complete(ulb, order, at.txn_id);
  }
  if (at.status == kGatewayFailure) return Fail(ulb, order, at.reason, at.txn_id);
  return order;  // still open at the gateway
}

Result<OnlineOrder> OnlinePayments::ReconcileOrder(const std::string& ulb,
                                                   const std::string& order_id) {
  PALIKA_ASSIGN_OR_RETURN(OnlineOrder order, Get(ulb, order_id));
  if (order.status != "pending" || gateway_ == nullptr) return order;
  auto at = gateway_->QueryOrder(order.order_id);
  if (!at.ok() && at.status().code() == "gateway_order_not_found") {
    // Recorded here, never created there (a crash or a gateway error in between): nobody can
    // have paid it.
    return Fail(ulb, order, "not_at_gateway", "");
  }
  if (!at.ok()) return at.status();
  return Settle(ulb, order, *at);
}

ReconcileReport OnlinePayments::Reconcile(const std::string& ulb) {
  ReconcileReport report;
  std::vector<std::string> ulbs = ulb.empty() ? ledgers_.UlbCodes() : std::vector{ulb};
  for (const auto& code : ulbs) {
    auto pending = Pending(code);
    if (!pending.ok()) {
      report.problems.push_back(pending.status());
      continue;
    }
    for (const auto& o : *pending) {
      ++report.checked;
      auto settled = ReconcileOrder(code, o.order_id);
      if (!settled.ok()) {
        report.problems.push_back(settled.status());
        continue;
      }
      if (settled->status == "paid") ++report.paid;
      if (settled->status == "failed") ++report.failed;
      if (settled->status == "pending") ++report.pending;
    }
  }
  return report;
}

Result<OnlineOrder> OnlinePayments::HandleCallback(const std::string& ulb,
                                                   const GatewayCallback& cb) {
  if (!CallbackSignatureValid(secret_, cb)) {
    return Status::PermissionDenied(
        "bad_signature",
        "This payment confirmation is not signed by the payment gateway; nothing was recorded. "
        "If you paid, the ULB will confirm the payment with the gateway: open the property's "
        "page again in a few minutes.",
        "यह भुगतान पुष्टि भुगतान गेटवे द्वारा हस्ताक्षरित नहीं है; कुछ दर्ज नहीं हुआ। यदि आपने भुगतान "
        "किया है, तो निकाय गेटवे से उसकी पुष्टि करेगा: कुछ मिनट बाद संपत्ति का पृष्ठ फिर खोलें।");
  }
  PALIKA_ASSIGN_OR_RETURN(OnlineOrder order, Get(ulb, cb.order_id));
  if (cb.status == kGatewaySuccess) {
    if (cb.amount_paise != order.amount.paise()) {
      return RecordMismatch(ulb, order, Money::FromPaise(cb.amount_paise), cb.txn_id);
    }
    return Complete(ulb, order, cb.txn_id);
  }
  if (cb.status == kGatewayFailure) return Fail(ulb, order, "declined", cb.txn_id);
  return Status::InvalidArgument("invalid_field", "Field 'status': must be success or failure.",
                                 "फ़ील्ड 'status': success या failure होना चाहिए।");
}

Result<StartedOrder> OnlinePayments::Start(const std::string& ulb, const std::string& property_id,
                                           const std::string& return_url,
                                           const std::string& ulb_name,
                                           const std::string& ulb_name_hi) {
  if (gateway_ == nullptr) return OnlineOff();
  PALIKA_ASSIGN_OR_RETURN(ledger::Ledger * l, ledgers_.Ulb(ulb));
  const std::string description = "Property tax " + property_id + ", " + ulb_name;
  auto at_gateway = [&](const OnlineOrder& o) {
    return GatewayOrderRequest{o.order_id, ulb, o.property_id, o.amount, return_url, description};
  };
  // Twice at most: a concurrent Start may record its order between our check and our command.
  for (int attempt = 0; attempt < 2; ++attempt) {
    // A pending order of this property is settled first; one still open at the gateway is the
    // one the citizen goes back to, never a second.
    std::vector<OnlineOrder> pending;
    PALIKA_RETURN_IF_ERROR(l->Read([&](Transaction& tx) -> Status {
      PALIKA_ASSIGN_OR_RETURN(
          pending, LoadOrders(tx, "WHERE property_id = ? AND status = 'pending'", {property_id}));
      return Status::OK();
    }));
    for (const auto& o : pending) {
      PALIKA_ASSIGN_OR_RETURN(OnlineOrder settled, ReconcileOrder(ulb, o.order_id));
      if (settled.status != "pending") continue;
      PALIKA_ASSIGN_OR_RETURN(GatewayOrder g, gateway_->CreateOrder(at_gateway(settled)));
      return StartedOrder{settled, g.redirect_url, true};
    }

    const std::string order_id = NewOrderId(ulb);
    ledger::Command c;
    c.actor = kActor;
    c.decide = [order_id, property_id, gateway = gateway_->name(), ulb_name, ulb_name_hi](
                   Transaction& tx, int64_t now_us) -> Result<Decision> {
      PALIKA_ASSIGN_OR_RETURN(auto property, property_tax::LoadProperty(tx, property_id));
      if (!property) {
        return Status::NotFound("property_not_found",
                                "There is no property " + property_id + " in this ULB.",
                                "इस निकाय में संपत्ति " + property_id + " नहीं है।");
      }
      PALIKA_ASSIGN_OR_RETURN(
          auto open, tx.QueryOne("SELECT order_id FROM online_orders WHERE property_id = ? AND"
                                 " status = 'pending'",
                                 {property_id}));
      if (open) {
        return Status::Conflict("order_pending",
                                "An online payment of this property is already under way.",
                                "इस संपत्ति का एक ऑनलाइन भुगतान पहले से चल रहा है।");
      }
      const CivilDate date = CivilDate::IstDateOfUtcMicros(now_us);
      PALIKA_ASSIGN_OR_RETURN(auto dues, property_tax::PropertyDues(tx, property_id, date,
                                                                    /*online=*/true));
      if (dues.net.paise() <= 0) {
        return Status::Conflict("nothing_due",
                                "Property " + property_id + " has nothing to pay today.",
                                "संपत्ति " + property_id + " पर आज कुछ देय नहीं है।");
      }
      Decision d;
      d.events.push_back({kOrderCreated,
                          {{"v", kEventVersion},
                           {"order_id", order_id},
                           {"property_id", property_id},
                           {"amount_paise", dues.net.paise()},
                           {"date", date.Format()},
                           {"gateway", gateway},
                           {"ulb_name", ulb_name},
                           {"ulb_name_hi", ulb_name_hi}}});
      d.response = json::object{{"order_id", order_id}};
      return d;
    };
    auto created = l->Submit(std::move(c));
    if (!created.ok() && created.status().code() == "order_pending") continue;
    if (!created.ok()) return created.status();
    PALIKA_ASSIGN_OR_RETURN(OnlineOrder order, Get(ulb, order_id));
    auto g = gateway_->CreateOrder(at_gateway(order));
    if (!g.ok()) {
      spdlog::warn("online order {}: the gateway refused it: {}", order_id, g.status().ToString());
      (void)Fail(ulb, order, "gateway_unavailable", "");
      return Status::Unavailable(
          "gateway_unavailable",
          "The payment gateway cannot take the payment now; no money was taken. Try again in a "
          "few minutes, or pay at the ULB's counter.",
          "भुगतान गेटवे अभी भुगतान नहीं ले पा रहा; कोई राशि नहीं कटी। कुछ मिनट बाद फिर कोशिश करें, या "
          "निकाय के काउंटर पर भुगतान करें।");
    }
    return StartedOrder{std::move(order), g->redirect_url, false};
  }
  return Status::Conflict("order_pending",
                          "An online payment of this property is already under way. Open the "
                          "property's page again in a minute.",
                          "इस संपत्ति का एक ऑनलाइन भुगतान पहले से चल रहा है। एक मिनट बाद संपत्ति का "
                          "पृष्ठ फिर खोलें।");
}

}  // namespace palika::payments
