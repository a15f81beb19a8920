// hooks/auth/replay_cache.cpp: digests with OpenSSL's SHA-256, expiry by a min-heap.
#include "hooks/auth/replay_cache.hpp"

#include <openssl/evp.h>

#include <cstring>
#include <functional>
#include <string>

namespace ivig::auth {
namespace {

/// The first 128 bits of SHA-256(issuer "\n" jti): ids that collide by accident never occur, and a
/// caller cannot make one token's id stand for another's.
std::array<std::uint64_t, 2> digest_of(std::string_view issuer, std::string_view jti) {
  std::string input;
  input.reserve(issuer.size() + 1 + jti.size());
  input.append(issuer).append("\n").append(jti);
  unsigned char hash[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(input.data(), input.size(), hash, &length, EVP_sha256(), nullptr);
  std::array<std::uint64_t, 2> out{};
  std::memcpy(out.data(), hash, sizeof(out));
  return out;
}

}  // namespace

void replay_cache::forget_expired(std::int64_t now) {
  while (!expiries_.empty() && expiries_.top().first < now) {
    seen_.erase(expiries_.top().second);
    expiries_.pop();
  }
}

replay_check replay_cache::remember(std::string_view issuer, std::string_view jti, std::int64_t expires_at,
                                    std::int64_t now) {
  const digest id = digest_of(issuer, jti);
  const std::lock_guard lock(mutex_);
  forget_expired(now);
  if (seen_.contains(id)) return replay_check::replayed;
  if (seen_.size() >= capacity_) return replay_check::full;
  seen_.insert(id);
  expiries_.emplace(expires_at, id);
  return replay_check::fresh;
}

std::size_t replay_cache::size() const {
  const std::lock_guard lock(mutex_);
  return seen_.size();
}

}  // namespace ivig::auth
