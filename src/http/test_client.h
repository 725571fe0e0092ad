#pragma once
// TestClient: a small synchronous HTTP/1.1 client for tests and tools (not for production calls).
//
// Keeps one connection alive across Request() calls and reconnects once if the server had closed
// it. Every operation has a deadline (timeout); on any failure the response has status 0 and
// `error` says why. Not thread-safe: use one client per thread.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace palika::http {

struct ClientResponse {
  int status = 0;                              // 0: no response (see error)
  std::map<std::string, std::string> headers;  // lowercase names; repeats joined with ", "
  std::string body;
  std::string error;  // why there is no response

  // Header by lowercase name, or "" if absent.
  std::string Header(const std::string& lowercase_name) const;
};

class TestClient {
 public:
  TestClient(std::string host, uint16_t port,
             std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~TestClient();
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;

  // Sends one request on the kept-alive connection and reads the response (interim 1xx responses
  // are skipped). Host, User-Agent and Content-Length are added unless given in headers.
  ClientResponse Request(std::string_view method, std::string_view target,
                         std::string_view body = "",
                         const std::vector<std::pair<std::string, std::string>>& headers = {});

  // On a new connection: writes bytes as they are, then returns everything the server sends until
  // it closes the connection or timeout passes.
  std::string SendRaw(std::string_view bytes,
                      std::chrono::milliseconds timeout = std::chrono::seconds(10));

  // TCP connections opened by Request() so far (keep-alive keeps this at 1).
  int connections_opened() const;
  // Closes the kept-alive connection.
  void Close();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace palika::http
