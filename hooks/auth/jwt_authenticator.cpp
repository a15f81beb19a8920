// hooks/auth/jwt_authenticator.cpp: the order of the checks, refusals and their log lines.
#include "hooks/auth/jwt_authenticator.hpp"

#include <algorithm>
#include <utility>

namespace ivig::auth {
namespace {

constexpr std::string_view bearer_prefix = "bearer ";
/// At most this many refusal log lines per second; the rest are counted into one line.
constexpr unsigned log_lines_per_second = 10;

/// Algorithms this service implements; anything else in the configuration is a mistake.
bool is_implemented(std::string_view alg) {
  return alg == "ES256" || alg == "ES384" || alg == "RS256" || alg == "RS384" || alg == "PS256" || alg == "PS384";
}

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    const char c = text[i];
    const char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    if (lower != prefix[i]) return false;
  }
  return true;
}

/// A value from a token as it may appear in a log line: only when it is short and made of characters
/// that cannot forge a line or drive a terminal (an unverified token's text is the caller's).
std::string loggable(std::string_view text) {
  if (text.empty()) return "-";
  if (text.size() > 128) return "(too long to show)";
  for (const char c : text) {
    const bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                       std::string_view("-_.:/@+=").find(c) != std::string_view::npos;
    if (!plain) return "(not shown: unusual characters)";
  }
  return std::string(text);
}

bool audience_matches(const std::vector<std::string>& audiences, const std::vector<std::string>& public_urls,
                      std::string_view path) {
  for (const std::string& base : public_urls) {
    const std::string expected = base + std::string(path);
    if (std::find(audiences.begin(), audiences.end(), expected) != audiences.end()) return true;
  }
  return false;
}

std::string seconds_text(std::int64_t seconds) {
  return std::to_string(seconds) + " s";
}

}  // namespace

std::int64_t system_epoch_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

jwt_authenticator::jwt_authenticator(auth_settings settings, epoch_seconds_function now,
                                     std::function<void(std::string_view)> log)
    : settings_(std::move(settings)), now_(std::move(now)), log_(std::move(log)), replays_(settings_.replay_capacity) {}

result<std::shared_ptr<jwt_authenticator>, std::string> jwt_authenticator::create(
    auth_settings settings, std::shared_ptr<fhir::client::fhir_client> jku_fetcher, epoch_seconds_function now,
    std::function<void(std::string_view)> log) {
  if (settings.issuers.empty()) return failure(std::string("no issuer is registered"));
  if (settings.public_urls.empty())
    return failure(std::string("no public URL: the audience of a token cannot be checked (--public-url)"));
  for (std::string& url : settings.public_urls) {
    while (!url.empty() && url.back() == '/') url.pop_back();  // the path called brings its own '/'
    if (!url.starts_with("https://") && !url.starts_with("http://"))
      return failure("public URL " + url + " is not an http(s) URL");
  }
  for (const std::string& alg : settings.algorithms) {
    if (!is_implemented(alg))
      return failure("algorithm " + alg + " is not one of ES256, ES384, RS256, RS384, PS256, PS384");
  }
  auto made = std::shared_ptr<jwt_authenticator>(new jwt_authenticator(settings, std::move(now), std::move(log)));
  for (const issuer_settings& issuer : settings.issuers) {
    if (issuer.issuer.empty()) return failure(std::string("an issuer without its iss"));
    std::shared_ptr<const key_set> registered;
    if (!issuer.jwks_json.empty()) {
      auto parsed = key_set::parse(issuer.jwks_json);
      if (!parsed) return failure("issuer " + issuer.issuer + ": its JWK Set: " + parsed.error());
      if (parsed->size() == 0) return failure("issuer " + issuer.issuer + ": its JWK Set has no usable key");
      registered = std::make_shared<const key_set>(std::move(*parsed));
    }
    if (registered == nullptr && issuer.jku_allow.empty())
      return failure("issuer " + issuer.issuer + ": neither a JWK Set nor an allowed jku");
    for (const std::string& jku : issuer.jku_allow) {
      if (!jku.starts_with("https://")) return failure("issuer " + issuer.issuer + ": jku " + jku + " is not https");
    }
    issuer_entry entry{issuer, std::make_unique<issuer_keys>(issuer, registered, jku_fetcher, settings, made->now_)};
    if (!made->issuers_.emplace(issuer.issuer, std::move(entry)).second)
      return failure("issuer " + issuer.issuer + " is registered twice");
  }
  return made;
}

std::optional<std::pair<refusal_reason, std::string>> jwt_authenticator::check_claims(const signed_token& token,
                                                                                      const issuer_entry& issuer,
                                                                                      std::string_view path) const {
  using r = refusal_reason;
  const token_claims& c = token.claims;
  if (c.aud.empty()) return {{r::claim_missing, "The token has no aud."}};
  if (!audience_matches(c.aud, settings_.public_urls, path))
    return {{r::audience_mismatch, "The token's aud is not the URL of the endpoint called (" +
                                       settings_.public_urls.front() + std::string(path) + ")."}};
  if (!c.exp || !c.iat || c.jti.empty()) return {{r::claim_missing, "The token lacks exp, iat or jti."}};
  const std::int64_t now = now_();
  const std::int64_t skew = settings_.clock_skew.count();
  if (*c.exp + skew < now)
    return {{r::token_expired, "The token expired " + seconds_text(now - *c.exp) + " ago (allowed clock skew " +
                                   seconds_text(skew) + ")."}};
  if (c.nbf && *c.nbf - skew > now)
    return {{r::token_not_yet_valid, "The token is not valid for another " + seconds_text(*c.nbf - now) + "."}};
  if (*c.iat - skew > now)
    return {{r::token_issued_in_future, "The token was issued " + seconds_text(*c.iat - now) +
                                            " in the future (allowed clock skew " + seconds_text(skew) + ")."}};
  if (*c.exp - *c.iat > settings_.max_lifetime.count())
    return {{r::lifetime_too_long, "The token's lifetime (exp - iat = " + seconds_text(*c.exp - *c.iat) +
                                       ") exceeds this site's maximum of " +
                                       seconds_text(settings_.max_lifetime.count()) + " (local policy)."}};
  const auto& tenants = issuer.settings.tenants;
  if (!tenants.empty() && std::find(tenants.begin(), tenants.end(), c.tenant) == tenants.end())
    return {{r::tenant_refused, "The token's tenant is not one its issuer may call for."}};
  return std::nullopt;
}

void jwt_authenticator::authenticate(server::authentication_request request, done_function done) {
  using r = refusal_reason;
  const std::string& peer = request.peer;
  if (!request.authorization)
    return refuse(done, r::token_missing, "This service requires Authorization: Bearer <JWT>.", peer, nullptr);
  const std::string_view value = *request.authorization;
  if (!starts_with_ignoring_case(value, bearer_prefix))
    return refuse(done, r::not_bearer, "The Authorization header must use the Bearer scheme.", peer, nullptr);
  std::string_view compact = value.substr(bearer_prefix.size());
  while (!compact.empty() && compact.front() == ' ') compact.remove_prefix(1);
  while (!compact.empty() && compact.back() == ' ') compact.remove_suffix(1);
  if (compact.size() > settings_.max_token_bytes)
    return refuse(done, r::token_too_large,
                  "The token is longer than " + std::to_string(settings_.max_token_bytes) + " bytes.", peer, nullptr);
  auto read = read_token(compact);
  if (!read) return refuse(done, r::token_malformed, read.error().diagnostics, peer, nullptr);
  auto token = std::make_shared<const signed_token>(std::move(*read));
  const token_header& h = token->header;
  // Before any key is looked at: an alg the token chooses must never select the verification method.
  if (h.alg == "none" || h.alg.starts_with("HS") ||
      std::find(settings_.algorithms.begin(), settings_.algorithms.end(), h.alg) == settings_.algorithms.end())
    return refuse(done, r::algorithm_refused, "The token's alg is not one this service accepts.", peer, token.get());
  if (!h.typ.empty() && !(h.typ == "JWT" || h.typ == "jwt"))
    return refuse(done, r::token_type_invalid, "The token's typ is not JWT.", peer, token.get());
  if (h.kid.empty()) return refuse(done, r::claim_missing, "The token's header has no kid.", peer, token.get());
  const auto issuer = issuers_.find(token->claims.iss);
  if (issuer == issuers_.end())
    return refuse(done, r::issuer_unknown, "The token's iss is not a registered issuer.", peer, token.get());
  if (auto refused = check_claims(*token, issuer->second, request.path))
    return refuse(done, refused->first, std::move(refused->second), peer, token.get());

  issuer->second.keys->find(h.kid, h.jku, [this, token, done, peer](key_lookup found) {
    if (found.key == nullptr) return refuse(done, found.reason, std::move(found.diagnostics), peer, token.get());
    if (!key_fits_algorithm(*found.key, token->header.alg))
      return refuse(done, r::key_mismatch, "The key with the token's kid cannot verify its alg.", peer, token.get());
    if (!signature_verifies(*token, *found.key))
      return refuse(done, r::signature_invalid, "The token's signature does not verify.", peer, token.get());
    const token_claims& c = token->claims;
    const std::int64_t keep_until = *c.exp + settings_.clock_skew.count();
    switch (replays_.remember(c.iss, c.jti, keep_until, now_())) {
      case replay_check::replayed:
        return refuse(done, r::token_replayed, "This token (its jti) was used before.", peer, token.get());
      case replay_check::full:
        return refuse(done, r::replay_cache_full,
                      "The service cannot remember more token ids now; retry with a new token shortly.", peer,
                      token.get());
      case replay_check::fresh:
        break;
    }
    counters_.count_accepted();
    server::authentication_outcome outcome;
    outcome.accepted = server::caller{peer, c.iss, c.sub, c.tenant, c.jti};
    done(std::move(outcome));
  });
}

void jwt_authenticator::refuse(const done_function& done, refusal_reason reason, std::string diagnostics,
                               std::string_view peer, const signed_token* token) {
  counters_.count(reason);
  log_refusal(reason, peer, token);
  server::authentication_outcome outcome;
  outcome.failure = {std::string(code_of(reason)), std::move(diagnostics), reason == refusal_reason::token_missing};
  done(std::move(outcome));
}

void jwt_authenticator::log_refusal(refusal_reason reason, std::string_view peer, const signed_token* token) {
  if (!log_) return;
  std::string summary;  // of the second before, when some of its refusals were not logged
  bool log_this = true;
  {
    const std::lock_guard lock(log_mutex_);
    const std::int64_t second = now_();
    if (second != log_window_) {
      if (unlogged_in_window_ > 0)
        summary = "authentication: " + std::to_string(unlogged_in_window_) + " more refusals not logged one by one";
      log_window_ = second;
      logged_in_window_ = 0;
      unlogged_in_window_ = 0;
    }
    if (logged_in_window_ >= log_lines_per_second) {
      ++unlogged_in_window_;
      log_this = false;
    } else {
      ++logged_in_window_;
    }
  }
  if (!summary.empty()) log_(summary);
  if (!log_this) return;
  // Never the token: its issuer, kid and id identify it well enough to find the client's records.
  std::string line = "authentication refused: reason=" + std::string(code_of(reason)) + " peer=" + std::string(peer);
  if (token != nullptr)
    line += " iss=" + loggable(token->claims.iss) + " kid=" + loggable(token->header.kid) +
            " jti=" + loggable(token->claims.jti);
  log_(line);
}

}  // namespace ivig::auth
