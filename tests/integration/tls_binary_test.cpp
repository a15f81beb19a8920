// tests/integration/tls_binary_test.cpp: the real ivig-cds binary serving HTTPS, and SIGHUP
// reloading its certificate without a restart.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>

#include "tests/support/child_process.hpp"
#include "tests/support/scratch_folder.hpp"
#include "tests/support/test_certificate.hpp"
#include "tests/support/tls_client.hpp"

using namespace ivig::test;

TEST(TlsBinary, ServesHttpsAndReloadsItsCertificateOnSighup) {
  const scratch_folder folder("tls-binary");
  const std::filesystem::path& dir = folder.path();
  const test_certificate first = make_test_certificate(dir, "ivig-binary-first");
  const test_certificate second = make_test_certificate(dir, "ivig-binary-second");
  const auto server_pem = dir / "server.pem";
  const auto server_key = dir / "server.key";
  std::filesystem::copy_file(first.certificate_file, server_pem);
  std::filesystem::copy_file(first.key_file, server_key);

  child_process service(
      IVIG_BINARY, {"--port", "0", "--no-audit", "--tls-cert", server_pem.string(), "--tls-key", server_key.string()});
  const std::string listening = service.wait_for_line("listening (HTTPS, TLS 1.2+) on 127.0.0.1:");
  ASSERT_FALSE(listening.empty());
  const auto colon = listening.rfind(':');
  const auto port = static_cast<unsigned short>(std::stoi(listening.substr(colon + 1)));

  tls_client before(port, first.certificate_file);
  ASSERT_FALSE(before.handshake());
  EXPECT_EQ(before.get("/healthz").result_int(), 200);

  std::filesystem::copy_file(second.certificate_file, server_pem, std::filesystem::copy_options::overwrite_existing);
  std::filesystem::copy_file(second.key_file, server_key, std::filesystem::copy_options::overwrite_existing);
  ::kill(service.pid(), SIGHUP);
  EXPECT_FALSE(service.wait_for_line("received SIGHUP: TLS certificate reloaded for new connections").empty());
  tls_client after(port, second.certificate_file);
  ASSERT_FALSE(after.handshake());
  EXPECT_EQ(after.server_name(), "ivig-binary-second");
  EXPECT_EQ(before.get("/healthz").result_int(), 200);  // the open connection was not dropped

  ::kill(service.pid(), SIGTERM);
  EXPECT_EQ(service.wait_exit(), 0);
}
