// hooks/audit/purge_anchor.cpp: writing, reading and checking a purge anchor's payload.
#include "hooks/audit/purge_anchor.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace ivig::audit {

std::string anchor_json(const purge_anchor& anchor) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("horizon");
  w.String(anchor.horizon.data(), static_cast<rapidjson::SizeType>(anchor.horizon.size()));
  w.Key("last_purged_seq");
  w.Int64(anchor.last_purged_seq);
  w.Key("last_purged_hash");
  w.String(anchor.last_purged_hash.data(), static_cast<rapidjson::SizeType>(anchor.last_purged_hash.size()));
  w.Key("purged");
  w.Int64(anchor.purged);
  w.Key("purged_total");
  w.Int64(anchor.purged_total);
  if (anchor.head_seq) {
    w.Key("head_seq");
    w.Int64(*anchor.head_seq);
  }
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::optional<purge_anchor> read_anchor(std::string_view payload) {
  rapidjson::Document doc;
  doc.Parse(payload.data(), payload.size());
  if (doc.HasParseError() || !doc.IsObject()) return std::nullopt;
  const auto member = [&doc](const char* name) { return doc.FindMember(name); };
  const auto horizon = member("horizon");
  const auto seq = member("last_purged_seq");
  const auto hash = member("last_purged_hash");
  const auto purged = member("purged");
  const auto total = member("purged_total");
  const auto head = member("head_seq");
  const auto end = doc.MemberEnd();
  if (horizon == end || !horizon->value.IsString()) return std::nullopt;
  if (seq == end || !seq->value.IsInt64()) return std::nullopt;
  if (hash == end || !hash->value.IsString()) return std::nullopt;
  if (purged == end || !purged->value.IsInt64()) return std::nullopt;
  if (total == end || !total->value.IsInt64()) return std::nullopt;
  if (head != end && !head->value.IsInt64()) return std::nullopt;
  purge_anchor anchor;
  anchor.horizon = horizon->value.GetString();
  anchor.last_purged_seq = seq->value.GetInt64();
  anchor.last_purged_hash = hash->value.GetString();
  anchor.purged = purged->value.GetInt64();
  anchor.purged_total = total->value.GetInt64();
  if (head != end) anchor.head_seq = head->value.GetInt64();
  return anchor;
}

std::optional<std::string> anchor_problem(const purge_anchor& anchor, std::int64_t seq, std::string_view received_at,
                                          std::string_view prev_hash, bool keyed) {
  if (anchor.last_purged_seq != seq || anchor.last_purged_hash != prev_hash)
    return "purge anchor does not match the entry it stands in for";
  if (anchor.horizon != received_at) return "purge anchor's horizon is not its received_at";
  // Each purged entry had a seq of its own at or below the anchor's.
  if (anchor.purged < 1 || anchor.purged > anchor.purged_total || anchor.purged_total > seq)
    return "purge anchor's counts are impossible (purged " + std::to_string(anchor.purged) + ", " +
           std::to_string(anchor.purged_total) + " in all, up to seq " + std::to_string(seq) + ")";
  if (!anchor.head_seq) {
    if (keyed) return "purge anchor does not record the chain's head at the purge";
    return std::nullopt;
  }
  if (*anchor.head_seq < seq)
    return "purge anchor's head_seq " + std::to_string(*anchor.head_seq) + " is before its own seq";
  return std::nullopt;
}

}  // namespace ivig::audit
