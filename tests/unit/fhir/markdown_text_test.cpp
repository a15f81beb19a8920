// tests/unit/fhir/markdown_text_test.cpp: record text made inert in card Markdown, and still readable.
//
// Each expected string was rendered with a CommonMark reader (markdown-it 14, HTML and GFM tables on)
// at the start of a line, inside a list item, in a table cell and wrapped in the service's own bold:
// each rendered exactly as the record text, with no element of its own (docs/cards.md, "Text from the
// record").
#include <gtest/gtest.h>

#include "fhir/model/markdown_text.hpp"

using ivig::fhir::markdown_text;
using ivig::fhir::plain_text_line;

TEST(MarkdownText, ALinkIsShownAsItsTextNotFollowed) {
  EXPECT_EQ(markdown_text("[click](http://evil)"), R"([click\](http://evil))");
  EXPECT_EQ(markdown_text("see [click](http://evil)"), R"(see [click\](http://evil))");
  EXPECT_EQ(markdown_text("[x][ref]"), R"([x\][ref])");
}

TEST(MarkdownText, ALinkDefinitionCannotTurnTheServicesMarkersIntoLinks) {
  // "[c]: http://evil" at a line's start would make every "[C]" on the card a link.
  EXPECT_EQ(markdown_text("[c]: http://evil"), R"(\[c]: http://evil)");
  EXPECT_EQ(markdown_text("[^1]: note"), R"(\[^1]: note)");
}

TEST(MarkdownText, AnImageIsNeverLoaded) {
  EXPECT_EQ(markdown_text("![img](x)"), R"(\![img\](x))");
  EXPECT_EQ(markdown_text("see ![x][ref]"), R"(see \![x\][ref])");
}

TEST(MarkdownText, HtmlTagsAreEntitiesSoNoScriptOrHandlerRuns) {
  EXPECT_EQ(markdown_text("<script>alert(1)</script>"), "&lt;script>alert(1)&lt;/script>");
  EXPECT_EQ(markdown_text("<img src=x onerror=alert(1)>"), "&lt;img src=x onerror=alert(1)>");
  EXPECT_EQ(markdown_text("<!-- hidden -->"), "&lt;!-- hidden -->");
  EXPECT_EQ(markdown_text("<http://evil>"), "&lt;http://evil>");  // no autolink
}

TEST(MarkdownText, AHeadingOrAnotherBlockCannotStartFromTheRecord) {
  EXPECT_EQ(markdown_text("# heading"), R"(\# heading)");
  EXPECT_EQ(markdown_text("> quoted"), "&gt; quoted");
  EXPECT_EQ(markdown_text("- item"), R"(\- item)");
  EXPECT_EQ(markdown_text("+ item"), R"(\+ item)");
  EXPECT_EQ(markdown_text("---"), R"(\---)");
  EXPECT_EQ(markdown_text("=="), R"(\==)");
  EXPECT_EQ(markdown_text("1. first"), R"(1\. first)");
  EXPECT_EQ(markdown_text("12) x"), R"(12\) x)");
}

TEST(MarkdownText, ANewlineBecomesASpaceSoTheRecordCannotOpenALine) {
  EXPECT_EQ(markdown_text("x\n# y"), "x # y");
  EXPECT_EQ(markdown_text("a\r\n\r\n- b\tc"), "a    - b c");
  EXPECT_EQ(markdown_text("  padded  \n"), "padded");
  EXPECT_EQ(markdown_text("\x1b[31mred\x1b[0m"), "[31mred [0m");
  EXPECT_EQ(markdown_text("c1\xc2\x9b"
                          "2J"),
            "c1 2J");  // U+009B, a C1 control
}

TEST(MarkdownText, EmphasisCodeAndTablesAreEscaped) {
  EXPECT_EQ(markdown_text("***"), R"(\*\*\*)");
  EXPECT_EQ(markdown_text("**bold** and _it_"), R"(\*\*bold\*\* and \_it\_)");
  EXPECT_EQ(markdown_text("`code`"), R"(\`code\`)");
  EXPECT_EQ(markdown_text("a | b | c"), R"(a \| b \| c)");
  EXPECT_EQ(markdown_text("~~struck~~"), R"(\~\~struck\~\~)");
}

TEST(MarkdownText, AnEscapedLookingBracketIsShownWithItsBackslash) {
  EXPECT_EQ(markdown_text(R"(\[not a link\])"), R"(\\[not a link\\])");
  EXPECT_EQ(markdown_text(R"(ends with \)"), R"(ends with \\)");
  EXPECT_EQ(markdown_text(R"(C:\temp)"), R"(C:\temp)");  // not before punctuation: literal already
}

TEST(MarkdownText, EntitiesAreShownAsWritten) {
  EXPECT_EQ(markdown_text("&amp; &#65; AT&T"), "&amp;amp; &amp;#65; AT&amp;T");
  EXPECT_EQ(markdown_text("trailing &"), "trailing &amp;");
}

TEST(MarkdownText, OrdinaryClinicalTextIsUnchanged) {
  for (const char* text :
       {"Octagam 10% (Privigen)", "IgA <7 mg/dL", "eGFR >90 mL/min/1.73m2", "2.5 g/kg", "Smith & Nephew", "~5 mg",
        "snake_case", "Anaphylaxis after IVIG!", "E72.59", "Hyperprolinemia, type 1 (disorder)",
        "Hemoglobin [Mass/volume] in Blood", "Insulin Isophane 70 UNT/ML Injectable Suspension [Humulin]",
        "Selective deficiency of immunoglobulin A [IgA]", "[lb_av]", "[IU]/L", "µg/mL", "≤ 2 g/kg", "a < b",
        "C:\\temp"})
    EXPECT_EQ(markdown_text(text), text) << text;
}

TEST(PlainTextLine, KeepsTheWordsAndDropsControlCharacters) {
  EXPECT_EQ(plain_text_line("[x](y) <b> *z*"), "[x](y) <b> *z*");
  EXPECT_EQ(plain_text_line("Live\nvaccine\x1b[2J\x7f"), "Live vaccine [2J");
  EXPECT_EQ(plain_text_line(" \t "), "");
}
