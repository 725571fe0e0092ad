#include "http/client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <optional>

namespace palika::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

std::string Lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

std::string ClientResponse::Header(const std::string& lowercase_name) const {
  auto it = headers.find(lowercase_name);
  return it == headers.end() ? std::string() : it->second;
}

// Synchronous calls are made of asynchronous operations run to completion on a private
// io_context, because only those honour tcp_stream's deadlines.
class Client::Impl {
 public:
  Impl(std::string host, uint16_t port, std::chrono::milliseconds timeout, std::string user_agent)
      : host_(std::move(host)),
        port_(port),
        timeout_(timeout),
        user_agent_(std::move(user_agent)) {}

  // Opens a new stream to the server.
  beast::error_code Connect(std::optional<beast::tcp_stream>& stream) {
    beast::error_code ec;
    tcp::resolver resolver(ioc_);
    auto endpoints = resolver.resolve(host_, std::to_string(port_), ec);
    if (ec) return ec;
    stream.emplace(ioc_);
    stream->expires_after(timeout_);
    stream->async_connect(endpoints, [&](beast::error_code e, const tcp::endpoint&) { ec = e; });
    RunIo();
    if (ec) stream.reset();
    return ec;
  }

  ClientResponse Request(std::string_view method, std::string_view target, std::string_view body,
                         const std::vector<std::pair<std::string, std::string>>& headers,
                         std::chrono::milliseconds timeout) {
    ClientResponse out;
    bhttp::request<bhttp::string_body> req;
    req.method_string(method);
    req.target(target);
    req.version(11);
    req.set(bhttp::field::host, host_ + ":" + std::to_string(port_));
    req.set(bhttp::field::user_agent, user_agent_);
    bool has_length = false;
    for (const auto& [name, value] : headers) {
      std::string lower = Lowercase(name);
      if (lower == "host" || lower == "user-agent") {
        req.set(name, value);
      } else {
        req.insert(name, value);
      }
      has_length = has_length || lower == "content-length" || lower == "transfer-encoding";
    }
    req.body() = std::string(body);
    if (!has_length &&
        (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH")) {
      req.prepare_payload();
    }

    // A kept-alive connection may have been closed by the server meanwhile: then retry once on a
    // fresh one.
    for (int attempt = 0; attempt < 2; ++attempt) {
      bool fresh = !stream_.has_value();
      if (fresh) {
        beast::error_code ec = Connect(stream_);
        if (ec) {
          out.error = "connect: " + ec.message();
          return out;
        }
        ++connections_opened_;
        buffer_.clear();
      }
      beast::error_code ec;
      stream_->expires_after(timeout);
      bhttp::async_write(*stream_, req, [&](beast::error_code e, size_t) { ec = e; });
      RunIo();
      if (ec) {
        stream_.reset();
        if (!fresh) continue;
        out.error = "write: " + ec.message();
        return out;
      }
      std::optional<bhttp::response_parser<bhttp::string_body>> parser;
      do {  // skip interim responses such as 100 Continue
        parser.emplace();
        parser->body_limit(64 * 1024 * 1024);
        if (method == "HEAD") parser->skip(true);
        stream_->expires_after(timeout);
        bhttp::async_read(*stream_, buffer_, *parser, [&](beast::error_code e, size_t) { ec = e; });
        RunIo();
      } while (!ec && parser->get().result_int() / 100 == 1);
      if (ec) {
        stream_.reset();
        bool stale = ec == bhttp::error::end_of_stream || ec == asio::error::connection_reset ||
                     ec == asio::error::eof;
        if (!fresh && stale) continue;
        out.error = "read: " + ec.message();
        return out;
      }
      auto& res = parser->get();
      out.status = static_cast<int>(res.result_int());
      for (const auto& field : res) {
        std::string name = Lowercase(field.name_string());
        auto [it, inserted] = out.headers.emplace(name, std::string(field.value()));
        if (!inserted) it->second += ", " + std::string(field.value());
      }
      out.body = std::move(res.body());
      if (!res.keep_alive()) stream_.reset();
      return out;
    }
    out.error = "the server closed the connection twice";
    return out;
  }

  int connections_opened() const { return connections_opened_; }
  std::chrono::milliseconds timeout() const { return timeout_; }
  void Close() { stream_.reset(); }

 private:
  void RunIo() {
    ioc_.restart();
    ioc_.run();
  }

  const std::string host_;
  const uint16_t port_;
  const std::chrono::milliseconds timeout_;
  const std::string user_agent_;
  asio::io_context ioc_;
  std::optional<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
  int connections_opened_ = 0;
};

Result<HttpUrl> ParseHttpUrl(std::string_view url) {
  auto bad = [&] {
    return Status::InvalidArgument(
        "bad_url", "'" + std::string(url) + "' is not an http:// URL such as http://10.0.0.5:8080.",
        "'" + std::string(url) + "' http:// URL नहीं है, जैसे http://10.0.0.5:8080।");
  };
  constexpr std::string_view kScheme = "http://";
  if (!url.starts_with(kScheme)) return bad();
  std::string_view rest = url.substr(kScheme.size());
  const size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  HttpUrl out;
  if (slash != std::string_view::npos) {
    out.base_path = std::string(rest.substr(slash));
    while (!out.base_path.empty() && out.base_path.back() == '/') out.base_path.pop_back();
  }
  const size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']') == std::string_view::npos) {
    const std::string_view port = authority.substr(colon + 1);
    unsigned v = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), v);
    if (ec != std::errc() || end != port.data() + port.size() || v == 0 || v > 65535) return bad();
    out.port = static_cast<uint16_t>(v);
    authority = authority.substr(0, colon);
  }
  if (authority.empty() || authority.find_first_of("@?#") != std::string_view::npos) return bad();
  out.host = std::string(authority);
  return out;
}

Client::Client(std::string host, uint16_t port, std::chrono::milliseconds timeout,
               std::string user_agent)
    : impl_(std::make_unique<Impl>(std::move(host), port, timeout, std::move(user_agent))) {}
Client::~Client() = default;

ClientResponse Client::Request(std::string_view method, std::string_view target,
                               std::string_view body,
                               const std::vector<std::pair<std::string, std::string>>& headers,
                               std::optional<std::chrono::milliseconds> timeout) {
  return impl_->Request(method, target, body, headers, timeout.value_or(impl_->timeout()));
}

int Client::connections_opened() const { return impl_->connections_opened(); }
void Client::Close() { impl_->Close(); }

}  // namespace palika::http
