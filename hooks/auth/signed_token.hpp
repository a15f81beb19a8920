// hooks/auth/signed_token.hpp: a JWT in JWS compact form, read but not yet trusted.
//
// `read_token` splits and decodes the three segments and reads the header and the claims the service
// checks, so that the authenticator can refuse a token on its algorithm, issuer, audience and times
// before any key is looked up. Nothing read here is trusted until `signature_verifies` says so with
// a key registered for the issuer. Decoding and verification are cjose's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/model/result.hpp"
#include "hooks/auth/key_set.hpp"

namespace ivig::auth {

struct token_header {
  std::string alg;
  std::string kid;
  std::string typ;
  std::string jku;
};

struct token_claims {
  std::string iss;
  std::string sub;
  std::vector<std::string> aud;  ///< a string `aud` is a list of one
  std::optional<std::int64_t> exp, nbf, iat;
  std::string jti;
  std::string tenant;
};

struct signed_token {
  std::string compact;  ///< the token as sent, for cjose's verification
  token_header header;
  token_claims claims;
};

/// Why a token could not be read: the reason code (token-malformed) and a sentence that never quotes
/// the token.
struct token_defect {
  std::string reason;
  std::string diagnostics;
};

/// Reads a compact JWS; fails when it has not three base64url segments, or its header or claims are
/// not JSON objects, or a claim the service reads has the wrong JSON type.
result<signed_token, token_defect> read_token(std::string_view compact);

/// Whether the token's signature verifies with `key` (its header's alg, which the caller has checked
/// against the allowlist and the key).
bool signature_verifies(const signed_token& token, const verification_key& key);

}  // namespace ivig::auth
