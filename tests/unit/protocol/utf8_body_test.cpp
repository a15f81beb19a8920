// tests/unit/protocol/utf8_body_test.cpp: a request body must be UTF-8; the answer names the byte.
#include <gtest/gtest.h>

#include "hooks/protocol/json_body.hpp"

using namespace ivig::protocol;

namespace {

std::string diagnostics_of(const std::string& body) {
  const auto parsed = parse_json_body(body, 64);
  if (parsed) return "parsed";
  EXPECT_EQ(parsed.error().code, error_code::json_malformed);
  return parsed.error().diagnostics;
}

std::string at_byte(std::size_t offset) {
  return "The body is not valid UTF-8: the byte sequence at byte " + std::to_string(offset) +
         " is not a UTF-8 character.";
}

}  // namespace

TEST(Utf8Body, InvalidSequencesInAStringAreMalformedAtTheirByte) {
  EXPECT_EQ(diagnostics_of("{\"hook\":\"a\xc0\xaf\"}"), at_byte(10));      // overlong "/"
  EXPECT_EQ(diagnostics_of("{\"hook\":\"a\x80\"}"), at_byte(10));          // lone continuation byte
  EXPECT_EQ(diagnostics_of("{\"hook\":\"a\xe2\x82\"}"), at_byte(10));      // truncated 3-byte sequence
  EXPECT_EQ(diagnostics_of("{\"hook\":\"a\xed\xa0\x80\"}"), at_byte(10));  // surrogate U+D800 in UTF-8
  EXPECT_EQ(diagnostics_of("{\"h\xff\":1}"), at_byte(3));                  // in a key too
}

// Found by tests/fuzz/fuzz_cds_request: a lead byte as the body's last byte made the validator read
// the continuation bytes it announces past the end of the parser's copy (caught under ASan).
TEST(Utf8Body, ASequenceCutShortByTheEndOfTheBodyIsMalformedAtItsByte) {
  EXPECT_EQ(diagnostics_of("{\n \"cont\\u0eeD\xe4"), at_byte(14));  // the fuzzer's input: a 3-byte lead last
  EXPECT_EQ(diagnostics_of("{\"a\":\"\xf0"), at_byte(6));           // a 4-byte lead: three bytes announced
  EXPECT_EQ(diagnostics_of("{\"a\":\"\xf4\x8f"), at_byte(6));
  EXPECT_EQ(diagnostics_of("{\"a\":\"\xc3"), at_byte(6));
}

TEST(Utf8Body, ALoneLowSurrogateEscapeIsMalformedToo) {
  // RapidJSON refuses a lone high surrogate escape itself; a lone low one would decode to ED B0 80.
  EXPECT_EQ(diagnostics_of(R"({"a":"\uDC00"})"),
            R"(The body is not valid UTF-8: the string before byte 13 holds a lone surrogate escape (\uDC00-\uDFFF).)");
  EXPECT_NE(diagnostics_of(R"({"a":"\uD800x"})"), "parsed");
  EXPECT_EQ(diagnostics_of(R"({"a":"\uD83D\uDE00"})"), "parsed");  // a pair is a character
}

TEST(Utf8Body, ValidUtf8AndABomAreAccepted) {
  EXPECT_EQ(diagnostics_of("{\"text\":\"≤ 2 g/kg, µg, 😀\"}"), "parsed");
  EXPECT_EQ(diagnostics_of("\xef\xbb\xbf{\"text\":\"é\"}"), "parsed");
}

TEST(Utf8Body, AnInvalidByteOutsideAStringIsMalformedJson) {
  EXPECT_NE(diagnostics_of("{\"a\":1}\xff"), "parsed");
  EXPECT_NE(diagnostics_of("{\xff:1}"), "parsed");
}
