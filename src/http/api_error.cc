#include "http/api_error.h"

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

namespace palika::http {

int HttpStatusFor(StatusKind kind) {
  switch (kind) {
    case StatusKind::kInvalidArgument:
      return 400;
    case StatusKind::kUnauthenticated:
      return 401;
    case StatusKind::kPermissionDenied:
      return 403;
    case StatusKind::kNotFound:
      return 404;
    case StatusKind::kConflict:
      return 409;
    case StatusKind::kTooLarge:
      return 413;
    case StatusKind::kTooManyRequests:
      return 429;
    case StatusKind::kUnavailable:
      return 503;
    case StatusKind::kOk:
    case StatusKind::kCorruption:
    case StatusKind::kIOError:
    case StatusKind::kInternal:
      break;
  }
  return 500;
}

Status PublicInternalError() {
  return Status::Internal(
      "Something went wrong on the server and your request was not completed. Nothing was saved. "
      "Please try again; if it keeps happening, contact the ULB's helpdesk.");
}

namespace {

std::string Quoted(const std::string& text) {
  return boost::json::serialize(boost::json::string(text));
}

}  // namespace

std::string ErrorBody(const Status& status) {
  std::string code = status.code();
  std::string message = status.message();
  std::string message_hi = status.message_hi();
  if (HttpStatusFor(status.kind()) == 500) {
    code = "internal";
    message = PublicInternalError().message();
    message_hi =
        "सर्वर पर कोई गड़बड़ी हुई और आपका अनुरोध पूरा नहीं हुआ। कुछ भी सहेजा नहीं गया। कृपया फिर "
        "से प्रयास करें; बार-बार ऐसा हो तो नगरीय निकाय की हेल्पडेस्क से संपर्क करें।";
  }
  return "{\"error\": {\"code\": " + Quoted(code) + ", \"message\": " + Quoted(message) +
         ", \"message_hi\": " + Quoted(message_hi) + "}}";
}

}  // namespace palika::http
