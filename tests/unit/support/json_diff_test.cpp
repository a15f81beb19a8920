// tests/unit/support/json_diff_test.cpp: the one-line-per-difference report of golden mismatches.
#include "tests/support/json_diff.hpp"

#include <gtest/gtest.h>

#include "tests/support/test_support.hpp"

using namespace ivig::test;
using lines = std::vector<std::string>;

namespace {

lines diff(std::string_view expected, std::string_view actual) {
  const rapidjson::Document e = parse(expected);
  const rapidjson::Document a = parse(actual);
  return json_diff(e, a);
}

}  // namespace

TEST(JsonDiff, EqualDocumentsHaveNoDifferenceWhateverTheMemberOrder) {
  EXPECT_EQ(diff(R"({"a":1,"b":[true,null,"x"]})", R"({"b":[true,null,"x"],"a":1})"), lines{});
}

TEST(JsonDiff, ChangedValueIsOneLineWithItsPath) {
  EXPECT_EQ(diff(R"({"cards":[{"summary":"A"},{"summary":"B"},{"summary":"C"}]})",
                 R"({"cards":[{"summary":"A"},{"summary":"B"},{"summary":"D"}]})"),
            lines{R"(/cards/2/summary: "C" → "D")"});
}

TEST(JsonDiff, AddedMemberIsMissingOnTheExpectedSide) {
  EXPECT_EQ(diff(R"({"card":{"summary":"A"}})", R"({"card":{"summary":"A","detail":"more"}})"),
            lines{R"(/card/detail: (missing) → "more")"});
}

TEST(JsonDiff, RemovedMemberIsMissingOnTheActualSide) {
  EXPECT_EQ(diff(R"({"card":{"summary":"A","source":{"label":"PI"}}})", R"({"card":{"summary":"A"}})"),
            lines{R"(/card/source: {"label":"PI"} → (missing))"});
}

TEST(JsonDiff, LongerArrayGivesItsLengthsThenTheExtraElement) {
  EXPECT_EQ(
      diff(R"({"cards":[{"s":"A"},{"s":"B"}]})", R"({"cards":[{"s":"A"},{"s":"X"},{"s":"C"}]})"),
      (lines{"/cards: array of 2 → array of 3", R"(/cards/1/s: "B" → "X")", R"(/cards/2: (missing) → {"s":"C"})"}));
}

TEST(JsonDiff, ShorterArrayGivesItsLengthsThenTheMissingElement) {
  EXPECT_EQ(diff(R"([1,2,3])", R"([1,2])"), (lines{"(root): array of 3 → array of 2", "/2: 3 → (missing)"}));
}

TEST(JsonDiff, TypeChangeShowsBothValues) {
  EXPECT_EQ(diff(R"({"n":"1","o":{"a":1},"l":[1]})", R"({"n":1,"o":[1],"l":null})"),
            (lines{R"(/n: "1" → 1)", R"(/o: {"a":1} → [1])", "/l: [1] → null"}));
}

TEST(JsonDiff, MemberNamesAreEscapedAsInAJsonPointer) {
  EXPECT_EQ(diff(R"({"a/b":{"c~d":1}})", R"({"a/b":{"c~d":2}})"), lines{"/a~1b/c~0d: 1 → 2"});
}

TEST(JsonDiff, LongValuesAreCutTo120CharactersAtACharacterBoundary) {
  const std::string long_text(200, 'x');
  const lines got = diff(R"({"s":"short"})", R"({"s":")" + long_text + R"("})");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], R"(/s: "short" → ")" + std::string(118, 'x') + "…");

  const rapidjson::Document unicode = parse("\"" + std::string(115, 'a') + "→→→→→→→→\"");  // 125 characters
  EXPECT_EQ(abbreviate_json(unicode), "\"" + std::string(115, 'a') + "→→→…");
  const rapidjson::Document exact = parse("\"" + std::string(118, 'a') + "\"");  // 120 characters
  EXPECT_EQ(abbreviate_json(exact), "\"" + std::string(118, 'a') + "\"");
}

TEST(JsonDiff, LongStringsAreShownFromJustBeforeTheirFirstDifference) {
  const std::string head(200, 'h');
  const std::string tail(200, 't');
  const lines got = diff(R"({"detail":")" + head + "knowledge 2026.11.1." + tail + R"("})",
                         R"({"detail":")" + head + "knowledge 2099.1.1." + tail + R"("})");
  // The strings first differ at "2026" vs "2099" (character 1 + 200 + 12 of the JSON text, after
  // the quote and "knowledge 20"); 30 characters of context, then the rest up to 120 characters in all.
  const std::string context = std::string(18, 'h') + "knowledge 20";
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], "/detail: …" + context + "26.11.1." + std::string(80, 't') + "… → …" + context + "99.1.1." +
                        std::string(81, 't') + "…");
}

TEST(JsonDiff, ShortStringsAreShownWhole) {
  EXPECT_EQ(diff(R"(["knowledge 2026.11.1."])", R"(["knowledge 2099.1.1."])"),
            lines{R"(/0: "knowledge 2026.11.1." → "knowledge 2099.1.1.")"});
}
