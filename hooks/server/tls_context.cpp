// hooks/server/tls_context.cpp: an OpenSSL 3 server context through Boost.Asio's ssl::context.
#include "hooks/server/tls_context.hpp"

#include <openssl/ssl.h>

#include <stdexcept>

namespace ivig::server {

std::shared_ptr<boost::asio::ssl::context> make_tls_context(const std::string& certificate_file,
                                                            const std::string& key_file) {
  namespace ssl = boost::asio::ssl;
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = context->native_handle();
  // The protocol floor is set explicitly rather than left to the system's openssl.cnf.
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1)
    throw std::runtime_error("TLS: cannot set TLS 1.2 as the minimum version");
  context->set_options(ssl::context::default_workarounds | ssl::context::no_compression | ssl::context::single_dh_use);
  SSL_CTX_set_options(native, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION);
  if (SSL_CTX_set_cipher_list(native, "ECDHE+AESGCM:ECDHE+CHACHA20") != 1)
    throw std::runtime_error("TLS: the cipher list was refused");
  boost::system::error_code ec;
  context->use_certificate_chain_file(certificate_file, ec);
  if (ec) throw std::runtime_error("TLS certificate " + certificate_file + ": " + ec.message());
  context->use_private_key_file(key_file, ssl::context::pem, ec);
  if (ec) throw std::runtime_error("TLS key " + key_file + ": " + ec.message());
  if (SSL_CTX_check_private_key(native) != 1)
    throw std::runtime_error("TLS key " + key_file + " does not match the certificate " + certificate_file);
  return context;
}

}  // namespace ivig::server
