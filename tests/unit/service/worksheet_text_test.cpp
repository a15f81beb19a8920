// tests/unit/service/worksheet_text_test.cpp: the worksheet's markdown as plain text.
#include <gtest/gtest.h>

#include "hooks/service/worksheet.hpp"

using ivig::service::worksheet_text;

TEST(WorksheetText, DropsEmphasisAndTurnsTablesIntoPaddedColumns) {
  const std::string markdown =
      "**Weight**\n\n| measure | value |\n|---|---|\n| Actual weight | 70 kg |\n| **Dosing weight** | **70 kg** |\n\n"
      "**Preparation**\n- Diluent: do not dilute [C]\n";
  EXPECT_EQ(worksheet_text(markdown),
            "Weight\n\n"
            "measure        value\n"
            "Actual weight  70 kg\n"
            "Dosing weight  70 kg\n"
            "\n"
            "Preparation\n- Diluent: do not dilute [C]\n");
}

TEST(WorksheetText, CountsMultibyteCharactersAsOneColumnAndKeepsEmptyCells) {
  EXPECT_EQ(worksheet_text("| a | µg/mL |\n|---|---|\n| ≤ 25 | |\n"), "a     µg/mL\n≤ 25\n");
}

TEST(WorksheetText, RecordTextEscapedForMarkdownReadsAsWrittenAgain) {
  // What fhir::markdown_text made of "a | b", "*x* [y](z) <b> & AT&T" and a note "# not a heading".
  const std::string markdown =
      "| check | result |\n|---|---|\n| Anti-IgA | a \\| b |\n\n"
      "- Note: \\*x\\* \\[y\\](z) &lt;b> & AT&amp;T\n- Note: \\# not a heading, C:\\temp\n";
  EXPECT_EQ(worksheet_text(markdown),
            "check     result\n"
            "Anti-IgA  a | b\n"
            "\n"
            "- Note: *x* [y](z) <b> & AT&T\n"
            "- Note: # not a heading, C:\\temp\n");
}
