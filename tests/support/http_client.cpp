// tests/support/http_client.cpp: Beast client and the running-service fixture.
#include "tests/support/http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "tests/support/test_support.hpp"

namespace ivig::test {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;

http_result http_request(unsigned short port, std::string_view method, std::string_view target, std::string_view body,
                         std::string_view content_type, std::string_view bearer) {
  std::vector<std::pair<std::string, std::string>> fields;
  if (!bearer.empty())
    fields.emplace_back("Authorization", bearer.find(' ') == std::string_view::npos ? "Bearer " + std::string(bearer)
                                                                                    : std::string(bearer));
  if ((!body.empty() || method == "POST") && !content_type.empty())
    fields.emplace_back("Content-Type", std::string(content_type));
  return http_exchange(port, method, target, fields, body);
}

http_result http_exchange(unsigned short port, std::string_view method, std::string_view target,
                          const std::vector<std::pair<std::string, std::string>>& fields, std::string_view body) {
  asio::io_context ioc;
  asio::ip::tcp::socket socket(ioc);
  socket.connect({asio::ip::make_address("127.0.0.1"), port});
  http::request<http::string_body> request{
      http::string_to_verb(boost::beast::string_view(method.data(), method.size())), std::string(target), 11};
  request.set(http::field::host, "127.0.0.1");
  for (const auto& [name, value] : fields) request.insert(name, value);
  if (!body.empty() || method == "POST") {
    request.body() = std::string(body);
    request.prepare_payload();
  }
  http::write(socket, request);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  http::read(socket, buffer, parser);
  const auto& response = parser.get();
  http_result result;
  result.status = response.result_int();
  result.body = response.body();
  for (const auto& field : response) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    result.headers[name] = std::string(field.value());
  }
  beast::error_code ignored;
  socket.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  return result;
}

running_service::running_service(fhir::time_point now, server::server_config config,
                                 std::shared_ptr<audit::audit_sink> audit) {
  start(embedded_knowledge(), now, std::move(config), {}, std::move(audit));
}

running_service::running_service(fhir::time_point now, std::shared_ptr<const rules::knowledge> knowledge,
                                 std::shared_ptr<audit::audit_sink> audit, service::log_function log) {
  start(std::move(knowledge), now, {}, std::move(log), std::move(audit));
}

running_service::running_service(fhir::time_point now, std::shared_ptr<fhir::client::fhir_client> client,
                                 service::fetch_limits limits, std::shared_ptr<audit::audit_sink> audit,
                                 service::log_function log) {
  start(embedded_knowledge(), now, {}, std::move(log), std::move(audit), std::move(client), limits);
}

running_service::running_service(fhir::time_point now, authenticated_setup setup) {
  service::fetch_limits limits;
  limits.deadline = std::chrono::milliseconds(20'000);  // the real test FHIR server is slow (fhir_fallback_test)
  start(embedded_knowledge(), now, std::move(setup.config), {}, std::move(setup.audit), std::move(setup.client), limits,
        setup.authenticator, std::move(setup.issuer_fhir_servers));
}

void running_service::start(
    std::shared_ptr<const rules::knowledge> knowledge, fhir::time_point now, server::server_config config,
    service::log_function log, std::shared_ptr<audit::audit_sink> audit,
    std::shared_ptr<fhir::client::fhir_client> client, service::fetch_limits limits,
    server::request_authenticator* authenticator,
    std::optional<std::map<std::string, std::vector<std::string>, std::less<>>> issuer_fhir_servers) {
  if (!audit) audit = std::make_shared<audit::null_audit_sink>();
  service::service_options options{64, [now] { return now; }, {}};
  if (log) options.log = std::move(log);
  options.fetch = limits;
  options.issuer_fhir_servers = std::move(issuer_fhir_servers);
  service_ =
      std::make_shared<service::ivig_service>(std::move(knowledge), std::move(options), audit, std::move(client));
  config.address = "127.0.0.1";
  config.port = 0;
  server_ = std::make_unique<server::http_server>(config, *service_, authenticator);
  port_ = server_->start();
}

running_service::~running_service() {
  server_->stop();
  server_->wait();
}

http_result running_service::post(std::string_view service_id, std::string_view body) const {
  return http_request(port_, "POST", "/cds-services/" + std::string(service_id), body);
}

http_result running_service::get(std::string_view target) const {
  return http_request(port_, "GET", target);
}

}  // namespace ivig::test
