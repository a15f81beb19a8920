// hooks/auth/issuer_keys.hpp: where one issuer's verification keys come from.
//
// The keys registered for the issuer (its JWK Set, given out of band) are looked in first. A token
// whose header names a `jku` is looked up in that URL's JWK Set only when the URL is on the issuer's
// allowlist: the set is fetched over HTTPS (through the fhir_client interface, with its deadline,
// body limit and no redirects), cached, and fetched again for an unknown kid no more often than
// `jku_min_refresh`, so a stream of tokens with made-up kids cannot turn into a stream of fetches.
// Callers waiting for the same fetch share it. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "fhir/client/fhir_client.hpp"
#include "hooks/auth/auth_settings.hpp"
#include "hooks/auth/key_set.hpp"
#include "hooks/auth/refusal_reason.hpp"

namespace ivig::auth {

/// The key found for a token, or the reason code and sentence of why none was.
struct key_lookup {
  std::shared_ptr<const key_set> set;  ///< keeps `key` alive
  const verification_key* key = nullptr;
  refusal_reason reason = refusal_reason::key_unknown;
  std::string diagnostics;
};

class issuer_keys {
 public:
  /// Seconds since the epoch: the authenticator's (injected) clock.
  using now_function = std::function<std::int64_t()>;

  /// `registered` may be empty (keys from jku only); `fetcher` may be null (no jku is ever honoured).
  issuer_keys(const issuer_settings& issuer, std::shared_ptr<const key_set> registered,
              std::shared_ptr<fhir::client::fhir_client> fetcher, const auth_settings& limits, now_function now);

  /// Finds the key for (kid, jku); `done` runs exactly once, now or from the fetch's thread.
  void find(const std::string& kid, const std::string& jku, std::function<void(key_lookup)> done);

 private:
  struct jku_state {
    std::shared_ptr<const key_set> keys;  ///< the last set fetched; null until one was
    std::int64_t last_attempt = 0;        ///< seconds since the epoch
    bool attempted = false;
    bool fetching = false;
    std::string last_failure;
    std::vector<std::function<void()>> waiting;  ///< lookups to run again when the fetch ends
  };
  void start_fetch(const std::string& url);
  void fetched(const std::string& url, fhir::client::fetch_result result);
  key_lookup look_in_cache(const std::string& kid, const std::string& url);

  std::string issuer_;
  std::vector<std::string> jku_allow_;
  std::shared_ptr<const key_set> registered_;
  std::shared_ptr<fhir::client::fhir_client> fetcher_;
  std::chrono::milliseconds timeout_;
  std::size_t max_bytes_;
  std::chrono::seconds min_refresh_;
  now_function now_;
  std::mutex mutex_;
  std::map<std::string, jku_state> jku_;
};

}  // namespace ivig::auth
