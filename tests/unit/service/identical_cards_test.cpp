// tests/unit/service/identical_cards_test.cpp: one card per concern across a call's IVIg orders.
#include <gtest/gtest.h>

#include "hooks/service/identical_cards.hpp"

namespace {

using ivig::protocol::card;
using ivig::rules::severity;
using ivig::service::merge_identical_cards;
using ivig::service::ranked_card;

ranked_card card_for(const std::string& rule, const std::string& order, const std::string& body,
                     severity level = severity::warning) {
  card c;
  c.uuid = rule + "|" + order;
  c.summary = rule + " summary";
  c.detail = "**Order:** Privigen (" + order + ")\n\n" + body;
  c.rule_ids = {rule};
  return {level, c};
}

std::vector<std::string> details(const std::vector<ranked_card>& cards) {
  std::vector<std::string> out;
  for (const ranked_card& c : cards) out.push_back(c.second.detail);
  return out;
}

TEST(IdenticalCards, MergesIntoTheFirstAndJoinsOrderLinesInCallOrder) {
  std::vector<ranked_card> cards = {card_for("R8", "MedicationRequest/a", "same"),
                                    card_for("R9", "MedicationRequest/a", "other", severity::critical),
                                    card_for("R8", "MedicationRequest/b", "same"),
                                    card_for("R9", "MedicationRequest/b", "differs", severity::critical),
                                    card_for("R8", "MedicationRequest/c", "same")};
  const std::vector<ranked_card> merged = merge_identical_cards(std::move(cards));
  EXPECT_EQ(details(merged), (std::vector<std::string>{
                                 "**Order:** Privigen (MedicationRequest/a); Privigen (MedicationRequest/b); Privigen "
                                 "(MedicationRequest/c)\n\nsame",
                                 "**Order:** Privigen (MedicationRequest/a)\n\nother",
                                 "**Order:** Privigen (MedicationRequest/b)\n\ndiffers"}));
  ASSERT_EQ(merged.size(), 3U);
  EXPECT_EQ(merged[0].second.uuid, "R8|MedicationRequest/a");  // the first card's identity is kept
  EXPECT_EQ(merged[1].first, severity::critical);
}

TEST(IdenticalCards, KeepsCardsThatDifferInRulesOrSummary) {
  ranked_card other_summary = card_for("R8", "MedicationRequest/b", "same");
  other_summary.second.summary = "another summary";
  ranked_card joined_rules = card_for("R8", "MedicationRequest/c", "same");
  joined_rules.second.rule_ids = {"R8", "R13"};
  const std::vector<ranked_card> merged =
      merge_identical_cards({card_for("R8", "MedicationRequest/a", "same"), other_summary, joined_rules});
  EXPECT_EQ(details(merged), (std::vector<std::string>{"**Order:** Privigen (MedicationRequest/a)\n\nsame",
                                                       "**Order:** Privigen (MedicationRequest/b)\n\nsame",
                                                       "**Order:** Privigen (MedicationRequest/c)\n\nsame"}));
}

TEST(IdenticalCards, NeverMergesACardWithSuggestions) {
  ranked_card with_fix_a = card_for("R17", "MedicationRequest/a", "same");
  with_fix_a.second.suggestions.push_back({"Correct the dose", "fix-a", true, {}});
  ranked_card with_fix_b = card_for("R17", "MedicationRequest/b", "same");
  with_fix_b.second.suggestions.push_back({"Correct the dose", "fix-b", true, {}});
  const std::vector<ranked_card> merged =
      merge_identical_cards({with_fix_a, with_fix_b, card_for("R17", "MedicationRequest/c", "same")});
  EXPECT_EQ(details(merged), (std::vector<std::string>{"**Order:** Privigen (MedicationRequest/a)\n\nsame",
                                                       "**Order:** Privigen (MedicationRequest/b)\n\nsame",
                                                       "**Order:** Privigen (MedicationRequest/c)\n\nsame"}));
}

TEST(IdenticalCards, NoCardsGiveNoCards) {
  EXPECT_TRUE(merge_identical_cards({}).empty());
}

}  // namespace
