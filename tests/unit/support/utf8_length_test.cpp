// tests/unit/support/utf8_length_test.cpp: summaries are measured in characters, not bytes.
#include "tests/support/utf8_length.hpp"

#include <string>
#include <string_view>

#include <gtest/gtest.h>

using ivig::test::utf8_code_points;

TEST(Utf8Length, CountsCodePointsNotBytes) {
  EXPECT_EQ(utf8_code_points(""), 0u);
  EXPECT_EQ(utf8_code_points("IgA"), 3u);
  EXPECT_EQ(utf8_code_points("≥ 1 g/kg"), 8u);  // "≥" is three bytes
  EXPECT_EQ(std::string_view("≥ 1 g/kg").size(), 10u);
  EXPECT_EQ(utf8_code_points("“Privigen” é 😀"), 14u);  // 3-, 2- and 4-byte characters
}

TEST(Utf8Length, TheSummaryLimitIsTheSpecs140) {
  EXPECT_EQ(ivig::test::summary_limit, 140u);
  std::string summary(139, 'a');
  EXPECT_LT(utf8_code_points(summary), ivig::test::summary_limit);
  summary += "→";
  EXPECT_EQ(utf8_code_points(summary), 140u);
}
