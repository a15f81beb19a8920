// tests/unit/protocol/feedback_test.cpp: feedback validation (CDS Hooks 2.0 §feedback, cds-fb-1…3).
#include <gtest/gtest.h>

#include "hooks/protocol/feedback.hpp"
#include "tests/support/test_support.hpp"

using namespace ivig::protocol;

namespace {

std::optional<request_error> check(const std::string& json) {
  const rapidjson::Document doc = ivig::test::parse(json);
  const auto result = read_feedback(doc);
  if (!result) return result.error();
  return std::nullopt;
}

void expect_error(const std::string& json, error_code code, const std::string& diagnostics) {
  const auto error = check(json);
  ASSERT_TRUE(error) << json;
  EXPECT_EQ(describe(error->code).code, describe(code).code);
  EXPECT_EQ(error->diagnostics, diagnostics);
}

}  // namespace

TEST(Feedback, ReadsAcceptedOverriddenWithReasonAndWithComment) {
  const rapidjson::Document doc = ivig::test::parse(R"({"feedback":[
    {"card":"c1","outcome":"accepted","acceptedSuggestions":[{"id":"s1"}],"outcomeTimestamp":"2026-11-22T10:05:31Z"},
    {"card":"c2","outcome":"overridden","overrideReason":{"reason":{"system":"urn:ivig-cds:override-reason","code":"will-monitor"}},
     "outcomeTimestamp":"2026-11-22T10:06:00Z"},
    {"card":"c3","outcome":"overridden","overrideReason":{"userComment":"tolerated before"},"outcomeTimestamp":"2026-11-22T10:07:00+01:00"},
    {"card":"c4","outcome":"overridden","outcomeTimestamp":"2026-11-22T10:08:00Z"}]})");
  const auto result = read_feedback(doc);
  ASSERT_TRUE(result) << result.error().diagnostics;
  const std::vector<feedback_item>& items = *result;
  ASSERT_EQ(items.size(), 4u);
  EXPECT_EQ(items[0].accepted_suggestions, std::vector<std::string_view>{"s1"});
  EXPECT_EQ(items[1].override_code, "will-monitor");
  EXPECT_EQ(items[1].override_display, "");  // the sandbox sends reasons without display
  EXPECT_EQ(items[2].user_comment, "tolerated before");
  EXPECT_EQ(items[3].outcome, "overridden");
}

TEST(Feedback, ReadsTheSpecExamples) {
  for (const char* file : {"spec201-19-example-suggestion-accepted.json",
                           "spec201-20-example-overridden-guidance-without-overridereason.json",
                           "spec201-21-example-overridden-guidance-with-overridereason.json"}) {
    const std::string text = ivig::test::read_file(ivig::test::shared_dir() / "cds-hooks/examples" / file);
    EXPECT_FALSE(check(text)) << file;
  }
}

TEST(Feedback, NamesTheMalformedItem) {
  expect_error(R"({"feedback":[{"card":"c1","outcome":"overridden","outcomeTimestamp":"2026-11-22T10:05:31Z"},
                               {"card":"c2","outcome":"ignored","outcomeTimestamp":"2026-11-22T10:05:31Z"}]})",
               error_code::field_invalid, "The field 'feedback[1].outcome' must be accepted or overridden.");
  expect_error(R"({"feedback":[{"outcome":"overridden","outcomeTimestamp":"2026-11-22T10:05:31Z"}]})",
               error_code::field_missing, "The required field 'feedback[0].card' is missing.");
  expect_error(R"({"feedback":[{"card":"c1","outcome":"accepted","outcomeTimestamp":"2026-11-22T10:05:31Z"}]})",
               error_code::field_missing, "The required field 'feedback[0].acceptedSuggestions' is missing.");
  expect_error(
      R"({"feedback":[{"card":"c1","outcome":"accepted","acceptedSuggestions":[{}],"outcomeTimestamp":"2026-11-22T10:05:31Z"}]})",
      error_code::field_missing, "The required field 'feedback[0].acceptedSuggestions[0].id' is missing.");
  expect_error(
      R"({"feedback":[{"card":"c1","outcome":"overridden","overrideReason":{},"outcomeTimestamp":"2026-11-22T10:05:31Z"}]})",
      error_code::field_invalid,
      "The field 'feedback[0].overrideReason' needs a reason, a userComment or both (cds-fb-3).");
  expect_error(R"({"feedback":[{"card":"c1","outcome":"overridden"}]})", error_code::field_missing,
               "The required field 'feedback[0].outcomeTimestamp' is missing.");
  expect_error(R"({"feedback":[{"card":"c1","outcome":"overridden","outcomeTimestamp":"2026-11-22"}]})",
               error_code::field_invalid,
               "The field 'feedback[0].outcomeTimestamp' must be an RFC 3339 date-time such as 2026-11-22T10:05:31Z.");
  expect_error(R"({"feedback":[]})", error_code::field_invalid,
               "The field 'feedback' must be a non-empty array of feedback items.");
  expect_error(R"({"cards":[]})", error_code::field_missing, "The required field 'feedback' is missing.");
}
