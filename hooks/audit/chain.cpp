// hooks/audit/chain.cpp: hashing, verification and purge of the audit hash chain.
//
// Owns the one definition of an entry's hash (the writer and the verifier both call entry_hash), the
// walk that checks it, and the only DELETE in the audit log. verify_chain never throws: a file it
// cannot read is reported as a problem, which is what `ivig-cds audit verify` prints.
#include "hooks/audit/chain.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "hooks/audit/schema.hpp"
#include "hooks/audit/sha256.hpp"
#include "hooks/audit/sqlite_db.hpp"

namespace ivig::audit {
namespace {

constexpr std::string_view anchor_kind = "purge-anchor";

struct anchor_payload {
  std::int64_t last_purged_seq = 0;
  std::string last_purged_hash;
  std::int64_t purged_total = 0;
};

std::string anchor_json(const std::string& horizon, std::int64_t seq, const std::string& hash, std::int64_t purged,
                        std::int64_t purged_total) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("horizon");
  w.String(horizon.data(), static_cast<rapidjson::SizeType>(horizon.size()));
  w.Key("last_purged_seq");
  w.Int64(seq);
  w.Key("last_purged_hash");
  w.String(hash.data(), static_cast<rapidjson::SizeType>(hash.size()));
  w.Key("purged");
  w.Int64(purged);
  w.Key("purged_total");
  w.Int64(purged_total);
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

bool read_anchor(const std::string& payload, anchor_payload& out) {
  rapidjson::Document doc;
  doc.Parse(payload.data(), payload.size());
  if (doc.HasParseError() || !doc.IsObject()) return false;
  const auto seq = doc.FindMember("last_purged_seq");
  const auto hash = doc.FindMember("last_purged_hash");
  const auto total = doc.FindMember("purged_total");
  if (seq == doc.MemberEnd() || !seq->value.IsInt64()) return false;
  if (hash == doc.MemberEnd() || !hash->value.IsString()) return false;
  if (total == doc.MemberEnd() || !total->value.IsInt64()) return false;
  out.last_purged_seq = seq->value.GetInt64();
  out.last_purged_hash = hash->value.GetString();
  out.purged_total = total->value.GetInt64();
  return true;
}

verify_result broken(const verify_result& so_far, std::int64_t seq, std::string problem) {
  verify_result result = so_far;
  result.ok = false;
  result.first_bad_seq = seq;
  result.problem = std::move(problem);
  return result;
}

}  // namespace

std::string entry_hash(std::string_view prev_hash, std::string_view kind, std::string_view received_at,
                       std::string_view payload) {
  std::string input;
  input.reserve(prev_hash.size() + kind.size() + received_at.size() + payload.size() + 3);
  input.append(prev_hash).append("\n").append(kind).append("\n").append(received_at).append("\n").append(payload);
  return sha256_hex(input);
}

std::string chain_head(database& db) {
  statement last(db, "SELECT kind, prev_hash, hash FROM entries ORDER BY seq DESC LIMIT 1");
  if (!last.step()) return genesis_hash;
  std::string head = last.text(0) == anchor_kind ? last.text(1) : last.text(2);
  last.reset();
  return head;
}

verify_result verify_chain(const std::string& path) {
  verify_result result;
  try {
    database db(path, database::open_mode::existing);
    const int version = schema_version(db);
    if (version < 1) return broken(result, 0, "not an audit log (schema version " + std::to_string(version) + ")");
    statement rows(db, "SELECT seq, kind, received_at, payload, prev_hash, hash FROM entries ORDER BY seq");
    std::string expected_prev = genesis_hash;
    bool first = true;
    std::int64_t previous_seq = 0;
    while (rows.step()) {
      const std::int64_t seq = rows.integer(0);
      const std::string kind = rows.text(1);
      const std::string received_at = rows.text(2);
      const std::string payload = rows.text(3);
      const std::string prev_hash = rows.text(4);
      const std::string hash = rows.text(5);
      if (kind == anchor_kind) {
        if (!first) return broken(result, seq, "purge anchor after seq " + std::to_string(previous_seq));
        anchor_payload anchor;
        if (!read_anchor(payload, anchor)) return broken(result, seq, "purge anchor payload is unreadable");
        if (anchor.last_purged_seq != seq || anchor.last_purged_hash != prev_hash)
          return broken(result, seq, "purge anchor does not match the entry it stands in for");
        if (entry_hash(prev_hash, kind, received_at, payload) != hash)
          return broken(result, seq, "hash does not match the entry's contents");
        expected_prev = prev_hash;
      } else {
        if (prev_hash != expected_prev)
          return broken(result, seq,
                        first ? "the first entry does not start the chain (genesis or purge anchor)"
                              : "prev_hash does not link to seq " + std::to_string(previous_seq));
        if (entry_hash(prev_hash, kind, received_at, payload) != hash)
          return broken(result, seq, "hash does not match the entry's contents");
        expected_prev = hash;
      }
      first = false;
      previous_seq = seq;
      ++result.entries;
    }
    result.ok = true;
    return result;
  } catch (const store_error& e) {
    return broken(result, 0, e.what());
  }
}

purge_result purge_before(const std::string& path, const std::string& received_before) {
  database db(path, database::open_mode::existing);
  if (schema_version(db) < 1) throw store_error("audit store: " + path + " is not an audit log", 1);
  migrate(db);
  transaction tx(db);
  // The cut: everything below the first entry received at or after the horizon.
  statement first_kept(db, "SELECT MIN(seq) FROM entries WHERE received_at >= ?");
  first_kept.bind_text(1, received_before).step();
  const bool keeps_some = !first_kept.is_null(0);
  const std::int64_t keep_from = first_kept.integer(0);
  first_kept.reset();

  std::int64_t bound = keep_from - 1;
  if (!keeps_some) {
    statement max_seq(db, "SELECT COALESCE(MAX(seq), 0) FROM entries");
    max_seq.step();
    bound = max_seq.integer(0);
    max_seq.reset();
  }
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
    anchor_payload previous;
    if (read_anchor(old_anchor.text(0), previous)) purged_before += previous.purged_total;
  }

  for (const char* table : {"calls", "cards", "call_rules", "feedback", "entries"}) {
    statement remove(db, std::string("DELETE FROM ") + table + " WHERE seq <= ?");
    remove.bind_int(1, cut).run();
  }
  const std::string payload = anchor_json(received_before, cut, cut_hash, purged, purged_before + purged);
  statement anchor(db,
                   "INSERT INTO entries(seq, kind, received_at, payload, prev_hash, hash) VALUES(?, ?, ?, ?, ?, ?)");
  anchor.bind_int(1, cut)
      .bind_text(2, anchor_kind)
      .bind_text(3, received_before)
      .bind_text(4, payload)
      .bind_text(5, cut_hash)
      .bind_text(6, entry_hash(cut_hash, anchor_kind, received_before, payload))
      .run();
  tx.commit();
  result.purged = purged;
  result.last_purged_seq = cut;
  result.last_purged_hash = cut_hash;
  return result;
}

}  // namespace ivig::audit
