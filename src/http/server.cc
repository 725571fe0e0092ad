// Server: Beast over Asio with C++20 coroutines, in the manner of Beast's awaitable examples.
//
// Threads and ownership:
// - io_threads run ioc_. Each connection is one coroutine (Serve) on its own strand; everything
//   that touches a Connection runs on that strand (Stop posts its closes there).
// - control_ is a strand for the acceptor, the signal set and the shutdown coroutine.
// - Handlers run on workers_. A worker task owns its Request through a shared_ptr and touches only
//   the router, so a connection may go away while its handler runs. An asynchronous route's fast
//   path (Router::DispatchInline) is tried first on the I/O thread, inside the dispatch's
//   initiation; it answers through the same Respond, whose answer is posted, never run inline.
//   An asynchronous handler (Router::AddAsync) answers later from another thread (the ledger's
//   sync thread): its Respond hands the Reply to the connection's strand, where a Reply's make
//   runs (on workers_ first when it blocks). A handler that answered no Reply when its Respond is
//   dropped is answered 500.
// - Members that coroutine frames use (connections_, metrics_) are declared before ioc_, so they
//   are still alive when ioc_'s destructor destroys frames that never finished; workers_ is
//   declared last and joined first, so no worker posts into a destroyed io_context, and ~Impl
//   waits for the asynchronous answers still to come (async_pending_) before anything goes.
//
// Shutdown: Stop() posts BeginShutdown to control_: stopping_ is set, the acceptor closed, idle
// connections (waiting for a request's first byte) closed. Busy connections finish their request,
// answer with "Connection: close" and end. Drain() waits for the connection count to reach zero or
// for shutdown_timeout, closes the rest, and stops ioc_, which makes Run() return.

#include "http/server.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <csignal>
#include <exception>
#include <limits>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "http/api_error.h"

namespace palika::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr size_t kFirstReadChunk = 4096;
// After an error response we read and discard what the client is still sending for a while, so
// that closing does not reset the connection before the client has read our answer.
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr size_t kLingerBytes = 1024 * 1024;

constexpr std::string_view kRequestsTotal = "palika_http_requests_total";
constexpr std::string_view kRequestDuration = "palika_http_request_duration_seconds";
constexpr std::string_view kOpenConnections = "palika_http_open_connections";

constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

std::string Lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Metrics label for a method: client-chosen strings must not create unbounded series.
std::string MethodLabel(std::string_view method) {
  static constexpr std::string_view kKnown[] = {"GET",    "HEAD",    "POST", "PUT",
                                                "DELETE", "OPTIONS", "PATCH"};
  for (std::string_view known : kKnown) {
    if (method == known) return std::string(method);
  }
  return "other";
}

bool IsApiPath(std::string_view path) {
  return path == "/api" || path.starts_with("/api/") || path.starts_with("/api?");
}

// The headers every response carries unless its handler set them (in this order).
constexpr std::pair<std::string_view, std::string_view> kDefaultHeaders[] = {
    {"Content-Security-Policy", kContentSecurityPolicy},
    {"X-Content-Type-Options", "nosniff"},
    {"X-Frame-Options", "DENY"},
    {"Referrer-Policy", "no-referrer"},
};

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && beast::iequals(a, b);
}

// A header value as Beast stores it: without spaces and tabs around it.
std::string_view TrimmedValue(std::string_view value) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  return value;
}

// A response's status line and headers, byte for byte as Beast writes them for the same
// response: a handler's headers in order, Content-Type, the default headers it did not set,
// Cache-Control: no-store when `no_store` (unless set), Connection when keep_alive and the
// version need it, and Content-Length (of the body) when `with_length`. One string for one write
// instead of Beast's allocation per field and its buffer sequences. nullopt when a handler set a
// header that Beast would merge or replace (Content-Type, Content-Length, Transfer-Encoding,
// Connection): the caller leaves those to Beast.
std::optional<std::string> FormatResponseHead(const Response& response, unsigned version,
                                              bool keep_alive, bool no_store, bool with_length) {
  bool has_default[std::size(kDefaultHeaders)] = {};
  bool has_cache_control = false;
  size_t size = 96 + response.content_type.size();
  for (const auto& [name, value] : response.headers) {
    if (EqualsIgnoringCase(name, "Content-Type") || EqualsIgnoringCase(name, "Content-Length") ||
        EqualsIgnoringCase(name, "Transfer-Encoding") || EqualsIgnoringCase(name, "Connection")) {
      return std::nullopt;
    }
    for (size_t i = 0; i < std::size(kDefaultHeaders); ++i) {
      has_default[i] = has_default[i] || EqualsIgnoringCase(name, kDefaultHeaders[i].first);
    }
    has_cache_control = has_cache_control || EqualsIgnoringCase(name, "Cache-Control");
    size += name.size() + value.size() + 4;
  }
  for (const auto& [name, value] : kDefaultHeaders) size += name.size() + value.size() + 4;
  std::string out;
  out.reserve(size);
  const int status = response.status;  // 200-599 (WriteResponse has checked)
  out.append("HTTP/");
  out.push_back(static_cast<char>('0' + version / 10));
  out.push_back('.');
  out.push_back(static_cast<char>('0' + version % 10));
  out.push_back(' ');
  out.push_back(static_cast<char>('0' + status / 100));
  out.push_back(static_cast<char>('0' + (status / 10) % 10));
  out.push_back(static_cast<char>('0' + status % 10));
  out.push_back(' ');
  const auto reason = bhttp::obsolete_reason(static_cast<bhttp::status>(status));
  out.append(reason.data(), reason.size());
  out.append("\r\n");
  auto field = [&out](std::string_view name, std::string_view value) {
    out.append(name).append(": ").append(TrimmedValue(value)).append("\r\n");
  };
  for (const auto& [name, value] : response.headers) field(name, value);
  if (!response.content_type.empty()) field("Content-Type", response.content_type);
  for (size_t i = 0; i < std::size(kDefaultHeaders); ++i) {
    if (!has_default[i]) field(kDefaultHeaders[i].first, kDefaultHeaders[i].second);
  }
  if (no_store && !has_cache_control) field("Cache-Control", "no-store");
  // HTTP/1.1 keeps the connection unless told; 1.0 closes it unless told.
  if (version >= 11 && !keep_alive) field("Connection", "close");
  if (version < 11 && keep_alive) field("Connection", "keep-alive");
  if (with_length) field("Content-Length", std::to_string(response.body.size()));
  out.append("\r\n");
  return out;
}

bool HasUnsafeHeaderChars(std::string_view text) {
  return text.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

// Completion handler for co_spawn: an escaping exception is logged, never rethrown from run().
auto LogException(const char* what) {
  return [what](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      spdlog::error("http: {} failed: {}", what, ex.what());
    } catch (...) {
      spdlog::error("http: {} failed with a non-exception", what);
    }
  };
}

// What a client gets when its request cannot be read; nullopt: close without answering.
std::optional<Response> ResponseForReadError(const beast::error_code& ec) {
  if (ec == bhttp::error::header_limit) {
    return Response::Error(
        431, Status::TooLarge("headers_too_large",
                              "The request headers are too large. Clear this site's cookies, or "
                              "send a shorter request.",
                              "अनुरोध के हेडर बहुत बड़े हैं। इस साइट की कुकी हटाएँ, या छोटा अनुरोध "
                              "भेजें।"));
  }
  if (ec == bhttp::error::body_limit) {
    return Response::Error(Status::TooLarge(
        "body_too_large",
        "The request body is larger than this server accepts. Send a smaller file or less data.",
        "अनुरोध का आकार इस सर्वर की सीमा से बड़ा है। छोटी फ़ाइल या कम डेटा भेजें।"));
  }
  // The peer went away, or was too slow: there is nobody to answer.
  if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
      ec == beast::error::timeout) {
    return std::nullopt;
  }
  if (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category()) {
    return Response::Error(
        Status::InvalidArgument("bad_request",
                                "The request is not valid HTTP/1.1 (" + ec.message() +
                                    "). Use a web browser or a "
                                    "standard HTTP client.",
                                "अनुरोध मान्य HTTP/1.1 नहीं है (" + ec.message() +
                                    ")। वेब ब्राउज़र या कोई मानक HTTP क्लाइंट इस्तेमाल करें।"));
  }
  return std::nullopt;  // socket errors: reset, aborted by Stop, ...
}

struct Connection {
  explicit Connection(tcp::socket socket) : stream(std::move(socket)) {}
  beast::tcp_stream stream;
  // Waiting for the first byte of a request (so Stop may close it). Used only on the strand.
  bool idle = false;
};

}  // namespace

class Server::Impl {
 public:
  Impl(ServerOptions options, const Router& router, Metrics& metrics)
      : options_(std::move(options)),
        router_(router),
        metrics_(metrics),
        ioc_(std::max(1, options_.io_threads)),
        control_(asio::make_strand(ioc_)),
        acceptor_(control_),
        reserved_(static_cast<size_t>(std::max(1, options_.reserved_threads))),
        workers_(static_cast<size_t>(std::max(1, options_.worker_threads))) {
    metrics_.RegisterCounter(kRequestsTotal,
                             "HTTP requests answered, by route, method and status.");
    metrics_.RegisterHistogram(kRequestDuration,
                               "Time from a request's last byte read to its response written, "
                               "in seconds, by route.");
    metrics_.RegisterGauge(kOpenConnections, "Open HTTP connections.");
  }

  ~Impl() {
    // Handlers still running finish first; queued ones are dropped (Run has returned).
    workers_.stop();
    reserved_.stop();
    workers_.join();
    reserved_.join();
    // Asynchronous handlers answer from other threads (the ledger's): wait for those answers.
    std::unique_lock lock(async_mu_);
    async_cv_.wait(lock, [this] { return async_pending_ == 0; });
  }

  Status Listen();
  uint16_t port() const { return port_.load(); }
  void Run();
  void Stop() {
    asio::post(control_, [this] { BeginShutdown(); });
  }
  void StopOnSignals();

 private:
  asio::awaitable<void> Accept();
  asio::awaitable<void> Serve(std::shared_ptr<Connection> connection);
  // Reads, handles and answers one request; false when the connection must close.
  asio::awaitable<bool> ServeOne(Connection& connection, beast::flat_buffer& buffer,
                                 const std::string& remote, bool first);
  // Writes response (or a 500 if it is not safe to send), moving its body out; returns the
  // status sent.
  asio::awaitable<int> WriteResponse(Connection& connection, Response& response, unsigned version,
                                     bool keep_alive, bool head_request, std::string_view path,
                                     beast::error_code* ec);
  asio::awaitable<void> LingeringClose(Connection& connection);

  // Runs the router on workers_ and completes with its Reply on the caller's executor, whichever
  // thread answers (an asynchronous handler answers from another thread, after returning). A
  // Reply whose make blocks is made on workers_ first.
  // (A plain post, not co_spawn of a capturing lambda: with g++ 12 such a lambda lost a
  // shared_ptr reference, which AddressSanitizer reported as a heap-use-after-free.)
  template <typename CompletionToken>
  auto DispatchOnWorkers(std::shared_ptr<Request> request, CompletionToken&& token) {
    return asio::async_initiate<CompletionToken, void(Reply)>(
        [this](auto handler, std::shared_ptr<Request> request) {
          using Handler = decltype(handler);
          using Work = decltype(asio::make_work_guard(asio::get_associated_executor(handler)));
          // Shared by the copies of respond; the first answer takes the handler. Unanswered when
          // the last copy goes (a handler that never answered): a 500.
          struct Pending {
            Impl* impl;
            bool counted = false;  // the handler ran: ~Impl waits for this to go
            std::mutex mu;
            std::optional<Handler> handler;  // GUARDED_BY(mu)
            std::optional<Work> work;        // GUARDED_BY(mu)
            ~Pending() {
              if (handler) {
                Deliver(
                    std::move(*handler), std::move(*work),
                    Reply{
                        Response::Error(Status::Internal("a handler never answered")), {}, false});
              }
              handler.reset();
              work.reset();
              if (counted) impl->AsyncAnswered();  // the last use of impl
            }
          };
          auto pending = std::make_shared<Pending>();
          pending->impl = this;
          pending->work.emplace(asio::make_work_guard(asio::get_associated_executor(handler)));
          pending->handler.emplace(std::move(handler));
          Respond respond = [this, pending](Reply reply) {
            std::optional<Handler> h;
            std::optional<Work> work;
            {
              std::lock_guard lock(pending->mu);
              if (pending->handler) {
                h.emplace(std::move(*pending->handler));
                work.emplace(std::move(*pending->work));
                pending->handler.reset();
                pending->work.reset();
              }
            }
            if (!h) return;  // answered already
            if (reply.make && reply.blocks) {
              asio::post(workers_, [h = std::move(*h), work = std::move(*work),
                                    reply = std::move(reply)]() mutable {
                Response made = Router::Finish(reply);
                Deliver(std::move(h), std::move(work), Reply{std::move(made), {}, false});
              });
              return;
            }
            Deliver(std::move(*h), std::move(*work), std::move(reply));
          };
          const bool reserved = !options_.reserved_prefix.empty() &&
                                request->target.starts_with(options_.reserved_prefix);
          // A route's fast path answers here, on the I/O thread, when it can without blocking
          // (Router::DispatchInline): no hand-off to a worker and back. Counted before it runs,
          // as it may answer later from another thread; uncounted again if it declined.
          if (!reserved) {
            AsyncStarted();
            pending->counted = true;
            if (router_.DispatchInline(*request, respond)) return;  // never throws
            pending->counted = false;
            AsyncAnswered();
          }
          // (A dispatch still queued when the server stops is dropped uncounted: the pool
          // destroys it only in its own destructor.)
          asio::post(reserved ? reserved_ : workers_, [this, pending, request = std::move(request),
                                                       respond = std::move(respond)]() mutable {
            AsyncStarted();
            pending->counted = true;
            pending.reset();
            router_.Dispatch(*request, respond);  // never throws
          });
        },
        token, std::move(request));
  }
  // Completes an awaiting coroutine with reply, on its own executor.
  template <typename Handler, typename Work>
  static void Deliver(Handler handler, Work work, Reply reply) {
    auto executor = work.get_executor();
    asio::post(executor, [handler = std::move(handler), reply = std::move(reply)]() mutable {
      std::move(handler)(std::move(reply));
    });
    work.reset();
  }
  // Counts the answers not given yet, so that destroying the server waits for them.
  void AsyncStarted() {
    std::lock_guard lock(async_mu_);
    ++async_pending_;
  }
  void AsyncAnswered() {
    std::lock_guard lock(async_mu_);
    --async_pending_;
    async_cv_.notify_all();  // under the lock: ~Impl may destroy async_cv_ once it is released
  }
  void Record(std::string_view route, std::string_view method, int status, Clock::time_point start,
              std::string_view remote, std::string_view path, size_t bytes);

  void WaitForSignal();
  void BeginShutdown();  // on control_
  asio::awaitable<void> Drain();
  void CloseConnections(bool idle_only);
  uint64_t Register(const std::shared_ptr<Connection>& connection);
  void Unregister(uint64_t id);
  size_t OpenConnections();

  const ServerOptions options_;
  const Router& router_;
  Metrics& metrics_;
  std::atomic<uint16_t> port_{0};
  std::atomic<bool> stopping_{false};
  std::atomic<bool> ran_{false};

  std::mutex async_mu_;  // guards async_pending_
  std::condition_variable async_cv_;
  int64_t async_pending_ = 0;  // requests whose handler has not answered yet

  std::mutex connections_mu_;
  uint64_t next_connection_id_ = 0;  // GUARDED_BY(connections_mu_)
  std::unordered_map<uint64_t, std::weak_ptr<Connection>>
      connections_;  // GUARDED_BY(connections_mu_)

  asio::io_context ioc_;
  asio::strand<asio::io_context::executor_type> control_;
  tcp::acceptor acceptor_;                     // used on control_
  std::unique_ptr<asio::signal_set> signals_;  // used on control_
  asio::thread_pool reserved_;                 // handlers of options_.reserved_prefix
  asio::thread_pool workers_;
};

Status Server::Impl::Listen() {
  const std::string where = options_.host + ":" + std::to_string(options_.port);
  if (acceptor_.is_open()) {
    return Status::InvalidArgument("already_listening", "The server is already listening.",
                                   "सर्वर पहले से सुन रहा है।");
  }
  beast::error_code ec;
  tcp::endpoint endpoint;
  // "[::1]" as written in a URL or --listen is the IPv6 address ::1.
  std::string host = options_.host;
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  asio::ip::address address = asio::ip::make_address(host, ec);
  if (!ec) {
    endpoint = tcp::endpoint(address, options_.port);
  } else {
    tcp::resolver resolver(ioc_);
    auto results = resolver.resolve(host, std::to_string(options_.port), ec);
    if (ec || results.empty()) {
      return Status::InvalidArgument(
          "bad_listen_address",
          "Cannot listen on " + where +
              ": the host is not an IP address or a known name. Give "
              "an address such as 127.0.0.1:8080.",
          where +
              " पर नहीं सुन सकते: होस्ट न तो IP पता है न कोई ज्ञात नाम। 127.0.0.1:8080 जैसा "
              "पता दें।");
    }
    endpoint = *results.begin();
  }
  auto fail = [&](std::string_view step) {
    beast::error_code ignored;
    acceptor_.close(ignored);
    return Status::Unavailable(
        "listen_failed",
        "Cannot listen on " + where + " (" + std::string(step) + ": " + ec.message() +
            "). Another program, perhaps another palika, may be using this port: stop it or "
            "choose another address with --listen.",
        where + " पर नहीं सुन सकते (" + std::string(step) + ": " + ec.message() +
            ")। शायद कोई दूसरा प्रोग्राम (जैसे दूसरा palika) यह पोर्ट इस्तेमाल कर रहा है: उसे बंद "
            "करें या --listen से दूसरा पता चुनें।");
  };
  acceptor_.open(endpoint.protocol(), ec);
  if (ec) return fail("open");
  acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (ec) return fail("reuse_address");
  acceptor_.bind(endpoint, ec);
  if (ec) return fail("bind");
  acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen");
  tcp::endpoint local = acceptor_.local_endpoint(ec);
  if (ec) return fail("local_endpoint");
  port_ = local.port();
  spdlog::info("http: listening on {}:{}", local.address().to_string(), local.port());
  return Status::OK();
}

void Server::Impl::Run() {
  if (ran_.exchange(true)) {
    spdlog::error("http: Server::Run called more than once");
    return;
  }
  if (!acceptor_.is_open()) {
    spdlog::error("http: Server::Run called without a successful Listen");
    return;
  }
  asio::co_spawn(control_, Accept(), LogException("accept loop"));
  std::vector<std::thread> threads;
  for (int i = 1; i < options_.io_threads; ++i) {
    threads.emplace_back([this] { ioc_.run(); });
    (void)pthread_setname_np(threads.back().native_handle(), "http-io");  // for top -H
  }
  ioc_.run();
  for (std::thread& thread : threads) thread.join();
  spdlog::info("http: stopped");
}

void Server::Impl::StopOnSignals() {
  signals_ = std::make_unique<asio::signal_set>(control_, SIGINT, SIGTERM);
  WaitForSignal();
}

void Server::Impl::WaitForSignal() {
  signals_->async_wait([this](const beast::error_code& ec, int signal_number) {
    if (ec) return;  // cancelled when shutdown completes
    if (!stopping_) {
      spdlog::info("http: signal {}: stopping gracefully (send it again to stop at once)",
                   signal_number);
      BeginShutdown();
      WaitForSignal();
    } else {
      spdlog::warn("http: signal {} again: stopping now", signal_number);
      CloseConnections(/*idle_only=*/false);
      ioc_.stop();
    }
  });
}

void Server::Impl::BeginShutdown() {
  if (stopping_.exchange(true)) return;
  spdlog::info("http: stopping: refusing new connections, finishing requests in flight (up to {}s)",
               options_.shutdown_timeout.count());
  beast::error_code ignored;
  acceptor_.close(ignored);
  CloseConnections(/*idle_only=*/true);
  asio::co_spawn(control_, Drain(), LogException("shutdown"));
}

asio::awaitable<void> Server::Impl::Drain() {
  const auto deadline = Clock::now() + options_.shutdown_timeout;
  asio::steady_timer timer(control_);
  while (OpenConnections() > 0 && Clock::now() < deadline) {
    timer.expires_after(std::chrono::milliseconds(20));
    co_await timer.async_wait(kTuple);
  }
  if (size_t left = OpenConnections(); left > 0) {
    spdlog::warn("http: {} connection(s) still busy after {}s; closing them", left,
                 options_.shutdown_timeout.count());
    CloseConnections(/*idle_only=*/false);
    // Let the posted closes run so that clients see the connection end.
    timer.expires_after(std::chrono::milliseconds(100));
    co_await timer.async_wait(kTuple);
  }
  if (signals_) {
    beast::error_code ignored;
    signals_->cancel(ignored);
  }
  ioc_.stop();
}

void Server::Impl::CloseConnections(bool idle_only) {
  std::vector<std::shared_ptr<Connection>> live;
  {
    std::lock_guard lock(connections_mu_);
    for (const auto& [id, weak] : connections_) {
      if (auto connection = weak.lock()) live.push_back(std::move(connection));
    }
  }
  for (auto& connection : live) {
    // The decision is taken on the connection's strand, where `idle` is kept.
    asio::post(connection->stream.get_executor(), [connection, idle_only] {
      if (idle_only && !connection->idle) return;
      beast::error_code ignored;
      connection->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
      connection->stream.close();
    });
  }
}

uint64_t Server::Impl::Register(const std::shared_ptr<Connection>& connection) {
  std::lock_guard lock(connections_mu_);
  uint64_t id = next_connection_id_++;
  connections_.emplace(id, connection);
  metrics_.Set(kOpenConnections, {}, static_cast<double>(connections_.size()));
  return id;
}

void Server::Impl::Unregister(uint64_t id) {
  std::lock_guard lock(connections_mu_);
  connections_.erase(id);
  metrics_.Set(kOpenConnections, {}, static_cast<double>(connections_.size()));
}

size_t Server::Impl::OpenConnections() {
  std::lock_guard lock(connections_mu_);
  return connections_.size();
}

asio::awaitable<void> Server::Impl::Accept() {
  for (;;) {
    auto [ec, socket] = co_await acceptor_.async_accept(asio::make_strand(ioc_), kTuple);
    if (stopping_ || !acceptor_.is_open()) co_return;
    if (ec) {
      // Out of file descriptors and the like: back off rather than spin.
      spdlog::warn("http: accept failed: {}", ec.message());
      asio::steady_timer timer(control_, std::chrono::milliseconds(100));
      co_await timer.async_wait(kTuple);
      continue;
    }
    auto connection = std::make_shared<Connection>(tcp::socket(std::move(socket)));
    asio::co_spawn(connection->stream.get_executor(), Serve(connection),
                   LogException("connection"));
  }
}

asio::awaitable<void> Server::Impl::Serve(std::shared_ptr<Connection> connection) {
  const uint64_t id = Register(connection);
  // Unregisters however the coroutine ends, even when its frame is destroyed unfinished.
  struct Unregisterer {
    Impl* impl;
    uint64_t id;
    ~Unregisterer() { impl->Unregister(id); }
  } unregister{this, id};

  beast::error_code ec;
  const tcp::endpoint peer = connection->stream.socket().remote_endpoint(ec);
  const std::string remote = ec ? std::string("?") : peer.address().to_string();
  beast::flat_buffer buffer;
  bool first = true;
  // Checking stopping_ and marking the connection idle happen in one step on the strand, so a
  // concurrent Stop either sees it idle (and closes it) or we see stopping_ (and end here).
  while (!stopping_) {
    if (!co_await ServeOne(*connection, buffer, remote, first)) break;
    first = false;
  }
  connection->stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  connection->stream.close();
}

asio::awaitable<bool> Server::Impl::ServeOne(Connection& connection, beast::flat_buffer& buffer,
                                             const std::string& remote, bool first) {
  beast::tcp_stream& stream = connection.stream;
  // Wait for the request's first byte: the idle deadline between requests, the read deadline for
  // a new connection (which must not sit there silently).
  if (buffer.size() == 0) {
    connection.idle = true;
    stream.expires_after(first ? options_.read_timeout : options_.idle_timeout);
    auto [ec, n] = co_await stream.async_read_some(buffer.prepare(kFirstReadChunk), kTuple);
    connection.idle = false;
    if (ec) co_return false;
    buffer.commit(n);
  }
  const Clock::time_point start = Clock::now();

  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(static_cast<uint32_t>(
      std::min<size_t>(options_.header_limit, std::numeric_limits<uint32_t>::max())));
  parser.body_limit(options_.body_limit);
  // One deadline for the whole request, headers and body.
  stream.expires_after(options_.read_timeout);
  auto [header_ec, header_n] = co_await bhttp::async_read_header(stream, buffer, parser, kTuple);
  beast::error_code read_ec = header_ec;
  if (!read_ec && !parser.is_done()) {
    const auto& header = parser.get();
    if (header.version() == 11 &&
        beast::iequals(header[bhttp::field::expect], std::string_view("100-continue"))) {
      bhttp::response<bhttp::empty_body> go_on{bhttp::status::continue_, header.version()};
      stream.expires_after(options_.write_timeout);
      auto [write_ec, write_n] = co_await bhttp::async_write(stream, go_on, kTuple);
      if (write_ec) co_return false;
      stream.expires_after(options_.read_timeout);
    }
    auto [body_ec, body_n] = co_await bhttp::async_read(stream, buffer, parser, kTuple);
    read_ec = body_ec;
  }
  if (read_ec) {
    std::optional<Response> answer = ResponseForReadError(read_ec);
    if (!answer) {
      spdlog::debug("http {}: connection closed while reading a request: {}", remote,
                    read_ec.message());
      co_return false;
    }
    std::string method(parser.get().method_string());
    beast::error_code write_ec;
    const size_t bytes = answer->body.size();
    int status = co_await WriteResponse(connection, *answer, 11, /*keep_alive=*/false,
                                        /*head=*/false, parser.get().target(), &write_ec);
    Record("", method, status, start, remote, "-", bytes);
    co_await LingeringClose(connection);
    co_return false;
  }

  bhttp::request<bhttp::string_body> message = parser.release();
  auto request = std::make_shared<Request>();
  request->method = std::string(message.method_string());
  request->target = std::string(message.target());
  for (const auto& field : message) {
    std::string name = Lowercase(field.name_string());
    auto [it, inserted] = request->headers.emplace(name, std::string(field.value()));
    if (!inserted) {
      it->second += name == "cookie" ? "; " : ", ";
      it->second += field.value();
    }
  }
  request->body = std::move(message.body());
  request->remote_address = remote;

  // The handler may block: run it on the worker pool and resume here when it has answered.
  Reply reply = co_await DispatchOnWorkers(request, asio::use_awaitable);
  Response response = Router::Finish(reply);  // on this I/O thread: make only computes

  const bool keep_alive = message.keep_alive() && !stopping_;
  const bool head = message.method() == bhttp::verb::head;
  const std::string& path = request->path.empty() ? request->target : request->path;
  beast::error_code write_ec;
  const size_t bytes = response.body.size();
  int status = co_await WriteResponse(connection, response, message.version(), keep_alive, head,
                                      path, &write_ec);
  Record(request->route, request->method, status, start, remote,
         request->path.empty() ? "-" : request->path, bytes);
  if (write_ec) {
    spdlog::debug("http {}: writing a response failed: {}", remote, write_ec.message());
    co_return false;
  }
  co_return keep_alive;
}

asio::awaitable<int> Server::Impl::WriteResponse(Connection& connection, Response& response,
                                                 unsigned version, bool keep_alive,
                                                 bool head_request, std::string_view path,
                                                 beast::error_code* ec) {
  Response* out = &response;
  Response replacement;
  bool unsafe =
      response.status < 200 || response.status > 599 || HasUnsafeHeaderChars(response.content_type);
  for (const auto& [name, value] : response.headers) {
    unsafe = unsafe || name.empty() || HasUnsafeHeaderChars(name) || HasUnsafeHeaderChars(value);
  }
  if (unsafe) {
    // A handler bug; never let it split or corrupt the response.
    replacement = Response::Error(
        Status::Internal("handler returned status " + std::to_string(response.status) +
                         " or a header with CR, LF or NUL for " + std::string(path)));
    out = &replacement;
  }

  const bool no_body = out->status == 204 || out->status == 304;
  const bool api = IsApiPath(path) || out->status >= 400;
  // HEAD: the length the GET body would have, and no body; 204 and 304: neither.
  std::optional<std::string> head =
      FormatResponseHead(*out, version, keep_alive, api, head_request || !no_body);
  std::string body;
  if (head) {
    if (!head_request && !no_body) body = std::move(out->body);
  } else {
    // A handler set a header this writer leaves to Beast (Content-Length, Connection, ...).
    bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(out->status), version};
    for (const auto& [name, value] : out->headers) res.insert(name, value);
    if (!out->content_type.empty()) res.set(bhttp::field::content_type, out->content_type);
    // Field lookups are case-insensitive, so a handler's own value (e.g. a CSP with a nonce)
    // wins.
    auto set_default = [&res](std::string_view name, std::string_view value) {
      if (res.find(name) == res.end()) res.set(name, value);
    };
    for (const auto& [name, value] : kDefaultHeaders) set_default(name, value);
    // API answers are personal and current: never cache them. Nor errors we make ourselves.
    if (api) set_default("Cache-Control", "no-store");
    res.keep_alive(keep_alive);
    if (head_request) {
      // HEAD: the length the GET body would have, and no body.
      res.content_length(out->body.size());
    } else if (no_body) {
      res.content_length(boost::none);
    } else {
      res.body() = std::move(out->body);
      res.prepare_payload();
    }
    connection.stream.expires_after(options_.write_timeout);
    auto [write_ec, n] = co_await bhttp::async_write(connection.stream, res, kTuple);
    *ec = write_ec;
    co_return out->status;
  }
  connection.stream.expires_after(options_.write_timeout);
  const std::array<asio::const_buffer, 2> buffers{asio::buffer(*head), asio::buffer(body)};
  auto [write_ec, n] = co_await asio::async_write(connection.stream, buffers, kTuple);
  *ec = write_ec;
  co_return out->status;
}

asio::awaitable<void> Server::Impl::LingeringClose(Connection& connection) {
  beast::error_code ec;
  connection.stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  connection.stream.expires_after(kLingerTime);
  std::vector<char> scratch(16 * 1024);
  size_t total = 0;
  while (total < kLingerBytes) {
    auto [read_ec, n] = co_await connection.stream.async_read_some(asio::buffer(scratch), kTuple);
    if (read_ec) break;
    total += n;
  }
  connection.stream.close();
}

void Server::Impl::Record(std::string_view route, std::string_view method, int status,
                          Clock::time_point start, std::string_view remote, std::string_view path,
                          size_t bytes) {
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  // Unmatched requests share one label: raw paths would make unbounded series.
  const std::string route_label = route.empty() ? "none" : std::string(route);
  metrics_.Increment(kRequestsTotal, {{"route", route_label},
                                      {"method", MethodLabel(method)},
                                      {"status", std::to_string(status)}});
  metrics_.Observe(kRequestDuration, {{"route", route_label}}, seconds);
  // The path only: query strings may carry personal data (mobile numbers, names).
  spdlog::debug("http {} {} {} -> {} ({} bytes, {:.1f} ms)", remote, method, path, status, bytes,
                seconds * 1000);
}

Server::Server(ServerOptions options, const Router& router, Metrics& metrics)
    : impl_(std::make_unique<Impl>(std::move(options), router, metrics)) {}
Server::~Server() = default;
Status Server::Listen() { return impl_->Listen(); }
uint16_t Server::port() const { return impl_->port(); }
void Server::Run() { impl_->Run(); }
void Server::Stop() { impl_->Stop(); }
void Server::StopOnSignals() { impl_->StopOnSignals(); }

}  // namespace palika::http
