// hooks/audit/entry_writer.cpp: the INSERTs of one record, inside the caller's transaction.
//
// Every INSERT passes the fault hook first, so tests can fail any one of them; none commits. The
// feedback lookups (dedupe, card match) run inside the same transaction, so a batch sees its own rows.
#include "hooks/audit/entry_writer.hpp"

#include "hooks/audit/record_json.hpp"

namespace ivig::audit {
namespace {}  // namespace

entry_writer::entry_writer(database& db, chain_seal seal, fault_hook fault)
    : db_(db),
      seal_(std::move(seal)),
      fault_(std::move(fault)),
      entry_(db, "INSERT INTO entries(kind, received_at, payload, prev_hash, hash) VALUES(?, ?, ?, ?, ?)"),
      call_(db,
            "INSERT INTO calls(seq, received_at, service_id, hook, hook_instance, user_id, patient, encounter_id, "
            "http_status, error_code, knowledge_version, service_ms) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
      card_(db, "INSERT INTO cards(seq, card_uuid, indicator, summary, rule_ids) VALUES(?, ?, ?, ?, ?)"),
      rule_(db, "INSERT INTO call_rules(seq, rule_id, fired) VALUES(?, ?, ?)"),
      feedback_(db,
                "INSERT INTO feedback(seq, card_uuid, outcome, override_code, user_comment, outcome_timestamp, "
                "matched, dedupe_key) VALUES(?, ?, ?, ?, ?, ?, ?, ?)"),
      find_dedupe_(db, "SELECT 1 FROM feedback WHERE dedupe_key = ?"),
      find_card_(db, "SELECT 1 FROM cards WHERE card_uuid = ? LIMIT 1"),
      find_replay_(db, "SELECT 1 FROM spool_replays WHERE spool_id = ?"),
      find_entry_(db, "SELECT 1 FROM entries WHERE seq = ? AND hash = ?"),
      replay_(db, "INSERT INTO spool_replays(spool_id, seq) VALUES(?, ?)") {}

void entry_writer::insert(statement& s) {
  check_fault(fault_, "insert");
  s.run();
}

std::int64_t entry_writer::append_entry(std::string& head, std::string_view kind, const std::string& received_at,
                                        const std::string& payload) {
  std::string hash = seal_.seal(head, kind, received_at, payload);
  entry_.bind_text(1, kind).bind_text(2, received_at).bind_text(3, payload).bind_text(4, head).bind_text(5, hash);
  insert(entry_);
  head = std::move(hash);
  last_seq_ = db_.last_insert_rowid();
  return last_seq_;
}

std::int64_t entry_writer::append_call(std::string& head, const call_record& call, const std::string& payload) {
  const std::int64_t seq = append_entry(head, "call", call.received_at, payload);
  call_.bind_int(1, seq)
      .bind_text(2, call.received_at)
      .bind_text(3, call.service_id)
      .bind_text(4, call.hook)
      .bind_text(5, call.hook_instance)
      .bind_text(6, call.user_id)
      .bind_text(7, call.patient)
      .bind_text(8, call.encounter_id)
      .bind_int(9, call.http_status)
      .bind_text(10, call.error_code)
      .bind_text(11, call.knowledge_version)
      .bind_real(12, call.service_ms);
  insert(call_);
  for (const card_record& card : call.cards) {
    card_.bind_int(1, seq)
        .bind_text(2, card.uuid)
        .bind_text(3, card.indicator)
        .bind_text(4, card.summary)
        .bind_text(5, join_rule_ids(card.rule_ids));
    insert(card_);
  }
  // Only the rules that fired or failed get a query row: the ~30 that ran quietly on every call were
  // most of the writer's work (docs/audit.md, "Tables"); the payload lists every rule evaluated.
  for (const rule_record& rule : call.rules) {
    if (!rule.fired && rule.error.empty()) continue;
    rule_.bind_int(1, seq).bind_text(2, rule.rule_id).bind_int(3, rule.fired ? 1 : 0);
    insert(rule_);
  }
  return seq;
}

feedback_result entry_writer::append_feedback(std::string& head, const feedback_record& feedback,
                                              const std::string& payload) {
  const std::string key = feedback_dedupe_key(feedback);
  find_dedupe_.bind_text(1, key);
  if (find_dedupe_.step()) {
    find_dedupe_.reset();
    return feedback_result::duplicate;
  }
  find_card_.bind_text(1, feedback.card_uuid);
  const bool matched = find_card_.step();
  if (matched) find_card_.reset();

  const std::int64_t seq = append_entry(head, "feedback", feedback.received_at, payload);
  feedback_.bind_int(1, seq)
      .bind_text(2, feedback.card_uuid)
      .bind_text(3, feedback.outcome)
      .bind_text(4, feedback.override_code)
      .bind_text(5, feedback.user_comment)
      .bind_text(6, feedback.outcome_timestamp)
      .bind_int(7, matched ? 1 : 0)
      .bind_text(8, key);
  insert(feedback_);
  return matched ? feedback_result::recorded_matched : feedback_result::recorded_unmatched;
}

bool entry_writer::already_replayed(const std::string& spool_id) {
  find_replay_.bind_text(1, spool_id);
  const bool found = find_replay_.step();
  if (found) find_replay_.reset();
  return found;
}

bool entry_writer::holds_entry(std::int64_t seq, const std::string& hash) {
  find_entry_.bind_int(1, seq).bind_text(2, hash);
  const bool found = find_entry_.step();
  if (found) find_entry_.reset();
  return found;
}

void entry_writer::note_replayed(const std::string& spool_id, std::optional<std::int64_t> seq) {
  replay_.bind_text(1, spool_id);
  if (seq) {
    replay_.bind_int(2, *seq);
  } else {
    replay_.bind_null(2);
  }
  insert(replay_);
}

}  // namespace ivig::audit
