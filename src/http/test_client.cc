#include "http/test_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/tcp_stream.hpp>

namespace palika::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

TestClient::TestClient(std::string host, uint16_t port, std::chrono::milliseconds timeout)
    : host_(host), port_(port), client_(std::move(host), port, timeout, "palika-test-client") {}
TestClient::~TestClient() = default;

ClientResponse TestClient::Request(
    std::string_view method, std::string_view target, std::string_view body,
    const std::vector<std::pair<std::string, std::string>>& headers) {
  return client_.Request(method, target, body, headers);
}

// Asynchronous operations run to completion on a private io_context: only those honour
// tcp_stream's deadline, which covers the whole exchange.
std::string TestClient::SendRaw(std::string_view bytes, std::chrono::milliseconds timeout) {
  asio::io_context ioc;
  auto run = [&] {
    ioc.restart();
    ioc.run();
  };
  beast::error_code ec;
  tcp::resolver resolver(ioc);
  auto endpoints = resolver.resolve(host_, std::to_string(port_), ec);
  if (ec) return {};
  beast::tcp_stream stream(ioc);
  stream.expires_after(timeout);
  stream.async_connect(endpoints, [&](beast::error_code e, const tcp::endpoint&) { ec = e; });
  run();
  if (ec) return {};
  asio::async_write(stream, asio::buffer(bytes.data(), bytes.size()),
                    [&](beast::error_code e, size_t) { ec = e; });
  run();
  std::string received;
  if (ec) return received;
  char chunk[4096];
  while (true) {
    size_t n = 0;
    stream.async_read_some(asio::buffer(chunk), [&](beast::error_code e, size_t got) {
      ec = e;
      n = got;
    });
    run();
    received.append(chunk, n);
    if (ec) break;
  }
  return received;
}

int TestClient::connections_opened() const { return client_.connections_opened(); }
void TestClient::Close() { client_.Close(); }

}  // namespace palika::http
