// tests/unit/protocol/sent_text_test.cpp: what a caller sent, escaped and cut before it is shown again.
#include <gtest/gtest.h>

#include "hooks/protocol/sent_text.hpp"

using namespace ivig::protocol;

TEST(EscapeControls, WritesControlsAndInvalidUtf8AsEscapes) {
  EXPECT_EQ(escape_controls("a\x1b[2Jb\nc\x7f"), R"(a\x1b[2Jb\x0ac\x7f)");
  EXPECT_EQ(escape_controls("c1 \xc2\x9b x"), R"(c1 \u009b x)");
  EXPECT_EQ(escape_controls("\xff\xfe/x"), R"(\xff\xfe/x)");
  EXPECT_EQ(escape_controls("\xc0\xaf \xed\xa0\x80"), R"(\xc0\xaf \xed\xa0\x80)");  // overlong, surrogate
  EXPECT_EQ(escape_controls("Privigen 10% µg ≤ 2 g"), "Privigen 10% µg ≤ 2 g");
  EXPECT_EQ(escape_controls("line\n\ttab", true), "line\n\ttab");
}

TEST(QuotedExcerpt, QuotesEscapesAndCutsAtSixtyFourCharacters) {
  EXPECT_EQ(quoted_excerpt("order-select"), "'order-select'");
  EXPECT_EQ(quoted_excerpt(R"(it's "x" \)"), R"('it\'s \"x\" \\')");
  EXPECT_EQ(quoted_excerpt("\x1b]0;owned\x07"), R"('\x1b]0;owned\x07')");
  EXPECT_EQ(quoted_excerpt(std::string(1'000'000, 'a')), "'" + std::string(63, 'a') + "…'");
  EXPECT_EQ(quoted_excerpt(std::string(64, 'a')), "'" + std::string(64, 'a') + "'");
  EXPECT_EQ(quoted_excerpt(std::string(70, 'e') + "\xc3\xa9", 66), "'" + std::string(65, 'e') + "…'");
}
