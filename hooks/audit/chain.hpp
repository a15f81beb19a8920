// hooks/audit/chain.hpp: the hash chain over `entries`: its head, how the head is written and read
// back, and the retention purge that shortens the chain without breaking it.
//
// Each entry's hash is its seal (chain_seal.hpp: SHA-256, or HMAC-SHA-256 under the chain key) of
// prev_hash "\n" kind "\n" received_at "\n" payload, and its prev_hash is the hash of the entry before
// it (64 zeros for the first). A purge replaces the chain's oldest entries with one `purge-anchor`
// entry that takes the seq of the last purged entry and records that entry's hash: the anchor "stands
// in" for it, so the entry after it still links to the hash it always linked to, and no remaining row
// is ever rewritten. Verification is chain_verify.hpp. See docs/audit.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "hooks/audit/chain_seal.hpp"

namespace ivig::audit {

class database;

/// The prev_hash of the first entry of a chain that was never purged.
inline const std::string genesis_hash(64, '0');

/// A point of the chain: an entry's seq and its hash. The head is the last one; when the last entry is
/// a purge anchor, its seq with the hash it stands in for (the hash that seq had before the purge).
struct chain_position {
  std::int64_t seq = 0;  ///< 0 with the genesis hash: an empty chain
  std::string hash = genesis_hash;
  bool operator==(const chain_position&) const = default;
};

/// "head seq=<seq> hash=<64 hex>": the one form in which `audit verify` prints the head and the
/// service logs it, so that operators can parse and ship it.
std::string head_line(const chain_position& head);

/// Reads "SEQ:HASH" (as `audit verify --expect-head` takes it): a seq of 0 or more and 64 lower-case
/// hex digits. nullopt when it is not that.
std::optional<chain_position> parse_position(std::string_view text);

/// The chain's head; the genesis position for an empty table. Read inside the writing transaction.
chain_position read_head(database& db);

/// The hash the next entry links to: read_head(db).hash.
std::string chain_head(database& db);

struct purge_result {
  std::int64_t purged = 0;           ///< call and feedback entries removed (0: nothing was old enough)
  std::int64_t last_purged_seq = 0;  ///< the anchor's seq
  std::string last_purged_hash;      ///< the hash the anchor stands in for
};

/// Removes, in one transaction, the longest prefix of the chain whose entries were all received before
/// `received_before` (RFC 3339 UTC, compared as text like every received_at), with their query rows,
/// and puts a purge anchor sealed with `seal` in their place. An old entry that follows a newer one (a
/// record replayed from the spool) waits for a later purge: the chain is only ever cut at one point.
/// Throws store_error when the file cannot be opened or written, or `seal` is not the file's
/// (chain_meta.hpp: a keyed chain is purged only with its key).
purge_result purge_before(const std::string& path, const std::string& received_before, const chain_seal& seal = {});

}  // namespace ivig::audit
