// hooks/app/issuers_file.hpp: reading the issuers file, where a site registers the EHRs that may call.
//
// A JSON object {"issuers": [...]}; each issuer has its exact `iss`, its keys (`jwks_file`, a path
// relative to the issuers file, and/or `jwks`, the JWK Set inline, and/or `jku`, the JWK Set URLs
// honoured for it), optionally `tenants` and `fhir_servers`. Unknown members are refused, so that a
// misspelt `tenant` does not silently open the service to every tenant. docs/security.md shows an example.
#pragma once

#include <string>
#include <vector>

#include "fhir/model/result.hpp"
#include "hooks/auth/auth_settings.hpp"

namespace ivig::app {

/// The issuers of `path`, or a sentence naming the file, the issuer and the problem.
result<std::vector<auth::issuer_settings>, std::string> read_issuers_file(const std::string& path);

}  // namespace ivig::app
