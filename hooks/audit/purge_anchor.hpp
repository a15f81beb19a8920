// hooks/audit/purge_anchor.hpp: the payload of a `purge-anchor` entry and the checks it must pass.
//
// Owns what an anchor records (the horizon its purge used, the entry it stands in for, how many
// entries it replaced, and the chain's head when the purge ran) and what can be checked about it
// from its own row. What follows it is checked by the verifier (chain_verify.cpp). With a chain key
// the anchor is sealed like every entry, so none of this can be forged without the key; without
// one these checks only catch a careless forgery (docs/audit.md, "What is detected").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ivig::audit {

inline constexpr std::string_view anchor_kind = "purge-anchor";

struct purge_anchor {
  std::string horizon;               ///< the purge's received_before; also the anchor's received_at
  std::int64_t last_purged_seq = 0;  ///< the anchor's own seq
  std::string last_purged_hash;      ///< the hash it stands in for; also its prev_hash
  std::int64_t purged = 0;           ///< call and feedback entries this purge removed (at least 1)
  std::int64_t purged_total = 0;     ///< with every earlier purge's
  /// The chain's last seq when the purge ran: entries up to it existed then, later ones were appended
  /// after. Absent in anchors written before it was recorded (unkeyed chains only).
  std::optional<std::int64_t> head_seq;
};

/// The canonical payload: members in this order, no whitespace; head_seq last (and only when set).
std::string anchor_json(const purge_anchor& anchor);

/// nullopt when the payload is not an anchor's.
std::optional<purge_anchor> read_anchor(std::string_view payload);

/// What is wrong with the anchor row at `seq` on its own (nullopt: nothing): it must stand in for its
/// own seq and prev_hash, be received at its horizon, count at least one and at most `seq` entries,
/// and, in a keyed chain, record the head (at or after its own seq).
std::optional<std::string> anchor_problem(const purge_anchor& anchor, std::int64_t seq, std::string_view received_at,
                                          std::string_view prev_hash, bool keyed);

}  // namespace ivig::audit
