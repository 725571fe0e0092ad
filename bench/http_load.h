#pragma once
// HttpLoad: an event-loop HTTP load client for the benchmarks, in the manner of wrk: one thread
// runs `connections` kept-alive connections (Asio/Beast coroutines), each with one request in
// flight at a time, for a given time. Requests come from a function the caller gives (called on
// the load thread, with the connection's number and its request count); every answer's status is
// checked and each expected one's latency recorded. The thread's own CPU time is measured, so a
// benchmark in the same process can say what its server cost apart from its client.
// Header-only (each bench program is its own executable); Beast and Asio stay in bench/.

#include <fmt/core.h>
#include <time.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace palika::bench {

// One request as the load client sends it.
struct LoadRequest {
  std::string method = "GET";
  std::string target = "/";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // Host and Content-Length added
};

struct LoadFigures {
  int64_t ok = 0;      // answers with the expected status
  int64_t errors = 0;  // other answers, or a connection lost (its request is not counted)
  double seconds = 0;  // from the first request to the last answer
  std::vector<double> latency_ms;  // of each expected answer, request written to answer read
  double cpu_seconds = 0;          // the load thread's own CPU time (user + system)
};

// The calling thread's CPU time in seconds (user + system).
inline double ThreadCpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

// Runs the load on a thread of its own and returns when every connection has had its last
// answer after `seconds`. The first few unexpected answers are printed to stderr.
inline LoadFigures RunHttpLoad(const std::string& host, uint16_t port, int connections,
                               double seconds, int expected_status,
                               const std::function<LoadRequest(int connection, int64_t n)>& next) {
  namespace asio = boost::asio;
  namespace beast = boost::beast;
  namespace bhttp = boost::beast::http;
  using tcp = asio::ip::tcp;
  using Clock = std::chrono::steady_clock;
  constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

  LoadFigures out;
  std::vector<std::vector<double>> latencies(static_cast<size_t>(connections));
  std::thread load([&] {
    const double cpu0 = ThreadCpuSeconds();
    asio::io_context ioc(1);
    bool stop = false;
    const tcp::endpoint endpoint(asio::ip::make_address(host), port);
    const std::string host_header = fmt::format("{}:{}", host, port);
    auto report = [&](int c, const std::string& what) {
      if (out.errors++ < 5) fmt::print(stderr, "load client {}: {}\n", c, what);
    };
    auto connection = [&](int c) -> asio::awaitable<void> {
      beast::tcp_stream stream(ioc);
      stream.expires_after(std::chrono::seconds(10));
      if (auto [ec] = co_await stream.async_connect(endpoint, kTuple); ec) {
        report(c, "connect: " + ec.message());
        co_return;
      }
      stream.socket().set_option(tcp::no_delay(true));
      beast::flat_buffer buffer;
      auto& mine = latencies[static_cast<size_t>(c)];
      for (int64_t n = 0; !stop; ++n) {
        LoadRequest r = next(c, n);
        bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(r.method), r.target, 11};
        req.set(bhttp::field::host, host_header);
        for (auto& [name, value] : r.headers) req.set(name, value);
        req.body() = std::move(r.body);
        req.prepare_payload();
        const auto t0 = Clock::now();
        stream.expires_after(std::chrono::seconds(30));
        if (auto [ec, sent] = co_await bhttp::async_write(stream, req, kTuple); ec) {
          report(c, "write: " + ec.message());
          co_return;
        }
        bhttp::response<bhttp::string_body> res;
        if (auto [ec, got] = co_await bhttp::async_read(stream, buffer, res, kTuple); ec) {
          report(c, "read: " + ec.message());
          co_return;
        }
        const auto t1 = Clock::now();
        if (res.result_int() != static_cast<unsigned>(expected_status)) {
          report(c, fmt::format("answer {} {}", res.result_int(), res.body()));
          if (!res.keep_alive()) co_return;
          continue;
        }
        mine.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
      }
      beast::error_code ignored;
      stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    };
    const auto start = Clock::now();
    for (int c = 0; c < connections; ++c) asio::co_spawn(ioc, connection(c), asio::detached);
    asio::steady_timer timer(
        ioc, std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds)));
    timer.async_wait([&](const beast::error_code&) { stop = true; });
    ioc.run();
    out.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    out.cpu_seconds = ThreadCpuSeconds() - cpu0;
  });
  load.join();
  for (auto& l : latencies) out.latency_ms.insert(out.latency_ms.end(), l.begin(), l.end());
  out.ok = static_cast<int64_t>(out.latency_ms.size());
  return out;
}

}  // namespace palika::bench
