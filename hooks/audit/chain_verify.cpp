// hooks/audit/chain_verify.cpp: the verifier's walk over `entries`, and the expected head.
//
// One pass in seq order: each entry's seal and link; for a purge anchor (only ever the first row) its
// own consistency and what follows it. A purge cut the chain at one point, before the first entry
// received at or after its horizon, and recorded the chain's head then (head_seq); so the entry after
// the anchor, if it existed at the purge (seq <= head_seq), was received at or after the horizon, and
// the chain still reaches head_seq. Entries after head_seq were appended later and may be older (a
// record replayed from the spool keeps its received_at), so they are not held to the horizon.
#include "hooks/audit/chain_verify.hpp"

#include "hooks/audit/chain_meta.hpp"
#include "hooks/audit/purge_anchor.hpp"
#include "hooks/audit/schema.hpp"
#include "hooks/audit/sqlite_db.hpp"

namespace ivig::audit {
namespace {

verify_result broken(const verify_result& so_far, std::int64_t seq, std::string problem) {
  verify_result result = so_far;
  result.ok = false;
  result.first_bad_seq = seq;
  result.problem = std::move(problem);
  return result;
}

/// What the walk learned that the expected head is checked against.
struct walked {
  chain_position head;
  std::optional<purge_anchor> anchor;
  std::optional<std::string> hash_at_expected;  ///< the hash the chain holds at the expected seq
};

verify_result check_expected_head(verify_result result, const walked& chain, const chain_position& want) {
  const auto missing = [&result](std::int64_t seq, std::string problem) {
    verify_result failed = broken(result, seq, std::move(problem));
    failed.expected_head_missing = true;
    return failed;
  };
  const std::string seq = "seq " + std::to_string(want.seq);
  if (want.seq == 0) {
    if (want.hash != genesis_hash) return missing(0, "seq 0 is the empty chain, whose hash is 64 zeros");
    result.expected_head_note = "the empty chain's";
    return result;
  }
  if (want.seq > chain.head.seq)
    return missing(chain.head.seq + 1, "the chain ends at seq " + std::to_string(chain.head.seq) + ", before " + seq +
                                           ": entries were removed from its end (or the file was replaced by an "
                                           "older copy)");
  if (chain.hash_at_expected) {
    if (*chain.hash_at_expected != want.hash)
      return missing(want.seq, seq + " has hash " + *chain.hash_at_expected +
                                   ": the chain was rewritten from there (or its end removed and written again)");
    result.expected_head_note = "found";
    return result;
  }
  if (chain.anchor && want.seq < chain.anchor->last_purged_seq) {
    result.expected_head_note = "purged below the purge anchor at seq " +
                                std::to_string(chain.anchor->last_purged_seq) + " (horizon " + chain.anchor->horizon +
                                ")";
    return result;
  }
  return missing(want.seq, seq + " is not in the chain, and no purge anchor covers it");
}

}  // namespace

verify_result verify_entries(const std::function<bool(entry_row&)>& next, const verify_options& options,
                             verify_result result) {
  const chain_seal& seal = options.seal;
  walked chain;
  std::string expected_prev = genesis_hash;
  bool first = true;
  bool after_anchor = false;
  std::int64_t previous_seq = 0;
  entry_row row;
  while (next(row)) {
    const std::int64_t seq = row.seq;
    const std::string& kind = row.kind;
    const std::string& received_at = row.received_at;
    const std::string& payload = row.payload;
    const std::string& prev_hash = row.prev_hash;
    const std::string& hash = row.hash;
    std::string holds;  // the hash the chain holds for this seq (an anchor: the one it stands in for)
    if (kind == anchor_kind) {
      if (!first) return broken(result, seq, "purge anchor after seq " + std::to_string(previous_seq));
      const std::optional<purge_anchor> anchor = read_anchor(payload);
      if (!anchor) return broken(result, seq, "purge anchor payload is unreadable");
      if (const auto problem = anchor_problem(*anchor, seq, received_at, prev_hash, seal.keyed()))
        return broken(result, seq, *problem);
      if (seal.seal(prev_hash, kind, received_at, payload) != hash)
        return broken(result, seq, "hash does not match the entry's contents");
      chain.anchor = anchor;
      holds = prev_hash;
    } else {
      if (after_anchor && chain.anchor->head_seq && seq <= *chain.anchor->head_seq &&
          received_at < chain.anchor->horizon)
        return broken(result, previous_seq,
                      "purge anchor's horizon " + chain.anchor->horizon + " is after seq " + std::to_string(seq) +
                          ", which its purge kept (received " + received_at + ")");
      if (prev_hash != expected_prev)
        return broken(result, seq,
                      first ? "the first entry does not start the chain (genesis or purge anchor)"
                            : "prev_hash does not link to seq " + std::to_string(previous_seq));
      if (seal.seal(prev_hash, kind, received_at, payload) != hash)
        return broken(result, seq, "hash does not match the entry's contents");
      holds = hash;
    }
    after_anchor = kind == anchor_kind;
    expected_prev = holds;
    if (options.expected_head && seq == options.expected_head->seq) chain.hash_at_expected = holds;
    chain.head = {seq, std::move(holds)};
    first = false;
    previous_seq = seq;
    ++result.entries;
  }
  if (chain.anchor && chain.anchor->head_seq && chain.head.seq < *chain.anchor->head_seq)
    return broken(result, chain.head.seq + 1,
                  "the chain ends at seq " + std::to_string(chain.head.seq) + ", but the purge anchor at seq " +
                      std::to_string(chain.anchor->last_purged_seq) + " recorded entries up to seq " +
                      std::to_string(*chain.anchor->head_seq) + ": entries were removed from its end");
  result.ok = true;
  result.head = chain.head;
  if (options.expected_head) return check_expected_head(result, chain, *options.expected_head);
  return result;
}

verify_result verify_chain(const std::string& path, const verify_options& options) {
  verify_result result;
  try {
    database db(path, database::open_mode::existing);
    const int version = schema_version(db);
    if (version < 1) return broken(result, 0, "not an audit log (schema version " + std::to_string(version) + ")");
    if (const auto mismatch = binding_mismatch(db, options.seal)) return broken(result, 0, *mismatch);
    const chain_binding binding = read_binding(db);
    result.seal = binding.seal;
    result.key_id = binding.key_id;
    statement rows(db, "SELECT seq, kind, received_at, payload, prev_hash, hash FROM entries ORDER BY seq");
    return verify_entries(
        [&rows](entry_row& row) {
          if (!rows.step()) return false;
          row = {rows.integer(0), rows.text(1), rows.text(2), rows.text(3), rows.text(4), rows.text(5)};
          return true;
        },
        options, result);
  } catch (const store_error& e) {
    return broken(result, 0, e.what());
  }
}

}  // namespace ivig::audit
