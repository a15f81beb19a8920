// hooks/audit/pg_reader.cpp: the audit_reader of a PostgreSQL audit database: every replica's chain.
//
// The same questions as sqlite_reader.cpp's, over the same tables with their chain_id: each row joins
// its own chain's rows ((chain_id, seq) is the key), and rows of all chains come in arrival order
// (entries.id), which for one chain is seq order. A card's rows are in their call's order (cards.id,
// migration 4). Each question is one read-only transaction; values are bound ($n), or quoted by libpq
// for the cursor's query (a cursor takes no parameters), never pasted as they came.
#include <pqxx/pqxx>

#include "hooks/audit/audit_reader.hpp"
#include "hooks/audit/pg_schema.hpp"
#include "hooks/audit/pg_store.hpp"
#include "hooks/audit/sqlite_db.hpp"

namespace ivig::audit {
namespace {

constexpr const char* call_columns =
    "c.seq, c.received_at, c.service_id, c.hook, c.hook_instance, c.user_id, c.patient, c.encounter_id, "
    "c.http_status, c.error_code, c.knowledge_version, c.service_ms, c.chain_id";

/// calls c joined to its entry e (for arrival order and the payload).
constexpr const char* calls_with_entries = " FROM calls c JOIN entries e ON e.chain_id = c.chain_id AND e.seq = c.seq";

call_row read_call(const pqxx::row& r) {
  return {r[0].as<std::int64_t>(), r[1].as<std::string>(), r[2].as<std::string>(),  r[3].as<std::string>(),
          r[4].as<std::string>(),  r[5].as<std::string>(), r[6].as<std::string>(),  r[7].as<std::string>(),
          r[8].as<unsigned>(),     r[9].as<std::string>(), r[10].as<std::string>(), r[11].as<double>(),
          r[12].as<std::string>()};
}

using read_tx = pqxx::transaction<pqxx::read_committed, pqxx::read_only>;

class pg_audit_reader final : public audit_reader {
 public:
  pg_audit_reader(const std::string& url, const std::string& passfile)
      : where_("audit store: " + pg_redacted_url(url)) {
    guarded([&] {
      connection_ = std::make_unique<pqxx::connection>(pg_connection_string(url, passfile));
      version_ = pg_schema_version(*connection_);
    });
    if (version_ < 1) throw store_error(where_ + " is not an audit log (no schema)", 1);
  }

  std::vector<call_row> list_calls(const call_filter& filter) override {
    std::string sql = std::string("SELECT ") + call_columns + calls_with_entries + " WHERE TRUE";
    std::vector<std::string> values;
    const auto where = [&](const std::string& value, const char* before, const char* after) {
      if (value.empty()) return;
      values.push_back(value);
      sql += before + ("$" + std::to_string(values.size())) + after;
    };
    where(filter.patient, " AND c.patient = ", "");
    where(filter.user_id, " AND c.user_id = ", "");
    where(filter.from, " AND c.received_at >= ", "");
    where(filter.to, " AND c.received_at < ", "");
    where(filter.rule_id,
          " AND EXISTS (SELECT 1 FROM call_rules r WHERE r.chain_id = c.chain_id AND r.seq = c.seq AND r.rule_id = ",
          " AND r.fired <> 0)");
    where(filter.indicator,
          " AND EXISTS (SELECT 1 FROM cards k WHERE k.chain_id = c.chain_id AND k.seq = c.seq AND k.indicator = ", ")");
    sql += " ORDER BY e.id";
    if (filter.limit > 0) sql += " LIMIT " + std::to_string(filter.limit);
    return guarded([&] {
      read_tx tx(*connection_);
      std::vector<call_row> rows;
      for (const pqxx::row& r : tx.exec_params(sql, pqxx::prepare::make_dynamic_params(values)))
        rows.push_back(read_call(r));
      return rows;
    });
  }

  hook_instance_view show_hook_instance(const std::string& hook_instance) override {
    return guarded([&] {
      read_tx tx(*connection_);
      hook_instance_view view;
      for (const pqxx::row& r : tx.exec_params(std::string("SELECT ") + call_columns + ", e.payload" +
                                                   calls_with_entries + " WHERE c.hook_instance = $1 ORDER BY e.id",
                                               hook_instance)) {
        view.calls.push_back(read_call(r));
        view.payloads.push_back(r[13].as<std::string>());
      }
      for (const pqxx::row& r :
           tx.exec_params(std::string("SELECT k.seq, k.card_uuid, k.indicator, k.summary, k.rule_ids, k.chain_id "
                                      "FROM cards k JOIN calls c ON c.chain_id = k.chain_id AND c.seq = k.seq "
                                      "JOIN entries e ON e.chain_id = k.chain_id AND e.seq = k.seq "
                                      "WHERE c.hook_instance = $1 ORDER BY e.id, ") +
                              card_order(),
                          hook_instance))
        view.cards.push_back({r[0].as<std::int64_t>(), r[1].as<std::string>(), r[2].as<std::string>(),
                              r[3].as<std::string>(), r[4].as<std::string>(), r[5].as<std::string>()});
      // Feedback may reach another replica than its call did: cards are matched across chains.
      for (const pqxx::row& r :
           tx.exec_params("SELECT f.seq, e.received_at, f.card_uuid, f.outcome, f.override_code, f.user_comment, "
                          "f.outcome_timestamp, f.matched, f.chain_id FROM feedback f "
                          "JOIN entries e ON e.chain_id = f.chain_id AND e.seq = f.seq "
                          "WHERE f.card_uuid IN (SELECT k.card_uuid FROM cards k JOIN calls c "
                          "ON c.chain_id = k.chain_id AND c.seq = k.seq WHERE c.hook_instance = $1) ORDER BY e.id",
                          hook_instance))
        view.feedback.push_back({r[0].as<std::int64_t>(), r[1].as<std::string>(), r[2].as<std::string>(),
                                 r[3].as<std::string>(), r[4].as<std::string>(), r[5].as<std::string>(),
                                 r[6].as<std::string>(), r[7].as<int>() != 0, r[8].as<std::string>()});
      return view;
    });
  }

  void for_each_call(const std::string& from, const std::string& to, bool answered_only,
                     const std::function<void(const entry_ref&, const std::string&)>& visit) override {
    // A month of payloads need not fit in memory: a cursor hands them over a batch at a time.
    const std::string sql = std::string("SELECT c.chain_id, c.seq, e.payload") + calls_with_entries +
                            " WHERE c.received_at >= " + connection_->quote(from) + " AND (" + connection_->quote(to) +
                            " = '' OR c.received_at < " + connection_->quote(to) + ")" +
                            (answered_only ? " AND c.http_status = 200" : "") + " ORDER BY e.id";
    guarded([&] {
      read_tx tx(*connection_);
      pqxx::icursorstream cursor(tx, sql, "audit_calls", 256);
      for (pqxx::result rows; cursor >> rows;)
        for (const pqxx::row& r : rows)
          visit({r[0].as<std::string>(), r[1].as<std::int64_t>()}, r[2].as<std::string>());
    });
  }

  void for_each_card_outcome(
      const std::string& from, const std::string& to,
      const std::function<void(const std::string&, const std::string&, const std::string&)>& visit) override {
    guarded([&] {
      read_tx tx(*connection_);
      for (const pqxx::row& r :
           tx.exec_params(std::string("SELECT k.indicator, k.rule_ids, "
                                      "(SELECT f.outcome FROM feedback f JOIN entries fe ON fe.chain_id = f.chain_id "
                                      "AND fe.seq = f.seq WHERE f.card_uuid = k.card_uuid "
                                      "ORDER BY f.outcome_timestamp DESC, fe.id DESC LIMIT 1) "
                                      "FROM cards k JOIN calls c ON c.chain_id = k.chain_id AND c.seq = k.seq "
                                      "JOIN entries e ON e.chain_id = k.chain_id AND e.seq = k.seq "
                                      "WHERE c.received_at >= $1 AND ($2 = '' OR c.received_at < $2) ORDER BY e.id, ") +
                              card_order(),
                          from, to))
        visit(r[0].as<std::string>(), r[1].as<std::string>(), r[2].is_null() ? std::string() : r[2].as<std::string>());
    });
  }

 private:
  /// A call's cards in the order it showed them: cards.id from migration 4 on (a database no replica
  /// has migrated yet has only its rows' physical order).
  const char* card_order() const { return version_ >= 4 ? "k.id" : "k.ctid"; }

  template <typename F>
  auto guarded(F&& f) -> decltype(f()) {
    try {
      return f();
    } catch (const pqxx::failure& e) {
      throw store_error(where_ + ": " + pg_one_line(e.what()), 1);
    }
  }

  std::string where_;
  std::unique_ptr<pqxx::connection> connection_;
  int version_ = 0;
};

}  // namespace

std::unique_ptr<audit_reader> pg_reader(const std::string& url, const std::string& passfile) {
  return std::make_unique<pg_audit_reader>(url, passfile);
}

}  // namespace ivig::audit
