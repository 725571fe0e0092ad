#pragma once
// Response: what a handler returns, as a plain value; the server turns it into HTTP.
//
// Security headers (CSP, nosniff, frame options, referrer policy; no-store under /api) are added by
// the server unless the handler set them itself. Header names and values must not contain CR, LF
// or NUL: the server answers 500 instead of sending such a response.

#include <boost/json/fwd.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace palika::http {

struct Response {
  int status = 200;
  std::string content_type;  // empty: no Content-Type (e.g. 204)
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers, in order

  // status with the serialized value, as application/json.
  static Response Json(int status, const boost::json::value& value);
  // status with body as text.
  static Response Text(int status, std::string body,
                       std::string content_type = "text/plain; charset=utf-8");
  // A redirect (303 See Other by default, for after a form POST) to location.
  static Response Redirect(std::string location, int status = 303);
  // {"error": {"code", "message", "message_hi"}} with the HTTP status HttpStatusFor(kind).
  // A status mapped to 500 is logged and its details replaced by a generic message; a 503
  // (nothing was saved: storage full or busy, shutting down) carries Retry-After: 60.
  static Response Error(const Status& status);
  // The same body with an explicit HTTP status (405, 431, ...).
  static Response Error(int http_status, const Status& status);

  // Appends a header; returns *this for chaining.
  Response& With(std::string name, std::string value);
  // The first header named name (case-insensitive), or nullptr.
  const std::string* FindHeader(std::string_view name) const;
};

}  // namespace palika::http
