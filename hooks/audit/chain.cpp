// hooks/audit/chain.cpp: the chain's head and its retention purge.
//
// Owns the only DELETE in the audit log. The purge seals its anchor like any entry, with the chain
// key when the chain has one, so that an anchor cannot be written by someone without the key.
#include "hooks/audit/chain.hpp"

#include "hooks/audit/chain_meta.hpp"
#include "hooks/audit/purge_anchor.hpp"
#include "hooks/audit/schema.hpp"
#include "hooks/audit/sqlite_db.hpp"

namespace ivig::audit {
namespace {

bool is_hex64(std::string_view text) {
  if (text.size() != 64) return false;
  for (const char c : text)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace

std::string head_line(const chain_position& head) {
  return "head seq=" + std::to_string(head.seq) + " hash=" + head.hash;
}

std::optional<chain_position> parse_position(std::string_view text) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 18) return std::nullopt;
  std::int64_t seq = 0;
  for (const char c : text.substr(0, colon)) {
    if (c < '0' || c > '9') return std::nullopt;
    seq = seq * 10 + (c - '0');
  }
  const std::string_view hash = text.substr(colon + 1);
  if (!is_hex64(hash)) return std::nullopt;
  return chain_position{seq, std::string(hash)};
}

chain_position read_head(database& db) {
  statement last(db, "SELECT seq, kind, prev_hash, hash FROM entries ORDER BY seq DESC LIMIT 1");
  if (!last.step()) return {};
  chain_position head{last.integer(0), last.text(1) == anchor_kind ? last.text(2) : last.text(3)};
  last.reset();
  return head;
}

std::string chain_head(database& db) {
  return read_head(db).hash;
}

purge_result purge_before(const std::string& path, const std::string& received_before, const chain_seal& seal) {
  database db(path, database::open_mode::existing);
  if (schema_version(db) < 1) throw store_error("audit store: " + path + " is not an audit log", 1);
  migrate(db);
  if (const auto mismatch = binding_mismatch(db, seal)) throw store_error(*mismatch, 1);
  transaction tx(db);
  const std::int64_t head_seq = read_head(db).seq;
  // The cut: everything below the first entry received at or after the horizon.
  statement first_kept(db, "SELECT MIN(seq) FROM entries WHERE received_at >= ?");
  first_kept.bind_text(1, received_before).step();
  const bool keeps_some = !first_kept.is_null(0);
  const std::int64_t keep_from = first_kept.integer(0);
  first_kept.reset();

  const std::int64_t bound = keeps_some ? keep_from - 1 : head_seq;
  statement last_cut(db, "SELECT seq, kind, prev_hash, hash FROM entries WHERE seq <= ? ORDER BY seq DESC LIMIT 1");
  last_cut.bind_int(1, bound);
  purge_result result;
  if (!last_cut.step()) return result;  // nothing before the horizon
  const std::int64_t cut = last_cut.integer(0);
  const std::string cut_hash = last_cut.text(1) == anchor_kind ? last_cut.text(2) : last_cut.text(3);
  last_cut.reset();

  statement counted(db, "SELECT COUNT(*) FROM entries WHERE seq <= ? AND kind <> 'purge-anchor'");
  counted.bind_int(1, cut).step();
  const std::int64_t purged = counted.integer(0);
  counted.reset();
  if (purged == 0) return result;  // only an earlier anchor is that old: replacing it would change nothing

  std::int64_t purged_before = 0;
  statement old_anchor(db, "SELECT payload FROM entries WHERE seq <= ? AND kind = 'purge-anchor'");
  old_anchor.bind_int(1, cut);
  while (old_anchor.step()) {
    if (const auto previous = read_anchor(old_anchor.text(0))) purged_before += previous->purged_total;
  }

  for (const char* table : {"calls", "cards", "call_rules", "feedback", "entries"}) {
    statement remove(db, std::string("DELETE FROM ") + table + " WHERE seq <= ?");
    remove.bind_int(1, cut).run();
  }
  const std::string payload = anchor_json({received_before, cut, cut_hash, purged, purged_before + purged, head_seq});
  statement anchor(db,
                   "INSERT INTO entries(seq, kind, received_at, payload, prev_hash, hash) VALUES(?, ?, ?, ?, ?, ?)");
  anchor.bind_int(1, cut)
      .bind_text(2, anchor_kind)
      .bind_text(3, received_before)
      .bind_text(4, payload)
      .bind_text(5, cut_hash)
      .bind_text(6, seal.seal(cut_hash, anchor_kind, received_before, payload))
      .run();
  tx.commit();
  result.purged = purged;
  result.last_purged_seq = cut;
  result.last_purged_hash = cut_hash;
  return result;
}

}  // namespace ivig::audit
