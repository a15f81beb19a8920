// hooks/audit/chain_seal.hpp: what seals each entry of the chain: plain SHA-256 or HMAC-SHA-256.
//
// Owns the one definition of an entry's seal (the writer, the purge and the verifier all call it)
// and the key identifier recorded in the file. Without a key the seal is SHA-256 of the entry and
// its link, which anyone can recompute: it finds accidents, not an insider who can write the file.
// With a key kept outside the database it is HMAC-SHA-256 under that key, which nobody without the
// key can recompute (docs/audit.md, "Keyed chain").
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ivig::audit {

/// The names chain_meta records for each seal.
inline constexpr std::string_view plain_seal_name = "sha256";
inline constexpr std::string_view keyed_seal_name = "hmac-sha256";

/// The shortest chain key accepted: as many bytes as the MAC's output.
inline constexpr std::size_t min_chain_key_bytes = 32;

/// hex SHA-256(prev_hash "\n" kind "\n" received_at "\n" payload): the unkeyed seal.
std::string entry_hash(std::string_view prev_hash, std::string_view kind, std::string_view received_at,
                       std::string_view payload);

/// The first 16 hex digits of SHA-256("ivig-audit-key-id\n" + key): names a key in the file and in
/// messages without revealing it (the prefix keeps it from being the hash of the bare key).
std::string chain_key_id(std::string_view key);

class chain_seal {
 public:
  /// Unkeyed: plain SHA-256.
  chain_seal() = default;
  /// Keyed with `key` when it is not empty. The caller checks its length (min_chain_key_bytes).
  explicit chain_seal(std::string key);

  bool keyed() const { return !key_.empty(); }
  /// plain_seal_name or keyed_seal_name.
  std::string_view name() const { return keyed() ? keyed_seal_name : plain_seal_name; }
  /// chain_key_id(key); empty when unkeyed.
  const std::string& key_id() const { return key_id_; }

  /// The entry's hash column: entry_hash's input, MAC'd under the key when there is one.
  std::string seal(std::string_view prev_hash, std::string_view kind, std::string_view received_at,
                   std::string_view payload) const;

 private:
  std::string key_;
  std::string key_id_;
};

}  // namespace ivig::audit
