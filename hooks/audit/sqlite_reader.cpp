// hooks/audit/sqlite_reader.cpp: the audit_reader of a SQLite file, as parameterised SQL over its query
// tables, and queries.hpp's shortcuts to it.
//
// Read-only: the reader opens its own connection and only SELECTs. Filters are bound values, never
// text pasted into SQL. The file holds one chain: rows name none (chain_id "").
#include "hooks/audit/audit_reader.hpp"
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

class sqlite_audit_reader final : public audit_reader {
 public:
  explicit sqlite_audit_reader(const std::string& path) : db_(path, database::open_mode::existing) {}

  std::vector<call_row> list_calls(const call_filter& filter) override {
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

    statement query(db_, sql);
    for (std::size_t i = 0; i < values.size(); ++i) query.bind_text(static_cast<int>(i + 1), values[i]);
    std::vector<call_row> rows;
    while (query.step()) rows.push_back(read_call(query));
    return rows;
  }

  hook_instance_view show_hook_instance(const std::string& hook_instance) override {
    hook_instance_view view;
    statement calls(db_, std::string("SELECT ") + call_columns +
                             ", e.payload FROM calls c JOIN entries e ON e.seq = c.seq "
                             "WHERE c.hook_instance = ? ORDER BY c.seq");
    calls.bind_text(1, hook_instance);
    while (calls.step()) {
      view.calls.push_back(read_call(calls));
      view.payloads.push_back(calls.text(12));
    }
    statement cards(db_,
                    "SELECT k.seq, k.card_uuid, k.indicator, k.summary, k.rule_ids FROM cards k "
                    "JOIN calls c ON c.seq = k.seq WHERE c.hook_instance = ? ORDER BY k.seq, k.rowid");
    cards.bind_text(1, hook_instance);
    while (cards.step())
      view.cards.push_back({cards.integer(0), cards.text(1), cards.text(2), cards.text(3), cards.text(4)});
    statement feedback(db_,
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

  void for_each_call(const std::string& from, const std::string& to, bool answered_only,
                     const std::function<void(const entry_ref&, const std::string&)>& visit) override {
    // Every call entry has its calls row; the export reads the entries alone, as it always has.
    statement query(db_, answered_only ? "SELECT c.seq, e.payload FROM calls c JOIN entries e ON e.seq = c.seq "
                                         "WHERE c.http_status = 200 AND c.received_at >= ? "
                                         "AND (? = '' OR c.received_at < ?) ORDER BY c.seq"
                                       : "SELECT seq, payload FROM entries WHERE kind = 'call' AND received_at >= ? "
                                         "AND (? = '' OR received_at < ?) ORDER BY seq");
    query.bind_text(1, from).bind_text(2, to).bind_text(3, to);
    while (query.step()) visit({"", query.integer(0)}, query.text(1));
  }

  void for_each_card_outcome(
      const std::string& from, const std::string& to,
      const std::function<void(const std::string&, const std::string&, const std::string&)>& visit) override {
    statement cards(db_,
                    "SELECT k.indicator, k.rule_ids, "
                    "(SELECT f.outcome FROM feedback f WHERE f.card_uuid = k.card_uuid "
                    " ORDER BY f.outcome_timestamp DESC, f.seq DESC LIMIT 1) "
                    "FROM cards k JOIN calls c ON c.seq = k.seq "
                    "WHERE c.received_at >= ? AND (? = '' OR c.received_at < ?) ORDER BY k.seq, k.rowid");
    cards.bind_text(1, from).bind_text(2, to).bind_text(3, to);
    while (cards.step()) visit(cards.text(0), cards.text(1), cards.text(2));
  }

 private:
  database db_;
};

}  // namespace

std::unique_ptr<audit_reader> sqlite_reader(const std::string& path) {
  return std::make_unique<sqlite_audit_reader>(path);
}

std::vector<call_row> list_calls(const std::string& path, const call_filter& filter) {
  return sqlite_reader(path)->list_calls(filter);
}

void for_each_answered_call(const std::string& path, const std::string& from, const std::string& to,
                            const std::function<void(std::int64_t seq, const std::string& payload)>& visit) {
  sqlite_reader(path)->for_each_call(from, to, true,
                                     [&](const entry_ref& at, const std::string& payload) { visit(at.seq, payload); });
}

hook_instance_view show_hook_instance(const std::string& path, const std::string& hook_instance) {
  return sqlite_reader(path)->show_hook_instance(hook_instance);
}

}  // namespace ivig::audit
