// hooks/service/identical_cards.hpp: one card per concern across a call's IVIg orders.
//
// The same patient-level finding for several orders (the same rules, summary and detail, but for the
// "**Order:**" line) is shown once, on the first of those cards, whose order line then names every
// order it concerns. A card with suggestions is never merged: its actions change its own order.
#pragma once

#include <utility>
#include <vector>

#include "hooks/protocol/card.hpp"
#include "rules/engine/knowledge.hpp"

namespace ivig::service {

/// A card and the severity it is ranked by.
using ranked_card = std::pair<rules::severity, protocol::card>;

/// Merges each card into the first identical one before it, keeping the remaining cards in their
/// order; a kept card's order line becomes "**Order:** A; B; C" in the order the cards came.
/// Linear in the cards: each is looked up in a hash index of the kept ones, not compared with each.
std::vector<ranked_card> merge_identical_cards(std::vector<ranked_card> cards);

}  // namespace ivig::service
