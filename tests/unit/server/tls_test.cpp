// tests/unit/server/tls_test.cpp: http_server over HTTPS on 127.0.0.1, port 0, with certificates
// made for the test: a real handshake and keep-alive, HSTS, the refused TLS 1.1 client, a plain-HTTP
// client on the TLS port, and a certificate reload that leaves open connections alone.
#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <filesystem>
#include <memory>
#include <string>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "hooks/server/http_server.hpp"
#include "recording_handler.hpp"
#include "tests/support/scratch_folder.hpp"
#include "tests/support/test_certificate.hpp"
#include "tests/support/tls_client.hpp"

namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using ivig::test::make_test_certificate;
using ivig::test::test_certificate;
using ivig::test::tls_client;

class Tls : public ::testing::Test {
 protected:
  void SetUp() override {
    folder_ = std::make_unique<ivig::test::scratch_folder>("tls-server");
    dir_ = folder_->path();
    first_ = make_test_certificate(dir_, "ivig-test-first");
    second_ = make_test_certificate(dir_, "ivig-test-second");
    // The server reads the files at these paths; a reload reads them again.
    std::filesystem::copy_file(first_.certificate_file, dir_ / "server.pem");
    std::filesystem::copy_file(first_.key_file, dir_ / "server.key");
    ivig::server::server_config config;
    config.port = 0;
    config.tls_certificate_file = (dir_ / "server.pem").string();
    config.tls_key_file = (dir_ / "server.key").string();
    server_ = std::make_unique<ivig::server::http_server>(config, handler_);
    port_ = server_->start();
  }
  void TearDown() override {
    server_.reset();
    folder_.reset();
  }
  void install(const test_certificate& certificate) {
    std::filesystem::copy_file(certificate.certificate_file, dir_ / "server.pem",
                               std::filesystem::copy_options::overwrite_existing);
    std::filesystem::copy_file(certificate.key_file, dir_ / "server.key",
                               std::filesystem::copy_options::overwrite_existing);
  }

  std::unique_ptr<ivig::test::scratch_folder> folder_;
  std::filesystem::path dir_;
  test_certificate first_, second_;
  ivig::server::testing::recording_handler handler_;
  std::unique_ptr<ivig::server::http_server> server_;
  unsigned short port_ = 0;
};

}  // namespace

TEST_F(Tls, AnswersOverARealHandshakeWithHstsAndKeepsTheConnectionAlive) {
  tls_client client(port_, first_.certificate_file);
  ASSERT_FALSE(client.handshake());
  EXPECT_EQ(client.server_name(), "ivig-test-first");
  const auto first = client.get("/healthz");
  EXPECT_EQ(first.result_int(), 200);
  EXPECT_EQ(first.body(), ivig::server::testing::health_body);
  EXPECT_EQ(first[http::field::strict_transport_security], "max-age=31536000");
  EXPECT_EQ(first[http::field::cache_control], "no-store");
  const auto second = client.get("/cds-services");  // the same connection
  EXPECT_EQ(second.result_int(), 200);
  EXPECT_EQ(second.body(), ivig::server::testing::discovery_body);
}

TEST_F(Tls, ATls11ClientIsRefusedByTheServer) {
  tls_client client(port_, first_.certificate_file, true);
  const beast::error_code ec = client.handshake();
  ASSERT_TRUE(ec);
  // The server's alert, not the client's own refusal: the client offered TLS 1.1 and was told no.
  EXPECT_NE(ec.message().find("protocol version"), std::string::npos) << ec.message();
}

TEST_F(Tls, APlainHttpRequestOnTheTlsPortIsClosedUnanswered) {
  asio::io_context ioc;
  tcp::socket socket(ioc);
  socket.connect({asio::ip::make_address("127.0.0.1"), port_});
  const std::string request = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  asio::write(socket, asio::buffer(request));
  std::string answer(4096, '\0');
  beast::error_code ec;
  std::size_t total = 0;
  for (;;) {  // until the server closes
    const std::size_t n = socket.read_some(asio::buffer(answer.data() + total, answer.size() - total), ec);
    total += n;
    if (ec) break;
  }
  // Whatever came back (at most a TLS alert) is not HTTP.
  EXPECT_EQ(std::string(answer.data(), total).find("HTTP/1.1"), std::string::npos);
  server_->stop();
  server_->wait();
  EXPECT_EQ(server_->stats().tls_handshake_failures.load(), 1u);
}

TEST_F(Tls, AReloadServesTheNewCertificateToNewConnectionsAndKeepsOpenOnes) {
  tls_client before(port_, first_.certificate_file);
  ASSERT_FALSE(before.handshake());
  EXPECT_EQ(before.get("/healthz").result_int(), 200);

  install(second_);
  EXPECT_EQ(server_->reload_tls(), "");
  tls_client after(port_, second_.certificate_file);
  ASSERT_FALSE(after.handshake());
  EXPECT_EQ(after.server_name(), "ivig-test-second");
  EXPECT_EQ(after.get("/healthz").result_int(), 200);
  // The connection opened before the reload keeps its session and answers.
  EXPECT_EQ(before.get("/healthz").result_int(), 200);
  // A client that still trusts only the old certificate no longer gets in.
  tls_client stale(port_, first_.certificate_file);
  EXPECT_TRUE(stale.handshake());

  // A broken key is refused and the certificate in use stays.
  ivig::test::test_certificate broken{second_.certificate_file, first_.key_file};
  install(broken);
  const std::string problem = server_->reload_tls();
  EXPECT_EQ(problem, "TLS key " + (dir_ / "server.key").string() + ": key values mismatch");
  tls_client still(port_, second_.certificate_file);
  EXPECT_FALSE(still.handshake());
}
