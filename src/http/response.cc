#include "http/response.h"

#include <spdlog/spdlog.h>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "http/api_error.h"

namespace palika::http {

namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    char y = b[i] >= 'A' && b[i] <= 'Z' ? static_cast<char>(b[i] - 'A' + 'a') : b[i];
    if (x != y) return false;
  }
  return true;
}

}  // namespace

Response Response::Json(int status, const boost::json::value& value) {
  Response response;
  response.status = status;
  response.content_type = "application/json";
  response.body = boost::json::serialize(value);
  return response;
}

Response Response::Text(int status, std::string body, std::string content_type) {
  Response response;
  response.status = status;
  response.content_type = std::move(content_type);
  response.body = std::move(body);
  return response;
}

Response Response::Redirect(std::string location, int status) {
  Response response;
  response.status = status;
  response.headers.emplace_back("Location", std::move(location));
  return response;
}

Response Response::Error(const Status& status) {
  return Error(HttpStatusFor(status.kind()), status);
}

Response Response::Error(int http_status, const Status& status) {
  // The client gets a generic message (see ErrorBody); the details go to the log.
  if (HttpStatusFor(status.kind()) == 500) spdlog::error("internal error: {}", status.ToString());
  Response response;
  response.status = http_status;
  response.content_type = "application/json";
  response.body = ErrorBody(status);
  // 503 (storage full or busy, shutting down): nothing was saved; tell clients when to try again.
  // A ULB's database that cannot be reached is tried again every few seconds (ledger_set.h).
  if (http_status == 503) {
    const bool soon = status.code() == "store_unavailable" || status.code() == "store_busy";
    response.headers.emplace_back("Retry-After", soon ? "5" : "60");
  }
  return response;
}

Response& Response::With(std::string name, std::string value) {
  headers.emplace_back(std::move(name), std::move(value));
  return *this;
}

const std::string* Response::FindHeader(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return &value;
  }
  return nullptr;
}

}  // namespace palika::http
