// hooks/audit/chain_seal.cpp: the entry's canonical input, hashed or MAC'd.
//
// The input is the same with and without a key, so a keyed chain differs from a plain one only in
// what seals it; both come from OpenSSL (sha256.hpp).
#include "hooks/audit/chain_seal.hpp"

#include "hooks/audit/sha256.hpp"

namespace ivig::audit {
namespace {

std::string canonical_input(std::string_view prev_hash, std::string_view kind, std::string_view received_at,
                            std::string_view payload) {
  std::string input;
  input.reserve(prev_hash.size() + kind.size() + received_at.size() + payload.size() + 3);
  input.append(prev_hash).append("\n").append(kind).append("\n").append(received_at).append("\n").append(payload);
  return input;
}

}  // namespace

std::string entry_hash(std::string_view prev_hash, std::string_view kind, std::string_view received_at,
                       std::string_view payload) {
  return sha256_hex(canonical_input(prev_hash, kind, received_at, payload));
}

std::string chain_key_id(std::string_view key) {
  return sha256_hex("ivig-audit-key-id\n" + std::string(key)).substr(0, 16);
}

chain_seal::chain_seal(std::string key) : key_(std::move(key)) {
  if (!key_.empty()) key_id_ = chain_key_id(key_);
}

std::string chain_seal::seal(std::string_view prev_hash, std::string_view kind, std::string_view received_at,
                             std::string_view payload) const {
  const std::string input = canonical_input(prev_hash, kind, received_at, payload);
  return keyed() ? hmac_sha256_hex(key_, input) : sha256_hex(input);
}

}  // namespace ivig::audit
