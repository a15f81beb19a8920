// fhir/client/fhir_client.hpp: the outbound FHIR client's interface (header-only), as hooks/service
// sees it: one GET at a time, answered through a callback from the client's own threads, never
// blocking the caller; failures typed, so that a card can say why data is missing.
//
// What a client may reach is its own decision (`refusal`): the FHIR server's address comes from the
// caller of the CDS service, so it is hostile until the configuration allows it (no server-side
// request forgery). Nothing here ever holds a token longer than the request that sends it.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace ivig::fhir::client {

/// Why a fetch brought no usable FHIR JSON. The names are stable: the audit record uses them.
enum class fetch_failure {
  none,
  timeout,             ///< not answered before the call's deadline
  unauthorized,        ///< HTTP 401
  forbidden,           ///< HTTP 403
  not_found,           ///< HTTP 404 or 410
  server_error,        ///< HTTP 5xx
  http_error,          ///< another status outside 2xx (a 3xx redirect included: never followed)
  malformed,           ///< a body that is not JSON
  wrong_content_type,  ///< a 2xx body that is not declared as FHIR JSON (an HTML error page, say)
  too_large,           ///< a body over the per-fetch limit, or the call's byte budget spent
  connection_failed,   ///< refused, reset, TLS or name resolution failure
  refused,             ///< not sent: the address is not one this service may reach
};

/// Stable words for `failure`: "timeout", "401 unauthorized", ... (audit, cards, logs).
inline std::string_view describe(fetch_failure failure) {
  switch (failure) {
    case fetch_failure::none:
      return "none";
    case fetch_failure::timeout:
      return "timeout";
    case fetch_failure::unauthorized:
      return "401 unauthorized";
    case fetch_failure::forbidden:
      return "403 forbidden";
    case fetch_failure::not_found:
      return "404 not found";
    case fetch_failure::server_error:
      return "server error";
    case fetch_failure::http_error:
      return "unexpected HTTP status";
    case fetch_failure::malformed:
      return "malformed response";
    case fetch_failure::wrong_content_type:
      return "not FHIR JSON";
    case fetch_failure::too_large:
      return "too large";
    case fetch_failure::connection_failed:
      return "connection failed";
    case fetch_failure::refused:
      return "address not allowed";
  }
  return "unknown";
}

struct fetch_request {
  std::string url;            ///< absolute; already checked with `refusal`
  std::string bearer_token;   ///< empty: no Authorization header
  std::size_t max_bytes = 0;  ///< the body limit for this fetch
  std::chrono::steady_clock::time_point deadline;
};

struct fetch_result {
  fetch_failure failure = fetch_failure::none;
  int http_status = 0;  ///< 0 when no response came
  std::string body;     ///< the FHIR JSON when `failure` is none
  std::string detail;   ///< for operators: what went wrong, never the token or the body
};

class fhir_client {
 public:
  virtual ~fhir_client() = default;
  /// Why `url` may not be fetched (not on the allowlist, plain http where only https is allowed,
  /// not absolute), or nothing when it may.
  [[nodiscard]] virtual std::optional<std::string> refusal(std::string_view url) const = 0;
  /// Sends the GET; `done` runs exactly once, on a thread of the client's, by the deadline or soon
  /// after it (the client cancels what is still outstanding then).
  virtual void get(fetch_request request, std::function<void(fetch_result)> done) = 0;
};

}  // namespace ivig::fhir::client
