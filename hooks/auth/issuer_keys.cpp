// hooks/auth/issuer_keys.cpp: registered keys first, then the jku cache and its rate-limited fetch.
#include "hooks/auth/issuer_keys.hpp"

#include <algorithm>
#include <utility>

namespace ivig::auth {

issuer_keys::issuer_keys(const issuer_settings& issuer, std::shared_ptr<const key_set> registered,
                         std::shared_ptr<fhir::client::fhir_client> fetcher, const auth_settings& limits,
                         now_function now)
    : issuer_(issuer.issuer),
      jku_allow_(issuer.jku_allow),
      registered_(std::move(registered)),
      fetcher_(std::move(fetcher)),
      timeout_(limits.jku_timeout),
      max_bytes_(limits.jku_max_bytes),
      min_refresh_(limits.jku_min_refresh),
      now_(std::move(now)) {}

void issuer_keys::find(const std::string& kid, const std::string& jku, std::function<void(key_lookup)> done) {
  if (registered_ != nullptr) {
    if (const verification_key* key = registered_->find(kid))
      return done({registered_, key, refusal_reason::key_unknown, {}});
  }
  if (jku.empty())
    return done(
        {nullptr, nullptr, refusal_reason::key_unknown, "No key registered for the token's issuer has its kid."});
  if (std::find(jku_allow_.begin(), jku_allow_.end(), jku) == jku_allow_.end())
    return done(
        {nullptr, nullptr, refusal_reason::jku_not_allowed, "The token's jku is not on its issuer's allowlist."});
  if (fetcher_ == nullptr)
    return done(
        {nullptr, nullptr, refusal_reason::jku_unreachable, "This service fetches no JWK Set (no jku client)."});
  {
    std::unique_lock lock(mutex_);
    jku_state& state = jku_[jku];
    const bool known = state.keys != nullptr && state.keys->find(kid) != nullptr;
    const bool refresh_allowed = !state.attempted || now_() - state.last_attempt >= min_refresh_.count();
    if (!known && (state.fetching || refresh_allowed)) {
      state.waiting.push_back([this, kid, jku, done] { done(look_in_cache(kid, jku)); });
      if (state.fetching) return;  // the fetch under way answers it
      state.fetching = true;
      state.attempted = true;
      state.last_attempt = now_();
      lock.unlock();
      start_fetch(jku);
      return;
    }
  }
  done(look_in_cache(kid, jku));
}

void issuer_keys::start_fetch(const std::string& url) {
  fhir::client::fetch_request request;
  request.url = url;
  request.max_bytes = max_bytes_;
  request.deadline = std::chrono::steady_clock::now() + timeout_;
  fetcher_->get(std::move(request),
                [this, url](fhir::client::fetch_result result) { fetched(url, std::move(result)); });
}

void issuer_keys::fetched(const std::string& url, fhir::client::fetch_result result) {
  std::vector<std::function<void()>> waiting;
  {
    const std::lock_guard lock(mutex_);
    jku_state& state = jku_[url];
    state.fetching = false;
    if (result.failure == fhir::client::fetch_failure::wrong_content_type) {
      state.last_failure = "a Content-Type that is not JWK Set JSON";
    } else if (result.failure != fhir::client::fetch_failure::none) {
      state.last_failure = std::string(fhir::client::describe(result.failure));
    } else if (auto parsed = key_set::parse(result.body); !parsed) {
      state.last_failure = "not a JWK Set: " + parsed.error();
    } else {
      // A failed refresh keeps the last good set: a key rotation is announced by a new kid, and the
      // keys already known stay valid until the issuer removes them from a set that does arrive.
      state.keys = std::make_shared<const key_set>(std::move(*parsed));
      state.last_failure.clear();
    }
    waiting.swap(state.waiting);
  }
  for (const auto& retry : waiting) retry();
}

key_lookup issuer_keys::look_in_cache(const std::string& kid, const std::string& url) {
  const std::lock_guard lock(mutex_);
  const jku_state& state = jku_[url];
  if (state.keys != nullptr) {
    if (const verification_key* key = state.keys->find(kid)) return {state.keys, key, refusal_reason::key_unknown, {}};
  }
  if (state.keys == nullptr || !state.last_failure.empty())
    return {nullptr, nullptr, refusal_reason::jku_unreachable,
            "The JWK Set at the token's jku could not be fetched (" +
                (state.last_failure.empty() ? std::string("a fetch was made too recently") : state.last_failure) +
                ")."};
  return {nullptr, nullptr, refusal_reason::key_unknown,
          "Neither the registered keys nor the jku's JWK Set have the token's kid."};
}

}  // namespace ivig::auth
