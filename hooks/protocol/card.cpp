// hooks/protocol/card.cpp: the strict CDS Hooks response writer.
#include "hooks/protocol/card.hpp"

#include "fhir/model/markdown_text.hpp"
#include "hooks/protocol/json_writer.hpp"

namespace ivig::protocol {
namespace {

using writer = json_writer;

void put(writer& w, std::string_view key, std::string_view value) {
  if (value.empty()) return;  // optional and empty: omitted, never "" (CDS Hooks JSON rules)
  w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

void write_coding(writer& w, const coding& c) {
  w.StartObject();
  put(w, "system", c.system);
  put(w, "code", c.code);
  put(w, "display", c.display);
  w.EndObject();
}

void write_action(writer& w, const action& a) {
  w.StartObject();
  put(w, "type", a.type);
  put(w, "description", fhir::plain_text_line(a.description));
  if (!a.resource_json.empty()) {
    w.Key("resource");
    w.RawValue(a.resource_json.data(), a.resource_json.size(), rapidjson::kObjectType);
  }
  put(w, "resourceId", a.resource_id);
  w.EndObject();
}

void write_suggestion(writer& w, const suggestion& s) {
  w.StartObject();
  put(w, "label", fhir::plain_text_line(s.label));
  put(w, "uuid", s.uuid);
  if (s.is_recommended) {
    w.Key("isRecommended");
    w.Bool(true);
  }
  if (!s.actions.empty()) {
    w.Key("actions");
    w.StartArray();
    for (const action& a : s.actions) write_action(w, a);
    w.EndArray();
  }
  w.EndObject();
}

void write_card(writer& w, const card& c) {
  w.StartObject();
  put(w, "uuid", c.uuid);
  // Plain text (CDS Hooks): the record's words as written, but on one line (no control characters).
  put(w, "summary", limit_characters(fhir::plain_text_line(c.summary), max_summary_characters));
  put(w, "detail", c.detail);
  put(w, "indicator", c.indicator);
  w.Key("source");
  w.StartObject();
  put(w, "label", c.source.label);
  put(w, "url", c.source.url);
  w.EndObject();
  if (!c.suggestions.empty()) {
    w.Key("suggestions");
    w.StartArray();
    for (const suggestion& s : c.suggestions) write_suggestion(w, s);
    w.EndArray();
    put(w, "selectionBehavior", c.selection_behavior.empty() ? std::string_view{"at-most-one"} : c.selection_behavior);
  }
  if (!c.override_reasons.empty()) {
    w.Key("overrideReasons");
    w.StartArray();
    for (const coding& reason : c.override_reasons) write_coding(w, reason);
    w.EndArray();
  }
  if (!c.links.empty()) {
    w.Key("links");
    w.StartArray();
    for (const link& l : c.links) {
      w.StartObject();
      put(w, "label", l.label);
      put(w, "url", l.url);
      put(w, "type", l.type);
      w.EndObject();
    }
    w.EndArray();
  }
  if (!c.rule_ids.empty() || !c.knowledge_version.empty()) {
    w.Key("extension");
    w.StartObject();
    w.Key("ivig-cds");
    w.StartObject();
    if (!c.rule_ids.empty()) {
      w.Key("rules");
      w.StartArray();
      for (const std::string& id : c.rule_ids) w.String(id.data(), static_cast<rapidjson::SizeType>(id.size()));
      w.EndArray();
    }
    put(w, "knowledgeVersion", c.knowledge_version);
    w.EndObject();
    w.EndObject();
  }
  w.EndObject();
}

}  // namespace

std::string limit_characters(std::string_view text, std::size_t max_characters) {
  std::size_t characters = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;  // continuation byte
    if (characters == max_characters) {
      // Too long: keep max_characters - 1 characters and an ellipsis.
      std::size_t cut = 0, kept = 0;
      for (std::size_t j = 0; j < text.size(); ++j) {
        if ((static_cast<unsigned char>(text[j]) & 0xC0) == 0x80) continue;
        if (kept == max_characters - 1) {
          cut = j;
          break;
        }
        ++kept;
      }
      return std::string(text.substr(0, cut)) + "…";
    }
    ++characters;
  }
  return std::string(text);
}

std::string cards_response_json(const std::vector<card>& cards) {
  rapidjson::StringBuffer out;
  writer w(out);
  w.StartObject();
  w.Key("cards");
  w.StartArray();
  for (const card& c : cards) write_card(w, c);
  w.EndArray();
  w.EndObject();
  return std::string(out.GetString(), out.GetSize());
}

}  // namespace ivig::protocol
