// hooks/audit/pg_purge.hpp: `ivig-cds audit purge --audit-url`: the retention purge of a PostgreSQL
// audit database, every replica's chain.
//
// Owns applying chain.hpp's purge design to each chain of the database: per chain, the longest prefix
// received before the horizon is replaced by one purge anchor sealed like every entry, so that each
// chain verifies alone (pg_verify.hpp). Each chain is purged in a transaction of its own that the
// append-only triggers let DELETE only that chain's prefix (pg_schema.cpp, migration 4); purges of one
// chain are serialised by a transaction-scoped advisory lock of their own, and a replica appending to
// the chain meanwhile neither waits nor breaks its head (docs/audit.md, "PostgreSQL: retention").
#pragma once

#include <string>
#include <vector>

#include "hooks/audit/chain.hpp"

namespace ivig::audit {

struct pg_chain_purge {
  std::string chain_id;
  purge_result result;
};

struct pg_purge_result {
  std::vector<pg_chain_purge> chains;  ///< every chain of the database, in chain id order
  std::int64_t purged = 0;             ///< entries removed from all chains
};

/// Purges every chain of the database at `url` (passfile: pg_store.hpp) of the entries received before
/// `received_before`, chain by chain; migrates the database first, as the SQLite purge migrates its
/// file. Throws store_error when the database cannot be reached or written, holds no audit log, or
/// `seal` is not its seal (a keyed log is purged only with its key). A chain purged before a failure
/// stays purged: each chain's purge is whole or nothing.
pg_purge_result purge_pg_chains(const std::string& url, const std::string& passfile, const std::string& received_before,
                                const chain_seal& seal = {});

}  // namespace ivig::audit
