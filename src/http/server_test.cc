#include "http/server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <future>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "http/test_client.h"

namespace palika::http {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

std::string ErrorCode(const ClientResponse& response) {
  auto body = boost::json::parse(response.body);
  return std::string(body.at("error").at("code").as_string());
}

ServerOptions TestOptions() {
  ServerOptions options;
  options.port = 0;
  options.body_limit = 1024;
  options.header_limit = 1024;
  options.read_timeout = seconds(1);
  options.write_timeout = seconds(2);
  options.idle_timeout = seconds(2);
  options.shutdown_timeout = seconds(5);
  options.io_threads = 2;
  options.worker_threads = 4;
  return options;
}

class ServerTest : public ::testing::Test {
 protected:
  ServerTest() {
    router_.Add("GET", "/api/v1/ulbs/{ulb}/properties/{id}", [](Request& request) {
      return Response::Json(200, boost::json::object{{"ulb", request.Param("ulb")},
                                                     {"id", request.Param("id")},
                                                     {"q", request.Query("q").value_or("")}});
    });
    router_.Add("POST", "/api/v1/echo", [](Request& request) {
      return Response::Text(200, request.body)
          .With("X-Remote", request.remote_address)
          .With("X-Seen-Cookie", request.Cookie("session").value_or("-"));
    });
    router_.Add("GET", "/api/v1/boom",
                [](Request&) -> Response { throw std::runtime_error("secret /etc/detail"); });
    router_.Add("GET", "/api/v1/slow", [this](Request&) {
      slow_started_ = true;
      std::this_thread::sleep_for(slow_for_);
      return Response::Text(200, "done");
    });
    router_.Add("GET", "/api/v1/split", [](Request&) {
      return Response::Text(200, "x").With("X-Bad", "a\r\nSet-Cookie: b");
    });
    router_.Add("GET", "/page", [](Request&) {
      return Response::Text(200, "<p>नमस्ते</p>", "text/html; charset=utf-8");
    });
    router_.Add("GET", "/metrics", [this](Request&) {
      return Response::Text(200, metrics_.RenderPrometheus(), std::string(Metrics::kContentType));
    });
    // Returns at once, holding its answer for the test to give (as the payment route leaves it
    // to the ledger's sync thread).
    router_.AddAsync("POST", "/api/v1/later", [this](Request& request, Respond respond) {
      std::lock_guard lock(later_mu_);
      later_.push_back({request.body, std::move(respond)});
    });
    router_.AddAsync("GET", "/api/v1/never", [](Request&, Respond) {});
    // A fast path on the I/O thread that takes "fast" and "later" bodies (the second answered
    // from another thread, as a ledger's sync thread answers), throws on "throw" and leaves the
    // rest to the worker.
    router_.AddAsync(
        "POST", "/api/v1/fast",
        [](Request& request, Respond respond) {
          respond(Reply{Response::Text(200, "worker: " + request.body), {}, false});
        },
        [this](Request& request, const Respond& respond) {
          if (request.body == "throw") throw std::runtime_error("inline boom");
          if (request.body == "later") {
            std::thread([respond] {
              std::this_thread::sleep_for(milliseconds(20));
              respond(Reply{{}, [] { return Response::Text(201, "made later"); }, false});
            }).detach();
            return true;
          }
          if (request.body != "fast") return false;
          ++inline_answers_;
          respond(Reply{Response::Text(200, "io thread: " + request.body), {}, false});
          return true;
        });
    // Headers of its own: defaults it overrides (in another case), a padded value, a cookie.
    router_.Add("GET", "/own-headers", [](Request&) {
      return Response::Text(200, "ok")
          .With("x-frame-options", "SAMEORIGIN")
          .With("X-Padded", " \tpadded value\t ")
          .With("Cache-Control", "private")
          .With("Set-Cookie", "a=b; HttpOnly");
    });
    // Headers the writer leaves to Beast, which replaces or merges them.
    router_.Add("GET", "/api/v1/own-framing", [](Request&) {
      return Response::Text(200, "a,b\n", "text/csv")
          .With("content-type", "text/plain")
          .With("Connection", "keep-alive");
    });
    router_.Add("DELETE", "/api/v1/nothing", [](Request&) {
      Response none;
      none.status = 204;
      return none;
    });
  }

  // Waits until `n` /later requests are held (false after 5 s).
  bool WaitForLater(size_t n) {
    for (int i = 0; i < 500; ++i) {
      {
        std::lock_guard lock(later_mu_);
        if (later_.size() >= n) return true;
      }
      std::this_thread::sleep_for(milliseconds(10));
    }
    return false;
  }
  // The held /later requests, oldest first, taken from the fixture.
  std::vector<std::pair<std::string, Respond>> TakeLater() {
    std::lock_guard lock(later_mu_);
    return std::move(later_);
  }

  ~ServerTest() override { StopServer(); }

  void StartServer(ServerOptions options = TestOptions()) {
    server_ = std::make_unique<Server>(std::move(options), router_, metrics_);
    Status status = server_->Listen();
    ASSERT_TRUE(status.ok()) << status.ToString();
    ASSERT_NE(server_->port(), 0);
    run_ = std::thread([this] { server_->Run(); });
  }

  void StopServer() {
    if (!server_) return;
    server_->Stop();
    if (run_.joinable()) run_.join();
    server_.reset();
  }

  void SetUp() override { StartServer(); }

  TestClient Client() { return TestClient("127.0.0.1", server_->port()); }

  Router router_;
  Metrics metrics_;
  std::unique_ptr<Server> server_;
  std::thread run_;
  std::atomic<bool> slow_started_{false};
  std::atomic<int> inline_answers_{0};
  milliseconds slow_for_{800};
  std::mutex later_mu_;
  std::vector<std::pair<std::string, Respond>> later_;  // GUARDED_BY(later_mu_)
};

TEST_F(ServerTest, RoutesWithParamsAndQuery) {
  TestClient client = Client();
  ClientResponse response = client.Request("GET", "/api/v1/ulbs/0152/properties/P%2D7?q=ram+k");
  ASSERT_EQ(response.status, 200) << response.error;
  EXPECT_EQ(response.Header("content-type"), "application/json");
  auto body = boost::json::parse(response.body);
  EXPECT_EQ(body.at("ulb").as_string(), "0152");
  EXPECT_EQ(body.at("id").as_string(), "P-7");
  EXPECT_EQ(body.at("q").as_string(), "ram k");
}

TEST_F(ServerTest, RequestBodyHeadersAndRemoteAddressReachTheHandler) {
  TestClient client = Client();
  ClientResponse response = client.Request("POST", "/api/v1/echo", "{\"a\":1}",
                                           {{"Cookie", "theme=dark"}, {"Cookie", "session=abc"}});
  ASSERT_EQ(response.status, 200) << response.error;
  EXPECT_EQ(response.body, "{\"a\":1}");
  EXPECT_EQ(response.Header("x-remote"), "127.0.0.1");
  EXPECT_EQ(response.Header("x-seen-cookie"), "abc");
}

TEST_F(ServerTest, UnknownPathIs404Json) {
  TestClient client = Client();
  ClientResponse response = client.Request("GET", "/api/v1/nope");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.Header("content-type"), "application/json");
  EXPECT_EQ(ErrorCode(response), "not_found");
}

TEST_F(ServerTest, WrongMethodIs405JsonWithAllow) {
  TestClient client = Client();
  ClientResponse response = client.Request("DELETE", "/api/v1/echo");
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(response.Header("allow"), "POST");
  EXPECT_EQ(ErrorCode(response), "method_not_allowed");
}

TEST_F(ServerTest, BodyOverTheLimitIs413) {
  TestClient client = Client();
  EXPECT_EQ(client.Request("POST", "/api/v1/echo", std::string(1024, 'a')).status, 200);
  ClientResponse response = client.Request("POST", "/api/v1/echo", std::string(4096, 'a'));
  EXPECT_EQ(response.status, 413) << response.error;
  EXPECT_EQ(ErrorCode(response), "body_too_large");
  EXPECT_EQ(response.Header("connection"), "close");
}

TEST_F(ServerTest, ChunkedBodyOverTheLimitIs413) {
  TestClient client = Client();
  std::string chunk(600, 'b');
  std::string raw =
      "POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "258\r\n" +
      chunk + "\r\n258\r\n" + chunk + "\r\n0\r\n\r\n";
  std::string answer = client.SendRaw(raw);
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 413")) << answer;
}

TEST_F(ServerTest, HeadersOverTheLimitAre431) {
  TestClient client = Client();
  ClientResponse response =
      client.Request("GET", "/api/v1/ulbs/1/properties/2", "", {{"X-Big", std::string(2000, 'h')}});
  EXPECT_EQ(response.status, 431) << response.error;
  EXPECT_EQ(ErrorCode(response), "headers_too_large");
}

TEST_F(ServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
  TestClient client = Client();
  EXPECT_EQ(client.Request("GET", "/api/v1/ulbs/1/properties/2").status, 200);
  EXPECT_EQ(client.Request("GET", "/api/v1/ulbs/1/properties/3").status, 200);
  EXPECT_EQ(client.connections_opened(), 1);
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  TestClient client = Client();
  std::string answer = client.SendRaw(
      "GET /api/v1/ulbs/1/properties/first HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /api/v1/ulbs/1/properties/second HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  size_t first = answer.find("\"first\"");
  size_t second = answer.find("\"second\"");
  ASSERT_NE(first, std::string::npos) << answer;
  ASSERT_NE(second, std::string::npos) << answer;
  EXPECT_LT(first, second);
}

TEST_F(ServerTest, EveryResponseCarriesSecurityHeaders) {
  TestClient client = Client();
  for (const char* target : {"/api/v1/ulbs/1/properties/2", "/page", "/api/v1/nope", "/nope"}) {
    ClientResponse response = client.Request("GET", target);
    ASSERT_NE(response.status, 0) << response.error;
    EXPECT_EQ(response.Header("content-security-policy"),
              "default-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")
        << target;
    EXPECT_EQ(response.Header("x-content-type-options"), "nosniff") << target;
    EXPECT_EQ(response.Header("x-frame-options"), "DENY") << target;
    EXPECT_EQ(response.Header("referrer-policy"), "no-referrer") << target;
  }
  EXPECT_EQ(client.Request("GET", "/api/v1/ulbs/1/properties/2").Header("cache-control"),
            "no-store");
  ClientResponse page = client.Request("GET", "/page");
  EXPECT_EQ(page.Header("cache-control"), "");
  EXPECT_EQ(page.body, "<p>नमस्ते</p>");
}

// What goes on the wire, byte for byte: the status line, the handler's headers in order, then
// Content-Type, the security headers, Cache-Control, Connection and Content-Length; a client
// (or a cache, or a proxy) that sees the bytes sees them as they always were.
TEST_F(ServerTest, ResponsesAreWrittenByteForByte) {
  TestClient client = Client();
  constexpr std::string_view kSecurity =
      "Content-Security-Policy: default-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
      "form-action 'self'\r\n"
      "X-Content-Type-Options: nosniff\r\n"
      "X-Frame-Options: DENY\r\n"
      "Referrer-Policy: no-referrer\r\n";
  const std::string json_body = R"({"ulb":"1","id":"2","q":""})";
  // An API answer on HTTP/1.1, then one that closes the connection.
  EXPECT_EQ(client.SendRaw("GET /api/v1/ulbs/1/properties/2 HTTP/1.1\r\nHost: x\r\n\r\n"
                           "GET /api/v1/ulbs/1/properties/2 HTTP/1.1\r\nHost: x\r\n"
                           "Connection: close\r\n\r\n"),
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + std::string(kSecurity) +
                "Cache-Control: no-store\r\nContent-Length: " + std::to_string(json_body.size()) +
                "\r\n\r\n" + json_body + "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" +
                std::string(kSecurity) +
                "Cache-Control: no-store\r\nConnection: close\r\nContent-Length: " +
                std::to_string(json_body.size()) + "\r\n\r\n" + json_body);
  // HTTP/1.0: kept alive only when asked; HEAD has the length and no body.
  const std::string page = "<p>नमस्ते</p>";
  EXPECT_EQ(
      client.SendRaw("GET /page HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
                     "HEAD /page HTTP/1.0\r\n\r\n"),
      "HTTP/1.0 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n" + std::string(kSecurity) +
          "Connection: keep-alive\r\nContent-Length: " + std::to_string(page.size()) + "\r\n\r\n" +
          page + "HTTP/1.0 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n" +
          std::string(kSecurity) + "Content-Length: " + std::to_string(page.size()) + "\r\n\r\n");
  // A handler's own headers come first, as given (values trimmed), and win over the defaults.
  EXPECT_EQ(client.SendRaw("GET /own-headers HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
            "HTTP/1.1 200 OK\r\nx-frame-options: SAMEORIGIN\r\nX-Padded: padded value\r\n"
            "Cache-Control: private\r\nSet-Cookie: a=b; HttpOnly\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Content-Security-Policy: default-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
            "form-action 'self'\r\nX-Content-Type-Options: nosniff\r\n"
            "Referrer-Policy: no-referrer\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok");
  // A handler's Content-Type and Connection give way to the response's own.
  EXPECT_EQ(
      client.SendRaw("GET /api/v1/own-framing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
      "HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\n" + std::string(kSecurity) +
          "Cache-Control: no-store\r\nConnection: close\r\nContent-Length: 4\r\n\r\na,b\n");
  // 204: no Content-Type, no Content-Length, no body.
  EXPECT_EQ(
      client.SendRaw("DELETE /api/v1/nothing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
      "HTTP/1.1 204 No Content\r\n" + std::string(kSecurity) +
          "Cache-Control: no-store\r\nConnection: close\r\n\r\n");
  // Errors are never cached, API or not.
  const std::string not_found =
      client.SendRaw("GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_TRUE(not_found.starts_with(
      "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n" + std::string(kSecurity) +
      "Cache-Control: no-store\r\nConnection: close\r\nContent-Length: "))
      << not_found;
}

TEST_F(ServerTest, AFastPathAnswersOnTheIoThreadOrLeavesTheRequestToAWorker) {
  TestClient client = Client();
  auto fast = client.Request("POST", "/api/v1/fast", "fast");
  EXPECT_EQ(fast.status, 200);
  EXPECT_EQ(fast.body, "io thread: fast");
  EXPECT_EQ(inline_answers_, 1);
  auto declined = client.Request("POST", "/api/v1/fast", "slow");
  EXPECT_EQ(declined.status, 200);
  EXPECT_EQ(declined.body, "worker: slow");
  EXPECT_EQ(inline_answers_, 1);
  auto later = client.Request("POST", "/api/v1/fast", "later");
  EXPECT_EQ(later.status, 201);
  EXPECT_EQ(later.body, "made later");
  auto thrown = client.Request("POST", "/api/v1/fast", "throw");
  EXPECT_EQ(thrown.status, 500);
  EXPECT_EQ(ErrorCode(thrown), "internal");
  EXPECT_EQ(thrown.body.find("inline boom"), std::string::npos) << "details are logged only";
  // The connection lives on.
  EXPECT_EQ(client.Request("POST", "/api/v1/fast", "fast").body, "io thread: fast");
  EXPECT_EQ(client.connections_opened(), 1);
}

TEST_F(ServerTest, ThrowingHandlerIs500JsonAndTheServerLivesOn) {
  TestClient client = Client();
  ClientResponse response = client.Request("GET", "/api/v1/boom");
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(ErrorCode(response), "internal");
  EXPECT_EQ(response.body.find("secret"), std::string::npos);
  EXPECT_EQ(client.Request("GET", "/api/v1/ulbs/1/properties/2").status, 200);
}

TEST_F(ServerTest, HeaderInjectionByAHandlerBecomes500) {
  TestClient client = Client();
  ClientResponse response = client.Request("GET", "/api/v1/split");
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(response.Header("set-cookie"), "");
}

TEST_F(ServerTest, PathTricksAre400) {
  TestClient client = Client();
  for (const char* target : {"/api/v1/ulbs/../properties/1", "/api/v1/ulbs/%2e%2e/properties/1",
                             "/api/v1/ulbs/a%2Fb/properties/1", "/api/v1/ulbs/a%00/properties/1",
                             "/api/v1/ulbs/a%G1/properties/1", "/api/v1/ulbs/%FF/properties/1"}) {
    ClientResponse response = client.Request("GET", target);
    EXPECT_EQ(response.status, 400) << target;
    EXPECT_EQ(ErrorCode(response), "bad_path") << target;
  }
  // A raw NUL byte never gets past the HTTP parser.
  std::string raw = std::string("GET /api/v1/ulbs/a") + '\0' +
                    "b/properties/1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  EXPECT_TRUE(client.SendRaw(raw).starts_with("HTTP/1.1 400"));
}

TEST_F(ServerTest, MalformedHttpIs400AndTheConnectionCloses) {
  TestClient client = Client();
  auto start = Clock::now();
  std::string answer = client.SendRaw("THIS IS NOT HTTP\r\n\r\n");
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 400")) << answer;
  EXPECT_NE(answer.find("\"bad_request\""), std::string::npos) << answer;
  // The server closed the connection (SendRaw would otherwise wait for its 10 s timeout).
  EXPECT_LT(Clock::now() - start, seconds(5));
}

TEST_F(ServerTest, ContentLengthWithChunkedIsRefused) {
  // Request smuggling: a body length given two ways must not be guessed at.
  TestClient client = Client();
  std::string answer = client.SendRaw(
      "POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n"
      "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 400")) << answer;
}

TEST_F(ServerTest, ManyClientsAtOnce) {
  std::vector<std::future<int>> clients;
  for (int c = 0; c < 8; ++c) {
    clients.push_back(std::async(std::launch::async, [this, c] {
      TestClient client = Client();
      int ok = 0;
      for (int i = 0; i < 25; ++i) {
        std::string id = std::to_string(c) + "-" + std::to_string(i);
        ClientResponse response = client.Request("GET", "/api/v1/ulbs/u/properties/" + id);
        if (response.status == 200 && response.body.find("\"" + id + "\"") != std::string::npos)
          ++ok;
      }
      return ok;
    }));
  }
  for (auto& client : clients) EXPECT_EQ(client.get(), 25);
}

TEST_F(ServerTest, HalfARequestIsCutOffByTheReadDeadline) {
  TestClient client = Client();
  auto start = Clock::now();
  std::string answer =
      client.SendRaw("GET /api/v1/ulbs/1/properties/2 HTTP/1.1\r\nHost: x\r\n", seconds(10));
  auto elapsed = Clock::now() - start;
  EXPECT_EQ(answer, "");
  EXPECT_GE(elapsed, milliseconds(900));
  EXPECT_LT(elapsed, seconds(5));  // read_timeout is 1 s
}

TEST_F(ServerTest, SilentConnectionIsCutOffByTheReadDeadline) {
  TestClient client = Client();
  auto start = Clock::now();
  EXPECT_EQ(client.SendRaw("", seconds(10)), "");
  EXPECT_LT(Clock::now() - start, seconds(5));
}

TEST_F(ServerTest, ClientReconnectsAfterTheIdleTimeout) {
  TestClient client = Client();
  EXPECT_EQ(client.Request("GET", "/api/v1/ulbs/1/properties/2").status, 200);
  std::this_thread::sleep_for(milliseconds(2500));  // idle_timeout is 2 s
  EXPECT_EQ(client.Request("GET", "/api/v1/ulbs/1/properties/2").status, 200);
  EXPECT_EQ(client.connections_opened(), 2);
}

TEST_F(ServerTest, HeadHasTheLengthButNoBody) {
  TestClient client = Client();
  ClientResponse get = client.Request("GET", "/page");
  ClientResponse head = client.Request("HEAD", "/page");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.body, "");
  EXPECT_EQ(head.Header("content-length"), std::to_string(get.body.size()));
  // The connection is still usable afterwards.
  EXPECT_EQ(client.Request("GET", "/page").body, get.body);
  EXPECT_EQ(client.connections_opened(), 1);
}

TEST_F(ServerTest, ExpectContinueIsHonoured) {
  TestClient client = Client();
  std::string answer = client.SendRaw(
      "POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n"
      "Connection: close\r\n\r\nhello");
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200")) << answer;
  EXPECT_TRUE(answer.ends_with("hello")) << answer;
}

TEST_F(ServerTest, MetricsCountRequestsByRouteMethodAndStatus) {
  TestClient client = Client();
  EXPECT_EQ(client.Request("GET", "/api/v1/ulbs/1/properties/2").status, 200);
  EXPECT_EQ(client.Request("GET", "/api/v1/nope").status, 404);
  EXPECT_EQ(client.Request("BREW", "/api/v1/nope").status, 404);
  ClientResponse metrics = client.Request("GET", "/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.Header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  const std::string& text = metrics.body;
  EXPECT_NE(text.find("# TYPE palika_http_requests_total counter"), std::string::npos) << text;
  EXPECT_NE(text.find("palika_http_requests_total{method=\"GET\",route=\"/api/v1/ulbs/{ulb}/"
                      "properties/{id}\",status=\"200\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("palika_http_requests_total{method=\"GET\",route=\"none\",status=\"404\"} 1"),
            std::string::npos)
      << text;
  EXPECT_NE(
      text.find("palika_http_requests_total{method=\"other\",route=\"none\",status=\"404\"} 1"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("# TYPE palika_http_request_duration_seconds histogram"), std::string::npos);
  EXPECT_NE(text.find("palika_http_request_duration_seconds_count{route=\"/api/v1/ulbs/{ulb}/"
                      "properties/{id}\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("palika_http_open_connections 1\n"), std::string::npos) << text;
}

TEST_F(ServerTest, SlowHandlersDoNotBlockOtherRequests) {
  std::atomic<int> done{0};
  auto slow = std::async(std::launch::async, [&] {
    TestClient client = Client();
    int status = client.Request("GET", "/api/v1/slow").status;
    ++done;
    return status;
  });
  while (!slow_started_) std::this_thread::sleep_for(milliseconds(5));
  TestClient client = Client();
  for (int i = 0; i < 5; ++i) EXPECT_EQ(client.Request("GET", "/page").status, 200);
  EXPECT_EQ(done, 0);  // the fast ones were answered while the slow one was still running
  EXPECT_EQ(slow.get(), 200);
}

TEST_F(ServerTest, AnAsynchronousHandlerDoesNotHoldItsWorker) {
  StopServer();
  ServerOptions options = TestOptions();
  options.worker_threads = 1;
  StartServer(options);
  // Three requests wait for their answers at once on one worker thread.
  std::vector<std::future<ClientResponse>> waiting;
  for (const char* body : {"a", "b", "c"}) {
    waiting.push_back(std::async(std::launch::async, [this, body] {
      TestClient client = Client();
      return client.Request("POST", "/api/v1/later", body);
    }));
  }
  ASSERT_TRUE(WaitForLater(3));
  TestClient other = Client();
  EXPECT_EQ(other.Request("GET", "/page").status, 200);  // the worker is free meanwhile
  // Answered from this thread: made on the server's threads, one of them on a worker (blocks).
  auto held = TakeLater();
  ASSERT_EQ(held.size(), 3u);
  for (size_t i = 0; i < held.size(); ++i) {
    std::string body = held[i].first;
    held[i].second(Reply{{}, [body] { return Response::Text(201, "made " + body); }, i == 1});
    held[i].second(Reply{Response::Text(200, "a second answer is ignored"), {}, false});
  }
  for (size_t i = 0; i < waiting.size(); ++i) {
    ClientResponse response = waiting[i].get();
    EXPECT_EQ(response.status, 201) << response.error;
    EXPECT_EQ(response.body, std::string("made ") + "abc"[i]);
  }
}

TEST_F(ServerTest, AnAsynchronousAnswerThatThrowsOrNeverComesIs500) {
  TestClient client = Client();
  ClientResponse never = client.Request("GET", "/api/v1/never");
  EXPECT_EQ(never.status, 500);
  EXPECT_EQ(ErrorCode(never), "internal");
  auto thrown = std::async(std::launch::async, [this] {
    TestClient c = Client();
    return c.Request("POST", "/api/v1/later", "x");
  });
  ASSERT_TRUE(WaitForLater(1));
  TakeLater()[0].second(
      Reply{{}, []() -> Response { throw std::runtime_error("secret detail"); }, false});
  ClientResponse response = thrown.get();
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(ErrorCode(response), "internal");
  EXPECT_EQ(response.body.find("secret"), std::string::npos);
  EXPECT_EQ(client.Request("GET", "/page").status, 200);
}

TEST_F(ServerTest, GracefulStopWaitsForAnAsynchronousAnswer) {
  auto in_flight = std::async(std::launch::async, [this] {
    TestClient client = Client();
    return client.Request("POST", "/api/v1/later", "x");
  });
  ASSERT_TRUE(WaitForLater(1));
  server_->Stop();
  std::this_thread::sleep_for(milliseconds(100));
  TakeLater()[0].second(Reply{Response::Text(200, "late but answered"), {}, false});
  ClientResponse response = in_flight.get();
  EXPECT_EQ(response.status, 200) << response.error;
  EXPECT_EQ(response.body, "late but answered");
  EXPECT_EQ(response.Header("connection"), "close");
  run_.join();
}

TEST_F(ServerTest, DestroyingTheServerWaitsForAnAsynchronousAnswer) {
  StopServer();
  ServerOptions options = TestOptions();
  options.shutdown_timeout = seconds(1);
  StartServer(options);
  auto in_flight = std::async(std::launch::async, [this] {
    TestClient client = Client();
    return client.Request("POST", "/api/v1/later", "x");
  });
  ASSERT_TRUE(WaitForLater(1));
  server_->Stop();
  run_.join();                           // gave up on it after the shutdown timeout
  EXPECT_EQ(in_flight.get().status, 0);  // cut off
  Respond respond = std::move(TakeLater()[0].second);
  auto start = Clock::now();
  std::thread answer([&respond] {
    std::this_thread::sleep_for(milliseconds(300));
    respond(Reply{Response::Text(200, "nobody reads this"), {}, false});
    respond = nullptr;  // the last copy: the server may go now
  });
  server_.reset();  // waits for the answer (whoever holds a Respond may still call it)
  EXPECT_GE(Clock::now() - start, milliseconds(250));
  answer.join();
}

TEST_F(ServerTest, GracefulStopLetsTheInFlightRequestFinish) {
  TestClient idle = Client();
  ASSERT_EQ(idle.Request("GET", "/page").status, 200);  // an idle kept-alive connection
  auto in_flight = std::async(std::launch::async, [&] {
    TestClient client = Client();
    return client.Request("GET", "/api/v1/slow");
  });
  while (!slow_started_) std::this_thread::sleep_for(milliseconds(5));
  uint16_t port = server_->port();
  auto start = Clock::now();
  server_->Stop();
  ClientResponse response = in_flight.get();
  EXPECT_EQ(response.status, 200) << response.error;
  EXPECT_EQ(response.body, "done");
  EXPECT_EQ(response.Header("connection"), "close");
  run_.join();
  EXPECT_LT(Clock::now() - start, seconds(3));  // did not wait for the idle one's timeout
  // No longer accepting.
  TestClient late("127.0.0.1", port, seconds(2));
  EXPECT_EQ(late.Request("GET", "/page").status, 0);
}

TEST_F(ServerTest, StopGivesUpOnHandlersAfterTheShutdownTimeout) {
  StopServer();
  ServerOptions options = TestOptions();
  options.shutdown_timeout = seconds(1);
  slow_for_ = milliseconds(3000);
  StartServer(options);
  auto in_flight = std::async(std::launch::async, [&] {
    TestClient client = Client();
    return client.Request("GET", "/api/v1/slow");
  });
  while (!slow_started_) std::this_thread::sleep_for(milliseconds(5));
  auto start = Clock::now();
  server_->Stop();
  run_.join();
  auto elapsed = Clock::now() - start;
  EXPECT_GE(elapsed, milliseconds(900));
  EXPECT_LT(elapsed, milliseconds(2500));
  EXPECT_EQ(in_flight.get().status, 0);  // cut off
  server_.reset();                       // waits for the handler on its worker thread
}

TEST_F(ServerTest, StopBeforeRunReturnsPromptly) {
  StopServer();
  Server server(TestOptions(), router_, metrics_);
  ASSERT_TRUE(server.Listen().ok());
  server.Stop();
  server.Run();  // returns once the posted stop has run
  SUCCEED();
}

TEST(ServerListen, AddressInUseIsAClearError) {
  Router router;
  Metrics metrics;
  ServerOptions options = TestOptions();
  Server first(options, router, metrics);
  ASSERT_TRUE(first.Listen().ok());
  options.port = first.port();
  Server second(options, router, metrics);
  Status status = second.Listen();
  EXPECT_EQ(status.kind(), StatusKind::kUnavailable);
  EXPECT_EQ(status.code(), "listen_failed");
  EXPECT_NE(status.message().find(std::to_string(options.port)), std::string::npos);
}

TEST(ServerListen, BadHostIsInvalidArgument) {
  Router router;
  Metrics metrics;
  ServerOptions options = TestOptions();
  options.host = "no-such-host.invalid";
  Server server(options, router, metrics);
  EXPECT_EQ(server.Listen().kind(), StatusKind::kInvalidArgument);
}

}  // namespace
}  // namespace palika::http
