// tests/support/step_fault_fhir_server.cpp: the steps, one blocking thread per connection.
#include "tests/support/step_fault_fhir_server.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "tests/support/blocking_listener.hpp"

namespace ivig::test {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr const char* empty_searchset = R"({"resourceType":"Bundle","type":"searchset","entry":[]})";

/// `bundle` with a next link to `next`.
std::string with_next_link(const std::string& bundle, const std::string& next) {
  rapidjson::Document doc;
  doc.Parse(bundle.c_str());
  rapidjson::Value link(rapidjson::kArrayType);
  rapidjson::Value entry(rapidjson::kObjectType);
  entry.AddMember("relation", "next", doc.GetAllocator());
  entry.AddMember("url", rapidjson::Value(next.c_str(), doc.GetAllocator()), doc.GetAllocator());
  link.PushBack(entry, doc.GetAllocator());
  doc.AddMember("link", link, doc.GetAllocator());
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> writer(out);
  doc.Accept(writer);
  return out.GetString();
}

void reset(tcp::socket& socket) {
  beast::error_code ec;
  socket.set_option(asio::socket_base::linger(true, 0), ec);
  socket.close(ec);
}

}  // namespace

const char* fhir_step_fault_name(fhir_step_fault fault) {
  switch (fault) {
    case fhir_step_fault::none:
      return "none";
    case fhir_step_fault::http_500:
      return "http-500";
    case fhir_step_fault::close_unread:
      return "close-unread";
    case fhir_step_fault::stall_before_head:
      return "stall-before-head";
    case fhir_step_fault::reset_before_head:
      return "reset-before-head";
    case fhir_step_fault::reset_mid_body:
      return "reset-mid-body";
    case fhir_step_fault::truncated_body:
      return "truncated-body";
    case fhir_step_fault::paged:
      return "paged";
    case fhir_step_fault::page2_500:
      return "page2-500";
    case fhir_step_fault::page2_reset:
      return "page2-reset";
  }
  return "?";
}

struct step_fault_fhir_server::impl {
  fhir_step_fault fault = fhir_step_fault::none;
  std::string body;
  std::atomic<int>* requests = nullptr;
  std::unique_ptr<blocking_listener> listener;

  std::string base() const { return "http://127.0.0.1:" + std::to_string(listener->port()) + "/fhir"; }

  static void send(tcp::socket& socket, http::status status, const std::string& text) {
    http::response<http::string_body> response{status, 11};
    response.set(http::field::content_type, "application/fhir+json");
    response.body() = text;
    response.prepare_payload();
    beast::error_code ec;
    http::write(socket, response, ec);
  }

  // The head (with the whole body's length) and half the body; the caller ends the connection.
  void send_half(tcp::socket& socket) const {
    const std::string head =
        "HTTP/1.1 200 OK\r\nContent-Type: application/fhir+json\r\nContent-Length: " + std::to_string(body.size()) +
        "\r\n\r\n";
    beast::error_code ec;
    asio::write(socket, asio::buffer(head + body.substr(0, body.size() / 2)), ec);
  }

  void serve(tcp::socket& socket) {
    if (fault == fhir_step_fault::close_unread) {
      beast::error_code ec;
      socket.shutdown(tcp::socket::shutdown_both, ec);
      return;  // closed by the listener
    }
    beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> request;
      beast::error_code ec;
      http::read(socket, buffer, request, ec);
      if (ec) return;
      ++*requests;
      const bool second_page = request.target().ends_with("/page2");
      switch (fault) {
        case fhir_step_fault::stall_before_head: {
          char byte = 0;
          socket.read_some(asio::buffer(&byte, 1), ec);  // until the client gives up and closes
          return;
        }
        case fhir_step_fault::reset_before_head:
          reset(socket);
          return;
        case fhir_step_fault::reset_mid_body:
          send_half(socket);
          reset(socket);
          return;
        case fhir_step_fault::truncated_body:
          send_half(socket);
          socket.shutdown(tcp::socket::shutdown_both, ec);
          return;
        case fhir_step_fault::http_500:
          send(socket, http::status::internal_server_error,
               R"({"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"exception"}]})");
          continue;
        case fhir_step_fault::paged:
        case fhir_step_fault::page2_500:
        case fhir_step_fault::page2_reset:
          if (!second_page) {
            send(socket, http::status::ok, with_next_link(body, base() + "/page2"));
          } else if (fault == fhir_step_fault::page2_reset) {
            reset(socket);
            return;
          } else if (fault == fhir_step_fault::page2_500) {
            send(socket, http::status::internal_server_error,
                 R"({"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"exception"}]})");
          } else {
            send(socket, http::status::ok, empty_searchset);
          }
          continue;
        case fhir_step_fault::none:
        case fhir_step_fault::close_unread:
          send(socket, http::status::ok, body);
          continue;
      }
    }
  }
};

step_fault_fhir_server::step_fault_fhir_server(fhir_step_fault fault, std::string body)
    : impl_(std::make_unique<impl>()) {
  impl_->fault = fault;
  impl_->body = std::move(body);
  impl_->requests = &requests_;
  impl_->listener = std::make_unique<blocking_listener>([this](tcp::socket& socket) { impl_->serve(socket); });
}

step_fault_fhir_server::~step_fault_fhir_server() = default;

std::string step_fault_fhir_server::base() const {
  return impl_->base();
}

unsigned short step_fault_fhir_server::port() const {
  return impl_->listener->port();
}

}  // namespace ivig::test
