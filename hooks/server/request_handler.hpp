// hooks/server/request_handler.hpp: what the HTTP transport asks of the application.
//
// The server owns sockets, limits, deadlines and routing; it knows nothing of IVIg or CDS Hooks
// semantics. Once a request is routed it calls exactly one of these methods. Implementations must
// be thread-safe: the server calls them from several I/O threads at once.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ivig::server {

/// A complete HTTP response produced by the application.
struct http_reply {
  unsigned status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
};

class request_handler {
 public:
  virtual ~request_handler() = default;
  /// GET /cds-services
  virtual http_reply discovery() = 0;
  /// POST /cds-services/{id}: `body` is the raw request body (already within the body limit).
  /// Unknown ids are the handler's to answer (404 unknown-service).
  virtual http_reply call_service(std::string_view service_id, std::string_view body) = 0;
  /// GET /healthz while the server is not draining: the process is alive.
  virtual http_reply health() = 0;
  /// POST /cds-services/{id}/feedback (CDS Hooks 2.0 feedback). Unknown ids are the handler's.
  virtual http_reply feedback(std::string_view service_id, std::string_view body) = 0;
  /// GET /readyz while the server is not draining: the service can do its whole job (for example,
  /// its audit store is writable); 503 otherwise.
  virtual http_reply readiness() = 0;
  /// A request the transport answered itself with an error (404 route, 405, 413, 415, 431, 408,
  /// 400 http-malformed), so that the application can record it. Never the body or headers.
  virtual void rejected(std::string_view method, std::string_view path, unsigned status, std::string_view code) = 0;
};

}  // namespace ivig::server
