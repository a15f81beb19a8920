// tests/support/tls_fhir_server.hpp: an https FHIR server on 127.0.0.1:0 with a certificate made for
// the test (a fake: it answers a Patient read and empty searches, enough to see whether the client
// trusts it; and any document a test puts at a path, such as an issuer's JWK Set). The certificate
// is made with the openssl command line, for 127.0.0.1, valid one day.
#pragma once

#include <memory>
#include <string>

namespace ivig::test {

class tls_fhir_server {
 public:
  tls_fhir_server();
  ~tls_fhir_server();
  tls_fhir_server(const tls_fhir_server&) = delete;
  tls_fhir_server& operator=(const tls_fhir_server&) = delete;

  /// "https://127.0.0.1:P/fhir"
  std::string base() const;
  /// The PEM file of the server's (self-signed) certificate: the CA bundle that makes it trusted.
  const std::string& certificate_file() const;
  /// "https://127.0.0.1:P" + path
  std::string url(const std::string& path) const;
  /// Answers GET `path` with this body and Content-Type from now on (replacing what was there).
  void put_document(const std::string& path, const std::string& content_type, const std::string& body);
  /// How many requests asked for `path` so far.
  int requests_for(const std::string& path) const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace ivig::test
