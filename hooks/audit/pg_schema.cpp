// hooks/audit/pg_schema.cpp: the PostgreSQL migrations, in order. Never edit one that has shipped.
//
// The same tables as schema.cpp with PostgreSQL types. Every table carries `chain_id`: each replica
// appends to a chain of its own (docs/audit.md, "PostgreSQL: one chain per replica"), so `seq` is a
// position in its chain and the key is (chain_id, seq); `entries.id` (BIGSERIAL) orders all chains
// by arrival for the CLI's time-ordered queries. Append-only is the database's rule, not only ours:
// migration 2's trigger function refuses any UPDATE, and migration 4's refuses any DELETE or TRUNCATE
// except the retention purge's (pg_purge.cpp): a DELETE passes only in a transaction that declared, with
// transaction-local settings, the chain it purges and the seq it purges through, and only for that
// chain's rows at or below that seq (docs/audit.md, "PostgreSQL: retention").
#include "hooks/audit/pg_schema.hpp"

#include <array>
#include <string>

#include <pqxx/pqxx>

#include "hooks/audit/sqlite_db.hpp"

namespace ivig::audit {
namespace {

struct migration {
  int version;
  const char* sql;
};

constexpr std::array<migration, 4> migrations{{
    {1, R"sql(
CREATE TABLE entries(
  id BIGSERIAL PRIMARY KEY,
  chain_id TEXT NOT NULL,
  seq BIGINT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('call', 'feedback', 'purge-anchor')),
  received_at TEXT NOT NULL,
  payload TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  UNIQUE (chain_id, seq));
CREATE TABLE calls(
  chain_id TEXT NOT NULL,
  seq BIGINT NOT NULL,
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
  service_ms DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (chain_id, seq));
CREATE TABLE cards(
  chain_id TEXT NOT NULL,
  seq BIGINT NOT NULL,
  card_uuid TEXT NOT NULL,
  indicator TEXT NOT NULL,
  summary TEXT NOT NULL,
  rule_ids TEXT NOT NULL);
CREATE TABLE call_rules(
  chain_id TEXT NOT NULL,
  seq BIGINT NOT NULL,
  rule_id TEXT NOT NULL,
  fired INTEGER NOT NULL);
CREATE TABLE feedback(
  chain_id TEXT NOT NULL,
  seq BIGINT NOT NULL,
  card_uuid TEXT NOT NULL,
  outcome TEXT NOT NULL,
  override_code TEXT NOT NULL,
  user_comment TEXT NOT NULL,
  outcome_timestamp TEXT NOT NULL,
  matched INTEGER NOT NULL,
  dedupe_key TEXT NOT NULL UNIQUE,
  PRIMARY KEY (chain_id, seq));
CREATE TABLE spool_replays(
  spool_id TEXT PRIMARY KEY,
  chain_id TEXT NOT NULL,
  seq BIGINT);
)sql"},
    {2, R"sql(
CREATE INDEX entries_by_received_at ON entries(received_at);
CREATE INDEX calls_by_received_at ON calls(received_at);
CREATE INDEX calls_by_patient ON calls(patient, received_at);
CREATE INDEX calls_by_user ON calls(user_id, received_at);
CREATE INDEX calls_by_hook_instance ON calls(hook_instance);
CREATE INDEX cards_by_seq ON cards(chain_id, seq);
CREATE INDEX cards_by_uuid ON cards(card_uuid);
CREATE INDEX call_rules_by_seq ON call_rules(chain_id, seq);
CREATE INDEX call_rules_by_rule ON call_rules(rule_id, fired);
CREATE INDEX feedback_by_card ON feedback(card_uuid);
CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit tables are append-only';
END $$;
CREATE TRIGGER entries_append_only BEFORE UPDATE ON entries FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER calls_append_only BEFORE UPDATE ON calls FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER cards_append_only BEFORE UPDATE ON cards FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER call_rules_append_only BEFORE UPDATE ON call_rules FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER feedback_append_only BEFORE UPDATE ON feedback FOR EACH ROW EXECUTE FUNCTION audit_append_only();
)sql"},
    // One seal for the whole database: every replica's chain is sealed the same way (chain_meta.hpp).
    {3, R"sql(
CREATE TABLE chain_meta(
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL);
)sql"},
    // The retention purge (pg_purge.cpp): DELETE only by the purge, of the prefix of the one chain it
    // declared; no TRUNCATE; and cards.id, so that the CLI lists a call's cards in the call's order.
    {4, R"sql(
ALTER TABLE cards ADD COLUMN id BIGSERIAL;
CREATE FUNCTION audit_purge_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.chain_id = current_setting('ivig.audit_purge_chain', true)
     AND OLD.seq <= NULLIF(current_setting('ivig.audit_purge_through', true), '')::BIGINT THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit tables are append-only: only ivig-cds audit purge deletes, and only a chain''s oldest entries';
END $$;
CREATE TRIGGER entries_purge_only BEFORE DELETE ON entries FOR EACH ROW EXECUTE FUNCTION audit_purge_only();
CREATE TRIGGER calls_purge_only BEFORE DELETE ON calls FOR EACH ROW EXECUTE FUNCTION audit_purge_only();
CREATE TRIGGER cards_purge_only BEFORE DELETE ON cards FOR EACH ROW EXECUTE FUNCTION audit_purge_only();
CREATE TRIGGER call_rules_purge_only BEFORE DELETE ON call_rules FOR EACH ROW EXECUTE FUNCTION audit_purge_only();
CREATE TRIGGER feedback_purge_only BEFORE DELETE ON feedback FOR EACH ROW EXECUTE FUNCTION audit_purge_only();
CREATE TRIGGER entries_no_truncate BEFORE TRUNCATE ON entries EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER calls_no_truncate BEFORE TRUNCATE ON calls EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER cards_no_truncate BEFORE TRUNCATE ON cards EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER call_rules_no_truncate BEFORE TRUNCATE ON call_rules EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER feedback_no_truncate BEFORE TRUNCATE ON feedback EXECUTE FUNCTION audit_append_only();
)sql"},
}};

// Any constant will do, as long as it is ours: it serialises the replicas' migrations.
constexpr long long migration_lock = 0x1716c0d5a0d17;

int read_version(pqxx::transaction_base& tx) {
  const pqxx::row exists = tx.exec1("SELECT to_regclass('schema_version') IS NOT NULL");
  if (!exists[0].as<bool>()) return 0;
  return tx.exec1("SELECT COALESCE(MAX(version), 0) FROM schema_version")[0].as<int>();
}

void refuse_newer(int version) {
  if (version <= latest_pg_schema_version) return;
  throw store_error("audit store: the PostgreSQL database is at schema version " + std::to_string(version) +
                        ", newer than this ivig-cds knows (" + std::to_string(latest_pg_schema_version) +
                        "); run the ivig-cds release that wrote it, or a newer one",
                    1);
}

}  // namespace

int pg_schema_version(pqxx::connection_base& connection) {
  pqxx::nontransaction tx(connection);
  return read_version(tx);
}

void pg_migrate(pqxx::connection_base& connection) {
  try {
    for (const migration& m : migrations) {
      pqxx::work tx(connection);
      tx.exec_params("SELECT pg_advisory_xact_lock($1)", migration_lock);
      tx.exec0("CREATE TABLE IF NOT EXISTS schema_version(version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)");
      const int current = read_version(tx);
      refuse_newer(current);
      if (current >= m.version) continue;  // the transaction rolls back, a no-op
      tx.exec0(m.sql);
      tx.exec_params0(
          "INSERT INTO schema_version(version, applied_at) "
          "VALUES($1, to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'))",
          m.version);
      tx.commit();
    }
  } catch (const pqxx::failure& e) {
    throw store_error(std::string("audit store: the PostgreSQL schema cannot be migrated: ") + e.what(), 1);
  }
}

}  // namespace ivig::audit
