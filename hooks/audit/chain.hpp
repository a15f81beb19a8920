// hooks/audit/chain.hpp: the hash chain over `entries`: its hash, its head, its verification and the
// retention purge that shortens it without breaking it.
//
// Each entry's hash = hex SHA-256(prev_hash "\n" kind "\n" received_at "\n" payload), and its prev_hash
// is the hash of the entry before it (64 zeros for the first). A purge replaces the chain's oldest
// entries with one `purge-anchor` entry that takes the seq of the last purged entry and records that
// entry's hash: the anchor "stands in" for it, so the entry after it still links to the hash it always
// linked to, and no remaining row is ever rewritten. See docs/audit.md.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ivig::audit {

class database;

/// The prev_hash of the first entry of a chain that was never purged.
inline const std::string genesis_hash(64, '0');

std::string entry_hash(std::string_view prev_hash, std::string_view kind, std::string_view received_at,
                       std::string_view payload);

/// The hash the next entry links to: the last entry's hash, or for a purge anchor the hash it stands
/// in for (its prev_hash); the genesis hash for an empty table. Read inside the writing transaction.
std::string chain_head(database& db);

struct verify_result {
  bool ok = false;
  std::int64_t entries = 0;        ///< entries that verified (all of them when ok)
  std::int64_t first_bad_seq = 0;  ///< 0 when ok (seqs start at 1)
  std::string problem;             ///< empty when ok
};

/// Walks `entries` in seq order and recomputes every hash and link. A chain may start with a purge
/// anchor; it may not contain one anywhere else. Never throws: a file that cannot be read is a problem.
verify_result verify_chain(const std::string& path);

struct purge_result {
  std::int64_t purged = 0;           ///< call and feedback entries removed (0: nothing was old enough)
  std::int64_t last_purged_seq = 0;  ///< the anchor's seq
  std::string last_purged_hash;      ///< the hash the anchor stands in for
};

/// Removes, in one transaction, the longest prefix of the chain whose entries were all received before
/// `received_before` (RFC 3339 UTC, compared as text like every received_at), with their query rows,
/// and puts a purge anchor in their place. An old entry that follows a newer one (a record replayed
/// from the spool) waits for a later purge: the chain is only ever cut at one point. Throws
/// store_error when the file cannot be opened or written.
purge_result purge_before(const std::string& path, const std::string& received_before);

}  // namespace ivig::audit
