// hooks/audit/chain_writer.hpp: what the failure policy needs of a database to append a batch.
//
// Owns nothing: it is the seam between the database-agnostic write path (spooling_store.hpp: group
// commit, spool, replay, readiness) and one engine's transaction and INSERTs (SQLite: sqlite_store.cpp;
// PostgreSQL: pg_store.cpp). Every member may throw store_error; the caller then rolls back and
// spools. Only the store's writer thread (and its constructor) uses it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "hooks/audit/audit_sink.hpp"
#include "hooks/audit/chain.hpp"

namespace ivig::audit {

class chain_writer {
 public:
  virtual ~chain_writer() = default;

  /// Opens the batch's transaction (and, for a server, the connection when it was lost).
  virtual void begin() = 0;
  /// Commits it: only after this returns is the batch durable.
  virtual void commit() = 0;
  /// Abandons it; never throws (a lost connection has rolled back already).
  virtual void rollback() noexcept = 0;

  /// The chain's head (its hash is the one the next entry links to): inside the batch's transaction, or
  /// outside any (at start).
  virtual chain_position head() = 0;
  /// Appends a call; `head` is the hash to link to and becomes the new entry's hash. Returns its seq.
  virtual std::int64_t append_call(std::string& head, const call_record& call, const std::string& payload) = 0;
  /// Appends a feedback item unless an identical one is already recorded (then `duplicate`).
  virtual feedback_result append_feedback(std::string& head, const feedback_record& feedback,
                                          const std::string& payload) = 0;
  /// The seq of the last entry appended.
  virtual std::int64_t last_seq() const = 0;
  /// True when the spooled record `spool_id` is already in the chain (replayed before a crash).
  virtual bool already_replayed(const std::string& spool_id) = 0;
  /// True when the chain holds entry `seq` with exactly `hash` (a COMMIT that failed as far as we knew
  /// but reached the database: invariant 6).
  virtual bool holds_entry(std::int64_t seq, const std::string& hash) = 0;
  /// Notes that `spool_id` has been replayed, as entry `seq` (nullopt: a duplicate feedback, skipped).
  virtual void note_replayed(const std::string& spool_id, std::optional<std::int64_t> seq) = 0;
};

}  // namespace ivig::audit
