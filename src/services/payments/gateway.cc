#include "services/payments/gateway.h"

#include <sodium.h>

#include "core/encoding.h"

namespace palika::payments {

std::string CallbackSigningText(const GatewayCallback& cb) {
  return cb.order_id + "|" + cb.gateway_order_id + "|" + cb.txn_id + "|" +
         std::to_string(cb.amount_paise) + "|" + cb.status;
}

std::string SignCallback(std::string_view secret, const GatewayCallback& cb) {
  const std::string text = CallbackSigningText(cb);
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(secret.data()),
                              secret.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(text.data()),
                                text.size());
  crypto_auth_hmacsha256_final(&st, mac);
  return HexEncode(std::string_view(reinterpret_cast<const char*>(mac), sizeof mac));
}

bool CallbackSignatureValid(std::string_view secret, const GatewayCallback& cb) {
  if (secret.empty()) return false;
  const std::string expected = SignCallback(secret, cb);
  if (cb.signature.size() != expected.size()) return false;
  return sodium_memcmp(cb.signature.data(), expected.data(), expected.size()) == 0;
}

}  // namespace palika::payments
