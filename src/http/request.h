#pragma once
// Request: one HTTP request as a plain value, with no Beast types.
//
// The server fills method, target, headers (names lowercased), body and remote_address; the router
// fills path, query, params and route (see Router::Dispatch). Handlers read it, possibly on a
// worker thread; a Request is not shared between threads while a handler runs.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace palika::http {

struct Request {
  std::string method;  // as sent, e.g. "GET"
  std::string target;  // the raw request-target, e.g. "/api/v1/ulbs/0152/properties?q=%E0%A4%B0"
  std::string path;    // percent-decoded and validated, e.g. "/api/v1/ulbs/0152/properties"
  std::multimap<std::string, std::string> query;  // decoded ('+' is a space)
  std::map<std::string, std::string> headers;     // lowercase names; repeats joined with ", "
  std::string body;
  std::string remote_address;                 // peer IP address
  std::map<std::string, std::string> params;  // path parameters, e.g. {"ulb": "0152", "id": "7"}
  std::string route;  // the matched pattern, e.g. "/api/v1/ulbs/{ulb}/properties/{id}"

  // Header by name, in any case; nullopt if absent.
  std::optional<std::string> Header(std::string_view name) const;
  // The first value of a query parameter; nullopt if absent.
  std::optional<std::string> Query(std::string_view name) const;
  // Every value of a query parameter, in order.
  std::vector<std::string> QueryAll(std::string_view name) const;
  // A cookie from the Cookie header (surrounding double quotes removed); nullopt if absent.
  std::optional<std::string> Cookie(std::string_view name) const;
  // A path parameter; empty if the route has none by that name.
  std::string Param(std::string_view name) const;
};

// Splits an origin-form request-target ("/a/b?x=1") into request->path and request->query.
// Fails with InvalidArgument (code "bad_path" or "bad_query", bilingual message) on a target that
// does not start with '/', an invalid percent-escape, an encoded '/' or '\' inside a segment,
// a "." or ".." segment, a NUL or other control character, or invalid UTF-8.
Status ParseTarget(std::string_view target, Request* request);

// Decodes application/x-www-form-urlencoded text (a query string or a form body): '&'-separated
// name=value pairs, '+' is a space, %XX escapes. Fails with InvalidArgument (code "bad_query")
// on an invalid escape, a control character or invalid UTF-8.
Result<std::multimap<std::string, std::string>> ParseUrlEncoded(std::string_view text);

// True if text is well-formed UTF-8 (no overlong forms, surrogates or code points > U+10FFFF).
bool IsValidUtf8(std::string_view text);

}  // namespace palika::http
