// tests/support/tls_fhir_server.hpp: an https FHIR server on 127.0.0.1:0 with a certificate made for
// the test (a fake: it answers a Patient read and empty searches, enough to see whether the client
// trusts it). The certificate is made with the openssl command line, for 127.0.0.1, valid one day.
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

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace ivig::test
