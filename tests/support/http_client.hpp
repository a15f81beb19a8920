// tests/support/http_client.hpp: a blocking HTTP/1.1 client for talking to the real server on
// loopback, and a fixture that runs the real server (ivig_service + http_server) on port 0.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hooks/audit/audit_sink.hpp"
#include "hooks/server/http_server.hpp"
#include "hooks/service/ivig_service.hpp"
#include "rules/engine/knowledge.hpp"
#include "tests/support/test_support.hpp"  // scenario_now()

namespace ivig::test {

struct http_result {
  unsigned status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  ///< lower-case names
};

/// One request on a fresh connection; with `bearer`, an Authorization header carrying it ("Bearer "
/// + bearer; a value with a space in it is sent as the whole header value, to try other schemes).
http_result http_request(unsigned short port, std::string_view method, std::string_view target,
                         std::string_view body = {}, std::string_view content_type = "application/json",
                         std::string_view bearer = {});

/// One request on a fresh connection with exactly these header fields (beside Host and Content-Length).
http_result http_exchange(unsigned short port, std::string_view method, std::string_view target,
                          const std::vector<std::pair<std::string, std::string>>& fields, std::string_view body = {});

/// The real service behind the real server on 127.0.0.1:0, with a fixed clock.
class running_service {
 public:
  explicit running_service(fhir::time_point now, server::server_config config = {},
                           std::shared_ptr<audit::audit_sink> audit = nullptr);
  /// The same with another knowledge bundle than the embedded one (e.g. a bumped version), and
  /// optionally an audit sink and a sink for the service's log lines.
  running_service(fhir::time_point now, std::shared_ptr<const rules::knowledge> knowledge,
                  std::shared_ptr<audit::audit_sink> audit = nullptr, service::log_function log = {});
  /// The same fetching what the prefetch lacks through `client`, within `limits`.
  running_service(fhir::time_point now, std::shared_ptr<fhir::client::fhir_client> client, service::fetch_limits limits,
                  std::shared_ptr<audit::audit_sink> audit = nullptr, service::log_function log = {});
  /// The same with every discovery, service and feedback request authenticated by `authenticator`
  /// (which must outlive it), issuers bound to their FHIR servers by `issuer_fhir_servers`.
  struct authenticated_setup {
    server::request_authenticator* authenticator = nullptr;
    std::optional<std::map<std::string, std::vector<std::string>, std::less<>>> issuer_fhir_servers{};
    std::shared_ptr<fhir::client::fhir_client> client{};
    std::shared_ptr<audit::audit_sink> audit{};
    server::server_config config{};
  };
  running_service(fhir::time_point now, authenticated_setup setup);
  ~running_service();
  unsigned short port() const { return port_; }
  http_result post(std::string_view service_id, std::string_view body) const;
  http_result get(std::string_view target) const;
  service::ivig_service& service() { return *service_; }

 private:
  void start(std::shared_ptr<const rules::knowledge> knowledge, fhir::time_point now, server::server_config config,
             service::log_function log, std::shared_ptr<audit::audit_sink> audit,
             std::shared_ptr<fhir::client::fhir_client> client = nullptr, service::fetch_limits limits = {},
             server::request_authenticator* authenticator = nullptr,
             std::optional<std::map<std::string, std::vector<std::string>, std::less<>>> issuer_fhir_servers = {});

  std::shared_ptr<service::ivig_service> service_;
  std::unique_ptr<server::http_server> server_;
  unsigned short port_ = 0;
};

}  // namespace ivig::test
