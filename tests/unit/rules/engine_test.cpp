// tests/unit/rules/engine_test.cpp: the engine in-process — findings (rule, severity, facts) on
// records built here, failure isolation of a throwing rule, and order facts computed once.
//
// These tests assert what the engine concludes, not the words of a card; the HTTP scenario tests
// keep the golden cards.
#include <gtest/gtest.h>

#include "rules/engine/engine.hpp"
#include "rules/engine/order_facts.hpp"
#include "tests/support/fault_knowledge.hpp"
#include "tests/support/fhir_builders.hpp"
#include "tests/support/rule_harness.hpp"

using namespace ivig::test;
using ivig::rules::hook_stage;
using ivig::rules::severity;

namespace {

std::string ivig_order_with(const std::string& medication, double g_per_kg, double grams,
                            const std::string& extra_dosage_members = {}) {
  return R"({"resourceType":"MedicationRequest","id":"ivig-1","status":"draft","intent":"order",)"
         R"("medicationCodeableConcept":)" +
         medication + R"(,"subject":{"reference":"Patient/example"},)" + indication() +
         R"(,"dosageInstruction":[{"route":)" + concept_of(snomed, "47625008", "Intravenous route") +
         R"(,"doseAndRate":)" + dose_and_rate(g_per_kg, grams) +
         (extra_dosage_members.empty() ? std::string{} : "," + extra_dosage_members) + "}]}";
}

/// A 70 kg, 170 cm woman of 46 with recent normal renal labs and a normal IgA: only what a test adds is news.
rule_harness ordinary_patient() {
  rule_harness h;
  h.with(patient())
      .with(body_weight(70))
      .with(body_height(170))
      .with(serum_creatinine(0.9))
      .with(
          observation("iga", concept_of(loinc, "2458-8", "IgA"), quantity_value(180, "mg/dL"), "2026-09-01T08:00:00Z"));
  return h;
}

const std::string hyperprolinemia =
    concept_of(icd10cm, "E72.59", "Other disorders of amino-acid metabolism", "Hyperprolinemia");

}  // namespace

TEST(RuleHarness, DosePerDayAboveOneGramPerKgIsAWarningOfR15WithTheDayDoseAsAFact) {
  rule_harness h = ordinary_patient();
  h.order(ivig_order_with(privigen(), 1.5, 105)).evaluate();
  EXPECT_EQ(h.findings(), std::vector<std::string>{"warning R15"});
  ASSERT_TRUE(h.facts().dose.g_per_kg_per_day);
  EXPECT_DOUBLE_EQ(*h.facts().dose.g_per_kg_per_day, 1.5);
  EXPECT_DOUBLE_EQ(h.facts().limits.per_day->value, 1.0);
}

TEST(RuleHarness, DosePerDayOfOneGramPerKgIsSilent) {
  rule_harness h = ordinary_patient();
  h.order(ivig_order_with(privigen(), 1, 70)).evaluate();
  EXPECT_EQ(h.findings(), std::vector<std::string>{});
  EXPECT_EQ(h.incomplete_rules(), std::vector<std::string>{});
}

TEST(RuleHarness, HyperprolinemiaWithPrivigenIsCriticalR4) {
  rule_harness h = ordinary_patient();
  h.with(condition("c1", hyperprolinemia)).order(ivig_order_with(privigen(), 0.5, 35)).evaluate();
  const ivig::rules::finding* r4 = h.finding_of("R4");
  ASSERT_NE(r4, nullptr);
  // E72.59 is broader than hyperprolinemia ([U] mapping): the knowledge makes this a warning.
  EXPECT_EQ(r4->level, severity::warning);
  EXPECT_EQ(r4->order_reference, "MedicationRequest/ivig-1");
}

TEST(RuleHarness, SignOnlyRulesRunOnlyAtSigning) {
  rule_harness select = ordinary_patient();
  select.order(ivig_order_with(privigen(), 0.5, 35)).evaluate(hook_stage::select);
  rule_harness sign = ordinary_patient();
  sign.order(ivig_order_with(privigen(), 0.5, 35)).evaluate(hook_stage::sign);
  EXPECT_EQ(select.findings(), std::vector<std::string>{});
  EXPECT_EQ(sign.findings(), (std::vector<std::string>{"info R24", "info R28", "info R30"}));
}

// --- order facts, computed once ----------------------------------------------------------------

TEST(OrderFacts, VialsVolumeAndCostComeFromTheOrderedGramsOnce) {
  rule_harness h = ordinary_patient();
  h.order(ivig_order_with(privigen(), 0.4, 28)).evaluate(hook_stage::sign);
  const ivig::rules::order_facts& facts = h.facts();
  ASSERT_TRUE(facts.vials.ordered);
  EXPECT_DOUBLE_EQ(facts.vials.ordered->requested_g, 28);
  EXPECT_DOUBLE_EQ(facts.vials.ordered->rounded_g, 30);  // Privigen 5/10/20/40 g: nearest is 30 (tie goes up)
  ASSERT_TRUE(facts.volume);
  EXPECT_DOUBLE_EQ(facts.volume->ml_per_dose, 280);  // 10% = 100 mg/mL
  ASSERT_TRUE(facts.cost);
  EXPECT_DOUBLE_EQ(facts.cost->grams, 30);
  EXPECT_DOUBLE_EQ(facts.cost->usd, 30 * facts.cost->price_per_gram->value);
  // R28's card and the worksheet both read this estimate: R28 states the same grams.
  const ivig::rules::finding* r28 = h.finding_of("R28");
  ASSERT_NE(r28, nullptr);
  EXPECT_NE(r28->summary.find("for 30 g"), std::string::npos) << r28->summary;
}

TEST(OrderFacts, AtRiskCapIsTheLabelsWhenItHasOneElseTheLocalDefault) {
  rule_harness octagam = ordinary_patient();
  octagam.order(ivig_order_with(octagam_10(), 0.4, 28)).evaluate();
  EXPECT_NE(octagam.facts().rates.at_risk.labelled, nullptr);
  EXPECT_EQ(octagam.facts().rates.at_risk.policy, nullptr);

  rule_harness privigen_order = ordinary_patient();
  privigen_order.order(ivig_order_with(generic_ivig(), 0.4, 28)).evaluate();
  EXPECT_EQ(privigen_order.facts().rates.at_risk.labelled, nullptr);
  ASSERT_NE(privigen_order.facts().rates.at_risk.policy, nullptr);
  EXPECT_EQ(privigen_order.facts().rates.at_risk.policy->id, "at-risk-rate-cap-default");
}

// --- a failing rule costs only itself ----------------------------------------------------------

TEST(FailureIsolation, AThrowingRuleLeavesTheOtherFindingsAndIsListedAsNotCompleted) {
  // Privigen with hyperprolinemia, age 71 and diabetes: R4, R8 and R10 all fire normally.
  auto build = [](std::shared_ptr<const ivig::rules::knowledge> kb) {
    rule_harness h(std::move(kb));
    h.with(patient("example", "female", "1955-03-01"))
        .with(body_weight(70))
        .with(body_height(170))
        .with(serum_creatinine(0.9))
        .with(observation("iga", concept_of(loinc, "2458-8", "IgA"), quantity_value(180, "mg/dL")))
        .with(condition("c1", hyperprolinemia))
        .with(condition("c2", concept_of(icd10cm, "E11.9", "Type 2 diabetes mellitus without complications")))
        .order(ivig_order_with(privigen(), 0.5, 35));
    return h;
  };
  rule_harness healthy = build(nullptr);
  healthy.evaluate();
  ASSERT_EQ(healthy.findings(), (std::vector<std::string>{"warning R4", "warning R8", "warning R10"}));

  rule_harness failing = build(knowledge_with_failing_rule("R8"));
  const ivig::rules::evaluation& result = failing.evaluate();
  // R8's partial output is gone; R4 and R10 are untouched, in order.
  EXPECT_EQ(failing.findings(), (std::vector<std::string>{"warning R4", "warning R10"}));
  ASSERT_EQ(result.incomplete.size(), 1u);
  EXPECT_EQ(result.incomplete[0].rule_id, "R8");
  EXPECT_EQ(result.incomplete[0].reason,
            "the check failed with an internal error and was skipped; the service's log names it");
  ASSERT_EQ(result.failures.size(), 1u);
  EXPECT_EQ(result.failures[0].rule_id, "R8");
  EXPECT_EQ(result.failures[0].order_reference, "MedicationRequest/ivig-1");
  EXPECT_EQ(result.failures[0].what, "injected fault in R8");
}

TEST(RuleHarness, MissingConditionsMakeTheConditionChecksIncompleteNotSilent) {
  rule_harness h = ordinary_patient();
  h.without("conditions").order(ivig_order_with(privigen(), 0.5, 35)).evaluate();
  EXPECT_EQ(h.findings(), std::vector<std::string>{});
  EXPECT_EQ(h.incomplete_rules(), (std::vector<std::string>{"R1", "R2", "R3", "R4", "R5", "R7", "R8", "R10", "R11",
                                                            "R13", "R15", "R16", "R18", "R21"}));
}
