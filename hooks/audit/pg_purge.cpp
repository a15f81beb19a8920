// hooks/audit/pg_purge.cpp: the retention purge of each chain of a PostgreSQL audit database.
//
// chain.cpp's purge_before, per chain: the same cut, counts and anchor, with every statement narrowed
// to the chain. What is PostgreSQL's own:
//  - Only the purge deletes: the transaction declares its chain and cut with set_config(..., true)
//    (transaction-local, gone at COMMIT or ROLLBACK), and migration 4's trigger function lets a DELETE
//    through only for that chain's rows at or below that seq.
//  - Two purges of one chain (two CronJob runs overlapping) would cut it twice: each chain's purge
//    takes a transaction-scoped advisory lock of its own first. It is not the replica's chain lock
//    (pg_store.cpp), which the running replica holds for its whole life.
//  - A replica appending meanwhile: it only ever inserts after the head, and the purge only deletes
//    at or below the head it read, replacing the entry at its cut with an anchor that stands in for
//    that entry's hash. So the replica's next entry links to the same hash whether it read the head
//    before the purge or after it, and neither waits on the other's rows.
#include "hooks/audit/pg_purge.hpp"

#include <pqxx/pqxx>

#include "hooks/audit/chain_meta.hpp"
#include "hooks/audit/pg_schema.hpp"
#include "hooks/audit/pg_store.hpp"
#include "hooks/audit/purge_anchor.hpp"
#include "hooks/audit/sqlite_db.hpp"

namespace ivig::audit {
namespace {

/// The hash a row's seq holds in its chain: an anchor's is the hash it stands in for.
std::string position_hash(const pqxx::row& r) {
  return r[1].as<std::string>() == anchor_kind ? r[2].as<std::string>() : r[3].as<std::string>();
}

purge_result purge_chain(pqxx::connection& connection, const std::string& chain_id, const std::string& before,
                         const chain_seal& seal) {
  pqxx::work tx(connection);
  tx.exec_params("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", "ivig-cds audit purge " + chain_id);
  purge_result result;
  const pqxx::result head = tx.exec_params(
      "SELECT seq, kind, prev_hash, hash FROM entries WHERE chain_id = $1 ORDER BY seq DESC LIMIT 1", chain_id);
  if (head.empty()) return result;
  const auto head_seq = head[0][0].as<std::int64_t>();
  // The cut: everything below the first entry received at or after the horizon.
  const pqxx::row first_kept =
      tx.exec_params1("SELECT MIN(seq) FROM entries WHERE chain_id = $1 AND received_at >= $2", chain_id, before);
  const std::int64_t bound = first_kept[0].is_null() ? head_seq : first_kept[0].as<std::int64_t>() - 1;
  const pqxx::result last_cut = tx.exec_params(
      "SELECT seq, kind, prev_hash, hash FROM entries WHERE chain_id = $1 AND seq <= $2 ORDER BY seq DESC LIMIT 1",
      chain_id, bound);
  if (last_cut.empty()) return result;  // nothing before the horizon
  const auto cut = last_cut[0][0].as<std::int64_t>();
  const std::string cut_hash = position_hash(last_cut[0]);
  const auto purged =
      tx.exec_params1("SELECT COUNT(*) FROM entries WHERE chain_id = $1 AND seq <= $2 AND kind <> 'purge-anchor'",
                      chain_id, cut)[0]
          .as<std::int64_t>();
  if (purged == 0) return result;  // only an earlier anchor is that old: replacing it would change nothing
  std::int64_t purged_before = 0;
  for (const pqxx::row& r : tx.exec_params(
           "SELECT payload FROM entries WHERE chain_id = $1 AND seq <= $2 AND kind = 'purge-anchor'", chain_id, cut))
    if (const auto previous = read_anchor(r[0].as<std::string>())) purged_before += previous->purged_total;

  tx.exec_params(
      "SELECT set_config('ivig.audit_purge_chain', $1, true), set_config('ivig.audit_purge_through', $2, "
      "true)",
      chain_id, std::to_string(cut));
  for (const char* table : {"calls", "cards", "call_rules", "feedback", "entries"})
    tx.exec_params0(std::string("DELETE FROM ") + table + " WHERE chain_id = $1 AND seq <= $2", chain_id, cut);
  const std::string payload = anchor_json({before, cut, cut_hash, purged, purged_before + purged, head_seq});
  tx.exec_params0(
      "INSERT INTO entries(chain_id, seq, kind, received_at, payload, prev_hash, hash) VALUES($1, $2, $3, $4, $5, "
      "$6, $7)",
      chain_id, cut, std::string(anchor_kind), before, payload, cut_hash,
      seal.seal(cut_hash, anchor_kind, before, payload));
  tx.commit();
  result.purged = purged;
  result.last_purged_seq = cut;
  result.last_purged_hash = cut_hash;
  return result;
}

}  // namespace

pg_purge_result purge_pg_chains(const std::string& url, const std::string& passfile, const std::string& received_before,
                                const chain_seal& seal) {
  const std::string where = "audit store: " + pg_redacted_url(url);
  try {
    pqxx::connection connection(pg_connection_string(url, passfile));
    if (pg_schema_version(connection) < 1) throw store_error(where + " is not an audit log (no schema)", 1);
    pg_migrate(connection);
    std::vector<std::string> chains;
    {
      pqxx::read_transaction tx(connection);
      chain_binding bound;
      for (const pqxx::row& row : tx.exec("SELECT name, value FROM chain_meta")) {
        if (row[0].as<std::string>() == "seal") bound.seal = row[1].as<std::string>();
        if (row[0].as<std::string>() == "key_id") bound.key_id = row[1].as<std::string>();
      }
      if (const auto mismatch = binding_mismatch(bound, where, seal)) throw store_error(*mismatch, 1);
      for (const pqxx::row& row : tx.exec("SELECT DISTINCT chain_id FROM entries ORDER BY chain_id"))
        chains.push_back(row[0].as<std::string>());
    }
    pg_purge_result out;
    for (const std::string& chain_id : chains) {
      out.chains.push_back({chain_id, purge_chain(connection, chain_id, received_before, seal)});
      out.purged += out.chains.back().result.purged;
    }
    return out;
  } catch (const pqxx::failure& e) {
    throw store_error(where + ": " + pg_one_line(e.what()), 1);
  }
}

}  // namespace ivig::audit
