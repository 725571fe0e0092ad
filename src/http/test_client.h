#pragma once
// TestClient: the HTTP client (client.h) for tests, plus SendRaw for malformed requests.
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

#include "http/client.h"

namespace palika::http {

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
  std::string host_;
  uint16_t port_;
  Client client_;
};

}  // namespace palika::http
