// hooks/audit/pg_store.cpp: the PostgreSQL audit store: the connection, the chain's advisory lock, and
// the chain_writer that appends to this replica's chain.
//
// The write path and its failure policy (invariants 1-9) are spooling_store.cpp's. What is
// PostgreSQL's own:
//  - Durability: synchronous_commit is set on for the session (whatever the database's default), so
//    COMMIT returns only once the commit record is flushed: a response is sent after that (invariant 1).
//  - One writer per chain: a session-level advisory lock on the chain id, taken at connect. A second
//    process with the same chain id is refused at start; a writer that reconnects takes it again, and
//    while it cannot (another process took the chain meanwhile) its batches fail and are spooled.
//  - A lost connection is a failure like a disk error: the batch is spooled, ready() is false, and
//    the next retry reconnects. libpqxx 6 would silently reconnect a broken connection on its next
//    use, losing the lock; so the connection is dropped after any failure and checked (by its backend
//    pid) before each batch.
//  - A COMMIT whose outcome is unknown (the connection lost during COMMIT: pqxx::in_doubt_error or
//    broken_connection) may have committed. The batch is spooled with the seq and hash the transaction
//    gave each record, and the replay skips a record whose entry this chain holds with that hash
//    (invariant 6), exactly as for SQLite's WAL that comes back after a failed fsync.
#include "hooks/audit/pg_store.hpp"

#include <optional>

#include <pqxx/pqxx>

#include "hooks/audit/chain_meta.hpp"
#include "hooks/audit/pg_schema.hpp"
#include "hooks/audit/purge_anchor.hpp"
#include "hooks/audit/record_json.hpp"

namespace ivig::audit {
namespace {

std::string percent_encoded(std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : text) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~' || c == '/') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// Serialises the replicas' seal binding (and, in pg_schema.cpp, their migrations).
constexpr long long binding_lock = 0x1716c0d5a0d18;

}  // namespace

std::string pg_one_line(std::string_view text) {
  std::string line;
  for (const char c : text) {
    if (c == '\n') {
      if (!line.empty() && line.back() != ' ') line += "; ";
    } else if (c != '\t' && c != '\r') {
      line += c;
    }
  }
  while (!line.empty() && (line.back() == ' ' || line.back() == ';')) line.pop_back();
  return line;
}

std::string pg_connection_string(const std::string& url, const std::string& passfile) {
  if (passfile.empty()) return url;
  return url + (url.find('?') == std::string::npos ? "?" : "&") + "passfile=" + percent_encoded(passfile);
}

std::string pg_redacted_url(const std::string& url) {
  std::string shown = url;
  const auto scheme = shown.find("://");
  const auto at = shown.find('@', scheme == std::string::npos ? 0 : scheme + 3);
  if (scheme != std::string::npos && at != std::string::npos) {
    const auto colon = shown.find(':', scheme + 3);
    if (colon != std::string::npos && colon < at) shown.replace(colon + 1, at - colon - 1, "***");
  }
  const auto password = shown.find("password=");
  if (password != std::string::npos) {
    const auto end = shown.find('&', password);
    shown.replace(password + 9, end == std::string::npos ? std::string::npos : end - password - 9, "***");
  }
  return shown;
}

/// This replica's chain on one connection: the batch's transaction and its INSERTs.
class pg_chain_writer final : public chain_writer {
 public:
  pg_chain_writer(std::string conninfo, std::string where, std::string chain_id, chain_seal seal, fault_hook fault)
      : conninfo_(std::move(conninfo)),
        where_(std::move(where)),
        chain_id_(std::move(chain_id)),
        seal_(std::move(seal)),
        fault_(std::move(fault)) {}
  ~pg_chain_writer() override { drop(); }
  pg_chain_writer(const pg_chain_writer&) = delete;
  pg_chain_writer& operator=(const pg_chain_writer&) = delete;

  /// Connects, migrates and binds the seal: the start-up checks, all configuration errors.
  void open() {
    guarded([&] {
      connect();
      pg_migrate(*conn_);
      bind_seal();
    });
  }

  void begin() override {
    guarded([&] {
      if (!conn_ || !conn_->is_open() || conn_->backendpid() != locked_pid_) {
        drop();
        connect();
      }
      pending_.clear();  // a batch that failed before its flush left its INSERTs here
      tx_ = std::make_unique<pqxx::work>(*conn_);
    });
  }

  void commit() override {
    guarded([&] {
      flush();
      tx_->commit();
      tx_.reset();
    });
  }

  void rollback() noexcept override {
    try {
      tx_.reset();   // aborts
    } catch (...) {  // a lost connection has rolled back already
    }
    if (broken_) drop();
  }

  chain_position head() override {
    return guarded([&] {
      std::unique_ptr<pqxx::nontransaction> outside;
      if (!tx_) {
        if (!conn_ || !conn_->is_open()) connect();
        outside = std::make_unique<pqxx::nontransaction>(*conn_);
      }
      pqxx::transaction_base& tx = tx_ ? static_cast<pqxx::transaction_base&>(*tx_) : *outside;
      const pqxx::result last = tx.exec_prepared("head", chain_id_);
      chain_position head;
      if (!last.empty()) {
        const pqxx::row row = last[0];
        head = {row[0].as<std::int64_t>(),
                row[1].as<std::string>() == anchor_kind ? row[2].as<std::string>() : row[3].as<std::string>()};
      }
      if (tx_) last_seq_ = head.seq;  // a batch numbers its entries after the head it read
      return head;
    });
  }

  std::int64_t append_call(std::string& head, const call_record& call, const std::string& payload) override {
    return guarded([&] {
      const std::int64_t seq = append_entry(head, "call", call.received_at, payload);
      insert(
          "calls(chain_id, seq, received_at, service_id, hook, hook_instance, user_id, patient, encounter_id, "
          "http_status, error_code, knowledge_version, service_ms)",
          chain_id_, seq, call.received_at, call.service_id, call.hook, call.hook_instance, call.user_id, call.patient,
          call.encounter_id, static_cast<int>(call.http_status), call.error_code, call.knowledge_version,
          call.service_ms);
      for (const card_record& card : call.cards)
        insert("cards(chain_id, seq, card_uuid, indicator, summary, rule_ids)", chain_id_, seq, card.uuid,
               card.indicator, card.summary, join_rule_ids(card.rule_ids));
      // As on SQLite: only the rules that fired or failed get a query row (docs/audit.md, "Rows per call").
      for (const rule_record& rule : call.rules) {
        if (!rule.fired && rule.error.empty()) continue;
        insert("call_rules(chain_id, seq, rule_id, fired)", chain_id_, seq, rule.rule_id, rule.fired ? 1 : 0);
      }
      return seq;
    });
  }

  feedback_result append_feedback(std::string& head, const feedback_record& feedback,
                                  const std::string& payload) override {
    return guarded([&] {
      const std::string key = feedback_dedupe_key(feedback);
      flush();  // the lookups must see this batch's rows
      if (!tx_->exec_prepared("find_dedupe", key).empty()) return feedback_result::duplicate;
      // A card of any replica's chain: the feedback may reach another replica than the call did.
      const bool matched = !tx_->exec_prepared("find_card", feedback.card_uuid).empty();
      const std::int64_t seq = append_entry(head, "feedback", feedback.received_at, payload);
      insert(
          "feedback(chain_id, seq, card_uuid, outcome, override_code, user_comment, outcome_timestamp, matched, "
          "dedupe_key)",
          chain_id_, seq, feedback.card_uuid, feedback.outcome, feedback.override_code, feedback.user_comment,
          feedback.outcome_timestamp, matched ? 1 : 0, key);
      return matched ? feedback_result::recorded_matched : feedback_result::recorded_unmatched;
    });
  }

  std::int64_t last_seq() const override { return last_seq_; }

  bool already_replayed(const std::string& spool_id) override {
    return guarded([&] {
      flush();
      return !tx_->exec_prepared("find_replay", spool_id).empty();
    });
  }

  bool holds_entry(std::int64_t seq, const std::string& hash) override {
    return guarded([&] {
      flush();
      return !tx_->exec_prepared("find_entry", chain_id_, seq, hash).empty();
    });
  }

  void note_replayed(const std::string& spool_id, std::optional<std::int64_t> seq) override {
    guarded([&] {
      if (seq) {
        insert("spool_replays(spool_id, chain_id, seq)", spool_id, chain_id_, *seq);
      } else {
        insert("spool_replays(spool_id, chain_id, seq)", spool_id, chain_id_, nullptr);
      }
    });
  }

 private:
  /// Runs `f`, turning libpqxx's exceptions into store_error (and noting a connection to drop).
  template <typename F>
  auto guarded(F&& f) -> decltype(f()) {
    try {
      return f();
    } catch (const store_error&) {
      broken_ = true;
      throw;
    } catch (const pqxx::failure& e) {
      broken_ = true;  // dropped at rollback: libpqxx would reconnect it without the chain's lock
      throw store_error(where_ + ": " + pg_one_line(e.what()), 1);
    }
  }

  /// Queues one INSERT (`into`: "table(columns)") for the batch's next round trip. A batch's INSERTs go
  /// to the server together, when the writer next needs an answer (a lookup, the COMMIT) or the queued
  /// text passes flush_bytes: one round trip per batch instead of one per row, which was most of the
  /// PostgreSQL writer's time (docs/performance.md). Values are quoted by libpq (`quote`), never pasted.
  template <typename... Args>
  void insert(const char* into, const Args&... args) {
    check_fault(fault_, "insert");
    pending_ += "INSERT INTO ";
    pending_ += into;
    pending_ += " VALUES(";
    bool first = true;
    ((pending_ += (first ? "" : ", "), pending_ += literal(args), first = false), ...);
    pending_ += ");\n";
    if (pending_.size() > flush_bytes) flush();
  }

  template <typename T>
  std::string literal(const T& value) {
    return tx_->quote(value);
  }
  std::string literal(std::nullptr_t) { return "NULL"; }

  /// Sends the queued INSERTs; an error in any of them fails the batch (it rolls back whole).
  void flush() {
    if (pending_.empty()) return;
    std::string sql;
    sql.swap(pending_);
    tx_->exec0(sql);
  }

  static constexpr std::size_t flush_bytes = 1 << 20;

  std::int64_t append_entry(std::string& head, std::string_view kind, const std::string& received_at,
                            const std::string& payload) {
    std::string hash = seal_.seal(head, kind, received_at, payload);
    const std::int64_t seq = last_seq_ + 1;
    insert("entries(chain_id, seq, kind, received_at, payload, prev_hash, hash)", chain_id_, seq, std::string(kind),
           received_at, payload, head, hash);
    head = std::move(hash);
    last_seq_ = seq;
    return seq;
  }

  void connect() {
    broken_ = false;
    conn_ = std::make_unique<pqxx::connection>(conninfo_);
    // A database whose default is off would make a response precede its durable record.
    conn_->set_variable("synchronous_commit", "on");
    {
      pqxx::nontransaction tx(*conn_);
      const bool locked = tx.exec_params1("SELECT pg_try_advisory_lock(hashtextextended($1, 0))",
                                          "ivig-cds audit chain " + chain_id_)[0]
                              .as<bool>();
      if (!locked) {
        conn_.reset();
        throw store_error(where_ + ": the audit chain '" + chain_id_ +
                              "' is held by another ivig-cds process (its advisory lock is taken): give each "
                              "replica its own --audit-chain-id",
                          1);
      }
    }
    locked_pid_ = conn_->backendpid();
    conn_->prepare("head",
                   "SELECT seq, kind, prev_hash, hash FROM entries WHERE chain_id = $1 ORDER BY seq DESC LIMIT 1");
    conn_->prepare("entry",
                   "INSERT INTO entries(chain_id, seq, kind, received_at, payload, prev_hash, hash) "
                   "VALUES($1, $2, $3, $4, $5, $6, $7)");
    conn_->prepare("call",
                   "INSERT INTO calls(chain_id, seq, received_at, service_id, hook, hook_instance, user_id, patient, "
                   "encounter_id, http_status, error_code, knowledge_version, service_ms) "
                   "VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)");
    conn_->prepare("card",
                   "INSERT INTO cards(chain_id, seq, card_uuid, indicator, summary, rule_ids) VALUES($1, $2, $3, $4, "
                   "$5, $6)");
    conn_->prepare("rule", "INSERT INTO call_rules(chain_id, seq, rule_id, fired) VALUES($1, $2, $3, $4)");
    conn_->prepare("feedback",
                   "INSERT INTO feedback(chain_id, seq, card_uuid, outcome, override_code, user_comment, "
                   "outcome_timestamp, matched, dedupe_key) VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9)");
    conn_->prepare("find_dedupe", "SELECT 1 FROM feedback WHERE dedupe_key = $1");
    conn_->prepare("find_card", "SELECT 1 FROM cards WHERE card_uuid = $1 LIMIT 1");
    conn_->prepare("find_replay", "SELECT 1 FROM spool_replays WHERE spool_id = $1");
    conn_->prepare("find_entry", "SELECT 1 FROM entries WHERE chain_id = $1 AND seq = $2 AND hash = $3");
    conn_->prepare("replay", "INSERT INTO spool_replays(spool_id, chain_id, seq) VALUES($1, $2, $3)");
    conn_->prepare("replay_duplicate", "INSERT INTO spool_replays(spool_id, chain_id, seq) VALUES($1, $2, NULL)");
  }

  void drop() noexcept {
    try {
      tx_.reset();
      conn_.reset();  // closing the session releases the chain's lock
    } catch (...) {
    }
    locked_pid_ = 0;
  }

  /// As chain_meta.cpp's bind_seal, for the whole database: every chain is sealed the same way.
  void bind_seal() {
    pqxx::work tx(*conn_);
    tx.exec_params("SELECT pg_advisory_xact_lock($1)", binding_lock);
    chain_binding bound;
    for (const pqxx::row row : tx.exec("SELECT name, value FROM chain_meta")) {
      if (row[0].as<std::string>() == "seal") bound.seal = row[1].as<std::string>();
      if (row[0].as<std::string>() == "key_id") bound.key_id = row[1].as<std::string>();
    }
    const bool recorded = !tx.exec("SELECT 1 FROM chain_meta WHERE name = 'seal'").empty();
    const auto entries = tx.exec1("SELECT COUNT(*) FROM entries")[0].as<std::int64_t>();
    const auto record = [&] {
      tx.exec0("DELETE FROM chain_meta");
      tx.exec_params0("INSERT INTO chain_meta(name, value) VALUES('seal', $1), ('key_id', $2)",
                      std::string(seal_.name()), std::string(seal_.key_id()));
      tx.commit();
    };
    if (entries == 0 && bound.seal != keyed_seal_name) return record();
    if (bound.seal == plain_seal_name && seal_.keyed())
      throw store_error(where_ + " has an unkeyed (sha256) chain of " + std::to_string(entries) +
                            " entries; a chain key cannot be added to it: start a new audit database with the key "
                            "(docs/audit.md, \"Keyed chain\")",
                        1);
    if (const auto mismatch = binding_mismatch(bound, where_, seal_)) throw store_error(*mismatch, 1);
    if (!recorded) record();
  }

  const std::string conninfo_;
  const std::string where_;
  const std::string chain_id_;
  const chain_seal seal_;
  fault_hook fault_;
  std::unique_ptr<pqxx::connection> conn_;
  std::unique_ptr<pqxx::work> tx_;
  int locked_pid_ = 0;
  bool broken_ = false;
  std::int64_t last_seq_ = 0;
  std::string pending_;  ///< INSERTs queued for the batch's next round trip
};

pg_audit_store::pg_audit_store(pg_audit_options options)
    : spooling_store(std::move(options.common)), chain_id_(std::move(options.chain_id)) {
  if (chain_id_.empty()) throw store_error("audit store: an audit chain id is needed (--audit-chain-id)", 1);
  check_fault(options_.fail_at, "open");
  writer_ = std::make_unique<pg_chain_writer>(pg_connection_string(options.url, options.passfile),
                                              "audit store: " + pg_redacted_url(options.url), chain_id_, seal_,
                                              options_.fail_at);
  writer_->open();
  start(*writer_);
}

pg_audit_store::~pg_audit_store() {
  stop();
}

}  // namespace ivig::audit
