// hooks/audit/chain_meta.hpp: which seal a file's chain uses, recorded in the file itself.
//
// Owns the `chain_meta` table (schema 3): the seal's name and the key's identifier (never the key).
// A file is bound to its seal when the store first opens it, and every later reader must bring the
// same seal: a keyed chain is refused without its key or with another key, and a key is refused for
// an unkeyed chain that already holds entries (docs/audit.md, "Keyed chain", says why).
#pragma once

#include <optional>
#include <string>

#include "hooks/audit/chain_seal.hpp"

namespace ivig::audit {

class database;

/// What a file says seals its chain.
struct chain_binding {
  std::string seal{plain_seal_name};  ///< plain_seal_name or keyed_seal_name
  std::string key_id;                 ///< chain_key_id of the key; empty when unkeyed
};

/// The file's binding; a file without chain_meta rows (written before schema 3) is plain SHA-256.
chain_binding read_binding(database& db);

/// Why `seal` may not read or extend this file's chain (a keyed chain without its key or with
/// another, a key for a plain chain); nullopt when it may.
std::optional<std::string> binding_mismatch(database& db, const chain_seal& seal);
/// The same for a binding read elsewhere (the PostgreSQL store); `where` opens the message
/// ("audit store: <path>").
std::optional<std::string> binding_mismatch(const chain_binding& file, const std::string& where,
                                            const chain_seal& seal);

/// At the store's open, inside its own transaction: a file without entries takes `seal` (a plain
/// file with no entries yet may be given a key); any other file must already match it. Throws
/// store_error with binding_mismatch's message (or the refusal to key a plain chain with entries).
void bind_seal(database& db, const chain_seal& seal);

}  // namespace ivig::audit
