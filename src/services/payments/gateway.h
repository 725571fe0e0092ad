#pragma once
// A payment gateway of the redirect-and-signed-callback kind Indian gateways use: the merchant
// (Palika) creates an order with its own order id, amount and a return URL and sends the citizen's
// browser to the gateway's redirect URL; the gateway sends the browser back to the return URL
// with the outcome signed by HMAC-SHA256 under the merchant secret; the merchant can also ask the
// gateway for an order's status (reconciliation, when a callback is lost).
//
// The signature covers the canonical fields joined by '|' in a fixed order (CallbackSigningText);
// it is compared in constant time. Thread-safety: the free functions are pure; implementations of
// PaymentGateway must be thread-safe.

#include <memory>
#include <string>
#include <string_view>

#include "core/money.h"
#include "core/status.h"

namespace palika::payments {

// The outcome a gateway reports for an order.
inline constexpr char kGatewayPending[] = "pending";
inline constexpr char kGatewaySuccess[] = "success";
inline constexpr char kGatewayFailure[] = "failure";

// What a callback carries; every field but `signature` is signed.
struct GatewayCallback {
  std::string order_id;          // the merchant's (Palika's) order id
  std::string gateway_order_id;  // the gateway's own id of the order
  std::string txn_id;            // the gateway's transaction id ("" when it failed before one)
  int64_t amount_paise = 0;
  std::string status;     // kGatewaySuccess | kGatewayFailure
  std::string signature;  // lowercase hex HMAC-SHA256
};

// "order_id|gateway_order_id|txn_id|amount_paise|status": the text the signature covers.
std::string CallbackSigningText(const GatewayCallback& cb);
// The hex HMAC-SHA256 of CallbackSigningText under `secret`.
std::string SignCallback(std::string_view secret, const GatewayCallback& cb);
// Whether cb.signature is SignCallback(secret, cb), compared in constant time. An empty secret
// never verifies.
bool CallbackSignatureValid(std::string_view secret, const GatewayCallback& cb);

struct GatewayOrderRequest {
  std::string order_id;  // the merchant's order id; creating it again returns the same order
  std::string ulb;
  std::string property_id;
  Money amount;
  std::string return_url;   // where the gateway sends the browser back, with the callback
  std::string description;  // shown on the gateway's page
};

struct GatewayOrder {
  std::string gateway_order_id;
  std::string redirect_url;  // where to send the citizen's browser
};

struct GatewayOrderStatus {
  std::string status = kGatewayPending;  // kGatewayPending | kGatewaySuccess | kGatewayFailure
  std::string gateway_order_id;
  std::string txn_id;
  Money amount;
  std::string reason;  // why it failed, as the gateway says it
};

class PaymentGateway {
 public:
  virtual ~PaymentGateway() = default;
  // "sandbox", or the real gateway's name: recorded with every order.
  virtual std::string name() const = 0;
  // Creates (or, for an order id it has seen, returns again) an order. Unavailable when the
  // gateway cannot be reached; InvalidArgument for an order id seen with another amount.
  virtual Result<GatewayOrder> CreateOrder(const GatewayOrderRequest& request) = 0;
  // What the gateway knows of the merchant's order; NotFound "gateway_order_not_found" if it
  // has none (the order was never created there).
  virtual Result<GatewayOrderStatus> QueryOrder(const std::string& order_id) = 0;
};

}  // namespace palika::payments
