// hooks/audit/queries.cpp: list and show, as parameterised SQL over the query tables.
//
// Read-only: each function opens its own connection and only SELECTs. Filters are bound values,
// never text pasted into SQL.
#include "hooks/audit/queries.hpp"

#include "hooks/audit/sqlite_db.hpp"

namespace ivig::audit {
namespace {

constexpr const char* call_columns =
    "c.seq, c.received_at, c.service_id, c.hook, c.hook_instance, c.user_id, c.patient, c.encounter_id, "
    "c.http_status, c.error_code, c.knowledge_version, c.service_ms";

call_row read_call(const statement& s) {
  return {s.integer(0), s.text(1),  s.text(2),
          s.text(3),    s.text(4),  s.text(5),
          s.text(6),    s.text(7),  static_cast<unsigned>(s.integer(8)),
          s.text(9),    s.text(10), s.real(11)};
}

}  // namespace

std::vector<call_row> list_calls(const std::string& path, const call_filter& filter) {
  database db(path, database::open_mode::existing);
  // Only fixed SQL fragments are concatenated; every value is bound.
  std::string sql = std::string("SELECT ") + call_columns + " FROM calls c WHERE 1";
  std::vector<std::string> values;
  const auto where = [&](const std::string& value, const char* condition) {
    if (value.empty()) return;
    sql += condition;
    values.push_back(value);
  };
  where(filter.patient, " AND c.patient = ?");
  where(filter.user_id, " AND c.user_id = ?");
  where(filter.from, " AND c.received_at >= ?");
  where(filter.to, " AND c.received_at < ?");
  where(filter.rule_id, " AND EXISTS (SELECT 1 FROM call_rules r WHERE r.seq = c.seq AND r.rule_id = ? AND r.fired)");
  where(filter.indicator, " AND EXISTS (SELECT 1 FROM cards k WHERE k.seq = c.seq AND k.indicator = ?)");
  sql += " ORDER BY c.seq";
  if (filter.limit > 0) sql += " LIMIT " + std::to_string(filter.limit);

  statement query(db, sql);
  for (std::size_t i = 0; i < values.size(); ++i) query.bind_text(static_cast<int>(i + 1), values[i]);
  std::vector<call_row> rows;
  while (query.step()) rows.push_back(read_call(query));
  return rows;
}

void for_each_answered_call(const std::string& path, const std::string& from, const std::string& to,
                            const std::function<void(std::int64_t seq, const std::string& payload)>& visit) {
  database db(path, database::open_mode::existing);
  std::string sql = "SELECT c.seq, e.payload FROM calls c JOIN entries e ON e.seq = c.seq WHERE c.http_status = 200";
  std::vector<std::string> values;
  if (!from.empty()) {
    sql += " AND c.received_at >= ?";
    values.push_back(from);
  }
  if (!to.empty()) {
    sql += " AND c.received_at < ?";
    values.push_back(to);
  }
  statement query(db, sql + " ORDER BY c.seq");
  for (std::size_t i = 0; i < values.size(); ++i) query.bind_text(static_cast<int>(i + 1), values[i]);
  while (query.step()) visit(query.integer(0), query.text(1));
}

hook_instance_view show_hook_instance(const std::string& path, const std::string& hook_instance) {
  database db(path, database::open_mode::existing);
  hook_instance_view view;
  statement calls(db, std::string("SELECT ") + call_columns +
                          ", e.payload FROM calls c JOIN entries e ON e.seq = c.seq "
                          "WHERE c.hook_instance = ? ORDER BY c.seq");
  calls.bind_text(1, hook_instance);
  while (calls.step()) {
    view.calls.push_back(read_call(calls));
    view.payloads.push_back(calls.text(12));
  }
  statement cards(db,
                  "SELECT k.seq, k.card_uuid, k.indicator, k.summary, k.rule_ids FROM cards k "
                  "JOIN calls c ON c.seq = k.seq WHERE c.hook_instance = ? ORDER BY k.seq, k.rowid");
  cards.bind_text(1, hook_instance);
  while (cards.step())
    view.cards.push_back({cards.integer(0), cards.text(1), cards.text(2), cards.text(3), cards.text(4)});
  statement feedback(db,
                     "SELECT f.seq, e.received_at, f.card_uuid, f.outcome, f.override_code, f.user_comment, "
                     "f.outcome_timestamp, f.matched FROM feedback f JOIN entries e ON e.seq = f.seq "
                     "WHERE f.card_uuid IN (SELECT k.card_uuid FROM cards k JOIN calls c ON c.seq = k.seq "
                     "WHERE c.hook_instance = ?) ORDER BY f.seq");
  feedback.bind_text(1, hook_instance);
  while (feedback.step())
    view.feedback.push_back({feedback.integer(0), feedback.text(1), feedback.text(2), feedback.text(3),
                             feedback.text(4), feedback.text(5), feedback.text(6), feedback.integer(7) != 0});
  return view;
}

}  // namespace ivig::audit
