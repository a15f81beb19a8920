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
constexpr std::string_view reload_path = "/admin/reload";
constexpr std::string_view metrics_path = "/metrics";

enum class route_kind { none, discovery, service, feedback, health, readiness, reload };

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
  if (path == reload_path) return {route_kind::reload, {}};
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

/// True when `peer` ("127.0.0.1:5000", "[::1]:5000", "[::ffff:127.0.0.1]:5000") is this host.
bool is_loopback_peer(std::string_view peer) {
  return peer.starts_with("127.") || peer.starts_with("[::1]:") || peer.starts_with("[::ffff:127.");
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

/// A CORS preflight (OPTIONS) on an endpoint that takes `method`: which method and headers a
/// browser may send; the session adds Access-Control-Allow-Origin when the Origin is allowed.
route_outcome preflight(std::string_view method) {
  route_outcome out;
  out.reply.status = 204;
  out.reply.headers.emplace_back("Allow", std::string(method) + ", OPTIONS");
  out.reply.headers.emplace_back("Access-Control-Allow-Methods", std::string(method) + ", OPTIONS");
  out.reply.headers.emplace_back("Access-Control-Allow-Headers", "Authorization, Content-Type");
  out.reply.headers.emplace_back("Access-Control-Max-Age", "600");
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

/// A handler's reply as the router passes it on: unchanged, or a 500 when it cannot be sent.
route_outcome checked(std::string_view route_name, http_reply reply) {
  const char* problem = unsendable(reply);
  if (problem == nullptr) return {std::move(reply), std::nullopt, false};
  log_error(std::string("request handler for ") + std::string(route_name) + " returned " + problem);
  return router_error(error_code::internal_error, {});
}

route_outcome handler_failed(std::string_view route_name, std::string_view failure) {
  // The exception text goes to the log only: it may describe internals the client must not see.
  log_error(std::string("request handler for ") + std::string(route_name) + " " + std::string(failure));
  return router_error(error_code::internal_error, {});
}

/// Runs `call`, turning an exception into the text that says so.
template <class Call>
std::string failure_of(Call&& call) {
  try {
    call();
    return {};
  } catch (const std::exception& e) {
    return std::string("threw: ") + e.what();
  } catch (...) {
    return "threw a non-standard exception";
  }
}

template <class Call>
route_outcome call_sync(std::string_view route_name, Call&& call) {
  http_reply reply;
  const std::string failure = failure_of([&] { reply = call(); });
  if (!failure.empty()) return handler_failed(route_name, failure);
  return checked(route_name, std::move(reply));
}

/// Hands an asynchronous call to `dispatch`; its outcome reaches `on_reply` exactly once, whether the
/// handler sends, throws, or drops its sink.
template <class Call>
void call_async(std::string_view route_name, const handler_dispatch& dispatch, route_callback on_reply, Call call) {
  const std::string name(route_name);
  reply_sink sink(
      [name, on_reply](http_reply reply, bool failed) {
        on_reply(failed ? router_error(error_code::internal_error, {}) : checked(name, std::move(reply)));
      },
      [name] {
        log_error("request handler for " + name + " dropped its reply");
        return error_reply(error_code::internal_error, {});
      });
  auto run = [name, sink, on_reply, call = std::move(call)]() mutable {
    const std::string failure = failure_of([&] { call(sink); });
    if (failure.empty()) return;
    // Unless the handler sent before it threw, this 500 is the answer (the first send wins).
    log_error("request handler for " + name + " " + failure);
    sink.fail(error_reply(error_code::internal_error, {}));
  };
  const std::string failure = failure_of([&] { dispatch(std::move(run)); });
  if (!failure.empty()) sink.fail(handler_failed(name, "could not be dispatched: " + failure).reply);
}

}  // namespace

std::string_view route_template(std::string_view target) {
  switch (match(target).kind) {
    case route_kind::discovery:
      return discovery_path;
    case route_kind::service:
      return "/cds-services/{id}";
    case route_kind::feedback:
      return "/cds-services/{id}/feedback";
    case route_kind::health:
      return health_path;
    case route_kind::readiness:
      return readiness_path;
    case route_kind::reload:
      return reload_path;  // a peer beyond loopback is answered 404 there, counted under it all the same
    case route_kind::none:
      break;
  }
  return "other";
}

route_outcome route_metrics(std::string_view method, std::string_view target,
                            const std::function<http_reply()>& metrics) {
  if (target.substr(0, target.find('?')) != metrics_path)
    return router_error(error_code::route_not_found, "This listener serves only GET /metrics.");
  if (method != "GET") return method_not_allowed("GET");
  return call_sync("metrics", metrics);
}

std::string_view trim_whitespace(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

http_reply error_reply(protocol::error_code code, std::string_view diagnostics) {
  http_reply reply;
  reply.status = protocol::describe(code).http_status;
  reply.body = protocol::operation_outcome_json(code, diagnostics);
  reply.content_type = "application/json";
  return reply;
}

bool is_json_media_type(std::string_view content_type) {
  const std::string_view essence = trim_whitespace(content_type.substr(0, content_type.find(';')));
  return iequals(essence, "application/json") || iequals(essence, "application/fhir+json");
}

route_outcome unauthorized(const authentication_failure& failure) {
  route_outcome out;
  out.reply.status = protocol::describe(error_code::unauthorized).http_status;
  out.reply.body = protocol::operation_outcome_json(error_code::unauthorized, failure.diagnostics, failure.reason);
  // RFC 6750 §3: no error attribute when the request had no token at all.
  out.reply.headers.emplace_back(
      "WWW-Authenticate", failure.no_token ? std::string(R"(Bearer realm="ivig-cds")")
                                           : R"(Bearer realm="ivig-cds", error="invalid_token", error_description=")" +
                                                 failure.reason + "\"");
  out.error = error_code::unauthorized;
  out.reason = failure.reason;
  return out;
}

std::optional<route_outcome> route(route_request request, request_handler& handler, bool draining,
                                   const handler_dispatch& dispatch, route_callback on_reply,
                                   request_authenticator* authenticator) {
  if (draining) {
    route_outcome out =
        router_error(error_code::service_draining, "The service is shutting down; retry on a new connection.");
    out.close_connection = true;
    return out;
  }
  matched_route m = match(request.target);
  // The admin endpoint exists only for this host: to anyone else it is a path like any unknown one,
  // answered the same way, so that it is neither reachable nor visible beyond loopback.
  if (m.kind == route_kind::reload && !is_loopback_peer(request.peer)) m = {};
  switch (m.kind) {
    case route_kind::reload:
      if (request.method != "POST") return method_not_allowed("POST");
      call_async("reload", dispatch, std::move(on_reply), [&handler](reply_sink& sink) { handler.reload(sink); });
      return std::nullopt;
    case route_kind::none:
      return router_error(error_code::route_not_found,
                          "The endpoints are GET /cds-services, POST /cds-services/{id}, "
                          "POST /cds-services/{id}/feedback, GET /healthz and GET /readyz.");
    case route_kind::health:
      if (request.method == "OPTIONS") return preflight("GET");
      if (request.method != "GET") return method_not_allowed("GET");
      return call_sync("health", [&] { return handler.health(); });
    case route_kind::readiness:
      if (request.method == "OPTIONS") return preflight("GET");
      if (request.method != "GET") return method_not_allowed("GET");
      return call_sync("readiness", [&] { return handler.readiness(); });
    case route_kind::discovery:
      if (request.method == "OPTIONS") return preflight("GET");
      if (request.method != "GET") return method_not_allowed("GET");
      break;
    case route_kind::service:
    case route_kind::feedback:
      if (request.method == "OPTIONS") return preflight("POST");
      if (request.method != "POST") return method_not_allowed("POST");
      // Required, not only checked when present: a page in any browser can send a cross-origin
      // POST without a preflight, but only as a form or plain text (security review 2026-11).
      if (!request.content_type || !is_json_media_type(*request.content_type)) {
        return router_error(error_code::unsupported_media_type,
                            "Content-Type must be application/json or application/fhir+json.");
      }
      break;
  }
  // Discovery, a service call or feedback: the handler once the caller is known. Everything the
  // continuation needs is copied now: the views point into the request, which the session frees
  // once route() returns, and the authenticator may answer later.
  const route_kind kind = m.kind;
  std::string id(m.service_id);
  auto proceed = [&handler, &dispatch, kind, id = std::move(id), body = std::move(request.body),
                  on_reply](const caller& who) mutable {
    if (kind == route_kind::discovery) return on_reply(call_sync("discovery", [&] { return handler.discovery(); }));
    if (kind == route_kind::feedback) {
      return call_async("feedback", dispatch, on_reply,
                        [&handler, who, id, body = std::move(body)](reply_sink& sink) mutable {
                          handler.feedback(who, id, std::move(body), sink);
                        });
    }
    call_async("call_service", dispatch, on_reply,
               [&handler, who, id, body = std::move(body)](reply_sink& sink) mutable {
                 handler.call_service(who, id, std::move(body), sink);
               });
  };
  if (authenticator == nullptr) {
    if (kind == route_kind::discovery) return call_sync("discovery", [&] { return handler.discovery(); });
    proceed(caller{std::string(request.peer), {}, {}, {}, {}});
    return std::nullopt;
  }
  authentication_request asked{std::string(request.target.substr(0, request.target.find('?'))), std::nullopt,
                               std::string(request.peer)};
  if (request.authorization) asked.authorization = std::string(*request.authorization);
  auto decided = [proceed = std::move(proceed), on_reply](authentication_outcome outcome) mutable {
    if (!outcome.accepted) return on_reply(unauthorized(outcome.failure));
    proceed(*outcome.accepted);
  };
  const std::string failure = failure_of([&] { authenticator->authenticate(std::move(asked), std::move(decided)); });
  if (!failure.empty()) on_reply(handler_failed("authentication", failure));
  return std::nullopt;
}

}  // namespace ivig::server
