// tests/unit/server/test_client.hpp: a small synchronous HTTP/1.1 client for the server tests.
//
// Each call runs one asynchronous Beast operation to completion on a private io_context with a
// deadline, so a test that waits for bytes the server never sends fails after `timeout` instead of
// hanging. It can send well-formed requests or arbitrary bytes (garbage, partial requests,
// several pipelined requests in one write), and read responses (parsed, or a head as raw bytes, to
// check an interim 100 Continue exactly) or observe the server's close.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/beast/http/write.hpp>

namespace ivig::server::testing {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using response = http::response<http::string_body>;

/// The error a fresh connection attempt to 127.0.0.1:port gets (success when it connects).
inline beast::error_code connect_error(unsigned short port) {
  net::io_context ioc;
  tcp::socket socket(ioc);
  beast::error_code ec;
  socket.connect(tcp::endpoint(net::ip::make_address_v4("127.0.0.1"), port), ec);
  return ec;
}

/// One HTTP request as raw bytes, with Host and Content-Length filled in.
inline std::string raw_request(std::string_view method, std::string_view target, std::string_view body = {},
                               std::optional<std::string_view> content_type = std::nullopt,
                               std::string_view extra_headers = {}) {
  std::string out;
  out.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  // A POST says it is JSON unless the test chooses a type; an empty one sends no Content-Type.
  if (!content_type && method == "POST") content_type = "application/json";
  if (content_type && !content_type->empty()) out.append("Content-Type: ").append(*content_type).append("\r\n");
  if (!body.empty() || method == "POST") {
    out.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  }
  out.append(extra_headers).append("\r\n").append(body);
  return out;
}

class test_client {
 public:
  explicit test_client(unsigned short port, std::chrono::milliseconds timeout = std::chrono::seconds(5))
      : stream_(ioc_), timeout_(timeout) {
    const beast::error_code ec = run([&](auto handler) {
      stream_.async_connect(tcp::endpoint(net::ip::make_address_v4("127.0.0.1"), port), std::move(handler));
    });
    if (ec) throw std::runtime_error("test_client: connect failed: " + ec.message());
  }

  /// Writes `bytes` exactly as given, in one write.
  void write(std::string_view bytes) {
    const beast::error_code ec = run(
        [&](auto handler) { net::async_write(stream_, net::buffer(bytes.data(), bytes.size()), std::move(handler)); });
    if (ec) throw std::runtime_error("test_client: write failed: " + ec.message());
  }

  /// Sends one request and reads its response.
  response request(std::string_view method, std::string_view target, std::string_view body = {},
                   std::optional<std::string_view> content_type = std::nullopt) {
    write(raw_request(method, target, body, content_type));
    return read_response();
  }

  /// Reads one whole response; throws if it does not arrive within the timeout.
  response read_response(std::uint64_t body_limit = 64U * 1024U * 1024U) {
    http::response_parser<http::string_body> parser;
    parser.body_limit(body_limit);
    const beast::error_code ec =
        run([&](auto handler) { http::async_read(stream_, buffer_, parser, std::move(handler)); });
    if (ec) throw std::runtime_error("test_client: reading a response failed: " + ec.message());
    return parser.release();
  }

  /// Reads through the next blank line and returns those bytes unparsed: the status line and fields
  /// of one response, e.g. exactly "HTTP/1.1 100 Continue\r\n\r\n". Whatever arrived after them
  /// stays buffered for read_response(); throws if no whole head arrives within the timeout.
  std::string read_head() {
    for (;;) {
      const std::string_view have(static_cast<const char*>(buffer_.data().data()), buffer_.size());
      if (const std::size_t end = have.find("\r\n\r\n"); end != std::string_view::npos) {
        std::string head(have.substr(0, end + 4));
        buffer_.consume(end + 4);
        return head;
      }
      std::size_t n = 0;
      const beast::error_code ec = run([&](auto handler) {
        stream_.async_read_some(buffer_.prepare(4096),
                                [&n, h = std::move(handler)](beast::error_code e, std::size_t got) mutable {
                                  n = got;
                                  h(e);
                                });
      });
      buffer_.commit(n);
      if (ec) {
        throw std::runtime_error("test_client: reading a response head failed: " + ec.message());
      }
    }
  }

  /// What the peer does next, read until it closes: the bytes received before the close and the
  /// error that ended the read (net::error::eof for an orderly close).
  struct close_result {
    std::string bytes;
    beast::error_code error;
  };
  close_result read_until_close() {
    close_result out;
    out.bytes = beast::buffers_to_string(buffer_.data());  // already read past the last response
    buffer_.consume(buffer_.size());
    std::string chunk(64U * 1024U, '\0');
    for (;;) {
      std::size_t n = 0;
      const beast::error_code ec = run([&](auto handler) {
        stream_.async_read_some(net::buffer(chunk),
                                [&n, h = std::move(handler)](beast::error_code e, std::size_t got) mutable {
                                  n = got;
                                  h(e);
                                });
      });
      out.bytes.append(chunk.data(), n);
      if (ec) {
        out.error = ec;
        return out;
      }
    }
  }

  /// Closes the connection from the client side.
  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
  }

 private:
  template <class Start>
  beast::error_code run(Start&& start) {
    beast::error_code result = net::error::would_block;
    stream_.expires_after(timeout_);
    // The deadline closes the socket on expiry, which completes the operation with an error.
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    ioc_.restart();
    ioc_.run();
    return result;
  }

  net::io_context ioc_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::chrono::milliseconds timeout_;
};

}  // namespace ivig::server::testing
