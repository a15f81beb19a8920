// hooks/audit/chain_verify.hpp: `ivig-cds audit verify`: the walk that checks every seal and link,
// every purge anchor against what follows it, and optionally a head exported earlier.
//
// Never throws: a file that cannot be read, or a key that is not the file's, is a problem like a
// broken link, which is what the command prints. What each check detects, and what no check can,
// is in docs/audit.md, "What is detected".
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "hooks/audit/chain.hpp"
#include "hooks/audit/chain_seal.hpp"

namespace ivig::audit {

struct verify_options {
  /// The chain key, when the chain has one: a keyed chain is refused without it, and a key is refused
  /// for a plain chain (chain_meta.hpp).
  chain_seal seal;
  /// A head exported earlier (`--expect-head SEQ:HASH`): the chain must still hold that seq with
  /// that hash, or have purged it below a valid anchor.
  std::optional<chain_position> expected_head;
};

struct verify_result {
  bool ok = false;
  std::int64_t entries = 0;            ///< entries that verified (all of them when ok)
  std::int64_t first_bad_seq = 0;      ///< 0 when ok, or when the problem is the file or the key, not an entry
  std::string problem;                 ///< empty when ok
  bool expected_head_missing = false;  ///< every entry verified, but the expected head is not in the chain
  chain_position head;                 ///< when ok: the chain's head (chain.hpp)
  std::string seal;                    ///< the file's seal name (plain_seal_name, keyed_seal_name)
  std::string key_id;                  ///< the file's key id; empty when unkeyed
  /// When ok with an expected head: how the chain holds it ("found", or below which anchor it was purged).
  std::string expected_head_note;
};

/// One row of `entries`, as the walk reads it.
struct entry_row {
  std::int64_t seq = 0;
  std::string kind;
  std::string received_at;
  std::string payload;
  std::string prev_hash;
  std::string hash;
};

/// The walk itself over one chain's entries in seq order, whatever the database: `next` fills the next
/// row and returns false at the end (it may throw store_error). `result` brings the seal and key id.
verify_result verify_entries(const std::function<bool(entry_row&)>& next, const verify_options& options,
                             verify_result result);

/// Walks `entries` in seq order and checks every seal and link. A chain may start with a purge anchor;
/// it may not contain one anywhere else.
verify_result verify_chain(const std::string& path, const verify_options& options = {});

}  // namespace ivig::audit
