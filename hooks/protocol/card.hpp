// hooks/protocol/card.hpp: the CDS Hooks 2.0 response model (cards, suggestions, actions, links)
// and its JSON writer.
//
// "Lenient in, strict out": the writer emits exactly CDS Hooks 2.0 — no null or empty optional
// field, a summary under 140 characters (cut at a character boundary with an ellipsis if a caller
// ever passes a longer one), selectionBehavior whenever there are suggestions, a description on
// every action, display on every override reason.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ivig::protocol {

struct coding {
  std::string system;
  std::string code;
  std::string display;
};

struct card_source {
  std::string label;
  std::string url;
};

struct action {
  std::string type;           ///< "create", "update" or "delete"
  std::string description;    ///< required
  std::string resource_json;  ///< the whole resource as JSON text (create/update), or empty
  std::string resource_id;    ///< "MedicationRequest/123" (delete), or empty
};

struct suggestion {
  std::string label;
  std::string uuid;
  bool is_recommended = false;
  std::vector<action> actions;
};

struct link {
  std::string label;
  std::string url;
  std::string type = "absolute";
};

struct card {
  std::string uuid;
  std::string summary;
  std::string detail;     ///< GitHub-flavoured markdown
  std::string indicator;  ///< "info", "warning" or "critical"
  card_source source;
  std::vector<suggestion> suggestions;
  std::string selection_behavior;  ///< "at-most-one" or "any"; required with suggestions
  std::vector<coding> override_reasons;
  std::vector<link> links;
  /// extension.ivig-cds: the rule ids and the knowledge version behind the card
  std::vector<std::string> rule_ids;
  std::string knowledge_version;
};

/// Longest summary the writer lets through (the spec says "< 140 characters").
inline constexpr std::size_t max_summary_characters = 139;

/// Cuts `text` to at most `max_characters` UTF-8 characters, ending with "…" when cut.
std::string limit_characters(std::string_view text, std::size_t max_characters);

/// {"cards": [...]} for these cards ({"cards": []} when there are none).
std::string cards_response_json(const std::vector<card>& cards);

}  // namespace ivig::protocol
