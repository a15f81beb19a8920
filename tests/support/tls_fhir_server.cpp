// tests/support/tls_fhir_server.cpp: the certificate, the listener, one thread per connection.
#include "tests/support/tls_fhir_server.hpp"

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "tests/support/blocking_listener.hpp"
#include "tests/support/test_certificate.hpp"

namespace ivig::test {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

}  // namespace

struct tls_fhir_server::impl {
  std::filesystem::path dir;
  std::string certificate;
  ssl::context context{ssl::context::tls_server};
  std::unique_ptr<blocking_listener> listener;
  mutable std::mutex mutex;
  std::map<std::string, std::pair<std::string, std::string>> documents;  // path -> (content type, body)
  std::map<std::string, int> requests;

  void serve(tcp::socket& socket) {
    ssl::stream<tcp::socket&> stream(socket, context);
    beast::error_code ec;
    stream.handshake(ssl::stream_base::server, ec);
    if (ec) return;  // the client did not trust the certificate: what one test wants to see
    beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> request;
      http::read(stream, buffer, request, ec);
      if (ec) return;
      const std::string target(request.target());
      http::response<http::string_body> response{http::status::ok, 11};
      response.set(http::field::content_type, "application/fhir+json");
      const std::string patient = "/fhir/Patient/";
      std::optional<std::pair<std::string, std::string>> document;
      {
        const std::lock_guard lock(mutex);
        ++requests[target];
        if (const auto found = documents.find(target); found != documents.end()) document = found->second;
      }
      if (document) {
        response.set(http::field::content_type, document->first);
        response.body() = document->second;
      } else
        response.body() = target.rfind(patient, 0) == 0
                              ? R"({"resourceType":"Patient","id":")" + target.substr(patient.size()) +
                                    R"(","gender":"female","birthDate":"1980-04-02"})"
                              : R"({"resourceType":"Bundle","type":"searchset","entry":[]})";
      response.prepare_payload();
      http::write(stream, response, ec);
      if (ec) return;
    }
  }
};

tls_fhir_server::tls_fhir_server() : impl_(std::make_unique<impl>()) {
  static std::atomic<int> made{0};
  impl_->dir = std::filesystem::temp_directory_path() /
               ("ivig-tls-" + std::to_string(::getpid()) + "-" + std::to_string(made++));
  std::filesystem::create_directories(impl_->dir);
  const test_certificate certificate = make_test_certificate(impl_->dir, "127.0.0.1");
  impl_->certificate = certificate.certificate_file;
  const std::string key = certificate.key_file;
  impl_->context.use_certificate_chain_file(impl_->certificate);
  impl_->context.use_private_key_file(key, ssl::context::pem);
  impl_->listener = std::make_unique<blocking_listener>([this](tcp::socket& socket) { impl_->serve(socket); });
}

tls_fhir_server::~tls_fhir_server() {
  impl_->listener.reset();
  std::filesystem::remove_all(impl_->dir);
}

std::string tls_fhir_server::base() const {
  return "https://127.0.0.1:" + std::to_string(impl_->listener->port()) + "/fhir";
}

const std::string& tls_fhir_server::certificate_file() const {
  return impl_->certificate;
}

std::string tls_fhir_server::url(const std::string& path) const {
  return "https://127.0.0.1:" + std::to_string(impl_->listener->port()) + path;
}

void tls_fhir_server::put_document(const std::string& path, const std::string& content_type, const std::string& body) {
  const std::lock_guard lock(impl_->mutex);
  impl_->documents[path] = {content_type, body};
}

int tls_fhir_server::requests_for(const std::string& path) const {
  const std::lock_guard lock(impl_->mutex);
  const auto found = impl_->requests.find(path);
  return found == impl_->requests.end() ? 0 : found->second;
}

}  // namespace ivig::test
