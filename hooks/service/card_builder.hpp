// hooks/service/card_builder.hpp: findings -> CDS Hooks cards.
//
// One card per finding, ordered critical → warning → info; one info card listing every check that
// could not be completed, and why. Each card cites its primary source (source.label/url) and lists
// every citation with its evidence level in the detail; says when it rests on local policy; carries
// on warning and critical cards the override reasons of the rules on the card (rules.json); and stamps extension.ivig-cds with its rule
// ids and the knowledge version. Card uuids are UUIDv5(hookInstance | rule | order): stable for one
// hookInstance, distinct across calls and orders.
#pragma once

#include <string_view>
#include <vector>

#include "hooks/protocol/card.hpp"
#include "rules/engine/engine.hpp"
#include "rules/engine/finding.hpp"
#include "rules/engine/ivig_order.hpp"
#include "rules/engine/knowledge.hpp"

namespace ivig::service {

/// Sources of the two cards that are not findings: the missing-data card and the worksheet.
inline constexpr std::string_view incomplete_card_source = "ivig-cds data completeness check";
inline constexpr std::string_view worksheet_card_source = "ivig-cds pharmacist verification worksheet";

/// True for a card that reports a finding of its rules (not the missing-data card or the worksheet).
inline bool is_finding_card(const protocol::card& c) {
  return c.source.label != incomplete_card_source && c.source.label != worksheet_card_source;
}

struct checked_order {
  const rules::ivig_order* order = nullptr;
  rules::order_facts facts;
  rules::evaluation result;
};

struct card_options {
  /// order-sign: add the pharmacist's verification worksheet (one info card per IVIg order) and show
  /// every info card; on order-select only info cards that change the order are shown.
  bool signing = false;
};

std::vector<protocol::card> build_cards(std::string_view hook_instance, const std::vector<checked_order>& checked,
                                        const rules::knowledge& kb, card_options options);

}  // namespace ivig::service
