// hooks/auth/refusal_reason.hpp: why a caller was refused: the stable reason codes and their counters.
//
// The codes are part of the API contract (the OperationOutcome of every 401 carries one, and
// integration engineers match on them while they set up an EHR): never renamed or reused.
// docs/security.md lists them all.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace ivig::auth {

enum class refusal_reason {
  token_missing,           ///< no Authorization header
  not_bearer,              ///< an Authorization header of another scheme
  token_too_large,         ///< longer than max_token_bytes
  token_malformed,         ///< not a JWS compact JWT with JSON header and claims
  algorithm_refused,       ///< alg none, HMAC, or not on the allowlist
  token_type_invalid,      ///< typ present and not JWT
  claim_missing,           ///< kid, iss, aud, exp, iat or jti absent
  issuer_unknown,          ///< iss is not a registered issuer
  audience_mismatch,       ///< aud is not this endpoint's URL
  token_expired,           ///< exp passed (beyond the skew)
  token_not_yet_valid,     ///< nbf in the future (beyond the skew)
  token_issued_in_future,  ///< iat in the future (beyond the skew)
  lifetime_too_long,       ///< exp - iat above max_lifetime (local policy)
  tenant_refused,          ///< tenant not on the issuer's tenant allowlist
  jku_not_allowed,         ///< the header's jku is not on the issuer's allowlist
  jku_unreachable,         ///< the jku's JWK Set could not be fetched
  key_unknown,             ///< no key with the token's kid
  key_mismatch,            ///< the key found cannot verify this alg (wrong type or curve, or its own alg differs)
  signature_invalid,       ///< the signature does not verify
  token_replayed,          ///< this issuer's jti was seen before, within the token's lifetime
  replay_cache_full,       ///< no room to remember the jti: refused rather than accepted unremembered
};

inline constexpr std::size_t refusal_reason_count = static_cast<std::size_t>(refusal_reason::replay_cache_full) + 1;

/// The stable code, e.g. "token-expired".
std::string_view code_of(refusal_reason reason);

/// One counter per reason, and the accepted tokens. Thread-safe.
class refusal_counters {
 public:
  void count(refusal_reason reason) {
    refused_[static_cast<std::size_t>(reason)].fetch_add(1, std::memory_order_relaxed);
  }
  void count_accepted() { accepted_.fetch_add(1, std::memory_order_relaxed); }
  std::uint64_t refused(refusal_reason reason) const {
    return refused_[static_cast<std::size_t>(reason)].load(std::memory_order_relaxed);
  }
  std::uint64_t accepted() const { return accepted_.load(std::memory_order_relaxed); }
  /// (code, count) for every reason counted at least once.
  std::vector<std::pair<std::string_view, std::uint64_t>> nonzero() const;

 private:
  std::array<std::atomic<std::uint64_t>, refusal_reason_count> refused_{};
  std::atomic<std::uint64_t> accepted_{0};
};

}  // namespace ivig::auth
