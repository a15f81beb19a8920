// hooks/audit/audit_reader.hpp: one read interface over both audit stores, for the CLI's queries.
//
// Owns the questions `audit list`, `show`, `report`, `export` and `ivig-cds replay` ask of a log, with
// one implementation per store: SQLite (sqlite_reader.cpp, one chain, the file) and PostgreSQL
// (pg_reader.cpp, every replica's chain of the database). Both answer with the same rows in the same
// order for a log of one chain; on PostgreSQL rows also name their chain (`chain_id`), because a seq is
// a position in one chain, and rows of several chains come in arrival order (entries.id). Readers only
// SELECT, and throw store_error when the log cannot be read. Formatting is the callers'.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "hooks/audit/queries.hpp"

namespace ivig::audit {

/// Where a recorded call is: its chain ("" on SQLite, the one chain) and its seq in that chain.
struct entry_ref {
  std::string chain_id;
  std::int64_t seq = 0;
};

/// "seq" on SQLite, "chain:seq" when the chain is named: how messages name an entry.
inline std::string entry_label(const entry_ref& at) {
  return (at.chain_id.empty() ? "" : at.chain_id + ":") + std::to_string(at.seq);
}

class audit_reader {
 public:
  virtual ~audit_reader() = default;

  /// Calls matching `filter`, oldest first (seq order; arrival order across chains).
  virtual std::vector<call_row> list_calls(const call_filter& filter) = 0;
  /// One hookInstance's calls, payloads, cards and feedback (queries.hpp).
  virtual hook_instance_view show_hook_instance(const std::string& hook_instance) = 0;
  /// `visit(at, payload)` for each call received in [from, to) (an empty bound is open), oldest first,
  /// one at a time; only those answered 200 when `answered_only`.
  virtual void for_each_call(const std::string& from, const std::string& to, bool answered_only,
                             const std::function<void(const entry_ref& at, const std::string& payload)>& visit) = 0;
  /// `visit(indicator, rule_ids, outcome)` for each card shown by a call received in [from, to), with
  /// the outcome of its latest feedback (greatest outcomeTimestamp, then the later record; "" if none).
  virtual void for_each_card_outcome(const std::string& from, const std::string& to,
                                     const std::function<void(const std::string& indicator, const std::string& rule_ids,
                                                              const std::string& outcome)>& visit) = 0;
};

/// The SQLite file at `path` (which must exist).
std::unique_ptr<audit_reader> sqlite_reader(const std::string& path);
/// The PostgreSQL database at `url` (passfile: pg_store.hpp), every chain of it. Throws store_error
/// when it cannot be reached or holds no audit log.
std::unique_ptr<audit_reader> pg_reader(const std::string& url, const std::string& passfile);

}  // namespace ivig::audit
