#include "documents/verify_page.h"

namespace palika::documents {

boost::json::object VerifiedReceiptJson(const Result<VerifiedReceipt>& verdict) {
  boost::json::object out;
  if (!verdict.ok()) {
    out["genuine"] = false;
    out["error"] = {{"code", verdict.status().code()},
                    {"message", verdict.status().message()},
                    {"message_hi", verdict.status().message_hi()}};
    return out;
  }
  const ReceiptCodeFields& f = verdict->fields;
  out["genuine"] = true;
  out["receipt"] = {{"ulb", f.ulb},
                    {"receipt_no", f.receipt_no},
                    {"date", f.date.Format()},
                    {"property_id", f.property_id},
                    {"amount_paise", f.amount.paise()},
                    {"amount", f.amount.Format()},
                    {"payer", f.payer},
                    {"origin", f.origin},
                    {"seq", f.seq},
                    {"key", verdict->key_name}};
  return out;
}

}  // namespace palika::documents
