// hooks/service/identical_cards.cpp: merging identical cards through a hash index of their substance.
#include "hooks/service/identical_cards.hpp"

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace ivig::service {
namespace {

/// The detail without its first line ("**Order:** …"), to compare two cards' substance.
std::string_view without_order_line(std::string_view detail) {
  const auto end = detail.find("\n\n");
  return end == std::string_view::npos ? detail : detail.substr(end);
}

/// `kept`'s detail with the other cards' order lines joined into its own: "**Order:** A; B; C".
std::string add_order_lines(const std::string& kept, const std::vector<std::string>& others) {
  const auto kept_end = kept.find("\n\n");
  if (kept_end == std::string::npos) return kept;
  const std::string_view prefix = "**Order:** ";
  std::string joined = kept.substr(0, kept_end);
  for (const std::string& other : others) {
    const auto other_end = other.find("\n\n");
    if (other_end == std::string::npos) continue;
    std::string_view other_order = std::string_view(other).substr(0, other_end);
    if (other_order.starts_with(prefix)) other_order.remove_prefix(prefix.size());
    joined.append("; ").append(other_order);
  }
  return joined.append(kept, kept_end);
}

/// What makes two cards one: their rule ids, summary and detail but for the order line. Views into
/// a card that must not move while the view is used.
struct card_substance {
  const std::vector<std::string>* rule_ids;
  std::string_view summary;
  std::string_view detail;

  bool operator==(const card_substance& other) const {
    return *rule_ids == *other.rule_ids && summary == other.summary && detail == other.detail;
  }
};

struct card_substance_hash {
  std::size_t operator()(const card_substance& s) const noexcept {
    const std::hash<std::string_view> hash;
    std::size_t h = hash(s.summary);
    // boost::hash_combine's mixing: equal parts in another order give another hash.
    const auto mix = [&h](std::size_t part) { h ^= part + 0x9e3779b97f4a7c15U + (h << 6) + (h >> 2); };
    for (const std::string& id : *s.rule_ids) mix(hash(id));
    mix(hash(s.detail));
    return h;
  }
};

}  // namespace

std::vector<ranked_card> merge_identical_cards(std::vector<ranked_card> cards) {
  // First where each card goes, with `cards` left in place so that the index's views stay valid:
  // nullopt for a card that is kept, else the index (among the kept) of the first identical card.
  std::unordered_map<card_substance, std::size_t, card_substance_hash> kept_index;
  std::vector<std::optional<std::size_t>> merged_into(cards.size());
  std::size_t kept_count = 0;
  for (std::size_t i = 0; i < cards.size(); ++i) {
    const protocol::card& card = cards[i].second;
    if (!card.suggestions.empty()) {
      ++kept_count;
      continue;
    }
    const auto [same, fresh] =
        kept_index.try_emplace({&card.rule_ids, card.summary, without_order_line(card.detail)}, kept_count);
    if (fresh)
      ++kept_count;
    else
      merged_into[i] = same->second;
  }
  kept_index.clear();
  // Then move them. The orders a kept card gathers are joined once at the end: joining them card
  // by card copied the growing detail once per order (quadratic in a session of many orders).
  std::vector<ranked_card> kept;
  kept.reserve(kept_count);
  std::vector<std::vector<std::string>> joined_orders(kept_count);
  for (std::size_t i = 0; i < cards.size(); ++i) {
    if (merged_into[i])
      joined_orders[*merged_into[i]].push_back(std::move(cards[i].second.detail));
    else
      kept.push_back(std::move(cards[i]));
  }
  for (std::size_t i = 0; i < kept.size(); ++i)
    if (!joined_orders[i].empty()) kept[i].second.detail = add_order_lines(kept[i].second.detail, joined_orders[i]);
  return kept;
}

}  // namespace ivig::service
