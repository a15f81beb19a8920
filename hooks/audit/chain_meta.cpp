// hooks/audit/chain_meta.cpp: reading, checking and recording a file's chain binding.
//
// A key is never added to a plain chain that holds entries: the entries before the key would stay
// recomputable by anyone, and a keyed chain that an insider rewrote in plain SHA-256 would look the
// same as one that was plain from the start. The operator starts a new file instead.
#include "hooks/audit/chain_meta.hpp"

#include <sqlite3.h>

#include "hooks/audit/sqlite_db.hpp"

namespace ivig::audit {
namespace {

bool has_meta_table(database& db) {
  statement query(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'chain_meta'");
  const bool found = query.step();
  if (found) query.reset();
  return found;
}

std::optional<std::string> meta_value(database& db, const char* name) {
  statement query(db, "SELECT value FROM chain_meta WHERE name = ?");
  query.bind_text(1, name);
  if (!query.step()) return std::nullopt;
  std::string value = query.text(0);
  query.reset();
  return value;
}

std::int64_t entry_count(database& db) {
  statement query(db, "SELECT COUNT(*) FROM entries");
  query.step();
  const std::int64_t n = query.integer(0);
  query.reset();
  return n;
}

void record_binding(database& db, const chain_seal& seal) {
  db.exec("DELETE FROM chain_meta");
  statement insert(db, "INSERT INTO chain_meta(name, value) VALUES(?, ?)");
  insert.bind_text(1, "seal").bind_text(2, seal.name()).run();
  insert.reset();
  insert.bind_text(1, "key_id").bind_text(2, seal.key_id()).run();
}

}  // namespace

chain_binding read_binding(database& db) {
  chain_binding binding;
  if (!has_meta_table(db)) return binding;
  if (auto seal = meta_value(db, "seal")) binding.seal = std::move(*seal);
  if (auto key_id = meta_value(db, "key_id")) binding.key_id = std::move(*key_id);
  return binding;
}

std::optional<std::string> binding_mismatch(database& db, const chain_seal& seal) {
  return binding_mismatch(read_binding(db), "audit store: " + db.path(), seal);
}

std::optional<std::string> binding_mismatch(const chain_binding& file, const std::string& where,
                                            const chain_seal& seal) {
  if (file.seal == keyed_seal_name) {
    if (!seal.keyed())
      return where + " has a keyed chain (hmac-sha256, key id " + file.key_id +
             "): give its key with --audit-chain-key-file";
    if (seal.key_id() != file.key_id)
      return where + " has a chain keyed with key id " + file.key_id + ", not with the given key (key id " +
             seal.key_id() + ")";
    return std::nullopt;
  }
  if (file.seal != plain_seal_name)
    return where + " has a chain sealed with '" + file.seal + "', which this ivig-cds does not know";
  if (seal.keyed())
    return where +
           " has an unkeyed (sha256) chain, but a chain key was given: the chain was never keyed, or a keyed "
           "chain was rewritten without its key";
  return std::nullopt;
}

void bind_seal(database& db, const chain_seal& seal) {
  transaction tx(db);
  const chain_binding file = read_binding(db);
  const std::int64_t entries = entry_count(db);
  // Nothing is sealed yet: the file takes the seal it is opened with. An emptied keyed file is not
  // re-bound: it keeps its key, so it cannot be reopened without it.
  if (entries == 0 && file.seal != keyed_seal_name) {
    record_binding(db, seal);
    tx.commit();
    return;
  }
  if (file.seal == plain_seal_name && seal.keyed())
    throw store_error("audit store: " + db.path() + " has an unkeyed (sha256) chain of " + std::to_string(entries) +
                          " entries; a chain key cannot be added to it: move the file aside (it still verifies "
                          "without the key) and start a new audit log with the key (docs/audit.md, \"Keyed chain\")",
                      SQLITE_ERROR);
  if (const auto mismatch = binding_mismatch(db, seal)) throw store_error(*mismatch, SQLITE_ERROR);
  if (!meta_value(db, "seal")) {  // a plain file written before schema 3: record what it is
    record_binding(db, seal);
    tx.commit();
  }
}

}  // namespace ivig::audit
