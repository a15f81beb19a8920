// tests/unit/rules/specific_triggers_test.cpp: the narrowed triggers of issue 9 point 8, in-process
// (findings and the corrections and switches the engine computes, without HTTP or card wording).
//
// R7 counts glucose meters and insulin, not laboratory glucose; R26 leaves the renewal of the same
// maintenance regimen alone; R13's cap keeps the titration's start; R3 offers only lower-IgA
// products the patient can take, each by a code that names that product alone.
#include <gtest/gtest.h>

#include <algorithm>

#include "rules/engine/engine.hpp"
#include "tests/support/fhir_builders.hpp"
#include "tests/support/rule_harness.hpp"
#include "tests/support/test_support.hpp"

using namespace ivig::test;
using ivig::rules::hook_stage;
using ivig::rules::severity;

namespace {

const std::string ucum_mg_per_kg_min =
    R"j("unit":"mg/kg/min","system":"http://unitsofmeasure.org","code":"mg/(kg.min)")j";

/// An IVIg MedicationRequest: 0.5 g/kg = 35 g, with extra dosage members (timing, rate) if given.
std::string ivig_request(const std::string& id, const std::string& medication, const std::string& status = "draft",
                         const std::string& extra_dosage_members = {}, const std::string& extra_members = {}) {
  return R"({"resourceType":"MedicationRequest","id":")" + id + R"(","status":")" + status +
         R"(","intent":"order","medicationCodeableConcept":)" + medication +
         R"(,"subject":{"reference":"Patient/example"},)" + indication() +
         (extra_members.empty() ? std::string{} : "," + extra_members) + R"(,"dosageInstruction":[{"route":)" +
         concept_of(snomed, "47625008", "Intravenous route") + R"(,"doseAndRate":)" + dose_and_rate(0.5, 35) +
         (extra_dosage_members.empty() ? std::string{} : "," + extra_dosage_members) + "}]}";
}

const std::string every_4_weeks = R"("timing":{"repeat":{"frequency":1,"period":4,"periodUnit":"wk"}})";
const std::string every_3_weeks = R"("timing":{"repeat":{"frequency":1,"period":3,"periodUnit":"wk"}})";

/// Doses as dose_and_rate() plus a titration range in mg/kg/min on the ordered entry.
std::string titrated(double low, double high) {
  return R"({"route":)" + concept_of(snomed, "47625008", "Intravenous route") +
         R"(,"doseAndRate":[{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/dose-rate-type","code":"ordered"}]},)"
         R"("doseQuantity":{"value":0.5,"unit":"g/kg","system":"http://unitsofmeasure.org","code":"g/kg"},)"
         R"("rateRange":{"low":{"value":)" +
         std::to_string(low) + "," + ucum_mg_per_kg_min + R"(},"high":{"value":)" + std::to_string(high) + "," +
         ucum_mg_per_kg_min + "}}}]}";
}

std::string ivig_titrated(const std::string& medication, double low, double high) {
  return R"({"resourceType":"MedicationRequest","id":"ivig-1","status":"draft","intent":"order","medicationCodeableConcept":)" +
         medication + R"(,"subject":{"reference":"Patient/example"},)" + indication() + R"(,"dosageInstruction":[)" +
         titrated(low, high) + "]}";
}

bool has(const std::vector<std::string>& findings, const std::string& finding) {
  return std::find(findings.begin(), findings.end(), finding) != findings.end();
}

const std::string type_2_diabetes = concept_of(snomed, "44054006", "Diabetes mellitus type 2");

std::string insulin_order(const std::string& status = "active") {
  // ATC A10AE04 insulin glargine (group A10A, insulins and analogues).
  return R"({"resourceType":"MedicationRequest","id":"insulin","status":")" + status +
         R"(","intent":"order","medicationCodeableConcept":)" +
         concept_of("http://www.whocc.no/atc", "A10AE04", "insulin glargine") +
         R"(,"subject":{"reference":"Patient/example"}})";
}

std::string ig_given(const std::string& date) {
  return R"({"resourceType":"Immunization","id":"i1","status":"completed","vaccineCode":)" +
         concept_of("http://hl7.org/fhir/sid/cvx", "87", "IGIV") + R"(,"occurrenceDateTime":")" + date + R"("})";
}

}  // namespace

// --- R7: glucose meters and insulin, not laboratory glucose ------------------------------------

TEST(R7Trigger, LaboratoryGlucoseOnlyIsSilentAtSelectAndSign) {
  for (const hook_stage stage : {hook_stage::select, hook_stage::sign}) {
    rule_harness h = ordinary_adult();
    h.with(observation("g1", concept_of(loinc, "2345-7", "Glucose [Mass/volume] in Serum or Plasma"),
                       quantity_value(140, "mg/dL"), "2026-11-20T08:00:00Z"))
        .order(ivig_request("ivig-1", octagam_10()))
        .evaluate(stage);
    EXPECT_FALSE(has(h.findings(), "warning R7"));
    EXPECT_FALSE(has(h.incomplete_rules(), "R7"));
  }
}

TEST(R7Trigger, CapillaryGlucometerResultWithinTheWindowIsAWarning) {
  rule_harness h = ordinary_adult();
  h.with(observation("g1", concept_of(loinc, "41653-7", "Glucose [Mass/volume] in Capillary blood by Glucometer"),
                     quantity_value(140, "mg/dL"), "2026-10-23T12:00:00Z"))
      .order(ivig_request("ivig-1", octagam_10()))
      .evaluate();
  EXPECT_EQ(h.findings(), std::vector<std::string>{"warning R7"});
}

TEST(R7Trigger, GlucometerResultInMmolPerLitreCountsAndOneOutsideTheWindowDoesNot) {
  rule_harness inside = ordinary_adult();
  inside
      .with(observation("g1", concept_of(loinc, "14743-9", "Glucose [Moles/volume] in Capillary blood by Glucometer"),
                        quantity_value(7.8, "mmol/L"), "2026-10-23T12:00:00Z"))
      .order(ivig_request("ivig-1", octagam_10()))
      .evaluate();
  EXPECT_EQ(inside.findings(), std::vector<std::string>{"warning R7"});

  rule_harness outside = ordinary_adult();
  outside
      .with(observation("g1", concept_of(loinc, "41653-7", "Glucose [Mass/volume] in Capillary blood by Glucometer"),
                        quantity_value(140, "mg/dL"), "2026-10-22T11:59:59Z"))
      .order(ivig_request("ivig-1", octagam_10()))
      .evaluate();
  EXPECT_EQ(outside.findings(), std::vector<std::string>{});
}

TEST(R7Trigger, AnActiveInsulinOrderIsAWarning) {
  rule_harness h = ordinary_adult();
  h.with(insulin_order()).order(ivig_request("ivig-1", octagam_10())).evaluate();
  EXPECT_EQ(h.findings(), std::vector<std::string>{"warning R7"});
  const ivig::rules::finding* r7 = h.finding_of("R7");
  ASSERT_NE(r7, nullptr);
  ASSERT_FALSE(r7->evidence.empty());
  EXPECT_EQ(r7->evidence.front().rfind("Insulin: ", 0), 0u) << r7->evidence.front();
}

TEST(R7Trigger, InsulinOrderedInTheSameSessionCounts) {
  rule_harness h = ordinary_adult();
  h.also_ordered(insulin_order("draft")).order(ivig_request("ivig-1", octagam_10())).evaluate();
  EXPECT_EQ(h.findings(), std::vector<std::string>{"warning R7"});
}

TEST(R7Trigger, StoppedInsulinDoesNotCount) {
  rule_harness h = ordinary_adult();
  h.with(insulin_order("stopped")).order(ivig_request("ivig-1", octagam_10())).evaluate();
  EXPECT_EQ(h.findings(), std::vector<std::string>{});
}

TEST(R7Trigger, DiabetesAloneWaitsForSigning) {
  rule_harness select = ordinary_adult();
  select.with(condition("c1", type_2_diabetes))
      .order(ivig_request("ivig-1", octagam_10()))
      .evaluate(hook_stage::select);
  EXPECT_FALSE(has(select.findings(), "warning R7"));

  rule_harness sign = ordinary_adult();
  sign.with(condition("c1", type_2_diabetes)).order(ivig_request("ivig-1", octagam_10())).evaluate(hook_stage::sign);
  EXPECT_TRUE(has(sign.findings(), "warning R7"));
}

TEST(R7Trigger, NoMaltoseNoWarningEvenWithInsulin) {
  rule_harness h = ordinary_adult();
  h.with(insulin_order()).order(ivig_request("ivig-1", privigen())).evaluate(hook_stage::sign);
  EXPECT_FALSE(has(h.findings(), "warning R7"));
}

// --- R26: overlap and recent doses, not the next dose of the same regimen ----------------------

TEST(R26Trigger, RenewalOfTheSameMonthlyProductIsSilent) {
  rule_harness h = ordinary_adult();
  h.with(ig_given("2026-10-25"))  // last dose 28 days ago: not the first infusion, outside the window
      .with(ivig_request("regimen", privigen(), "active", every_4_weeks))
      .order(ivig_request("ivig-1", privigen(), "draft", every_4_weeks))
      .evaluate();
  EXPECT_EQ(h.findings(), std::vector<std::string>{});
}

TEST(R26Trigger, RenewalNamedByPriorPrescriptionIsSilent) {
  rule_harness h = ordinary_adult();
  h.with(ig_given("2026-10-25"))
      .with(ivig_request("regimen", privigen(), "active"))
      .order(ivig_request("ivig-1", privigen(), "draft", {},
                          R"("priorPrescription":{"reference":"MedicationRequest/regimen"})"))
      .evaluate();
  EXPECT_EQ(h.findings(), std::vector<std::string>{});
}

TEST(R26Trigger, AnActiveOrderWithAnotherIntervalIsStillADuplicate) {
  rule_harness h = ordinary_adult();
  h.with(ig_given("2026-10-25"))
      .with(ivig_request("regimen", privigen(), "active", every_3_weeks))
      .order(ivig_request("ivig-1", privigen(), "draft", every_4_weeks))
      .evaluate();
  EXPECT_EQ(h.findings(), std::vector<std::string>{"warning R26"});
}

TEST(R26Trigger, AnActiveOrderWithoutARepeatIntervalIsStillADuplicate) {
  rule_harness h = ordinary_adult();
  h.with(ig_given("2026-10-25"))
      .with(ivig_request("regimen", privigen(), "active"))
      .order(ivig_request("ivig-1", privigen(), "draft", every_4_weeks))
      .evaluate();
  EXPECT_EQ(h.findings(), std::vector<std::string>{"warning R26"});
}

TEST(R26Trigger, ASecondConcurrentDraftOrderInTheSessionIsADuplicate) {
  rule_harness h = ordinary_adult();
  h.with(ig_given("2026-10-25"))
      .also_ordered(ivig_request("ivig-2", privigen(), "draft", every_4_weeks))
      .order(ivig_request("ivig-1", privigen(), "draft", every_4_weeks))
      .evaluate();
  EXPECT_EQ(h.findings(), std::vector<std::string>{"warning R26"});
}

TEST(R26Trigger, ImmuneGlobulinGivenTenDaysAgoIsADuplicateEvenForARenewal) {
  rule_harness h = ordinary_adult();
  h.with(ig_given("2026-11-12"))
      .with(ivig_request("regimen", privigen(), "active", every_4_weeks))
      .order(ivig_request("ivig-1", privigen(), "draft", every_4_weeks))
      .evaluate();
  EXPECT_EQ(h.findings(), std::vector<std::string>{"warning R26"});
}

// --- R13: the cap keeps the titration's start --------------------------------------------------

TEST(R13Correction, CapsTheTopAndKeepsTheLabelStartRate) {
  rule_harness h = ordinary_adult();
  h.with(condition("c1", type_2_diabetes)).order(ivig_titrated(privigen(), 1, 8)).evaluate();
  const ivig::rules::finding* r13 = h.finding_of("R13");
  ASSERT_NE(r13, nullptr);
  ASSERT_TRUE(r13->correction);
  const ivig::rules::order_correction& c = *r13->correction;
  EXPECT_DOUBLE_EQ(*c.max_rate_mg_per_kg_min, 3.3);
  ASSERT_TRUE(c.min_rate_mg_per_kg_min);
  EXPECT_DOUBLE_EQ(*c.min_rate_mg_per_kg_min, 0.5);  // Privigen's label start, below the ordered 1
  // 10% = 100 mg/mL on 70 kg: 0.5 mg/kg/min = 21 mL/h, 3.3 mg/kg/min = 138.6 → 138 mL/h.
  EXPECT_DOUBLE_EQ(*c.min_rate_ml_per_hour, 21);
  EXPECT_DOUBLE_EQ(*c.max_rate_ml_per_hour, 138);
}

TEST(R13Correction, KeepsTheOrderedStartWhenItIsBelowTheLabels) {
  rule_harness h = ordinary_adult();
  h.with(condition("c1", type_2_diabetes)).order(ivig_titrated(privigen(), 0.3, 8)).evaluate();
  const ivig::rules::finding* r13 = h.finding_of("R13");
  ASSERT_NE(r13, nullptr);
  ASSERT_TRUE(r13->correction && r13->correction->min_rate_mg_per_kg_min);
  EXPECT_DOUBLE_EQ(*r13->correction->min_rate_mg_per_kg_min, 0.3);
  EXPECT_DOUBLE_EQ(*r13->correction->min_rate_ml_per_hour, 12);  // 0.3 × 70 × 60 / 100 = 12.6 → 12
}

// --- R3: lower-IgA products the patient can take, by product-specific codes --------------------

namespace {

rule_harness iga_deficient_patient() {
  rule_harness h;
  h.with(patient())
      .with(body_weight(70))
      .with(body_height(170))
      .with(serum_creatinine(0.9))
      .with(condition("iga", concept_of(snomed, "190979003", "Selective immunoglobulin A deficiency")));
  return h;
}

std::vector<std::string> switch_names(const ivig::rules::finding& f) {
  std::vector<std::string> names;
  for (const auto& s : f.switches) names.push_back(s.to->name);
  return names;
}

}  // namespace

TEST(R3Switches, OffersLowerIgaProductsEachWithAProductSpecificCode) {
  rule_harness h = iga_deficient_patient();
  h.order(ivig_request("ivig-1", gammagard_liquid())).evaluate();
  const ivig::rules::finding* r3 = h.finding_of("R3");
  ASSERT_NE(r3, nullptr);
  // Gammaplex 5% (IgA < 10 µg/mL [C], knowledge 2026.11.7) is offered before Gammaplex 10%; Gammagard
  // Liquid ERC (≤ 2 µg/mL) is not offered: its excipients are not known, so R4–R7 could not screen it.
  EXPECT_EQ(switch_names(*r3), (std::vector<std::string>{"Gammagard S/D", "Gammaplex 5%", "Gammaplex 10%"}));
  for (const auto& s : r3->switches) {
    EXPECT_NE(s.reason.find("Gammagard Liquid ERC (its excipients are not in the knowledge base)"), std::string::npos)
        << s.reason;
    const ivig::rules::product_identifier* id = s.to->specific_identifier();
    ASSERT_NE(id, nullptr) << s.to->name;
    EXPECT_TRUE(id->kind == "labeler-product" || id->kind == "SBD") << s.to->name << " " << id->kind;
  }
}

TEST(R3Switches, HyperprolinemiaLeavesPrivigenOutAndSaysWhy) {
  rule_harness h = iga_deficient_patient();
  h.with(condition("hp", concept_of("urn:local", "HP1", "Hyperprolinemia type I")))
      .order(ivig_request("ivig-1", gammagard_liquid()))
      .evaluate();
  const ivig::rules::finding* r3 = h.finding_of("R3");
  ASSERT_NE(r3, nullptr);
  EXPECT_EQ(switch_names(*r3), (std::vector<std::string>{"Gammagard S/D", "Gammaplex 5%", "Gammaplex 10%"}));
  for (const auto& s : r3->switches)
    EXPECT_NE(s.reason.find("; Privigen (contains proline: hyperprolinemia)"),
              std::string::npos)
        << s.reason;
}

TEST(R3Switches, DiabetesLeavesMaltoseProductsOut) {
  rule_harness h = iga_deficient_patient();
  // Bivigam (IgA 200) is above Octagam 10% (average 106), a lower-IgA candidate left out for maltose.
  h.with(condition("c1", type_2_diabetes))
      .order(ivig_request("ivig-1", concept_of(rxnorm, "1364424", "Bivigam")))
      .evaluate();
  const ivig::rules::finding* r3 = h.finding_of("R3");
  ASSERT_NE(r3, nullptr);
  ASSERT_FALSE(r3->switches.empty());
  for (const auto& s : r3->switches) {
    EXPECT_EQ(s.to->find_excipient("maltose"), nullptr) << s.to->name;
    EXPECT_NE(s.reason.find("Octagam 10% (contains maltose: diabetes"), std::string::npos) << s.reason;
  }
}

TEST(R3Switches, TheSpecificIdentifierIsTheProductNdcNeverTheSharedBrandName) {
  const auto kb = embedded_knowledge();
  auto code_of = [&](const std::string& id) -> std::string {
    for (const ivig::rules::product& p : kb->products)
      if (p.id == id) return p.specific_identifier() ? p.specific_identifier()->code : "none";
    return "missing";
  };
  // Gammagard S/D and Gammagard Liquid share BN 42697; Gammaplex 5% and 10% share BN 991216.
  EXPECT_EQ(code_of("gammagard-sd"), "0944-2656");
  EXPECT_EQ(code_of("gammagard-liquid"), "0944-2700");
  EXPECT_EQ(code_of("gammaplex-10"), "64208-8235");
  EXPECT_EQ(code_of("gammaplex-5"), "64208-8234");
  EXPECT_EQ(code_of("qivigy"), "76179-0010");  // its NDC; not offered while its excipients are unknown
}

TEST(R3Switches, CornAllergyLeavesMaltoseProductsOutAndSaysWhy) {
  rule_harness h = iga_deficient_patient();
  h.with(allergy("a1", concept_of(snomed, "419573007", "Allergy to corn")))
      .order(ivig_request("ivig-1", concept_of(rxnorm, "1364424", "Bivigam")))
      .evaluate();
  const ivig::rules::finding* r3 = h.finding_of("R3");
  ASSERT_NE(r3, nullptr);
  ASSERT_FALSE(r3->switches.empty());
  EXPECT_NE(r3->switches.front().reason.find("Octagam 10% (contains maltose: corn allergy)"), std::string::npos)
      << r3->switches.front().reason;
}
