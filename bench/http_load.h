#pragma once
// HttpLoad: an event-loop HTTP load client for the benchmarks, in the manner of wrk: one thread
// runs `connections` kept-alive connections over non-blocking sockets and epoll, each with one
// request in flight at a time, for a given time. Requests come from a function the caller gives
// (called on the load thread, with the connection's number and its request count); every answer's
// status is checked and each expected one's latency recorded (from the request's first byte
// written to its answer's last byte read). The thread's own CPU time is measured, so a benchmark
// in the same process can say what its server cost apart from its client.
// Like wrk it writes each request as one buffer with one send and reads answers with a small
// HTTP/1.1 response reader of its own (status line, Content-Length, Connection; a chunked answer
// is counted as an error), which is what keeps its CPU a request to a few microseconds: the
// client shares the machine with the server it measures. (An earlier version used Beast's
// coroutines and cost ~35 us a request, as much as a tenth of the server's own CPU.)
// Header-only (each bench program is its own executable).

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <fmt/core.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
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

// The head of an HTTP/1.1 answer, as the load client needs it.
struct LoadAnswerHead {
  int status = 0;
  size_t head_bytes = 0;  // through the blank line
  size_t content_length = 0;
  bool keep_alive = true;
};

// Reads the head of an answer at the start of `in`: nullopt while it is incomplete; status 0 when
// it is not an answer this client can read (no status line, no Content-Length, chunked).
inline std::optional<LoadAnswerHead> ParseLoadAnswerHead(std::string_view in) {
  const size_t end = in.find("\r\n\r\n");
  if (end == std::string_view::npos) return std::nullopt;
  LoadAnswerHead h;
  h.head_bytes = end + 4;
  std::string_view head = in.substr(0, end + 2);  // each line ends with CRLF
  const auto lower_equals = [](std::string_view a, std::string_view lower) {
    if (a.size() != lower.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      char c = a[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != lower[i]) return false;
    }
    return true;
  };
  const auto trim = [](std::string_view v) {
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
    return v;
  };
  size_t eol = head.find("\r\n");
  const std::string_view status_line = head.substr(0, eol);
  // "HTTP/1.1 201 Created"
  if (!status_line.starts_with("HTTP/1.") || status_line.size() < 12 || status_line[8] != ' ') {
    return LoadAnswerHead{};
  }
  int status = 0;
  for (size_t i = 9; i < 12; ++i) {
    const char c = status_line[i];
    if (c < '0' || c > '9') return LoadAnswerHead{};
    status = status * 10 + (c - '0');
  }
  h.keep_alive = status_line[7] == '1';  // HTTP/1.0 closes unless it says otherwise
  bool has_length = false;
  for (size_t at = eol + 2; at < head.size(); at = eol + 2) {
    eol = head.find("\r\n", at);
    const std::string_view line = head.substr(at, eol - at);
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) return LoadAnswerHead{};
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = trim(line.substr(colon + 1));
    if (lower_equals(name, "content-length")) {
      size_t n = 0;
      if (value.empty() || value.size() > 12) return LoadAnswerHead{};
      for (char c : value) {
        if (c < '0' || c > '9') return LoadAnswerHead{};
        n = n * 10 + static_cast<size_t>(c - '0');
      }
      h.content_length = n;
      has_length = true;
    } else if (lower_equals(name, "transfer-encoding")) {
      return LoadAnswerHead{};  // chunked: not what the server sends to this client
    } else if (lower_equals(name, "connection")) {
      if (lower_equals(value, "close")) h.keep_alive = false;
      if (lower_equals(value, "keep-alive")) h.keep_alive = true;
    }
  }
  if (!has_length) return LoadAnswerHead{};
  h.status = status;
  return h;
}

// The bytes of one request: request line, Host, the request's headers, Content-Length, body.
inline void FormatLoadRequest(const LoadRequest& r, std::string_view host_header,
                              std::string* out) {
  out->clear();
  out->append(r.method).append(" ").append(r.target).append(" HTTP/1.1\r\nHost: ");
  out->append(host_header).append("\r\n");
  for (const auto& [name, value] : r.headers)
    out->append(name).append(": ").append(value) += "\r\n";
  if (!r.body.empty() || r.method == "POST" || r.method == "PUT" || r.method == "PATCH") {
    out->append("Content-Length: ").append(std::to_string(r.body.size())).append("\r\n");
  }
  out->append("\r\n").append(r.body);
}

// Runs the load on a thread of its own and returns when every connection has had its last
// answer after `seconds` (or 30 s more have passed, when the rest are counted as errors). The
// first few unexpected answers are printed to stderr.
inline LoadFigures RunHttpLoad(const std::string& host, uint16_t port, int connections,
                               double seconds, int expected_status,
                               const std::function<LoadRequest(int connection, int64_t n)>& next) {
  using Clock = std::chrono::steady_clock;
  constexpr auto kAnswerTimeout = std::chrono::seconds(30);

  LoadFigures out;
  std::vector<std::vector<double>> latencies(static_cast<size_t>(connections));
  std::thread load([&] {
    const double cpu0 = ThreadCpuSeconds();
    auto report = [&](int c, const std::string& what) {
      if (out.errors++ < 5) fmt::print(stderr, "load client {}: {}\n", c, what);
    };
    struct Conn {
      int fd = -1;
      int64_t n = 0;             // requests sent so far
      std::string request;       // the one in flight
      size_t written = 0;        // of request
      std::string in;            // what has been read and not yet used
      Clock::time_point t0;      // the request's first write
      bool waiting_out = false;  // EPOLLOUT asked for (a request only partly written)
    };
    std::vector<Conn> conns(static_cast<size_t>(connections));
    const int ep = epoll_create1(EPOLL_CLOEXEC);
    const std::string host_header = fmt::format("{}:{}", host, port);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    if (ep < 0 || inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
      report(-1, "cannot set up: " + std::string(std::strerror(errno)));
      if (ep >= 0) close(ep);
      return;
    }
    int open = 0;
    auto drop = [&](int c) {
      Conn& k = conns[static_cast<size_t>(c)];
      if (k.fd < 0) return;
      epoll_ctl(ep, EPOLL_CTL_DEL, k.fd, nullptr);
      shutdown(k.fd, SHUT_RDWR);
      close(k.fd);
      k.fd = -1;
      --open;
    };
    auto set_events = [&](int c, bool want_out) {
      Conn& k = conns[static_cast<size_t>(c)];
      if (k.waiting_out == want_out) return;
      epoll_event ev{};
      ev.events = EPOLLIN | (want_out ? EPOLLOUT : 0u);
      ev.data.u32 = static_cast<uint32_t>(c);
      epoll_ctl(ep, EPOLL_CTL_MOD, k.fd, &ev);
      k.waiting_out = want_out;
    };
    // Writes what is left of the connection's request; false when the connection was lost.
    auto flush = [&](int c) {
      Conn& k = conns[static_cast<size_t>(c)];
      while (k.written < k.request.size()) {
        const ssize_t w =
            send(k.fd, k.request.data() + k.written, k.request.size() - k.written, MSG_NOSIGNAL);
        if (w > 0) {
          k.written += static_cast<size_t>(w);
        } else if (w < 0 && errno == EINTR) {
          continue;
        } else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
          set_events(c, true);
          return true;
        } else {
          report(c, "write: " + std::string(std::strerror(errno)));
          drop(c);
          return false;
        }
      }
      set_events(c, false);
      return true;
    };
    bool stop = false;
    auto send_next = [&](int c) {
      Conn& k = conns[static_cast<size_t>(c)];
      FormatLoadRequest(next(c, k.n++), host_header, &k.request);
      k.written = 0;
      k.t0 = Clock::now();
      flush(c);
    };

    for (int c = 0; c < connections; ++c) {
      Conn& k = conns[static_cast<size_t>(c)];
      k.fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (k.fd < 0 || connect(k.fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
        report(c, "connect: " + std::string(std::strerror(errno)));
        if (k.fd >= 0) close(k.fd);
        k.fd = -1;
        continue;
      }
      const int one = 1;
      setsockopt(k.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      fcntl(k.fd, F_SETFL, fcntl(k.fd, F_GETFL) | O_NONBLOCK);
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.u32 = static_cast<uint32_t>(c);
      epoll_ctl(ep, EPOLL_CTL_ADD, k.fd, &ev);
      ++open;
    }
    const auto start = Clock::now();
    const auto end =
        start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    for (int c = 0; c < connections; ++c) {
      if (conns[static_cast<size_t>(c)].fd >= 0) send_next(c);
    }
    std::vector<epoll_event> events(static_cast<size_t>(std::max(connections, 1)));
    char chunk[16 * 1024];
    while (open > 0) {
      const int ready = epoll_wait(ep, events.data(), static_cast<int>(events.size()), 100);
      const auto now = Clock::now();
      if (!stop && now >= end) stop = true;
      if (stop && now >= end + kAnswerTimeout) {
        for (int c = 0; c < connections; ++c) {
          if (conns[static_cast<size_t>(c)].fd >= 0) {
            report(c, "no answer within 30 s");
            drop(c);
          }
        }
        break;
      }
      for (int i = 0; i < ready; ++i) {
        const int c = static_cast<int>(events[static_cast<size_t>(i)].data.u32);
        Conn& k = conns[static_cast<size_t>(c)];
        if (k.fd < 0) continue;
        if ((events[static_cast<size_t>(i)].events & EPOLLOUT) && !flush(c)) continue;
        if (!(events[static_cast<size_t>(i)].events & (EPOLLIN | EPOLLERR | EPOLLHUP))) continue;
        bool lost = false;
        for (;;) {
          const ssize_t r = read(k.fd, chunk, sizeof chunk);
          if (r > 0) {
            k.in.append(chunk, static_cast<size_t>(r));
            if (static_cast<size_t>(r) < sizeof chunk) break;
          } else if (r < 0 && errno == EINTR) {
            continue;
          } else if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            break;
          } else {
            report(c, r == 0 ? std::string("read: end of stream")
                             : "read: " + std::string(std::strerror(errno)));
            drop(c);
            lost = true;
            break;
          }
        }
        if (lost) continue;
        // One request in flight: at most one answer to take from what was read.
        const std::optional<LoadAnswerHead> head = ParseLoadAnswerHead(k.in);
        if (!head) continue;
        if (head->status == 0) {
          report(c, "an answer this client cannot read: " + k.in.substr(0, 200));
          drop(c);
          continue;
        }
        const size_t total = head->head_bytes + head->content_length;
        if (k.in.size() < total) continue;
        const auto t1 = Clock::now();
        if (head->status != expected_status) {
          report(c, fmt::format(
                        "answer {} {}", head->status,
                        std::string_view(k.in).substr(head->head_bytes, head->content_length)));
        } else {
          latencies[static_cast<size_t>(c)].push_back(
              std::chrono::duration<double, std::milli>(t1 - k.t0).count());
        }
        k.in.erase(0, total);
        if (!head->keep_alive || stop) {
          drop(c);
          continue;
        }
        send_next(c);
      }
    }
    close(ep);
    out.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    out.cpu_seconds = ThreadCpuSeconds() - cpu0;
  });
  (void)pthread_setname_np(load.native_handle(), "http-load");  // for top -H and perf
  load.join();
  for (auto& l : latencies) out.latency_ms.insert(out.latency_ms.end(), l.begin(), l.end());
  out.ok = static_cast<int64_t>(out.latency_ms.size());
  return out;
}

}  // namespace palika::bench
