// hooks/audit/pg_verify.cpp: reading a PostgreSQL audit database's chains for the verifier.
//
// One read-only REPEATABLE READ transaction, so that every chain is read as of one moment while the
// replicas keep appending; each chain is walked in seq order through a cursor-free query per chain
// (a chain is read whole, as SQLite's walk reads the whole file).
#include "hooks/audit/pg_verify.hpp"

#include <string_view>

#include <pqxx/pqxx>

#include "hooks/audit/chain_meta.hpp"
#include "hooks/audit/pg_schema.hpp"
#include "hooks/audit/pg_store.hpp"

namespace ivig::audit {

pg_verify_result verify_pg_chains(const std::string& url, const std::string& passfile, const verify_options& options,
                                  const std::string& expected_chain_id) {
  pg_verify_result out;
  const std::string where = "audit store: " + pg_redacted_url(url);
  try {
    pqxx::connection connection(pg_connection_string(url, passfile));
    if (pg_schema_version(connection) < 1) {
      out.problem = where + " is not an audit log (no schema)";
      return out;
    }
    pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> tx(connection);
    chain_binding bound;
    for (const pqxx::row row : tx.exec("SELECT name, value FROM chain_meta")) {
      if (row[0].as<std::string>() == "seal") bound.seal = row[1].as<std::string>();
      if (row[0].as<std::string>() == "key_id") bound.key_id = row[1].as<std::string>();
    }
    if (const auto mismatch = binding_mismatch(bound, where, options.seal)) {
      out.problem = *mismatch;
      return out;
    }
    verify_result start;
    start.seal = bound.seal;
    start.key_id = bound.key_id;
    for (const pqxx::row chain : tx.exec("SELECT DISTINCT chain_id FROM entries ORDER BY chain_id")) {
      const std::string id = chain[0].as<std::string>();
      const pqxx::result rows = tx.exec_params(
          "SELECT seq, kind, received_at, payload, prev_hash, hash FROM entries WHERE chain_id = $1 ORDER BY seq", id);
      std::size_t i = 0;
      verify_options these = options;
      if (id != expected_chain_id) these.expected_head.reset();
      verify_result result = verify_entries(
          [&](entry_row& row) {
            if (i == rows.size()) return false;
            const pqxx::row r = rows[static_cast<pqxx::result::size_type>(i++)];
            row = {r[0].as<std::int64_t>(), r[1].as<std::string>(), r[2].as<std::string>(),
                   r[3].as<std::string>(),  r[4].as<std::string>(), r[5].as<std::string>()};
            return true;
          },
          these, start);
      const bool ok = result.ok;
      out.chains.push_back({id, std::move(result)});
      if (!ok) return out;
    }
    out.ok = true;
    return out;
  } catch (const std::exception& e) {
    // libpq's messages span lines ("…failed: Connection refused\n\tIs the server running…"): one line.
    std::string why;
    for (const char c : std::string_view(e.what())) {
      if (c == '\n' || c == '\t') {
        if (!why.empty() && why.back() != ' ') why += ' ';
      } else {
        why += c;
      }
    }
    while (!why.empty() && why.back() == ' ') why.pop_back();
    out.problem = where + ": " + why;
    return out;
  }
}

}  // namespace ivig::audit
