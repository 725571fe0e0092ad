#pragma once
// Online payments of property tax through a PaymentGateway (gateway.h), as commands on the ULB's
// ledger. The collection itself is Payments::Collect with mode "online" (receipt series "ON",
// the gateway's transaction id as reference, idempotency key "online-order:<order id>"), so the
// receipt numbers, the allocation and the journal are the one existing write path.
//
// Events (payload "v": 1):
//   online.order_created {v, order_id, property_id, amount_paise, date, gateway, ulb_name,
//                         ulb_name_hi}
//   online.order_paid    {v, order_id, receipt_no, txn_id}
//   online.order_failed  {v, order_id, reason, txn_id}
//   online.amount_mismatch {v, order_id, reported_paise, txn_id}   a signed success whose amount
//                         is not the order's: nothing is collected, the ULB checks with the gateway
// Table (ULB ledger): online_orders(order_id, property_id, amount_paise, date, gateway, status
//   "pending"|"paid"|"failed", receipt_no, txn_id, reason, ulb_name, ulb_name_hi, created_us);
//   online_mismatches(order_id, reported_paise, txn_id, time_us), listed by the back office's
//   collections report.
//
// Rules. An order's amount is the property's dues on the day it is created, with the online
// rebate (decided in the command). A property has at most one pending order: Start first asks
// the gateway about a pending one and completes or fails it; if the gateway still has it open,
// the citizen is sent back to that same order. So one payment at the gateway is one collection,
// however the callbacks arrive:
//  - a callback must carry a valid signature (PermissionDenied "bad_signature"), name an order
//    of this ULB (NotFound "order_not_found") and, for a success, its amount
//    (InvalidArgument "amount_mismatch"); a refused callback records nothing, except that a
//    signed wrong amount (from a callback or reconciliation) is kept as online.amount_mismatch,
//    once per order, amount and transaction, so that it is seen, not only logged;
//  - a duplicate callback, or reconciliation after one, returns the same receipt;
//  - a success reported for an order recorded as failed is still collected (the money was
//    taken); a failure reported for a paid order changes nothing.
// Between Collect and online.order_paid a crash leaves the order pending; the next completion
// (callback or reconciliation) replays Collect's key and gets the same receipt.
//
// Errors (bilingual): the above; NotFound "property_not_found"; Conflict "nothing_due",
// "online_payments_off"; Unavailable "gateway_unavailable"; Payments::Collect's. Thread-safe.

#include <optional>
#include <string>
#include <vector>

#include "core/money.h"
#include "core/status.h"
#include "ledger/ledger_set.h"
#include "ledger/projections.h"
#include "services/payments/gateway.h"
#include "services/payments/payments.h"

namespace palika::payments {

inline constexpr char kOrderCreated[] = "online.order_created";
inline constexpr char kOrderPaid[] = "online.order_paid";
inline constexpr char kOrderFailed[] = "online.order_failed";
inline constexpr char kOrderAmountMismatch[] = "online.amount_mismatch";

// Tables and apply functions of online orders in every ULB ledger.
void RegisterOnlineOrderProjections(ledger::Projections& p);

struct OnlineOrder {
  std::string order_id;
  std::string property_id;
  Money amount;
  CivilDate date;
  std::string gateway;
  std::string status;  // "pending" | "paid" | "failed"
  std::string receipt_no;
  std::string txn_id;
  std::string reason;
  std::string ulb_name;
  std::string ulb_name_hi;
  int64_t created_us = 0;
};

// What Start hands the browser: the order and where to send the citizen.
struct StartedOrder {
  OnlineOrder order;
  std::string redirect_url;
  bool resumed = false;  // an order already open at the gateway, not a new one
};

// A signed success whose amount was not the order's.
struct AmountMismatch {
  std::string order_id;
  std::string property_id;
  Money expected;  // the order's amount
  Money reported;  // what the gateway reported
  std::string txn_id;
  int64_t time_us = 0;  // when it was recorded
};

struct ReconcileReport {
  int checked = 0;
  int paid = 0;
  int failed = 0;
  int pending = 0;               // still open at the gateway
  std::vector<Status> problems;  // orders that could not be settled now (retried next time)
};

class OnlinePayments {
 public:
  // `gateway` may be null: online payments are off (Start answers "online_payments_off").
  OnlinePayments(ledger::LedgerSet& ledgers, PaymentGateway* gateway, std::string merchant_secret)
      : ledgers_(ledgers), gateway_(gateway), secret_(std::move(merchant_secret)) {}

  bool enabled() const { return gateway_ != nullptr; }
  std::string gateway_name() const { return gateway_ ? gateway_->name() : ""; }

  // Starts paying today's dues of a property online: settles a pending order first (see the
  // rules), records a new order and creates it at the gateway. `return_url_prefix` + order id is
  // the return URL. ulb_name(_hi) are kept with the order for its receipt.
  Result<StartedOrder> Start(const std::string& ulb, const std::string& property_id,
                             const std::string& return_url_prefix, const std::string& ulb_name,
                             const std::string& ulb_name_hi);
  // A callback from the gateway, checked and settled (see the rules); the order afterwards.
  Result<OnlineOrder> HandleCallback(const std::string& ulb, const GatewayCallback& cb);
  // Asks the gateway about every pending order of the ULB ("" : of every ULB) and settles them.
  ReconcileReport Reconcile(const std::string& ulb);
  // Settles one order from the gateway's status (pending orders only; others are returned).
  Result<OnlineOrder> ReconcileOrder(const std::string& ulb, const std::string& order_id);

  Result<OnlineOrder> Get(const std::string& ulb, const std::string& order_id);
  // Pending orders of a ULB, oldest first.
  Result<std::vector<OnlineOrder>> Pending(const std::string& ulb);
  // The amount mismatches recorded in a ULB, newest first.
  Result<std::vector<AmountMismatch>> Mismatches(const std::string& ulb);

 private:
  Result<OnlineOrder> Complete(const std::string& ulb, const OnlineOrder& order,
                               const std::string& txn_id);
  Result<OnlineOrder> Fail(const std::string& ulb, const OnlineOrder& order,
                           const std::string& reason, const std::string& txn_id);
  // Records the mismatch (once) and returns the "amount_mismatch" error for it.
  Status RecordMismatch(const std::string& ulb, const OnlineOrder& order, Money reported,
                        const std::string& txn_id);
  Result<OnlineOrder> Settle(const std::string& ulb, const OnlineOrder& order,
                             const GatewayOrderStatus& at_gateway);

  ledger::LedgerSet& ledgers_;
  PaymentGateway* gateway_;
  const std::string secret_;
};

}  // namespace palika::payments
