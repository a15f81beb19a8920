// tests/unit/protocol/card_test.cpp: the strict response writer.
#include <gtest/gtest.h>

#include "hooks/protocol/card.hpp"
#include "hooks/protocol/discovery.hpp"

using namespace ivig::protocol;

TEST(CardWriter, NoCardsIsAnEmptyArray) {
  EXPECT_EQ(cards_response_json({}), R"({"cards":[]})");
}

TEST(CardWriter, OmitsEveryEmptyOptionalField) {
  card c;
  c.summary = "s";
  c.indicator = "info";
  c.source.label = "L";
  EXPECT_EQ(cards_response_json({c}), R"({"cards":[{"summary":"s","indicator":"info","source":{"label":"L"}}]})");
}

TEST(CardWriter, WritesSuggestionsWithSelectionBehaviorAndRawResources) {
  card c;
  c.uuid = "u";
  c.summary = "s";
  c.indicator = "warning";
  c.source = {"L", "https://x"};
  c.suggestions.push_back(
      {"Switch", "su", true, {{"update", "Changes the product", R"({"resourceType":"MedicationRequest"})", {}}}});
  c.override_reasons.push_back({"urn:r", "c", "Reason"});
  c.rule_ids = {"R3"};
  c.knowledge_version = "v1";
  EXPECT_EQ(cards_response_json({c}),
            R"({"cards":[{"uuid":"u","summary":"s","indicator":"warning","source":{"label":"L","url":"https://x"},)"
            R"("suggestions":[{"label":"Switch","uuid":"su","isRecommended":true,"actions":[{"type":"update",)"
            R"("description":"Changes the product","resource":{"resourceType":"MedicationRequest"}}]}],)"
            R"("selectionBehavior":"at-most-one","overrideReasons":[{"system":"urn:r","code":"c","display":"Reason"}],)"
            R"("extension":{"ivig-cds":{"rules":["R3"],"knowledgeVersion":"v1"}}}]})");
}

TEST(CardWriter, SummaryIsCutBelow140CharactersAtACharacterBoundary) {
  std::string long_summary;
  for (int i = 0; i < 150; ++i) long_summary += "é";
  const std::string cut = limit_characters(long_summary, max_summary_characters);
  std::size_t characters = 0;
  for (unsigned char ch : cut) characters += (ch & 0xC0) != 0x80;
  EXPECT_EQ(characters, 139u);
  EXPECT_EQ(cut.substr(cut.size() - 3), "…");
  EXPECT_EQ(limit_characters("short", 139), "short");
}

TEST(Discovery, WritesServicesWithPrefetchInOrder) {
  EXPECT_EQ(discovery_json({{"s1", "order-select", "T", "D", "U", {{"patient", "Patient/{{context.patientId}}"}}}}),
            R"({"services":[{"hook":"order-select","title":"T","description":"D","id":"s1",)"
            R"("prefetch":{"patient":"Patient/{{context.patientId}}"},"usageRequirements":"U"}]})");
}
