// tests/support/tls_client.hpp: a blocking HTTPS client for one connection to 127.0.0.1, trusting one
// certificate file as its CA and checking the server's address against it.
#pragma once

#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace ivig::test {

class tls_client {
 public:
  /// Connects (TCP only); `tls_1_1_only` offers nothing but TLS 1.1, with the client's own security
  /// level lowered so that only the server can refuse it.
  tls_client(unsigned short port, const std::string& ca_file, bool tls_1_1_only = false);
  /// The handshake's error; success when the server's certificate verified.
  boost::beast::error_code handshake();
  /// GET `target` on this connection (keep-alive).
  boost::beast::http::response<boost::beast::http::string_body> get(const std::string& target);
  /// The subject CN of the certificate the server presented.
  std::string server_name();

 private:
  boost::asio::io_context ioc_;
  boost::asio::ssl::context context_;
  std::unique_ptr<boost::asio::ssl::stream<boost::asio::ip::tcp::socket>> stream_;
  boost::beast::flat_buffer buffer_;
};

}  // namespace ivig::test
