// hooks/server/router.cpp: the routing table, media-type check and handler-failure containment.
//
// Owns path matching (query string ignored, ids validated character by character), the
// method and Content-Type checks that precede a handler call, and the try/catch around every
// handler call: a failing handler becomes a 500 whose body never carries the exception's text.
#include "hooks/server/router.hpp"

#include <exception>
#include <string>

#include "hooks/server/server_log.hpp"

namespace ivig::server {
namespace {

using protocol::error_code;

constexpr std::string_view discovery_path = "/cds-services";
constexpr std::string_view health_path = "/healthz";
constexpr std::string_view readiness_path = "/readyz";
constexpr std::string_view feedback_suffix = "/feedback";

enum class route_kind { none, discovery, service, feedback, health, readiness };

struct matched_route {
  route_kind kind = route_kind::none;
  std::string_view service_id;
};

bool is_id_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

bool is_service_id(std::string_view id) {
  if (id.empty() || id == "." || id == "..") return false;  // dot segments are path syntax, not ids
  for (const char c : id) {
    if (!is_id_char(c)) return false;
  }
  return true;
}

matched_route match(std::string_view target) {
  const std::string_view path = target.substr(0, target.find('?'));
  if (path == discovery_path || path == "/cds-services/") return {route_kind::discovery, {}};
  if (path == health_path) return {route_kind::health, {}};
  if (path == readiness_path) return {route_kind::readiness, {}};
  if (path.size() > discovery_path.size() + 1 && path.starts_with(discovery_path) &&
      path[discovery_path.size()] == '/') {
    std::string_view id = path.substr(discovery_path.size() + 1);
    if (is_service_id(id)) return {route_kind::service, id};
    if (id.ends_with(feedback_suffix)) {
      id.remove_suffix(feedback_suffix.size());
      if (is_service_id(id)) return {route_kind::feedback, id};
    }
  }
  return {};
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

route_outcome router_error(error_code code, std::string_view diagnostics) {
  return {error_reply(code, diagnostics), code, false};
}

route_outcome method_not_allowed(std::string_view allow) {
  route_outcome out = router_error(error_code::method_not_allowed, allow == "GET" ? "This endpoint accepts only GET."
                                                                                  : "This endpoint accepts only POST.");
  out.reply.headers.emplace_back("Allow", std::string(allow));
  return out;
}

/// Why a reply from the handler cannot be sent as it is, or nullptr if it can.
const char* unsendable(const http_reply& reply) {
  if (reply.status < 200 || reply.status > 599) return "a status outside 200-599";
  if ((reply.status == 204 || reply.status == 304) && !reply.body.empty()) {
    return "a body with status 204 or 304";
  }
  return nullptr;
}

template <class Call>
route_outcome call_handler(std::string_view route_name, Call&& call) {
  std::string failure;
  try {
    http_reply reply = call();
    const char* problem = unsendable(reply);
    if (problem == nullptr) return {std::move(reply), std::nullopt, false};
    failure = std::string("returned ") + problem;
  } catch (const std::exception& e) {
    // The exception text goes to the log only: it may describe internals the client must not see.
    failure = std::string("threw: ") + e.what();
  } catch (...) {
    failure = "threw a non-standard exception";
  }
  log_line(std::string("request handler for ") + std::string(route_name) + " " + failure);
  return router_error(error_code::internal_error, {});
}

}  // namespace

http_reply error_reply(protocol::error_code code, std::string_view diagnostics) {
  http_reply reply;
  reply.status = protocol::describe(code).http_status;
  reply.body = protocol::operation_outcome_json(code, diagnostics);
  reply.content_type = "application/json";
  return reply;
}

bool is_json_media_type(std::string_view content_type) {
  const std::string_view essence = trim(content_type.substr(0, content_type.find(';')));
  return iequals(essence, "application/json") || iequals(essence, "application/fhir+json");
}

route_outcome route(const route_request& request, request_handler& handler, bool draining) {
  if (draining) {
    route_outcome out =
        router_error(error_code::service_draining, "The service is shutting down; retry on a new connection.");
    out.close_connection = true;
    return out;
  }
  const matched_route m = match(request.target);
  switch (m.kind) {
    case route_kind::none:
      return router_error(error_code::route_not_found,
                          "The endpoints are GET /cds-services, POST /cds-services/{id}, "
                          "POST /cds-services/{id}/feedback, GET /healthz and GET /readyz.");
    case route_kind::discovery:
      if (request.method != "GET") return method_not_allowed("GET");
      return call_handler("discovery", [&] { return handler.discovery(); });
    case route_kind::health:
      if (request.method != "GET") return method_not_allowed("GET");
      return call_handler("health", [&] { return handler.health(); });
    case route_kind::readiness:
      if (request.method != "GET") return method_not_allowed("GET");
      return call_handler("readiness", [&] { return handler.readiness(); });
    case route_kind::service:
    case route_kind::feedback:
      if (request.method != "POST") return method_not_allowed("POST");
      if (request.content_type && !is_json_media_type(*request.content_type)) {
        return router_error(error_code::unsupported_media_type,
                            "Content-Type must be application/json or application/fhir+json.");
      }
      if (m.kind == route_kind::feedback)
        return call_handler("feedback", [&] { return handler.feedback(m.service_id, request.body); });
      return call_handler("call_service", [&] { return handler.call_service(m.service_id, request.body); });
  }
  return router_error(error_code::internal_error, {});  // unreachable: every kind is handled above
}

}  // namespace ivig::server
