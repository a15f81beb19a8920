// tests/support/fault_fhir_server.cpp: the faults, one blocking thread per connection.
#include "tests/support/fault_fhir_server.hpp"

#include <chrono>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "tests/support/blocking_listener.hpp"

namespace ivig::test {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::string outcome(const std::string& text) {
  return R"({"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"processing","diagnostics":")" +
         text + R"("}]})";
}

std::string searchset(const std::string& entries, const std::string& next = {}) {
  std::string out = R"({"resourceType":"Bundle","type":"searchset")";
  if (!next.empty()) out += R"(,"link":[{"relation":"next","url":")" + next + R"("}])";
  return out + R"(,"entry":[)" + entries + "]}";
}

}  // namespace

struct fault_fhir_server::impl {
  std::atomic<int>* requests = nullptr;
  std::unique_ptr<blocking_listener> listener;

  void send(tcp::socket& socket, http::status status, const std::string& body,
            const std::string& content_type = "application/fhir+json", const std::string& location = {}) {
    http::response<http::string_body> response{status, 11};
    response.set(http::field::content_type, content_type);
    if (!location.empty()) response.set(http::field::location, location);
    response.body() = body;
    response.prepare_payload();
    beast::error_code ec;
    http::write(socket, response, ec);
  }

  void serve(tcp::socket& socket) {
    beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> request;
      beast::error_code ec;
      http::read(socket, buffer, request, ec);
      if (ec) return;
      ++*requests;
      const std::string target(request.target());
      const std::size_t slash = target.find('/', 1);
      const std::string fault = target.substr(1, slash == std::string::npos ? std::string::npos : slash - 1);
      const std::string rest = slash == std::string::npos ? "" : target.substr(slash);
      const std::string host = "http://127.0.0.1:" + std::to_string(listener->port());
      if (rest.rfind("/Patient/", 0) == 0 && fault.rfind("patient-", 0) != 0) {
        const std::string id = rest.substr(9);
        send(socket, http::status::ok,
             R"({"resourceType":"Patient","id":")" + id + R"(","gender":"female","birthDate":"1980-04-02"})");
        continue;
      }
      const std::string name = fault.rfind("patient-", 0) == 0 ? fault.substr(8) : fault;
      if (name == "ok") {
        send(socket, http::status::ok, searchset(""));
      } else if (name == "slow") {
        char byte = 0;
        socket.read_some(asio::buffer(&byte, 1), ec);  // until the client gives up and closes
        return;
      } else if (name == "drip") {
        const std::string head =
            "HTTP/1.1 200 OK\r\nContent-Type: application/fhir+json\r\nContent-Length: 1000000\r\n\r\n{";
        asio::write(socket, asio::buffer(head), ec);
        while (!ec && !listener->stopping()) {
          std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the fault itself: a slow drip
          asio::write(socket, asio::buffer(" ", 1), ec);
        }
        return;
      } else if (name == "401" || name == "403" || name == "404" || name == "500") {
        send(socket, static_cast<http::status>(std::stoi(name)), outcome("fault " + name));
      } else if (name == "outcome") {
        send(socket, http::status::ok, outcome("the search failed"));
      } else if (name == "malformed") {
        send(socket, http::status::ok, R"({"resourceType":"Bundle","type":"searchset","entry":[{)");
      } else if (name == "html") {
        send(socket, http::status::ok, "<html><body>Service temporarily unavailable</body></html>", "text/html");
      } else if (name == "wrong-type") {
        send(socket, http::status::ok, searchset(""), "text/plain");
      } else if (name == "huge") {
        send(socket, http::status::ok, searchset("") + std::string(2 * 1024 * 1024, ' '));
      } else if (name == "reset") {
        socket.set_option(asio::socket_base::linger(true, 0), ec);
        socket.close(ec);
        return;
      } else if (name == "endless") {
        send(socket, http::status::ok,
             searchset("", host + target + (target.find('?') == std::string::npos ? "?" : "&") + "p=1"));
      } else if (name == "redirect") {
        send(socket, http::status::found, "", "text/plain", "http://169.254.169.254/latest/meta-data/");
      } else if (name == "other-patient") {
        send(
            socket, http::status::ok,
            searchset(
                R"({"resource":{"resourceType":"Condition","id":"x1","code":{"coding":[{"system":"http://snomed.info/sct","code":"38341003"}]},"subject":{"reference":"Patient/someone-else"}}})"));
      } else {
        send(socket, http::status::not_found, outcome("unknown fault " + name));
      }
    }
  }
};

fault_fhir_server::fault_fhir_server() : impl_(std::make_unique<impl>()) {
  impl_->requests = &requests_;
  impl_->listener = std::make_unique<blocking_listener>([this](tcp::socket& socket) { impl_->serve(socket); });
  port_ = impl_->listener->port();
}

fault_fhir_server::~fault_fhir_server() = default;

std::string fault_fhir_server::base(const std::string& fault) const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/" + fault;
}

}  // namespace ivig::test
