// hooks/audit/pg_verify.hpp: `ivig-cds audit verify --audit-url`: every replica's chain in a
// PostgreSQL audit database, each walked by the same verifier as SQLite's (chain_verify.hpp).
//
// Never throws: a database that cannot be reached or read, or a key that is not the database's, is
// a problem the command prints, like a broken link.
#pragma once

#include <string>
#include <vector>

#include "hooks/audit/chain_verify.hpp"

namespace ivig::audit {

struct pg_chain_verification {
  std::string chain_id;
  verify_result result;
};

struct pg_verify_result {
  bool ok = false;                            ///< every chain verified
  std::string problem;                        ///< the database's own problem (unreachable, seal); else empty
  std::vector<pg_chain_verification> chains;  ///< in chain id order; up to the first that fails
};

/// Verifies every chain of the database at `url` (passfile: pg_store.hpp). `options.expected_head`,
/// when set, is checked against the chain `expected_chain_id`.
pg_verify_result verify_pg_chains(const std::string& url, const std::string& passfile, const verify_options& options,
                                  const std::string& expected_chain_id = {});

}  // namespace ivig::audit
