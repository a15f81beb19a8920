// tests/support/test_certificate.cpp: the openssl req command line.
#include "tests/support/test_certificate.hpp"

#include <cstdlib>
#include <stdexcept>

namespace ivig::test {

test_certificate make_test_certificate(const std::filesystem::path& dir, const std::string& name) {
  test_certificate made{(dir / (name + ".pem")).string(), (dir / (name + ".key")).string()};
  const std::string command = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=" + name +
                              " -addext subjectAltName=IP:127.0.0.1 -keyout " + made.key_file + " -out " +
                              made.certificate_file + " >/dev/null 2>&1";
  if (std::system(command.c_str()) != 0) throw std::runtime_error("openssl could not make a test certificate");
  return made;
}

}  // namespace ivig::test
