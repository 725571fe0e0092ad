#pragma once
// Client: a small synchronous HTTP/1.1 client (Boost.Beast) for Palika's own tools — the backup
// puller on a backup host — and, wrapped by TestClient, for tests.
//
// Keeps one connection alive across Request() calls and reconnects once if the server had closed
// it. Every operation has a deadline (the client's timeout, or the one given to Request); on any
// failure the response has status 0 and `error` says why. Plain http:// only: put TLS in front
// (the server's reverse proxy, and a local TLS tunnel on the backup host). Not thread-safe: use
// one client per thread.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace palika::http {

struct ClientResponse {
  int status = 0;                              // 0: no response (see error)
  std::map<std::string, std::string> headers;  // lowercase names; repeats joined with ", "
  std::string body;
  std::string error;  // why there is no response

  // Header by lowercase name, or "" if absent.
  std::string Header(const std::string& lowercase_name) const;
};

// "http://host:port[/base]" split up; InvalidArgument "bad_url" (bilingual) for anything else.
struct HttpUrl {
  std::string host;
  uint16_t port = 80;
  std::string base_path;  // "" or "/prefix" without a trailing slash
};
Result<HttpUrl> ParseHttpUrl(std::string_view url);

class Client {
 public:
  Client(std::string host, uint16_t port,
         std::chrono::milliseconds timeout = std::chrono::seconds(10),
         std::string user_agent = "palika");
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Sends one request on the kept-alive connection and reads the response (interim 1xx responses
  // are skipped). Host, User-Agent and Content-Length are added unless given in headers.
  // `timeout` overrides the client's for this request (a long poll needs more than its wait).
  ClientResponse Request(std::string_view method, std::string_view target,
                         std::string_view body = "",
                         const std::vector<std::pair<std::string, std::string>>& headers = {},
                         std::optional<std::chrono::milliseconds> timeout = std::nullopt);

  // TCP connections opened by Request() so far (keep-alive keeps this at 1).
  int connections_opened() const;
  // Closes the kept-alive connection.
  void Close();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace palika::http
