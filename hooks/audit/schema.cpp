// hooks/audit/schema.cpp: the migrations, in order. Never edit a migration that has shipped: add one.
//
// The tables are append-only. The service only ever INSERTs; the one statement that DELETEs is the
// retention purge (chain.cpp), and nothing UPDATEs (migration 2 adds triggers that refuse it). The
// `entries` table is the record of truth, hash-chained; `calls`, `cards`, `call_rules` and `feedback`
// are query tables written in the same transaction from the same record, keyed by the entry's seq.
#include "hooks/audit/schema.hpp"

#include <array>
#include <string>

#include <sqlite3.h>

#include "hooks/audit/sqlite_db.hpp"

namespace ivig::audit {
namespace {

struct migration {
  int version;
  const char* sql;
};

constexpr std::array<migration, 3> migrations{{
    {1, R"sql(
CREATE TABLE entries(
  seq INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('call', 'feedback', 'purge-anchor')),
  received_at TEXT NOT NULL,
  payload TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL);
CREATE TABLE calls(
  seq INTEGER PRIMARY KEY,
  received_at TEXT NOT NULL,
  service_id TEXT NOT NULL,
  hook TEXT NOT NULL,
  hook_instance TEXT NOT NULL,
  user_id TEXT NOT NULL,
  patient TEXT NOT NULL,
  encounter_id TEXT NOT NULL,
  http_status INTEGER NOT NULL,
  error_code TEXT NOT NULL,
  knowledge_version TEXT NOT NULL,
  service_ms REAL NOT NULL);
CREATE TABLE cards(
  seq INTEGER NOT NULL,
  card_uuid TEXT NOT NULL,
  indicator TEXT NOT NULL,
  summary TEXT NOT NULL,
  rule_ids TEXT NOT NULL);
CREATE TABLE call_rules(
  seq INTEGER NOT NULL,
  rule_id TEXT NOT NULL,
  fired INTEGER NOT NULL);
CREATE TABLE feedback(
  seq INTEGER PRIMARY KEY,
  card_uuid TEXT NOT NULL,
  outcome TEXT NOT NULL,
  override_code TEXT NOT NULL,
  user_comment TEXT NOT NULL,
  outcome_timestamp TEXT NOT NULL,
  matched INTEGER NOT NULL,
  dedupe_key TEXT NOT NULL UNIQUE);
CREATE TABLE spool_replays(
  spool_id TEXT PRIMARY KEY,
  seq INTEGER);
)sql"},
    // Indexes for the CLI's queries and the purge, and triggers that make the append-only rule a
    // property of the file rather than of our code alone.
    {2, R"sql(
CREATE INDEX entries_by_received_at ON entries(received_at);
CREATE INDEX calls_by_received_at ON calls(received_at);
CREATE INDEX calls_by_patient ON calls(patient, received_at);
CREATE INDEX calls_by_user ON calls(user_id, received_at);
CREATE INDEX calls_by_hook_instance ON calls(hook_instance);
CREATE INDEX cards_by_seq ON cards(seq);
CREATE INDEX cards_by_uuid ON cards(card_uuid);
CREATE INDEX call_rules_by_seq ON call_rules(seq);
CREATE INDEX call_rules_by_rule ON call_rules(rule_id, fired);
CREATE INDEX feedback_by_card ON feedback(card_uuid);
CREATE TRIGGER entries_append_only BEFORE UPDATE ON entries
  BEGIN SELECT RAISE(ABORT, 'audit tables are append-only'); END;
CREATE TRIGGER calls_append_only BEFORE UPDATE ON calls
  BEGIN SELECT RAISE(ABORT, 'audit tables are append-only'); END;
CREATE TRIGGER cards_append_only BEFORE UPDATE ON cards
  BEGIN SELECT RAISE(ABORT, 'audit tables are append-only'); END;
CREATE TRIGGER call_rules_append_only BEFORE UPDATE ON call_rules
  BEGIN SELECT RAISE(ABORT, 'audit tables are append-only'); END;
CREATE TRIGGER feedback_append_only BEFORE UPDATE ON feedback
  BEGIN SELECT RAISE(ABORT, 'audit tables are append-only'); END;
)sql"},
    // Which seal the chain uses (plain SHA-256 or HMAC-SHA-256) and the key's identifier, so that a
    // keyed log is refused without its key (chain_meta.hpp). The key itself is never stored.
    {3, R"sql(
CREATE TABLE chain_meta(
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL);
)sql"},
}};

constexpr const char* version_table =
    "CREATE TABLE IF NOT EXISTS schema_version(version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)";

bool has_version_table(database& db) {
  statement query(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'");
  const bool found = query.step();
  if (found) query.reset();
  return found;
}

void refuse_newer(database& db, int version) {
  if (version <= latest_schema_version) return;
  throw store_error("audit store: " + db.path() + " is at schema version " + std::to_string(version) +
                        ", newer than this ivig-cds knows (" + std::to_string(latest_schema_version) +
                        "); run the ivig-cds release that wrote it, or a newer one",
                    SQLITE_ERROR);
}

}  // namespace

int schema_version(database& db) {
  if (!has_version_table(db)) return 0;
  statement query(db, "SELECT COALESCE(MAX(version), 0) FROM schema_version");
  query.step();
  const auto version = static_cast<int>(query.integer(0));
  query.reset();
  return version;
}

void migrate(database& db, int target) {
  refuse_newer(db, schema_version(db));
  for (const migration& m : migrations) {
    if (m.version > target) break;
    // Read the version again inside the transaction: another process may have migrated meanwhile.
    transaction tx(db);
    db.exec(version_table);
    const int current = schema_version(db);
    refuse_newer(db, current);
    if (current >= m.version) continue;  // the guard rolls back the no-op transaction
    db.exec(m.sql);
    statement record(db,
                     "INSERT INTO schema_version(version, applied_at) "
                     "VALUES(?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))");
    record.bind_int(1, m.version).run();
    tx.commit();
  }
}

}  // namespace ivig::audit
