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

const std::string hyperprolinemia =
    concept_of(icd10cm, "E72.59", "Other disorders of amino-acid metabolism", "Hyperprolinemia");

}  // namespace

TEST(RuleHarness, DosePerDayAboveOneGramPerKgIsAWarningOfR15WithTheDayDoseAsAFact) {
  rule_harness h = ordinary_adult();
  h.order(ivig_order_with(privigen(), 1.5, 105)).evaluate();
  EXPECT_EQ(h.findings(), std::vector<std::string>{"warning R15"});
  ASSERT_TRUE(h.facts().dose.g_per_kg_per_day);
  EXPECT_DOUBLE_EQ(*h.facts().dose.g_per_kg_per_day, 1.5);
  EXPECT_DOUBLE_EQ(h.facts().limits.per_day->value, 1.0);
}

TEST(RuleHarness, DosePerDayOfOneGramPerKgIsSilent) {
  rule_harness h = ordinary_adult();
  h.order(ivig_order_with(privigen(), 1, 70)).evaluate();
  EXPECT_EQ(h.findings(), std::vector<std::string>{});
  EXPECT_EQ(h.incomplete_rules(), std::vector<std::string>{});
}

TEST(RuleHarness, HyperprolinemiaWithPrivigenIsCriticalR4) {
  rule_harness h = ordinary_adult();
  h.with(condition("c1", hyperprolinemia)).order(ivig_order_with(privigen(), 0.5, 35)).evaluate();
  const ivig::rules::finding* r4 = h.finding_of("R4");
  ASSERT_NE(r4, nullptr);
  // E72.59 is broader than hyperprolinemia ([U] mapping): the knowledge makes this a warning.
  EXPECT_EQ(r4->level, severity::warning);
  EXPECT_EQ(r4->order_reference, "MedicationRequest/ivig-1");
}

TEST(RuleHarness, SignOnlyRulesRunOnlyAtSigning) {
  rule_harness select = ordinary_adult();
  select.order(ivig_order_with(privigen(), 0.5, 35)).evaluate(hook_stage::select);
  rule_harness sign = ordinary_adult();
  sign.order(ivig_order_with(privigen(), 0.5, 35)).evaluate(hook_stage::sign);
  EXPECT_EQ(select.findings(), std::vector<std::string>{});
  EXPECT_EQ(sign.findings(), (std::vector<std::string>{"info R24", "info R28", "info R30"}));
}

// --- order facts, computed once ----------------------------------------------------------------

TEST(OrderFacts, VialsVolumeAndCostComeFromTheOrderedGramsOnce) {
  rule_harness h = ordinary_adult();
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
  rule_harness octagam = ordinary_adult();
  octagam.order(ivig_order_with(octagam_10(), 0.4, 28)).evaluate();
  EXPECT_NE(octagam.facts().rates.at_risk.labelled, nullptr);
  EXPECT_EQ(octagam.facts().rates.at_risk.policy, nullptr);

  rule_harness privigen_order = ordinary_adult();
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
  rule_harness h = ordinary_adult();
  h.without("conditions").order(ivig_order_with(privigen(), 0.5, 35)).evaluate();
  EXPECT_EQ(h.findings(), std::vector<std::string>{});
  EXPECT_EQ(h.incomplete_rules(), (std::vector<std::string>{"R1", "R2", "R3", "R4", "R5", "R7", "R8", "R10", "R11",
                                                            "R13", "R15", "R16", "R18", "R21", "R32"}));
}

// --- issue 9: the standard regimens stay quiet; severity follows the label; one cause, one card --

namespace {

std::string daily_for(int days) {
  return R"("timing":{"repeat":{"count":)" + std::to_string(days) + R"(,"frequency":1,"period":1,"periodUnit":"d"}})";
}
std::string monthly() {
  return R"("timing":{"repeat":{"frequency":1,"period":4,"periodUnit":"wk"}})";
}

/// An order that gives only grams (no ordered g/kg), once.
std::string grams_only_order(double grams) {
  return R"({"resourceType":"MedicationRequest","id":"ivig-1","status":"draft","intent":"order",)"
         R"("medicationCodeableConcept":)" +
         privigen() + R"(,"subject":{"reference":"Patient/example"},)" + indication() +
         R"(,"dosageInstruction":[{"route":)" + concept_of(snomed, "47625008", "Intravenous route") +
         R"(,"doseAndRate":[{"doseQuantity":{"value":)" + std::to_string(grams) +
         R"(,"unit":"g","system":"http://unitsofmeasure.org","code":"g"}}]}]})";
}

}  // namespace

TEST(StandardRegimen, OneGramPerKgMonthlyOnTheSeedPatientIsQuiet) {
  rule_harness h = ordinary_adult(70, 165);
  h.order(ivig_order_with(privigen(), 1, 70, monthly())).evaluate();
  EXPECT_EQ(h.findings(), std::vector<std::string>{});
  EXPECT_EQ(h.facts().weight.basis, ivig::rules::weight_basis::actual);  // BMI 25.7: Ontario keeps actual weight
}

TEST(StandardRegimen, FiveDayCourseAsksOnlyForTheLabelledHaemoglobinChecksAndTheRounding) {
  rule_harness h = ordinary_adult(70, 165);
  h.order(ivig_order_with(privigen(), 0.4, 28, daily_for(5))).evaluate();
  EXPECT_EQ(h.findings(), (std::vector<std::string>{"info R19", "warning R20"}));
  const ivig::rules::finding* r20 = h.finding_of("R20");
  ASSERT_NE(r20, nullptr);
  ASSERT_EQ(r20->lab_orders.size(), 2u);
  EXPECT_EQ(r20->lab_orders[0].code, "718-7");
  EXPECT_EQ(r20->lab_orders[1].when, "36–96 h after the last dose");
}

TEST(StandardRegimen, AcceptingTheRoundingRaisesNoFurtherCard) {
  // R19's one click writes 30 g (whole vials) for 0.4 g/kg × 70 kg: the course stays 2 g/kg as ordered.
  rule_harness h = ordinary_adult(70, 165);
  h.order(ivig_order_with(privigen(), 0.4, 30, daily_for(5))).evaluate();
  EXPECT_EQ(h.findings(), std::vector<std::string>{"warning R20"});
}

TEST(OneCauseOneCard, GramsRoundedToWholeVialsFromTheDailyLimitAreTheLimit) {
  rule_harness at_limit = ordinary_adult(73, 175);  // 1 g/kg = 73 g → 75 g in 5 g vials
  at_limit.order(grams_only_order(75)).evaluate();
  EXPECT_EQ(at_limit.findings(), std::vector<std::string>{});
  rule_harness above = ordinary_adult(73, 175);
  above.order(grams_only_order(80)).evaluate();
  EXPECT_EQ(above.findings(), std::vector<std::string>{"warning R15"});
}

TEST(OneCauseOneCard, CalculatedGramsThatDoNotMatchAreR17sCardAlone) {
  // 1 g/kg ordered, 100 g calculated on 70 kg: the per-kg limits see 1 g/kg; R17 says the grams are wrong.
  rule_harness h = ordinary_adult(70, 165);
  h.order(ivig_order_with(privigen(), 1, 100, monthly())).evaluate();
  EXPECT_EQ(h.findings(), std::vector<std::string>{"warning R17"});
}

TEST(LabelledMaxima, DailyDoseAtTheHighestLabelledDoseIsAWarningAndAboveItCritical) {
  rule_harness at = ordinary_adult(70, 165);
  at.order(ivig_order_with(privigen(), 2.4, 168)).evaluate();
  EXPECT_EQ(at.finding_of("R15")->level, severity::warning);
  rule_harness above = ordinary_adult(70, 165);
  above.order(ivig_order_with(privigen(), 2.41, 168.7)).evaluate();
  ASSERT_NE(above.finding_of("R15"), nullptr);
  EXPECT_EQ(above.finding_of("R15")->level, severity::critical);
  EXPECT_EQ(above.finding_of("R15")->summary,
            "IVIg dose 2.41 g/kg/day exceeds the highest labelled daily dose, 2.4 g/kg/day");
}

TEST(LabelledMaxima, EveryCourseIsCheckedWhateverItsLength) {
  rule_harness ten_days = ordinary_adult(70, 165);  // 0.4 g/kg × 10 days = 4 g/kg, above the labelled 3 g/kg
  ten_days.order(ivig_order_with(privigen(), 0.4, 28, daily_for(10))).evaluate();
  ASSERT_NE(ten_days.finding_of("R16"), nullptr);
  EXPECT_EQ(ten_days.finding_of("R16")->level, severity::critical);
  EXPECT_EQ(ten_days.finding_of("R16")->summary,
            "IVIg course 4 g/kg over 10 days exceeds the highest labelled course, 3 g/kg");
  rule_harness local = ordinary_adult(70, 165);  // 0.5 × 5 = 2.5 g/kg: above the local 2 g/kg only
  local.order(ivig_order_with(privigen(), 0.5, 35, daily_for(5))).evaluate();
  EXPECT_EQ(local.finding_of("R16")->level, severity::warning);
}

TEST(LabelledMaxima, ADoseThatCannotBeRightIsCriticalAndStopsTheArithmetic) {
  for (const double g_per_kg : {0.0, -1.0, 1e6, 1e308}) {
    rule_harness h = ordinary_adult(70, 165);
    h.order(ivig_order_with(privigen(), g_per_kg, 35)).evaluate();
    EXPECT_EQ(h.findings(), std::vector<std::string>{"critical R15"}) << g_per_kg;
    ASSERT_NE(h.finding_of("R15"), nullptr);
    EXPECT_EQ(h.finding_of("R15")->summary.rfind("IVIg dose cannot be right: ", 0), 0u) << h.finding_of("R15")->summary;
    EXPECT_EQ(h.finding_of("R15")->summary.find("e+"), std::string::npos)
        << "no scientific notation: " << h.finding_of("R15")->summary;
    EXPECT_FALSE(h.facts().vials.ordered);
  }
}

TEST(LabelledMaxima, AFrequencyThatMakesTheDailyDoseInfiniteCannotBeRight) {
  rule_harness h = ordinary_adult(70, 165);
  h.order(ivig_order_with(privigen(), 0.4, 28,
                          R"("timing":{"repeat":{"frequency":2147483647,"period":1e-300,"periodUnit":"s"}})"))
      .evaluate();
  EXPECT_EQ(h.findings(), std::vector<std::string>{"critical R15"});
}

TEST(ReadableNumbers, AComparisonIsPrintedWithTheDecimalsThatShowIt) {
  rule_harness h = ordinary_adult(70, 165);
  h.order(ivig_order_with(privigen(), 1.004, 70.28)).evaluate();
  ASSERT_NE(h.finding_of("R15"), nullptr);
  EXPECT_EQ(h.finding_of("R15")->summary,
            "IVIg dose 1.004 g/kg/day exceeds 1 g/kg/day, Privigen's labelled dose for CIDP");
}

TEST(EveryInstruction, ASecondInstructionAboveTheLabelledMaximumIsCritical) {
  rule_harness h = ordinary_adult(70, 165);
  std::string order = ivig_order_with(privigen(), 0.4, 28, daily_for(5));
  order.replace(order.rfind("]}"), 2,
                R"(,{"route":)" + concept_of(snomed, "47625008", "Intravenous route") + R"(,"doseAndRate":)" +
                    dose_and_rate(2.5, 175) + "}]}");
  h.order(order).evaluate();
  ASSERT_NE(h.finding_of("R15"), nullptr);
  EXPECT_EQ(h.finding_of("R15")->level, severity::critical);
}

TEST(AdjustedWeight, PrimaryImmunodeficiencyInAnObesePatientStaysOnActualWeight) {
  rule_harness h;
  h.with(patient())
      .with(body_weight(120))
      .with(body_height(170))
      .with(serum_creatinine(0.8))
      .with(
          observation("iga", concept_of(loinc, "2458-8", "IgA"), quantity_value(180, "mg/dL"), "2026-09-01T08:00:00Z"));
  std::string order = ivig_order_with(privigen(), 0.5, 60, monthly());
  const std::string cidp = indication();
  order.replace(
      order.find(cidp), cidp.size(),
      R"("reasonCode":[)" + concept_of(icd10cm, "D83.9", "Common variable immunodeficiency, unspecified") + "]");
  h.order(order).evaluate();
  EXPECT_EQ(h.facts().weight.basis, ivig::rules::weight_basis::actual);
  EXPECT_EQ(h.findings(), std::vector<std::string>{});
}

TEST(IncompleteScreens, AProductWhoseExcipientsAreNotInTheKnowledgeIsNamedAsUnknownNotPassed) {
  rule_harness h = ordinary_adult();
  const std::string panzyga = R"({"text":"Panzyga 10% intravenous immune globulin"})";
  h.with(condition("c1", hyperprolinemia)).order(ivig_order_with(panzyga, 0.5, 35)).evaluate();
  const ivig::rules::finding* r4 = h.finding_of("R4");
  ASSERT_NE(r4, nullptr);
  EXPECT_EQ(r4->level, severity::warning);
  EXPECT_EQ(r4->summary,
            "Excipients of Panzyga are not in the knowledge base: confirm it has no proline (patient has "
            "hyperprolinemia)");
}

TEST(IncompleteScreens, MissingConditionsMarkTheContraindicationScreensAsSuch) {
  rule_harness h = ordinary_adult();
  const ivig::rules::evaluation& result =
      h.without("conditions").order(ivig_order_with(privigen(), 0.5, 35)).evaluate();
  std::vector<std::string> screens;
  for (const auto& check : result.incomplete)
    if (check.contraindication_screen) screens.push_back(check.rule_id);
  EXPECT_EQ(screens, (std::vector<std::string>{"R1", "R2", "R4", "R5"}));
}

// --- issue 10 (part): the maximum rate of the order's indication --------------------------------

namespace {

/// Privigen 0.4 g/kg (28 g) at `rate` mg/kg/min for `reason_json` (a reasonCode; empty: none).
std::string privigen_at_rate(double rate, const std::string& reason_json) {
  const std::string type = R"x({"coding":[{"system":"http://terminology.hl7.org/CodeSystem/dose-rate-type","code":")x";
  const std::string ucum = R"x(,"system":"http://unitsofmeasure.org")x";
  const std::string dose_and_rate =
      R"x([{"type":)x" + type + R"x(ordered"}]},"doseQuantity":{"value":0.4,"unit":"g/kg")x" + ucum +
      R"x(,"code":"g/kg"},"rateQuantity":{"value":)x" + std::to_string(rate) + R"x(,"unit":"mg/(kg.min)")x" + ucum +
      R"x(,"code":"mg/(kg.min)"}},{"type":)x" + type + R"x(calculated"}]},"doseQuantity":{"value":28,"unit":"g")x" +
      ucum + R"x(,"code":"g"}}])x";
  return R"x({"resourceType":"MedicationRequest","id":"ivig-1","status":"draft","intent":"order",)x"
         R"x("medicationCodeableConcept":)x" +
         privigen() + R"x(,"subject":{"reference":"Patient/example"},)x" +
         (reason_json.empty() ? std::string{} : R"x("reasonCode":[)x" + reason_json + "],") +
         R"x("dosageInstruction":[{"route":)x" + concept_of(snomed, "47625008", "Intravenous route") +
         R"x(,"doseAndRate":)x" + dose_and_rate + "}]}";
}

severity r12_level(const std::string& order) {
  rule_harness h = ordinary_adult(70, 165);
  for (const auto& f : h.order(order).evaluate().findings)
    if (f.rule_id == "R12") return f.level;
  return severity::info;  // no R12 card
}

const std::string itp_reason = concept_of(icd10cm, "D69.3", "Immune thrombocytopenic purpura");
const std::string pi_reason = concept_of(icd10cm, "D83.9", "Common variable immunodeficiency, unspecified");
const std::string ms_reason = concept_of(snomed, "426373005", "Relapsing remitting multiple sclerosis");

}  // namespace

TEST(IndicationRates, ChronicItpOnPrivigenIsHeldToItsLabelledFourMgPerKgMin) {
  EXPECT_EQ(r12_level(privigen_at_rate(6, itp_reason)), severity::critical);
  EXPECT_EQ(r12_level(privigen_at_rate(4, itp_reason)), severity::info);
}

TEST(IndicationRates, PrimaryImmunodeficiencyOnPrivigenMayGoToEight) {
  EXPECT_EQ(r12_level(privigen_at_rate(6, pi_reason)), severity::info);
  EXPECT_EQ(r12_level(privigen_at_rate(8.5, pi_reason)), severity::critical);
}

TEST(IndicationRates, OffLabelOrUnknownIndicationsGetTheMostConservativeMaximumAsAWarning) {
  EXPECT_EQ(r12_level(privigen_at_rate(6, ms_reason)), severity::warning);
  EXPECT_EQ(r12_level(privigen_at_rate(6, "")), severity::warning);
  EXPECT_EQ(r12_level(privigen_at_rate(9, ms_reason)), severity::critical);  // beyond every label
  rule_harness h = ordinary_adult(70, 165);
  h.order(privigen_at_rate(6, ms_reason)).evaluate();
  EXPECT_EQ(h.facts().rates.maximum_basis,
            "the most conservative labelled maximum (ITP): Privigen is not labelled for MS");
  EXPECT_EQ(h.finding_of("R12")->summary,
            "Rate 6 mg/kg/min exceeds Privigen's most conservative labelled maximum 4 mg/kg/min");
}

TEST(IndicationRates, OctagamTenPercentForDermatomyositisIsHeldToFourMgPerKgMin) {
  const std::string dm = concept_of(icd10cm, "M33.10", "Other dermatomyositis, organ involvement unspecified");
  auto octagam_at = [&](double rate, const std::string& reason) {
    std::string order = privigen_at_rate(rate, reason);
    const std::string brand = privigen();
    order.replace(order.find(brand), brand.size(), octagam_10());
    return order;
  };
  EXPECT_EQ(r12_level(octagam_at(6, dm)), severity::critical);      // dermatomyositis maximum 4
  EXPECT_EQ(r12_level(octagam_at(6, itp_reason)), severity::info);  // chronic ITP maximum 12
}

// --- issue 10 (part): problem-list text without a code ----------------------------------------------

TEST(ProblemListText, RenalInsufficiencyWrittenAsTextIsARenalRiskFactorMatchedByText) {
  for (const std::string words : {"Renal insufficiency", "Kidney failure", "CKD stage 3"}) {
    rule_harness h = ordinary_adult();
    h.with(condition("c1", R"({"text":")" + words + R"("})")).order(ivig_order_with(privigen(), 0.5, 35)).evaluate();
    const ivig::rules::finding* r8 = h.finding_of("R8");
    ASSERT_NE(r8, nullptr) << words;
    ASSERT_FALSE(r8->evidence.empty());
    EXPECT_NE(r8->evidence.front().find("(matched by text)"), std::string::npos) << r8->evidence.front();
  }
}

TEST(ProblemListText, OtherWordsAreNotRenalDisease) {
  rule_harness h = ordinary_adult();
  h.with(condition("c1", R"({"text":"Renal cyst, simple"})")).order(ivig_order_with(privigen(), 0.5, 35)).evaluate();
  EXPECT_EQ(h.findings(), std::vector<std::string>{});
}
