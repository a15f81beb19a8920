// hooks/server/router.hpp: maps one parsed HTTP request to one reply.
//
// The router is the whole routing table of the service and the only place that calls the
// request_handler. It does no I/O and knows nothing of Beast, so it is unit-tested without sockets.
// It answers every request: a route's reply from the handler, or an OperationOutcome error
// (404 route-not-found, 405 method-not-allowed with Allow, 415 unsupported-media-type,
// 503 service-draining, 500 internal-error when the handler throws, drops its reply_sink or
// returns an unsendable reply). Discovery, health, readiness and the router's own errors are
// answered at once; service calls and feedback later, through a callback, from any thread.
//
//   GET  /cds-services, /cds-services/   -> request_handler::discovery()
//   POST /cds-services/{id}              -> request_handler::call_service(id, body)
//                                           id: one non-empty segment of [A-Za-z0-9._-], not "." or ".."
//   GET  /healthz                        -> request_handler::health()
//   GET  /readyz                         -> request_handler::readiness()
//   POST /admin/reload                   -> request_handler::reload(), from a loopback peer only
//                                           (404 route-not-found to any other peer); never
//                                           authenticated by JWT: it is for the host's operators
//
// With an authenticator, discovery, service calls and feedback proceed only once it accepts the
// caller (401 unauthorized with WWW-Authenticate otherwise); health and readiness never ask it.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "hooks/protocol/error.hpp"
#include "hooks/server/request_authenticator.hpp"
#include "hooks/server/request_handler.hpp"

namespace ivig::server {

/// The parts of a request the router looks at. Views into the parsed request.
struct route_request {
  std::string_view method;                        // as sent, e.g. "GET"; compared case-sensitively (RFC 9110 §9.1)
  std::string_view target;                        // origin-form request target, query string included
  std::optional<std::string_view> content_type;   // absent when the header is absent
  std::optional<std::string_view> authorization;  // the Authorization header, absent when the request had none
  std::string_view peer;                          // the client's address and port
  std::string body;                               // moved to the handler of a service or feedback call
};

struct route_outcome {
  http_reply reply;
  /// Set when the router itself answered with an error (not the handler).
  std::optional<protocol::error_code> error;
  /// The connection must close after this reply (503 while draining).
  bool close_connection = false;
  /// For a 401: the authenticator's reason code, for the audit record.
  std::string reason{};
};

/// Receives the outcome of a request routed to an asynchronous handler method, exactly once.
using route_callback = std::function<void(route_outcome)>;
/// Runs a handler call: in place, or on a worker pool (server_config::worker_threads).
using handler_dispatch = std::function<void(std::function<void()> call)>;

/// Routes one request. `draining`: the server is shutting down, so every request gets 503.
/// Returns the outcome when it is known at once (the router's errors, discovery, health,
/// readiness without an authenticator). Otherwise returns nullopt: the request went to the
/// authenticator, or to call_service or feedback through `dispatch`, and `on_reply` gets its outcome
/// exactly once, on whatever thread completes it. `authenticator` may be null (no authentication).
/// Never throws because of the handler: its exceptions become 500 internal-error and are logged.
std::optional<route_outcome> route(route_request request, request_handler& handler, bool draining,
                                   const handler_dispatch& dispatch, route_callback on_reply,
                                   request_authenticator* authenticator = nullptr);

/// The route template `target` matches, for metrics: "/cds-services", "/cds-services/{id}",
/// "/cds-services/{id}/feedback", "/healthz", "/readyz", or "other". Never the path itself, whose
/// ids and query string a client chooses.
std::string_view route_template(std::string_view target);

/// Routes one request on a metrics listener: GET /metrics is `metrics()`, anything else 404 or 405.
/// Never asks the request_handler. A throwing `metrics` becomes 500 internal-error (logged).
route_outcome route_metrics(std::string_view method, std::string_view target,
                            const std::function<http_reply()>& metrics);

/// An OperationOutcome reply for `code` with the status that protocol::describe gives it.
http_reply error_reply(protocol::error_code code, std::string_view diagnostics);

/// The 401 for a refused caller: its reason in the OperationOutcome and a Bearer challenge (RFC 6750).
route_outcome unauthorized(const authentication_failure& failure);

/// True for application/json and application/fhir+json, with any parameters, in any case.
bool is_json_media_type(std::string_view content_type);

/// `s` without the spaces and tabs HTTP allows around a field value or a parameter (RFC 9110 5.6.3).
std::string_view trim_whitespace(std::string_view s);

}  // namespace ivig::server
