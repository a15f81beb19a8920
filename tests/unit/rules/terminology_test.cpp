// tests/unit/rules/terminology_test.cpp: code normalisation and value-set matching.
#include <gtest/gtest.h>

#include "rules/engine/terminology.hpp"
#include "tests/support/test_support.hpp"

using namespace ivig::rules;

TEST(CodeKey, IcdCodesMatchWithOrWithoutTheDot) {
  EXPECT_EQ(code_key(icd10cm_system, "e72.59"), code_key(icd10cm_system, "E7259"));
}

TEST(CodeKey, NdcPackageAndElevenDigitFormsReduceToLabelerProduct) {
  EXPECT_EQ(code_key(ndc_system, "0944-2700-03"), "http://hl7.org/fhir/sid/ndc|944-2700");
  EXPECT_EQ(code_key(ndc_system, "00944270003"), "http://hl7.org/fhir/sid/ndc|944-2700");
  EXPECT_EQ(code_key(ndc_system, "44206-0436"), code_key(ndc_system, "44206-436"));
}

TEST(TextTerms, MatchWholeWordsOnly) {
  EXPECT_TRUE(contains_term("hx of diabetes mellitus type 2", "diabetes mellitus"));
  EXPECT_FALSE(contains_term("prediabetes", "diabetes"));
  EXPECT_TRUE(contains_term("allergy to corn.", "corn"));
  EXPECT_FALSE(contains_term("unicorn", "corn"));
  EXPECT_TRUE(contains_term("anti-iga antibodies", "anti-iga"));
}

TEST(ValueSetMatch, MatchesByCodeThroughAnOidAlias) {
  const auto kb = ivig::test::embedded_knowledge();
  const value_set* set = kb->find_value_set("vs-iga-deficiency");
  ASSERT_NE(set, nullptr);
  ivig::fhir::codeable_concept c{{{"urn:oid:2.16.840.1.113883.6.96", "190979003", ""}}, {}};
  const auto match = match_concept(*kb, *set, c);
  ASSERT_TRUE(match);
  EXPECT_EQ(match->system, "SNOMED CT");
  EXPECT_EQ(match->evidence, evidence_level::confirmed);
  EXPECT_FALSE(match->by_text);
}

TEST(ValueSetMatch, MatchesIcdPrefixes) {
  const auto kb = ivig::test::embedded_knowledge();
  ivig::fhir::codeable_concept c{{{icd10cm_system, "E11.65", "Type 2 diabetes mellitus with hyperglycemia"}}, {}};
  const auto match = match_concept(*kb, *kb->find_value_set("vs-diabetes"), c);
  ASSERT_TRUE(match);
  EXPECT_EQ(match->evidence, evidence_level::unconfirmed);  // the ICD-10-CM categories are [U]
}

TEST(ValueSetMatch, FallsBackToTextOnlyWhenNoCodeMatches) {
  const auto kb = ivig::test::embedded_knowledge();
  ivig::fhir::codeable_concept local{{{"urn:local", "X9", "Selective IgA deficiency"}}, {}};
  const auto match = match_concept(*kb, *kb->find_value_set("vs-iga-deficiency"), local);
  ASSERT_TRUE(match);
  EXPECT_TRUE(match->by_text);
  ivig::fhir::codeable_concept insipidus{{}, "Diabetes insipidus"};
  EXPECT_FALSE(match_concept(*kb, *kb->find_value_set("vs-diabetes"), insipidus));
}
