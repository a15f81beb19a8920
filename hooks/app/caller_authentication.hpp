// hooks/app/caller_authentication.hpp: turning the options into the service's caller authentication,
// and the policy that ties authentication to how exposed the listener is.
//
// Policy by exposure (docs/security.md): with issuers registered, every discovery, service and
// feedback request needs a valid JWT. Without issuers the service answers only on a loopback
// address, where only processes of this machine can reach it (the README's one-command start); a
// non-loopback listener without issuers needs the explicit --allow-unauthenticated. Away from
// loopback the audit log must also hash patient ids under a key (--audit-patient-key-file) and seal
// its chain with a key (--audit-chain-key-file).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/model/result.hpp"
#include "hooks/app/options.hpp"
#include "hooks/auth/jwt_authenticator.hpp"

namespace ivig::app {

struct caller_authentication {
  std::shared_ptr<auth::jwt_authenticator> authenticator;  ///< null: authentication off
  /// Each issuer's bound FHIR servers (for the FHIR fallback); unset when authentication is off.
  std::optional<std::map<std::string, std::vector<std::string>, std::less<>>> issuer_fhir_servers;
  std::size_t issuers = 0;
};

/// Reads the issuers file and builds the authenticator (with its own https client for jku JWK Sets).
result<caller_authentication, std::string> set_up_authentication(const options& o,
                                                                 std::function<void(std::string_view)> log);

/// Why this configuration must not serve, or nothing: a non-loopback listener without issuers (unless
/// --allow-unauthenticated), or without the audit log's patient-id key or chain key.
std::optional<std::string> exposure_refusal(const options& o);

bool is_loopback_address(const std::string& address);

}  // namespace ivig::app
