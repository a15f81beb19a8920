// hooks/auth/auth_settings.hpp: how callers are authenticated: the registered issuers and the rules
// every token must meet.
//
// Filled by hooks/app from the command line and the issuers file (docs/security.md shows its form).
// An issuer is an EHR (or its identity provider) that signs the JWTs its CDS client sends: its keys
// come from a JWK Set registered out of band (a file, or inline) and/or from `jku` URLs that are on
// its allowlist; never from a URL the token alone names.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace ivig::auth {

struct issuer_settings {
  std::string issuer;  ///< the exact `iss` claim
  /// A registered JWK Set (the JSON text); empty when the keys come only from `jku`.
  std::string jwks_json;
  /// `jku` URLs honoured for this issuer, compared exactly; https only.
  std::vector<std::string> jku_allow;
  /// `tenant` claims accepted; empty: any tenant, or none.
  std::vector<std::string> tenants;
  /// FHIR base URLs this issuer's calls may name as fhirServer for fetching (the FHIR fallback);
  /// empty: its calls never fetch.
  std::vector<std::string> fhir_servers;
};

struct auth_settings {
  std::vector<issuer_settings> issuers;
  /// The service's canonical external base URLs ("https://cds.example.org"): `aud` must equal one of
  /// them followed by the path called. More than one when the service is reached under several names.
  std::vector<std::string> public_urls;
  /// Signature algorithms accepted. The spec recommends ES384 and RS384; ES256, RS256, PS256 and
  /// PS384 may be added. `none` and HMAC are refused whatever this says.
  std::vector<std::string> algorithms{"ES384", "RS384"};
  /// Tolerance for clock differences when checking exp, nbf and iat.
  std::chrono::seconds clock_skew{60};
  /// Longest accepted exp - iat (local policy: the spec sets no maximum; it bounds the replay cache).
  std::chrono::seconds max_lifetime{3600};
  /// Token ids remembered at once; a token that would not fit is refused (replay-cache-full), never
  /// accepted unremembered.
  std::size_t replay_capacity = 1'000'000;
  /// Largest Authorization header value considered (a JWT of a few keys' worth is under 2 KB).
  std::size_t max_token_bytes = 8192;
  /// Fetching a `jku` JWK Set: the whole fetch, the largest body, and the shortest time between two
  /// fetches of one URL (an unknown kid may refresh it no more often than this).
  std::chrono::milliseconds jku_timeout{2000};
  std::size_t jku_max_bytes = 256U * 1024U;
  std::chrono::seconds jku_min_refresh{60};
};

}  // namespace ivig::auth
