// hooks/server/request_authenticator.hpp: what the HTTP transport asks of caller authentication.
//
// The server does not know how callers prove who they are (CDS Hooks clients send a signed JWT; the
// app wires hooks/auth in). Before it routes a request to discovery, a service call or feedback, the
// router hands the authenticator what it needs: the path called, the Authorization header and the
// peer address. The answer may come at once or later, from another thread (an unknown key may need
// the issuer's JWK Set fetched), so it is delivered through a callback, exactly once.
// Health and readiness are never authenticated: orchestrators probe them without credentials.
#pragma once

#include <functional>
#include <optional>
#include <string>

namespace ivig::server {

/// Who made a request, as far as the service knows: always the peer address; the JWT's claims once
/// the token verified. Never the token itself.
struct caller {
  std::string peer;  ///< "203.0.113.7:50122" or "[::1]:41000"
  std::string issuer;
  std::string subject;
  std::string tenant;
  std::string token_id;  ///< jti
};

struct authentication_request {
  std::string path;  ///< the path called, without the query string ("/cds-services/ivig-order-sign")
  std::optional<std::string> authorization;  ///< the Authorization header's value, absent when none
  std::string peer;
};

/// Why a request was refused: a stable reason code (docs/security.md) and one precise sentence for
/// the OperationOutcome. Neither may contain the token.
struct authentication_failure {
  std::string reason;
  std::string diagnostics;
  /// The token was absent (RFC 6750: the challenge then carries no error attribute).
  bool no_token = false;
};

struct authentication_outcome {
  std::optional<caller> accepted;  ///< set when the request may proceed
  authentication_failure failure;  ///< when it may not
};

class request_authenticator {
 public:
  using done_function = std::function<void(authentication_outcome)>;
  virtual ~request_authenticator() = default;
  /// Decides whether `request` may proceed; calls `done` exactly once, on this thread before
  /// returning or later on another. Thread-safe.
  virtual void authenticate(authentication_request request, done_function done) = 0;
};

}  // namespace ivig::server
