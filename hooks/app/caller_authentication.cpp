// hooks/app/caller_authentication.cpp: the issuers, the jku client and the exposure policy.
#include "hooks/app/caller_authentication.hpp"

#include <boost/asio/ip/address.hpp>

#include "fhir/client/cpprest_fhir_client.hpp"
#include "hooks/app/issuers_file.hpp"

namespace ivig::app {

bool is_loopback_address(const std::string& address) {
  boost::system::error_code ec;
  const auto parsed = boost::asio::ip::make_address(address, ec);
  return !ec && parsed.is_loopback();
}

std::optional<std::string> exposure_refusal(const options& o) {
  if (is_loopback_address(o.server.address)) return std::nullopt;
  if (o.issuers_file.empty() && !o.allow_unauthenticated)
    return "--listen " + o.server.address +
           " is not a loopback address, and no --issuers-file registers who may call: every host that "
           "can reach it could read patient data. Register the EHR's issuer (docs/security.md), or give "
           "--allow-unauthenticated for a closed test network.";
  if (o.audit_enabled && o.audit_patient_key_file.empty())
    return "--listen " + o.server.address +
           " is not a loopback address: the audit log must then record patients as keyed hashes "
           "(--audit-patient-key-file, docs/audit.md).";
  if (o.audit_enabled && o.audit_chain_key_file.empty())
    return "--listen " + o.server.address +
           " is not a loopback address: the audit log's chain must then be keyed, so that whoever can write "
           "its file cannot rewrite it unnoticed (--audit-chain-key-file, docs/audit.md).";
  return std::nullopt;
}

result<caller_authentication, std::string> set_up_authentication(const options& o,
                                                                 std::function<void(std::string_view)> log) {
  caller_authentication out;
  if (o.issuers_file.empty()) return out;
  auto issuers = read_issuers_file(o.issuers_file);
  if (!issuers) return failure(issuers.error());
  auth::auth_settings settings;
  settings.issuers = std::move(*issuers);
  settings.public_urls = o.public_urls;
  settings.algorithms = o.jwt_algorithms;
  settings.clock_skew = std::chrono::seconds(o.jwt_clock_skew_seconds);
  settings.max_lifetime = std::chrono::seconds(o.jwt_max_lifetime_seconds);
  settings.replay_capacity = o.jwt_replay_capacity;
  settings.jku_timeout = std::chrono::milliseconds(o.jwks_fetch_timeout_ms);
  settings.jku_min_refresh = std::chrono::seconds(o.jwks_refresh_min_seconds);

  std::vector<std::string> jku_urls;
  out.issuer_fhir_servers.emplace();
  for (const auth::issuer_settings& issuer : settings.issuers) {
    jku_urls.insert(jku_urls.end(), issuer.jku_allow.begin(), issuer.jku_allow.end());
    (*out.issuer_fhir_servers)[issuer.issuer] = issuer.fhir_servers;
  }
  std::shared_ptr<fhir::client::fhir_client> jku_client;
  if (!jku_urls.empty()) {
    // Its own client: its allowlist is the issuers' jku URLs, never the FHIR servers, and it takes
    // JWK Set JSON rather than FHIR JSON.
    fhir::client::client_options client_options;
    client_options.policy = {jku_urls, false};
    client_options.ca_file = o.fhir_ca_file;
    client_options.accept = "application/jwk-set+json, application/json";
    client_options.media_types = {"application/jwk-set+json", "application/json"};
    jku_client = std::make_shared<fhir::client::cpprest_fhir_client>(client_options);
  }
  out.issuers = settings.issuers.size();
  auto made =
      auth::jwt_authenticator::create(std::move(settings), jku_client, auth::system_epoch_seconds, std::move(log));
  if (!made) return failure("--issuers-file " + o.issuers_file + ": " + made.error());
  out.authenticator = std::move(*made);
  return out;
}

}  // namespace ivig::app
