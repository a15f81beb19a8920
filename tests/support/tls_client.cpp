// tests/support/tls_client.cpp: Boost.Asio's ssl::stream over OpenSSL.
#include "tests/support/tls_client.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

namespace ivig::test {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

tls_client::tls_client(unsigned short port, const std::string& ca_file, bool tls_1_1_only)
    : context_(ssl::context::tls_client) {
  if (tls_1_1_only) {
    // Security level 0, or this client would refuse TLS 1.1 itself and a test would prove nothing.
    SSL_CTX_set_security_level(context_.native_handle(), 0);
    SSL_CTX_set_min_proto_version(context_.native_handle(), TLS1_1_VERSION);
    SSL_CTX_set_max_proto_version(context_.native_handle(), TLS1_1_VERSION);
    SSL_CTX_set_cipher_list(context_.native_handle(), "DEFAULT:@SECLEVEL=0");
  }
  context_.load_verify_file(ca_file);
  context_.set_verify_mode(ssl::verify_peer);
  stream_ = std::make_unique<ssl::stream<tcp::socket>>(ioc_, context_);
  SSL_set1_host(stream_->native_handle(), "127.0.0.1");
  stream_->next_layer().connect({asio::ip::make_address("127.0.0.1"), port});
}

beast::error_code tls_client::handshake() {
  beast::error_code ec;
  stream_->handshake(ssl::stream_base::client, ec);
  return ec;
}

http::response<http::string_body> tls_client::get(const std::string& target) {
  http::request<http::string_body> request{http::verb::get, target, 11};
  request.set(http::field::host, "127.0.0.1");
  http::write(*stream_, request);
  http::response<http::string_body> response;
  http::read(*stream_, buffer_, response);
  return response;
}

std::string tls_client::server_name() {
  X509* certificate = SSL_get1_peer_certificate(stream_->native_handle());
  if (certificate == nullptr) return {};
  char name[256] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(certificate), NID_commonName, name, sizeof name);
  X509_free(certificate);
  return name;
}

}  // namespace ivig::test
