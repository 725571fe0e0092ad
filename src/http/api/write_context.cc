#include "http/api/write_context.h"

namespace palika::http {

namespace {
constexpr size_t kMaxIdempotencyKey = 200;
}  // namespace

Result<std::string> IdempotencyKey(const Request& req, bool required) {
  auto h = req.Header("idempotency-key");
  if (!h) {
    if (!required) return std::string();
    return Status::InvalidArgument(
        "idempotency_key_required",
        "A payment needs an Idempotency-Key header (a new UUID for each payment), so that a "
        "retry after a lost answer cannot collect twice.",
        "भुगतान के लिए Idempotency-Key हेडर आवश्यक है (हर भुगतान के लिए नया UUID), ताकि उत्तर खो "
        "जाने पर दोबारा भेजने से दो बार वसूली न हो।");
  }
  const std::string& key = *h;
  bool printable = !key.empty() && key.size() <= kMaxIdempotencyKey;
  for (unsigned char c : key) printable = printable && c > 0x20 && c < 0x7f;
  if (!printable) {
    return Status::InvalidArgument(
        "invalid_idempotency_key",
        "The Idempotency-Key header must be 1 to 200 printable characters without spaces (a "
        "UUID is a good key).",
        "Idempotency-Key हेडर 1 से 200 छपने योग्य वर्णों का हो, बिना रिक्त स्थान के (UUID अच्छी "
        "कुंजी है)।");
  }
  return key;
}

Result<property_tax::WriteContext> WriteContextFor(const Request& req,
                                                   const identity::Principal& who,
                                                   std::string_view operation,
                                                   const boost::json::object& body,
                                                   bool key_required) {
  property_tax::WriteContext ctx{who.user_id, "", ""};
  PALIKA_ASSIGN_OR_RETURN(ctx.idempotency_key, IdempotencyKey(req, key_required));
  if (!ctx.idempotency_key.empty()) {
    PALIKA_ASSIGN_OR_RETURN(ctx.request_hash, property_tax::RequestHash(operation, body));
  }
  return ctx;
}

}  // namespace palika::http
