// hooks/server/tls_context.hpp: the server's TLS settings, in one place.
//
// TLS 1.2 and 1.3 only; for TLS 1.2 only forward-secret AEAD suites (ECDHE with AES-GCM or
// ChaCha20-Poly1305), the server's order preferred; no compression, no renegotiation. The
// certificate chain and key are read from PEM files; a context is immutable once made, so a reload
// (SIGHUP) makes a new one for new connections while open connections keep theirs.
#pragma once

#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>

namespace ivig::server {

/// A server context for `certificate_file` (PEM chain, leaf first) and `key_file` (PEM private key).
/// Throws std::runtime_error naming the file and the problem (unreadable, not PEM, key not matching).
std::shared_ptr<boost::asio::ssl::context> make_tls_context(const std::string& certificate_file,
                                                            const std::string& key_file);

}  // namespace ivig::server
