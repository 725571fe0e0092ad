#pragma once
// The sandbox gateway: a PaymentGateway that takes no real money, for the demo and the tests. It
// behaves as a real gateway would towards Palika — its own order store (DATA/sandbox-gateway/
// orders.db, apart from every ledger), its own merchant secret (DATA/sandbox-gateway/secret, 32
// random bytes as hex, mode 0600, made once), callbacks signed exactly as gateway.h says — and
// its pages (src/web/sandbox_gateway.cc) let the "citizen" choose the outcome: success, failure,
// or (for tests) success whose callback is lost, which only reconciliation can then discover.
//
// An order not finished within `order_ttl` of its creation expires: it fails with reason
// "expired" (as a real gateway's payment session times out), so an abandoned order never stays
// pending. Errors: NotFound "gateway_order_not_found"; InvalidArgument "gateway_order_mismatch"
// for an order id created again with another amount or property; IOError from the store.
// Thread-safe (one connection behind a mutex).

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "services/payments/gateway.h"
#include "store/sqlite/database.h"

namespace palika::payments {

class SandboxGateway : public PaymentGateway {
 public:
  // Opens DATA/sandbox-gateway, creating the directory, the store and the secret if missing.
  static Result<std::unique_ptr<SandboxGateway>> Open(
      const std::filesystem::path& data_dir,
      std::chrono::seconds order_ttl = std::chrono::minutes(15));
  // DATA/sandbox-gateway/secret: the merchant secret both sides hold.
  static std::filesystem::path SecretFile(const std::filesystem::path& data_dir);

  std::string name() const override { return "sandbox"; }
  Result<GatewayOrder> CreateOrder(const GatewayOrderRequest& request) override;
  Result<GatewayOrderStatus> QueryOrder(const std::string& order_id) override;

  const std::string& secret() const { return secret_; }

  struct Order {
    std::string gateway_order_id;
    std::string order_id;
    std::string ulb;
    std::string property_id;
    Money amount;
    std::string return_url;
    std::string description;
    std::string status;  // kGatewayPending | kGatewaySuccess | kGatewayFailure
    std::string txn_id;
    std::string reason;
    bool callback_lost = false;
  };
  // An order by the gateway's id (its page), expired first if its time is up.
  Result<Order> Get(const std::string& gateway_order_id);

  enum class Choice { kSuccess, kFailure, kSuccessLoseCallback };
  struct Outcome {
    Order order;
    GatewayCallback callback;  // signed
    bool deliver = true;       // false: the callback was "lost" (send the browser nowhere)
  };
  // Finishes a pending order as chosen; a finished order keeps its outcome (choosing again
  // returns the same callback: a duplicate delivery).
  Result<Outcome> Choose(const std::string& gateway_order_id, Choice choice);

 private:
  SandboxGateway(std::unique_ptr<store::sqlite::Database> db, std::string secret,
                 std::chrono::seconds ttl)
      : db_(std::move(db)), secret_(std::move(secret)), ttl_(ttl) {}
  // Loads by a column's value, expiring the order if its time is up. mu_ held.
  Result<std::optional<Order>> LoadLocked(std::string_view column, const std::string& value);
  GatewayCallback CallbackOf(const Order& o) const;

  std::mutex mu_;  // guards db_
  std::unique_ptr<store::sqlite::Database> db_;
  const std::string secret_;
  const std::chrono::seconds ttl_;
};

}  // namespace palika::payments
