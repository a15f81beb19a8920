// hooks/auth/replay_cache.hpp: the token ids (jti) seen, each kept until its token expires.
//
// A verified token's jti is remembered per issuer until exp plus the clock skew, so that a captured
// token cannot be sent again while it is still valid. Memory is bounded: the cache holds at most
// `capacity` ids; when it is full of unexpired ids a new token is refused rather than accepted
// unremembered (fail closed). Entries are a 128-bit digest of issuer and jti, so an id's length
// costs nothing. Thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <queue>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

namespace ivig::auth {

enum class replay_check { fresh, replayed, full };

class replay_cache {
 public:
  explicit replay_cache(std::size_t capacity) : capacity_(capacity) {}

  /// Remembers (issuer, jti) until `expires_at` (seconds since the epoch) and says `fresh`, unless it
  /// was seen before (`replayed`) or there is no room (`full`). `now` drops what has expired.
  replay_check remember(std::string_view issuer, std::string_view jti, std::int64_t expires_at, std::int64_t now);
  std::size_t size() const;

 private:
  using digest = std::array<std::uint64_t, 2>;
  struct digest_hash {
    std::size_t operator()(const digest& d) const noexcept { return static_cast<std::size_t>(d[0] ^ d[1]); }
  };
  void forget_expired(std::int64_t now);

  std::size_t capacity_;
  mutable std::mutex mutex_;
  std::unordered_set<digest, digest_hash> seen_;
  /// (expiry, id), soonest first: what forget_expired pops.
  std::priority_queue<std::pair<std::int64_t, digest>, std::vector<std::pair<std::int64_t, digest>>, std::greater<>>
      expiries_;
};

}  // namespace ivig::auth
