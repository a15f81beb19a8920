// hooks/audit/record_json.cpp: canonical JSON writers and strict readers for audit records.
//
// Writers emit every member in declaration order (that is what makes the text canonical); readers
// accept missing members and refuse wrong types, through one small reader class.
#include "hooks/audit/record_json.hpp"

#include <algorithm>
#include <cmath>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "hooks/audit/sha256.hpp"

namespace ivig::audit {
namespace {

using json_writer = rapidjson::Writer<rapidjson::StringBuffer>;

void field(json_writer& w, const char* name, const std::string& value) {
  w.Key(name);
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

void field(json_writer& w, const char* name, const std::vector<std::string>& values) {
  w.Key(name);
  w.StartArray();
  for (const std::string& value : values) w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
  w.EndArray();
}

// A reader that remembers whether any member had the wrong type, so a parse is one pass of assignments
// followed by one check.
class object_reader {
 public:
  explicit object_reader(const rapidjson::Value& object) : object_(object) {}
  bool ok() const { return ok_; }

  void read(const char* name, std::string& out) {
    if (const rapidjson::Value* v = find(name, &rapidjson::Value::IsString)) {
      out.assign(v->GetString(), v->GetStringLength());
    }
  }
  void read(const char* name, std::vector<std::string>& out) {
    const rapidjson::Value* v = find(name, &rapidjson::Value::IsArray);
    if (v == nullptr) return;
    for (const rapidjson::Value& item : v->GetArray()) {
      if (!item.IsString()) {
        ok_ = false;
        return;
      }
      out.emplace_back(item.GetString(), item.GetStringLength());
    }
  }
  void read(const char* name, bool& out) {
    if (const rapidjson::Value* v = find(name, &rapidjson::Value::IsBool)) out = v->GetBool();
  }
  void read(const char* name, double& out) {
    if (const rapidjson::Value* v = find(name, &rapidjson::Value::IsNumber)) out = v->GetDouble();
  }
  void read(const char* name, unsigned& out) {
    if (const rapidjson::Value* v = find(name, &rapidjson::Value::IsUint)) out = v->GetUint();
  }
  void read(const char* name, std::uint64_t& out) {
    if (const rapidjson::Value* v = find(name, &rapidjson::Value::IsUint64)) out = v->GetUint64();
  }
  /// Calls `each(reader)` for every object of the array `name`.
  template <typename Each>
  void read_objects(const char* name, Each each) {
    const rapidjson::Value* v = find(name, &rapidjson::Value::IsArray);
    if (v == nullptr) return;
    for (const rapidjson::Value& item : v->GetArray()) {
      if (!item.IsObject()) {
        ok_ = false;
        return;
      }
      object_reader inner(item);
      each(inner);
      ok_ = ok_ && inner.ok();
    }
  }

 private:
  /// The member `name` when present and of the kind `is_kind` accepts; a present member of
  /// another kind marks the whole record unreadable, so a damaged line never half-loads.
  const rapidjson::Value* find(const char* name, bool (rapidjson::Value::*is_kind)() const) {
    const auto it = object_.FindMember(name);
    if (it == object_.MemberEnd()) return nullptr;
    if (!(it->value.*is_kind)()) {
      ok_ = false;
      return nullptr;
    }
    return &it->value;
  }
  const rapidjson::Value& object_;
  bool ok_ = true;
};

template <typename Record, typename Read>
std::optional<Record> read_record(std::string_view json, Read read) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError() || !doc.IsObject()) return std::nullopt;
  Record record;
  object_reader reader(doc);
  read(reader, record);
  if (!reader.ok()) return std::nullopt;
  return record;
}

}  // namespace

std::string join_rule_ids(const std::vector<std::string>& ids) {
  std::string joined;
  for (const std::string& id : ids) {
    if (!joined.empty()) joined += ' ';
    joined += id;
  }
  return joined;
}

std::string to_json(const call_record& call) {
  rapidjson::StringBuffer buffer;
  json_writer w(buffer);
  w.StartObject();
  field(w, "received_at", call.received_at);
  field(w, "service_id", call.service_id);
  field(w, "hook", call.hook);
  field(w, "hook_instance", call.hook_instance);
  field(w, "user_id", call.user_id);
  field(w, "patient", call.patient);
  field(w, "encounter_id", call.encounter_id);
  field(w, "orders", call.orders);
  w.Key("rules");
  w.StartArray();
  for (const rule_record& rule : call.rules) {
    w.StartObject();
    field(w, "rule_id", rule.rule_id);
    w.Key("fired");
    w.Bool(rule.fired);
    // Written only when set, so that the canonical text (and hash) of every earlier record is unchanged.
    if (!rule.error.empty()) field(w, "error", rule.error);
    w.EndObject();
  }
  w.EndArray();
  w.Key("cards");
  w.StartArray();
  for (const card_record& card : call.cards) {
    w.StartObject();
    field(w, "uuid", card.uuid);
    field(w, "indicator", card.indicator);
    field(w, "summary", card.summary);
    field(w, "rule_ids", card.rule_ids);
    w.EndObject();
  }
  w.EndArray();
  // Written only when there are any, so that the canonical text (and hash) of earlier records is unchanged.
  if (!call.worksheets.empty()) field(w, "worksheets", call.worksheets);
  field(w, "knowledge_version", call.knowledge_version);
  w.Key("data");
  w.StartArray();
  for (const data_source_record& data : call.data) {
    w.StartObject();
    field(w, "key", data.key);
    field(w, "origin", data.origin);
    // Only when there is one, so that the canonical text (and hash) of earlier records is unchanged.
    if (!data.why.empty()) field(w, "why", data.why);
    w.EndObject();
  }
  w.EndArray();
  w.Key("service_ms");
  // JSON has no NaN or infinity; RapidJSON would write an invalid document. A timing that is not a
  // number is recorded as 0 rather than losing the record.
  w.Double(std::isfinite(call.service_ms) ? call.service_ms : 0.0);
  w.Key("http_status");
  w.Uint(call.http_status);
  field(w, "error_code", call.error_code);
  field(w, "client_iss", call.client_iss);
  field(w, "client_tenant", call.client_tenant);
  field(w, "client_jti", call.client_jti);
  // Only when known, so that the canonical text (and hash) of earlier records is unchanged.
  if (!call.error_reason.empty()) field(w, "error_reason", call.error_reason);
  if (!call.client_sub.empty()) field(w, "client_sub", call.client_sub);
  if (!call.client_address.empty()) field(w, "client_address", call.client_address);
  if (call.rejections_summarised > 0) {
    w.Key("rejections_summarised");
    w.Uint64(call.rejections_summarised);
    field(w, "rejection_peers", call.rejection_peers);
  }
  // Last and only when kept: it is most of the record's bytes, and older records stay as they were.
  if (!call.replay_input.empty()) field(w, "replay_input", call.replay_input);
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string to_json(const feedback_record& feedback) {
  rapidjson::StringBuffer buffer;
  json_writer w(buffer);
  w.StartObject();
  field(w, "received_at", feedback.received_at);
  field(w, "service_id", feedback.service_id);
  field(w, "card_uuid", feedback.card_uuid);
  field(w, "outcome", feedback.outcome);
  field(w, "accepted_suggestions", feedback.accepted_suggestions);
  field(w, "override_system", feedback.override_system);
  field(w, "override_code", feedback.override_code);
  field(w, "override_display", feedback.override_display);
  field(w, "user_comment", feedback.user_comment);
  field(w, "outcome_timestamp", feedback.outcome_timestamp);
  // Only when known, so that the canonical text (and hash) of earlier records is unchanged.
  if (!feedback.client_address.empty()) field(w, "client_address", feedback.client_address);
  if (!feedback.client_iss.empty()) field(w, "client_iss", feedback.client_iss);
  if (!feedback.client_sub.empty()) field(w, "client_sub", feedback.client_sub);
  if (!feedback.client_tenant.empty()) field(w, "client_tenant", feedback.client_tenant);
  if (!feedback.client_jti.empty()) field(w, "client_jti", feedback.client_jti);
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::optional<call_record> call_from_json(std::string_view json) {
  return read_record<call_record>(json, [](object_reader& r, call_record& c) {
    r.read("received_at", c.received_at);
    r.read("service_id", c.service_id);
    r.read("hook", c.hook);
    r.read("hook_instance", c.hook_instance);
    r.read("user_id", c.user_id);
    r.read("patient", c.patient);
    r.read("encounter_id", c.encounter_id);
    r.read("orders", c.orders);
    r.read_objects("rules", [&](object_reader& item) {
      rule_record rule;
      item.read("rule_id", rule.rule_id);
      item.read("fired", rule.fired);
      item.read("error", rule.error);
      c.rules.push_back(std::move(rule));
    });
    r.read_objects("cards", [&](object_reader& item) {
      card_record card;
      item.read("uuid", card.uuid);
      item.read("indicator", card.indicator);
      item.read("summary", card.summary);
      item.read("rule_ids", card.rule_ids);
      c.cards.push_back(std::move(card));
    });
    r.read("worksheets", c.worksheets);
    r.read("knowledge_version", c.knowledge_version);
    r.read_objects("data", [&](object_reader& item) {
      data_source_record data;
      item.read("key", data.key);
      item.read("origin", data.origin);
      item.read("why", data.why);
      c.data.push_back(std::move(data));
    });
    r.read("service_ms", c.service_ms);
    r.read("http_status", c.http_status);
    r.read("error_code", c.error_code);
    r.read("client_iss", c.client_iss);
    r.read("client_tenant", c.client_tenant);
    r.read("client_jti", c.client_jti);
    r.read("error_reason", c.error_reason);
    r.read("client_sub", c.client_sub);
    r.read("client_address", c.client_address);
    r.read("rejections_summarised", c.rejections_summarised);
    r.read("rejection_peers", c.rejection_peers);
    r.read("replay_input", c.replay_input);
  });
}

std::optional<feedback_record> feedback_from_json(std::string_view json) {
  return read_record<feedback_record>(json, [](object_reader& r, feedback_record& f) {
    r.read("received_at", f.received_at);
    r.read("service_id", f.service_id);
    r.read("card_uuid", f.card_uuid);
    r.read("outcome", f.outcome);
    r.read("accepted_suggestions", f.accepted_suggestions);
    r.read("override_system", f.override_system);
    r.read("override_code", f.override_code);
    r.read("override_display", f.override_display);
    r.read("user_comment", f.user_comment);
    r.read("outcome_timestamp", f.outcome_timestamp);
    r.read("client_address", f.client_address);
    r.read("client_iss", f.client_iss);
    r.read("client_sub", f.client_sub);
    r.read("client_tenant", f.client_tenant);
    r.read("client_jti", f.client_jti);
  });
}

std::string feedback_dedupe_key(const feedback_record& feedback) {
  std::vector<std::string> suggestions = feedback.accepted_suggestions;
  std::sort(suggestions.begin(), suggestions.end());
  // A JSON array is an unambiguous encoding of the tuple: no separator can be forged inside a field.
  rapidjson::StringBuffer buffer;
  json_writer w(buffer);
  w.StartArray();
  w.String(feedback.card_uuid.data(), static_cast<rapidjson::SizeType>(feedback.card_uuid.size()));
  w.String(feedback.outcome.data(), static_cast<rapidjson::SizeType>(feedback.outcome.size()));
  w.StartArray();
  for (const std::string& id : suggestions) w.String(id.data(), static_cast<rapidjson::SizeType>(id.size()));
  w.EndArray();
  w.String(feedback.override_code.data(), static_cast<rapidjson::SizeType>(feedback.override_code.size()));
  w.String(feedback.user_comment.data(), static_cast<rapidjson::SizeType>(feedback.user_comment.size()));
  w.String(feedback.outcome_timestamp.data(), static_cast<rapidjson::SizeType>(feedback.outcome_timestamp.size()));
  w.EndArray();
  return sha256_hex(std::string_view(buffer.GetString(), buffer.GetSize()));
}

std::string spool_line(const spool_entry& entry) {
  rapidjson::StringBuffer buffer;
  json_writer w(buffer);
  w.StartObject();
  field(w, "spool_id", entry.spool_id);
  field(w, "kind", entry.kind);
  if (entry.attempted_seq > 0) {
    w.Key("attempted_seq");
    w.Int64(entry.attempted_seq);
    field(w, "attempted_hash", entry.attempted_hash);
  }
  w.Key("record");
  w.RawValue(entry.payload.data(), entry.payload.size(), rapidjson::kObjectType);
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::optional<spool_entry> parse_spool_line(std::string_view line) {
  rapidjson::Document doc;
  doc.Parse(line.data(), line.size());
  if (doc.HasParseError() || !doc.IsObject()) return std::nullopt;
  const auto id = doc.FindMember("spool_id");
  const auto kind = doc.FindMember("kind");
  const auto record = doc.FindMember("record");
  if (id == doc.MemberEnd() || kind == doc.MemberEnd() || record == doc.MemberEnd()) return std::nullopt;
  if (!id->value.IsString() || !kind->value.IsString() || !record->value.IsObject()) return std::nullopt;
  spool_entry entry{id->value.GetString(), kind->value.GetString(), {}, 0, {}};
  if (entry.kind != "call" && entry.kind != "feedback") return std::nullopt;
  const auto attempted_seq = doc.FindMember("attempted_seq");
  const auto attempted_hash = doc.FindMember("attempted_hash");
  if ((attempted_seq == doc.MemberEnd()) != (attempted_hash == doc.MemberEnd())) return std::nullopt;
  if (attempted_seq != doc.MemberEnd()) {
    if (!attempted_seq->value.IsInt64() || attempted_seq->value.GetInt64() <= 0 || !attempted_hash->value.IsString())
      return std::nullopt;
    entry.attempted_seq = attempted_seq->value.GetInt64();
    entry.attempted_hash = attempted_hash->value.GetString();
  }
  // Re-read through the record type: the payload that enters the chain is the canonical text, whatever
  // spacing the spool holds.
  rapidjson::StringBuffer buffer;
  json_writer w(buffer);
  record->value.Accept(w);
  const std::string_view raw(buffer.GetString(), buffer.GetSize());
  if (entry.kind == "call") {
    const std::optional<call_record> call = call_from_json(raw);
    if (!call) return std::nullopt;
    entry.payload = to_json(*call);
  } else {
    const std::optional<feedback_record> feedback = feedback_from_json(raw);
    if (!feedback) return std::nullopt;
    entry.payload = to_json(*feedback);
  }
  return entry;
}

}  // namespace ivig::audit
