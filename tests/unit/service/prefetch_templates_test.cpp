// tests/unit/service/prefetch_templates_test.cpp: templates derived from the rules' data needs.
#include <gtest/gtest.h>

#include <set>

#include "hooks/service/prefetch_templates.hpp"
#include "tests/support/test_support.hpp"

using namespace ivig::service;

TEST(PrefetchTemplates, HaveExactlyTheNineKeysInOrder) {
  const auto templates = derive_prefetch_templates(*ivig::test::embedded_knowledge());
  std::vector<std::string> keys;
  for (const auto& t : templates) keys.push_back(t.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"patient", "conditions", "observations", "allergies", "immunizations",
                                            "medications", "medicationHistory", "administrations", "procedures"}));
  EXPECT_EQ(templates[0].query, "Patient/{{context.patientId}}");
  EXPECT_EQ(templates[1].query, "Condition?patient={{context.patientId}}");
  EXPECT_EQ(templates[3].query, "AllergyIntolerance?patient={{context.patientId}}");
  EXPECT_EQ(templates[5].query, "MedicationRequest?patient={{context.patientId}}&status=active");
  // Procedures (R31's plasma exchange) by patient only: a prefetch token cannot compute a date.
  EXPECT_EQ(templates[8].query, "Procedure?patient={{context.patientId}}");
}

TEST(PrefetchTemplates, ObservationCodesAreTheUnionOfTheRulesNeeds) {
  const auto templates = derive_prefetch_templates(*ivig::test::embedded_knowledge());
  const std::string& query = templates[2].query;
  EXPECT_EQ(query.rfind("Observation?patient={{context.patientId}}&code=", 0), 0u);
  EXPECT_EQ(query.substr(query.size() - 12), "&_sort=-date");
  // Weight, height, BMI, creatinine (serum and blood), eGFR variants, IgA, meter glucose: what the rules need.
  for (const char* code : {"29463-7", "8302-2", "39156-5", "2160-0", "38483-4", "98979-8", "62238-1", "33914-3",
                           "77147-7", "2458-8", "41653-7", "14743-9", "718-7", "883-9"})
    EXPECT_NE(query.find(std::string("http://loinc.org|") + code), std::string::npos) << code;
  // Laboratory glucose is no rule's need any more (R7 counts meter glucose only).
  EXPECT_EQ(query.find("http://loinc.org|2345-7"), std::string::npos);
  // No code twice.
  std::set<std::string> seen;
  std::size_t start = query.find("code=") + 5;
  const std::string list = query.substr(start, query.find('&', start) - start);
  for (std::size_t pos = 0; pos < list.size();) {
    const std::size_t comma = list.find(',', pos);
    const std::string token = list.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    EXPECT_TRUE(seen.insert(token).second) << token;
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
}

TEST(PrefetchTemplates, UseOnlyTheCdsHooksQuerySubset) {
  // Instance read or type search; parameters patient (reference), code/status (token), _sort.
  for (const auto& t : derive_prefetch_templates(*ivig::test::embedded_knowledge())) {
    const auto question = t.query.find('?');
    if (question == std::string::npos) continue;
    std::string params = t.query.substr(question + 1);
    for (std::size_t pos = 0; pos <= params.size();) {
      const std::size_t amp = params.find('&', pos);
      const std::string param = params.substr(pos, params.find('=', pos) - pos);
      EXPECT_TRUE(param == "patient" || param == "code" || param == "status" || param == "_sort") << param;
      if (amp == std::string::npos) break;
      pos = amp + 1;
    }
  }
}

TEST(PrefetchTemplates, TheImmuneGlobulinHistoryIsFilteredByImmuneGlobulinCodes) {
  const auto templates = derive_prefetch_templates(*ivig::test::embedded_knowledge());
  ASSERT_EQ(templates.size(), 9u);
  const std::string& ended = templates[6].query;
  const std::string& given = templates[7].query;
  EXPECT_EQ(ended.rfind("MedicationRequest?patient={{context.patientId}}&status=completed,stopped&code=", 0), 0u);
  EXPECT_EQ(given.rfind("MedicationAdministration?patient={{context.patientId}}&code=", 0), 0u);
  // Privigen's brand name code and the immune globulin ingredient (RxNorm).
  for (const std::string& query : {ended, given}) {
    EXPECT_NE(query.find("http://www.nlm.nih.gov/research/umls/rxnorm|758996"), std::string::npos) << query;
    // R31's FcRn blockers (efgartigimod alfa): an ended order or a dose given lowers the IVIg too.
    EXPECT_NE(query.find("http://www.nlm.nih.gov/research/umls/rxnorm|2587717"), std::string::npos) << query;
    EXPECT_EQ(query.find("_sort"), std::string::npos);
  }
  EXPECT_EQ(ended.substr(ended.find("&code=")), given.substr(given.find("&code=")));
}
