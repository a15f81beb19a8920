// hooks/audit/entry_writer.hpp: appends one record to the chain and its query tables.
//
// Owns the INSERTs of the write path (prepared once, reused for every record) and the feedback rules
// that need the database: dedupe and card matching. It must be called inside an open transaction; it
// never commits, so a batch is all or nothing. Only the store's writer thread uses it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "hooks/audit/audit_sink.hpp"
#include "hooks/audit/chain_seal.hpp"
#include "hooks/audit/sqlite_db.hpp"

namespace ivig::audit {

class entry_writer {
 public:
  /// Each entry is sealed with `seal` (chain_seal.hpp). `fault` is asked about "insert" before every
  /// INSERT (tests loop the failure point over them).
  entry_writer(database& db, chain_seal seal, fault_hook fault);

  /// Appends a call; `head` is the hash to link to and becomes the new entry's hash. Returns its seq.
  std::int64_t append_call(std::string& head, const call_record& call, const std::string& payload);
  /// Appends a feedback item unless an identical one (feedback_dedupe_key) is already recorded; then
  /// nothing is written and `duplicate` is returned.
  feedback_result append_feedback(std::string& head, const feedback_record& feedback, const std::string& payload);
  /// The seq of the last entry appended by this writer (for spool_replays).
  std::int64_t last_seq() const { return last_seq_; }

  /// True when the spooled record `spool_id` is already in the chain (replayed before a crash).
  bool already_replayed(const std::string& spool_id);
  /// True when the chain holds entry `seq` with exactly `hash`: a spooled record whose failed COMMIT
  /// came back from the WAL after a crash (sqlite_store.cpp, invariant 6).
  bool holds_entry(std::int64_t seq, const std::string& hash);
  /// Notes that `spool_id` has been replayed, as entry `seq` (nullopt: a duplicate feedback, skipped).
  void note_replayed(const std::string& spool_id, std::optional<std::int64_t> seq);

 private:
  std::int64_t append_entry(std::string& head, std::string_view kind, const std::string& received_at,
                            const std::string& payload);
  void insert(statement& s);

  database& db_;
  const chain_seal seal_;
  fault_hook fault_;
  std::int64_t last_seq_ = 0;
  statement entry_;
  statement call_;
  statement card_;
  statement rule_;
  statement feedback_;
  statement find_dedupe_;
  statement find_card_;
  statement find_replay_;
  statement find_entry_;
  statement replay_;
};

}  // namespace ivig::audit
