#include "services/payments/sandbox_gateway.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "core/encoding.h"
#include "core/ids.h"
#include "ledger/durable_file.h"

namespace palika::payments {
namespace fs = std::filesystem;

namespace {

constexpr char kSchema[] =
    "CREATE TABLE IF NOT EXISTS sandbox_orders(gateway_order_id TEXT PRIMARY KEY,"
    " order_id TEXT NOT NULL UNIQUE, ulb TEXT NOT NULL, property_id TEXT NOT NULL,"
    " amount_paise INTEGER NOT NULL, return_url TEXT NOT NULL, description TEXT NOT NULL,"
    " status TEXT NOT NULL, txn_id TEXT NOT NULL DEFAULT '', reason TEXT NOT NULL DEFAULT '',"
    " callback_lost INTEGER NOT NULL DEFAULT 0, created_us INTEGER NOT NULL,"
    " finished_us INTEGER)";

constexpr char kColumns[] =
    "SELECT gateway_order_id, order_id, ulb, property_id, amount_paise, return_url, description,"
    " status, txn_id, reason, callback_lost, created_us FROM sandbox_orders WHERE ";

int64_t NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status OrderNotFound(const std::string& id) {
  return Status::NotFound("gateway_order_not_found",
                          "The payment gateway has no order " + id +
                              ". Start the payment again from the property's page.",
                          "भुगतान गेटवे में ऑर्डर " + id + " नहीं है। संपत्ति के पृष्ठ से भुगतान फिर से शुरू करें।");
}

std::string TxnId() {
  std::string hex = HexEncode(RandomBytes(6));
  std::transform(hex.begin(), hex.end(), hex.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return "SBXTXN" + hex;
}

}  // namespace

fs::path SandboxGateway::SecretFile(const fs::path& data_dir) {
  return data_dir / "sandbox-gateway" / "secret";
}

Result<std::unique_ptr<SandboxGateway>> SandboxGateway::Open(const fs::path& data_dir,
                                                             std::chrono::seconds order_ttl) {
  const fs::path dir = data_dir / "sandbox-gateway";
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::IOError("cannot create " + dir.string() + ": " + ec.message());
  const fs::path secret_file = SecretFile(data_dir);
  if (!fs::exists(secret_file)) {
    Status s = ledger::WriteFileNoReplace(secret_file, HexEncode(RandomBytes(32)), 0600);
    if (!s.ok() && s.code() != "file_exists") return s;
  }
  PALIKA_ASSIGN_OR_RETURN(std::string secret, ledger::ReadWholeFile(secret_file, 4096));
  while (!secret.empty() && std::isspace(static_cast<unsigned char>(secret.back()))) {
    secret.pop_back();
  }
  if (secret.size() < 32) {
    return Status::Corruption(secret_file.string() +
                              " holds no usable secret (at least 32 characters); remove it and "
                              "restart to make a new one");
  }
  PALIKA_ASSIGN_OR_RETURN(auto db,
                          store::sqlite::Database::Open(dir / "orders.db", {.create = true}));
  PALIKA_RETURN_IF_ERROR(db->ExecScript(kSchema));
  return std::unique_ptr<SandboxGateway>(
      new SandboxGateway(std::move(db), std::move(secret), order_ttl));
}

Result<std::optional<SandboxGateway::Order>> SandboxGateway::LoadLocked(std::string_view column,
                                                                        const std::string& value) {
  PALIKA_ASSIGN_OR_RETURN(
      auto row, db_->QueryOne(std::string(kColumns) + std::string(column) + " = ?", {value}));
  if (!row) return std::optional<Order>();
  Order o{row->Text(0),     row->Text(1), row->Text(2), row->Text(3), Money::FromPaise(row->Int(4)),
          row->Text(5),     row->Text(6), row->Text(7), row->Text(8), row->Text(9),
          row->Int(10) != 0};
  const int64_t created_us = row->Int(11);
  const int64_t ttl_us = ttl_.count() * 1'000'000;
  if (o.status == kGatewayPending && NowUs() - created_us > ttl_us) {
    // The payment session timed out: the order fails, as it would at a real gateway.
    PALIKA_RETURN_IF_ERROR(db_->Exec(
        "UPDATE sandbox_orders SET status = ?, reason = 'expired', finished_us = ?"
        " WHERE gateway_order_id = ? AND status = ?",
        {std::string(kGatewayFailure), NowUs(), o.gateway_order_id, std::string(kGatewayPending)}));
    o.status = kGatewayFailure;
    o.reason = "expired";
  }
  return std::optional<Order>(std::move(o));
}

Result<GatewayOrder> SandboxGateway::CreateOrder(const GatewayOrderRequest& r) {
  std::lock_guard lock(mu_);
  PALIKA_ASSIGN_OR_RETURN(auto existing, LoadLocked("order_id", r.order_id));
  if (existing) {
    if (existing->amount != r.amount || existing->property_id != r.property_id) {
      return Status::InvalidArgument(
          "gateway_order_mismatch",
          "The gateway already has order " + r.order_id + " with another amount or property.",
          "गेटवे में ऑर्डर " + r.order_id + " पहले से किसी और राशि या संपत्ति के साथ है।");
    }
    return GatewayOrder{existing->gateway_order_id,
                        "/sandbox-gateway/pay/" + existing->gateway_order_id};
  }
  const std::string gid = NewId("sbo");
  PALIKA_RETURN_IF_ERROR(db_->Exec(
      "INSERT INTO sandbox_orders(gateway_order_id, order_id, ulb, property_id, amount_paise,"
      " return_url, description, status, created_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {gid, r.order_id, r.ulb, r.property_id, r.amount.paise(), r.return_url, r.description,
       std::string(kGatewayPending), NowUs()}));
  return GatewayOrder{gid, "/sandbox-gateway/pay/" + gid};
}

Result<GatewayOrderStatus> SandboxGateway::QueryOrder(const std::string& order_id) {
  std::lock_guard lock(mu_);
  PALIKA_ASSIGN_OR_RETURN(auto o, LoadLocked("order_id", order_id));
  if (!o) return OrderNotFound(order_id);
  return GatewayOrderStatus{o->status, o->gateway_order_id, o->txn_id, o->amount, o->reason};
}

Result<SandboxGateway::Order> SandboxGateway::Get(const std::string& gateway_order_id) {
  std::lock_guard lock(mu_);
  PALIKA_ASSIGN_OR_RETURN(auto o, LoadLocked("gateway_order_id", gateway_order_id));
  if (!o) return OrderNotFound(gateway_order_id);
  return std::move(*o);
}

GatewayCallback SandboxGateway::CallbackOf(const Order& o) const {
  GatewayCallback cb{o.order_id, o.gateway_order_id, o.txn_id, o.amount.paise(), o.status, ""};
  cb.signature = SignCallback(secret_, cb);
  return cb;
}

Result<SandboxGateway::Outcome> SandboxGateway::Choose(const std::string& gateway_order_id,
                                                       Choice choice) {
  std::lock_guard lock(mu_);
  PALIKA_ASSIGN_OR_RETURN(auto found, LoadLocked("gateway_order_id", gateway_order_id));
  if (!found) return OrderNotFound(gateway_order_id);
  Order o = std::move(*found);
  if (o.status == kGatewayPending) {
    const bool success = choice != Choice::kFailure;
    o.status = success ? kGatewaySuccess : kGatewayFailure;
    o.txn_id = success ? TxnId() : "";
    o.reason = success ? "" : "declined";
    o.callback_lost = choice == Choice::kSuccessLoseCallback;
    PALIKA_RETURN_IF_ERROR(
        db_->Exec("UPDATE sandbox_orders SET status = ?, txn_id = ?, reason = ?, callback_lost = ?,"
                  " finished_us = ? WHERE gateway_order_id = ?",
                  {o.status, o.txn_id, o.reason, static_cast<int64_t>(o.callback_lost), NowUs(),
                   gateway_order_id}));
  }
  return Outcome{o, CallbackOf(o), !o.callback_lost};
}

}  // namespace palika::payments
