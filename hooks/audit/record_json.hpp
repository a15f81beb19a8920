// hooks/audit/record_json.hpp: the canonical JSON of audit records, and the spool's line format.
//
// Owns the one text form of a record: the `entries.payload` that the hash chain seals, the spool line
// that carries a record while the store fails, and the parsers that read both back (replay, export).
// Canonical means: every field of the struct, always, in declaration order, no whitespace; so the same
// record always gives the same bytes and `to_json(*call_from_json(to_json(r))) == to_json(r)`.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hooks/audit/audit_sink.hpp"

namespace ivig::audit {

/// A card's rule ids as the query tables keep them: separated by single spaces ("R3 R2").
std::string join_rule_ids(const std::vector<std::string>& ids);

std::string to_json(const call_record& call);
std::string to_json(const feedback_record& feedback);

/// Strict readers: nullopt when the text is not an object of the right shape (a member of the wrong
/// type). Missing members keep their defaults, so a payload written by an older build still reads.
std::optional<call_record> call_from_json(std::string_view json);
std::optional<feedback_record> feedback_from_json(std::string_view json);

/// Hex SHA-256 identifying "the same feedback item": card uuid, outcome, the accepted suggestion ids
/// (sorted: their order carries no meaning), override code, user comment and outcome timestamp.
std::string feedback_dedupe_key(const feedback_record& feedback);

/// One record in the spool: its id (for exactly-once replay), its kind ("call" or "feedback") and its
/// canonical payload.
struct spool_entry {
  std::string spool_id;
  std::string kind;
  std::string payload;
  /// Where the transaction that failed to commit it put it in the chain (0: nowhere, e.g. it failed
  /// at BEGIN): its seq and hash, kept so that replay can tell whether that COMMIT came back.
  std::int64_t attempted_seq = 0;
  std::string attempted_hash{};
};

/// `{"spool_id":…,"kind":…,"record":<payload>}` without a newline; the payload is embedded as JSON.
/// With an attempted seq, `"attempted_seq":…,"attempted_hash":…` follow the kind.
std::string spool_line(const spool_entry& entry);
/// nullopt for a line that is not a complete spool line (a torn write, foreign text).
std::optional<spool_entry> parse_spool_line(std::string_view line);

}  // namespace ivig::audit
