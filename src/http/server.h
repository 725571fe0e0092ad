#pragma once
// Server: HTTP/1.1 over TCP (Boost.Beast, C++20 coroutines), handing each request to a Router.
//
// I/O runs on io_threads; every handler runs on a separate pool of worker_threads, so a handler may
// block (fsync, password hashing) without stalling other connections, except an asynchronous
// route's fast path (Router::AddAsync's InlineHandler), which is tried on the I/O thread first and
// answers there only when it cannot block (a counter payment's first half). Keep-alive; every
// read and write has a deadline; over-limit bodies get 413, over-limit headers 431, malformed
// requests 400 (then the connection is closed). Every response carries security headers, and /api
// responses Cache-Control: no-store. Metrics: palika_http_requests_total{route,method,status},
// palika_http_request_duration_seconds{route}, palika_http_open_connections.
//
// Lifecycle: construct, Listen(), then Run() on one thread (it blocks). Stop() may be called from
// any thread, any number of times, before or during Run(): it stops accepting, closes idle
// connections, lets requests already being read or handled finish (up to shutdown_timeout), then
// closes whatever is left and Run() returns. Run() installs no signal handlers; call
// StopOnSignals() before Run() for SIGINT/SIGTERM (a second signal stops at once).
// Beast stays inside server.cc: this header shows only plain types.
// The router and metrics must outlive the Server. Destroying the Server waits for handlers still
// running on the workers, and for asynchronous handlers' answers (Router::AddAsync) still to come
// (so Run() must have returned first).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "core/metrics.h"
#include "core/status.h"
#include "http/router.h"

namespace palika::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0: any free port (see Server::port())
  size_t body_limit = 1024 * 1024;
  size_t header_limit = 16 * 1024;            // request line and headers together
  std::chrono::seconds read_timeout{15};      // from a request's first byte to its last
  std::chrono::seconds write_timeout{15};     // for one response
  std::chrono::seconds idle_timeout{30};      // between requests on a kept-alive connection
  std::chrono::seconds shutdown_timeout{10};  // Stop(): how long in-flight requests may take
  int io_threads = 2;
  int worker_threads = 64;
  // Requests whose target starts with this prefix run on a pool of their own (reserved_threads),
  // so that handlers blocked elsewhere cannot starve them: `serve --sync-backup` holds each write
  // until a backup puller's ack arrives, and the puller's requests must get through. "": none.
  std::string reserved_prefix;
  int reserved_threads = 8;
};

class Server {
 public:
  Server(ServerOptions options, const Router& router, Metrics& metrics);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens. Fails with InvalidArgument (bad host) or Unavailable (address in use,
  // permission denied, ...), with a bilingual message naming the address.
  Status Listen();
  // The port actually bound (useful with port 0); 0 before Listen().
  uint16_t port() const;
  // Serves until Stop() (or a signal, see StopOnSignals) has drained; at most once per Server.
  void Run();
  // Graceful stop, see above. Thread-safe; returns at once (Run() returns when done).
  void Stop();
  // Makes the first SIGINT or SIGTERM call Stop() and a second one stop at once. Call before Run().
  void StopOnSignals();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace palika::http
