// tests/support/test_certificate.hpp: self-signed certificates for 127.0.0.1, made for one test.
//
// Made with the openssl command line (RSA 2048, valid one day, subjectAltName IP:127.0.0.1), so a
// client that trusts the certificate file as its CA verifies the server by its address.
#pragma once

#include <filesystem>
#include <string>

namespace ivig::test {

struct test_certificate {
  std::string certificate_file;  ///< PEM certificate (also the CA file that makes it trusted)
  std::string key_file;          ///< PEM private key
};

/// Writes `<name>.pem` and `<name>.key` into `dir` with subject CN=`name`; throws when openssl fails.
test_certificate make_test_certificate(const std::filesystem::path& dir, const std::string& name);

}  // namespace ivig::test
