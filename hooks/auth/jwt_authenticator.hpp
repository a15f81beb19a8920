// hooks/auth/jwt_authenticator.hpp: CDS Hooks client authentication by a signed JWT (CDS Hooks 2.0
// "Trusting CDS Clients").
//
// Every discovery, service and feedback request must carry `Authorization: Bearer <JWT>`. The checks
// run cheapest first, so that a forged or stale token costs no key lookup and no signature check:
// the header (alg on the allowlist; never none or HMAC, whatever the configuration says), the kid,
// the issuer (registered), the audience (this endpoint's canonical URL), the times (exp, nbf, iat
// within the skew; exp - iat within the local maximum), the tenant; then the key (registered, or
// from an allowlisted jku), the signature, and last the jti, remembered for the token's lifetime
// only once the signature proved the token genuine. Each refusal has a stable reason code
// (refusal_reason.hpp), is counted, and is logged without the token (rate-limited).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/client/fhir_client.hpp"
#include "fhir/model/result.hpp"
#include "hooks/auth/auth_settings.hpp"
#include "hooks/auth/issuer_keys.hpp"
#include "hooks/auth/refusal_reason.hpp"
#include "hooks/auth/replay_cache.hpp"
#include "hooks/auth/signed_token.hpp"
#include "hooks/server/request_authenticator.hpp"

namespace ivig::auth {

/// Seconds since the epoch (injected in tests).
using epoch_seconds_function = std::function<std::int64_t()>;
std::int64_t system_epoch_seconds();

class jwt_authenticator final : public server::request_authenticator {
 public:
  /// Builds the issuers' key sources; fails with a sentence naming the issuer and the problem when
  /// the settings cannot work (a JWK Set that does not parse, an issuer without any key source, an
  /// algorithm this service does not implement, no public URL).
  static result<std::shared_ptr<jwt_authenticator>, std::string> create(
      auth_settings settings, std::shared_ptr<fhir::client::fhir_client> jku_fetcher,
      epoch_seconds_function now = system_epoch_seconds, std::function<void(std::string_view)> log = {});

  void authenticate(server::authentication_request request, done_function done) override;

  const refusal_counters& counters() const { return counters_; }

 private:
  jwt_authenticator(auth_settings settings, epoch_seconds_function now, std::function<void(std::string_view)> log);

  struct issuer_entry {
    issuer_settings settings;
    std::unique_ptr<issuer_keys> keys;
  };
  /// A refusal: counted, logged (rate-limited), and delivered.
  void refuse(const done_function& done, refusal_reason reason, std::string diagnostics, std::string_view peer,
              const signed_token* token);
  /// The checks that need no key, in order; nullopt when the token passes them.
  std::optional<std::pair<refusal_reason, std::string>> check_claims(const signed_token& token,
                                                                     const issuer_entry& issuer,
                                                                     std::string_view path) const;
  void log_refusal(refusal_reason reason, std::string_view peer, const signed_token* token);

  auth_settings settings_;
  epoch_seconds_function now_;
  std::function<void(std::string_view)> log_;
  std::map<std::string, issuer_entry, std::less<>> issuers_;
  replay_cache replays_;
  refusal_counters counters_;
  std::mutex log_mutex_;
  std::int64_t log_window_ = 0;
  unsigned logged_in_window_ = 0;
  std::uint64_t unlogged_in_window_ = 0;
};

}  // namespace ivig::auth
