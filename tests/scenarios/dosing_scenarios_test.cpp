// tests/scenarios/dosing_scenarios_test.cpp: dose, weight, rate and infusion-safety rules (R12–R21,
// R26) and the order-sign worksheet, in and out at their boundaries, whole responses compared with
// golden files. The patient weighs 70 kg and is 170 cm tall unless a test says otherwise.
#include <cstdio>

#include "tests/scenarios/scenario_fixture.hpp"
#include "tests/support/test_support.hpp"

using namespace ivig::test;

namespace {

const char* ordered_type =
    R"({"coding":[{"system":"http://terminology.hl7.org/CodeSystem/dose-rate-type","code":"ordered"}]})";
const char* calculated_type =
    R"({"coding":[{"system":"http://terminology.hl7.org/CodeSystem/dose-rate-type","code":"calculated"}]})";

std::string quantity(double value, const std::string& unit) {
  char number[32];
  std::snprintf(number, sizeof number, "%g", value);
  return R"({"value":)" + std::string(number) + R"(,"unit":")" + unit +
         R"(","system":"http://unitsofmeasure.org","code":")" + unit + "\"}";
}

/// doseAndRate: ordered g/kg (with an optional rate or rate range) and calculated grams.
std::string dose(double g_per_kg, double grams, const std::string& rate_members = {}) {
  std::string ordered = std::string(R"({"type":)") + ordered_type + R"(,"doseQuantity":)" + quantity(g_per_kg, "g/kg");
  if (!rate_members.empty()) ordered += "," + rate_members;
  return "[" + ordered + R"(},{"type":)" + calculated_type + R"(,"doseQuantity":)" + quantity(grams, "g") + "}]";
}

std::string rate(double mg_per_kg_min) {
  return R"("rateQuantity":)" + quantity(mg_per_kg_min, "mg/(kg.min)");
}
std::string rate_range(double low, double high) {
  return R"("rateRange":{"low":)" + quantity(low, "mg/(kg.min)") + R"(,"high":)" + quantity(high, "mg/(kg.min)") + "}";
}
std::string daily_course(int days) {
  return R"("timing":{"repeat":{"count":)" + std::to_string(days) + R"(,"frequency":1,"period":1,"periodUnit":"d"}})";
}
std::string every_weeks(int weeks) {
  return R"("timing":{"repeat":{"frequency":1,"period":)" + std::to_string(weeks) + R"(,"periodUnit":"wk"}})";
}

/// A draft IVIg MedicationRequest with this doseAndRate (and optional timing members).
std::string ivig_order(const std::string& medication, const std::string& dose_and_rate, const std::string& timing = {},
                       const std::string& id = "ivig-1", const std::string& reason = {}) {
  std::string dosage = R"({"text":"IVIg","route":)" + concept_of(snomed, "47625008", "Intravenous route") +
                       R"(,"doseAndRate":)" + dose_and_rate;
  if (!timing.empty()) dosage += "," + timing;
  dosage += "}";
  std::string order = R"({"resourceType":"MedicationRequest","id":")" + id +
                      R"(","status":"draft","intent":"order","medicationCodeableConcept":)" + medication +
                      R"(,"subject":{"reference":"Patient/example"},"dosageInstruction":[)" + dosage + "]";
  order += reason.empty() ? "," + indication() : R"(,"reasonCode":[)" + reason + "]";
  return order + "}";
}

/// IVIg given 60 days ago (CVX 87): not a first infusion, and outside the duplicate window.
std::string given_60_days_ago() {
  return R"({"resourceType":"Immunization","id":"earlier","status":"completed","vaccineCode":)" +
         concept_of("http://hl7.org/fhir/sid/cvx", "87", "IGIV") + R"(,"occurrenceDateTime":"2026-09-23"})";
}

}  // namespace

// --- The FHIR spec's IVIg example and the seeds' two regimens, on a 70 kg patient -------------
TEST_F(Scenario, SpecExampleOrderedMgPerKgAndCalculatedMgIsReadAndWorkedUp) {
  const std::string spec_dose = std::string("[{\"type\":") + ordered_type + R"(,"doseQuantity":)" +
                                quantity(400, "mg/kg") + R"(},{"type":)" + calculated_type + R"(,"doseQuantity":)" +
                                quantity(28000, "mg") + "}]";
  expect_cards(sign_orders({ivig_order(gammagard_liquid(), spec_dose)}), "dosing/spec-example-sign",
               {"info R24", "info R28", "info R30", "info R15 R16 R17 R19", "info R12"});
}

TEST_F(Scenario, SeedRegimenOneGramPerKgMonthlyPassesTheDoseChecks) {
  expect_cards(sign_orders({ivig_order(privigen(), dose(1, 70), every_weeks(4))}), "dosing/seed-1g-per-kg-monthly",
               {"info R24", "info R28", "info R30", "info R15 R16 R17 R19", "info R12"});
}

TEST_F(Scenario, SeedRegimenFiveDayCourseAsksForHaemoglobinAndRounding) {
  expect_cards(sign_orders({ivig_order(privigen(), dose(0.4, 28), daily_course(5))}), "dosing/seed-0.4-g-per-kg-5-days",
               {"warning R20", "info R19", "info R24", "info R28", "info R30", "info R15 R16 R17 R19", "info R12"});
}

// --- R15 dose per day ------------------------------------------------------------------------
TEST_F(Scenario, R15SilentAtOneGramPerKgPerDay) {
  expect_cards(select_json(ivig_order(privigen(), dose(1, 70))), "no-cards", {});
}

TEST_F(Scenario, R15WarnsAboveOneGramPerKgPerDay) {
  expect_cards(select_json(ivig_order(privigen(), dose(1.5, 105))), "dosing/r15-warning-1.5", {"warning R15"});
}

TEST_F(Scenario, R15AboveEveryLabelledDailyDoseIsCriticalAndTheOneDayCourseIsNotASecondCard) {
  expect_cards(select_json(ivig_order(privigen(), dose(2.5, 175))), "dosing/r15-critical-2.5-above-every-label",
               {"critical R15", "warning R20"});
}

TEST_F(Scenario, R15AtTheHighestLabelledDailyDoseIsTheLocalWarningOnly) {
  expect_cards(select_json(ivig_order(privigen(), dose(2.4, 168))), "dosing/r15-warning-2.4-at-the-label",
               {"warning R20", "warning R15", "info R19"});
}

TEST_F(Scenario, R15ADoseThatCannotBeRightIsCriticalAndAnswered) {
  // 1e308 g/kg once made the vial arithmetic throw (HTTP 500); 1000000 g/kg was a warning.
  expect_cards(select_json(ivig_order(privigen(), dose(1e308, 35))), "dosing/r15-critical-1e308-cannot-be-right",
               {"critical R15"});
  // Issue 14: 1e300 g/kg answered 500 too; it is the same card as 1e308 (both are "over 1000000000000").
  expect_cards(select_json(ivig_order(privigen(), dose(1e300, 35))), "dosing/r15-critical-1e308-cannot-be-right",
               {"critical R15"});
  expect_cards(select_json(ivig_order(privigen(), dose(1e6, 35))), "dosing/r15-critical-1e6-cannot-be-right",
               {"critical R15"});
}

TEST_F(Scenario, R15AFrequencyThatMakesTheDailyDoseInfiniteCannotBeRight) {
  // Issue 14: 2^31−1 doses per 1e-300 s once printed "inf g/kg/day" on a card.
  expect_cards(
      select_json(ivig_order(privigen(), dose(0.4, 28),
                             R"("timing":{"repeat":{"frequency":2147483647,"period":1e-300,"periodUnit":"s"}})")),
      "dosing/r15-critical-inf-frequency-cannot-be-right", {"critical R15"});
}

TEST_F(Scenario, R15PrintsTheDecimalsThatMakeTheComparisonVisible) {
  expect_cards(select_json(ivig_order(privigen(), dose(1.004, 70.28))), "dosing/r15-warning-1.004",
               {"warning R15", "info R19"});
}

TEST_F(Scenario, R16ATenDayCourseAboveTheLabelledCourseIsCritical) {
  expect_cards(select_json(ivig_order(privigen(), dose(0.4, 28), daily_course(10))), "dosing/r16-critical-10-days",
               {"critical R16", "warning R20", "info R19"});
}

TEST_F(Scenario, R16AcceptedRoundingOfTheFiveDayCourseRaisesNoCourseCard) {
  // R19's suggestion writes 30 g for 0.4 g/kg × 70 kg; the course stays 2 g/kg as ordered.
  expect_cards(select_json(ivig_order(privigen(), dose(0.4, 30), daily_course(5))), "dosing/r16-rounded-course-quiet",
               {"warning R20"});
}

TEST_F(Scenario, R15ReportsADoseItCannotRead) {
  const std::string ml_dose = std::string("[{\"doseQuantity\":") + quantity(100, "mL") + "}]";
  expect_cards(select_json(ivig_order(privigen(), ml_dose)), "dosing/r15-unreadable", {"warning R15"});
}

TEST_F(Scenario, R15OnSignWithoutADoseWarnsAndOnSelectWaits) {
  const std::string no_dose = ivig_order(privigen(), "[]");
  expect_cards(sign_orders({no_dose}), "dosing/r15-sign-no-dose",
               {"warning R15", "info R30", "info R15 R16 R17 R19", "info R12 R24"});
  expect_cards(select_json(no_dose), "dosing/r15-select-no-dose", {"info R15"});
}

// --- R16 dose per course and maintenance interval --------------------------------------------
TEST_F(Scenario, R16WarnsOnACourseAboveTwoGramsPerKgInFiveDays) {
  expect_cards(select_json(ivig_order(privigen(), dose(0.5, 35), daily_course(5))), "dosing/r16-course-2.5",
               {"warning R20", "warning R16"});  // R20's one-click lab orders come first
}

TEST_F(Scenario, R16WarnsOnAnMsMaintenanceIntervalUnderFourWeeks) {
  const std::string ms = concept_of(snomed, "426373005", "Relapsing remitting multiple sclerosis");
  expect_cards(select_json(ivig_order(privigen(), dose(0.4, 28), every_weeks(3), "ivig-1", ms)),
               "dosing/r16-ms-every-3-weeks", {"warning R16", "info R19"});
}

TEST_F(Scenario, R16SilentOnThreeWeeklyReplacementTherapyForImmuneDeficiency) {
  const std::string pid = concept_of(snomed, "58606001", "Immunodeficiency disorder");
  expect_cards(select_json(ivig_order(privigen(), dose(0.5, 35), every_weeks(3), "ivig-1", pid)), "no-cards", {});
}

// --- R17 dosing weight -------------------------------------------------------------------------
TEST_F(Scenario, R17WarnsWhenAnObesePatientsDoseIsOnActualWeightAndOffersTheCorrectedOrder) {
  auto r = select_json(ivig_order(privigen(), dose(0.4, 48)));
  set_prefetch(r, "observations", {body_weight(120), body_height(165), serum_creatinine(0.9), normal_iga()});
  expect_cards(r, "dosing/r17-actual-weight-used", {"warning R17"});
}

TEST_F(Scenario, R17SilentWhenTheObesePatientsDoseIsOnAdjustedWeight) {
  auto r = select_json(ivig_order(privigen(), dose(0.4, 35)));
  set_prefetch(r, "observations", {body_weight(120), body_height(165), serum_creatinine(0.9), normal_iga()});
  expect_cards(r, "no-cards", {});
}

TEST_F(Scenario, R17WarnsWhenTheCalculatedDoseMatchesNoWeight) {
  expect_cards(select_json(ivig_order(privigen(), dose(0.5, 50))), "dosing/r17-calculated-mismatch", {"warning R17"});
}

// --- R18 weight data ---------------------------------------------------------------------------
TEST_F(Scenario, R18WarnsOnAWeightOlderThanThirtyDays) {
  auto r = select_json(ivig_order(privigen(), dose(0.5, 35)));
  set_prefetch(r, "observations",
               {body_weight(70, "2026-10-22T11:00:00Z"), body_height(170), serum_creatinine(0.9), normal_iga()});
  expect_cards(r, "dosing/r18-weight-31-days", {"warning R18"});
}

TEST_F(Scenario, R18SilentOnAWeightThirtyDaysOld) {
  auto r = select_json(ivig_order(privigen(), dose(0.5, 35)));
  set_prefetch(r, "observations",
               {body_weight(70, "2026-10-23T12:00:00Z"), body_height(170), serum_creatinine(0.9), normal_iga()});
  expect_cards(r, "no-cards", {});
}

TEST_F(Scenario, R18WarnsWhenNoWeightIsOnFile) {
  auto r = select_json(ivig_order(privigen(), dose(0.5, 35)));
  set_prefetch(r, "observations", {body_height(170), serum_creatinine(0.9), normal_iga()});
  expect_cards(r, "dosing/r18-no-weight", {"warning R18"});
}

// --- R12–R14 rates ------------------------------------------------------------------------------
TEST_F(Scenario, R12CriticalAbovePrivigensLabelledMaximum) {
  auto r = select_json(ivig_order(privigen(), dose(0.5, 35, rate(8.5))));
  set_prefetch(r, "immunizations", {given_60_days_ago()});
  expect_cards(r, "dosing/r12-critical-8.5", {"critical R12"});
}

TEST_F(Scenario, R12SilentAtTheLabelledMaximum) {
  auto r = select_json(ivig_order(privigen(), dose(0.5, 35, rate(8))));
  set_prefetch(r, "immunizations", {given_60_days_ago()});
  expect_cards(r, "no-cards", {});
}

TEST_F(Scenario, R13WarnsAboveTheAtRiskCapForAnOlderPatientAndOffersTheCap) {
  auto r = select_json(ivig_order(octagam_10(), dose(0.5, 35, rate(4))));
  r.prefetch["patient"] = patient("example", "female", "1955-03-01");
  set_prefetch(r, "immunizations", {given_60_days_ago()});
  expect_cards(r, "dosing/r13-octagam-age-71", {"warning R8 R13", "warning R10"});
}

TEST_F(Scenario, R13JoiningR8AddsOnlyTheReasonsR8Lacks) {
  auto r = select_json(ivig_order(octagam_10(), dose(0.5, 35, rate(4))));
  r.prefetch["patient"] = patient("example", "female", "1955-03-01");
  set_prefetch(r, "immunizations", {given_60_days_ago()});
  EXPECT_EQ(override_reasons(r),
            (std::vector<std::string>{"warning R8 R13: minimum-rate-and-hydration will-monitor benefit-outweighs-risk "
                                      "data-incorrect other rate-confirmed-by-specialist",
                                      "warning R10: minimum-rate-and-hydration will-monitor benefit-outweighs-risk "
                                      "data-incorrect other"}));
}

TEST_F(Scenario, R13UsesTheLocalPolicyCapForAProductWithoutALabelledOne) {
  auto r = select_json(ivig_order(privigen(), dose(0.5, 35, rate(4))));
  set_prefetch(r, "conditions", {condition("c1", concept_of(snomed, "44054006", "Diabetes mellitus type 2"))});
  set_prefetch(r, "immunizations", {given_60_days_ago()});
  expect_cards(r, "dosing/r13-privigen-diabetes", {"warning R8 R13", "warning R10"});
}

TEST_F(Scenario, R13KeepsAnOrderedStartBelowTheLabelsAndCapsOnlyTheTop) {
  auto r = select_json(ivig_order(privigen(), dose(0.5, 35, rate_range(0.3, 6))));
  set_prefetch(r, "conditions", {condition("c1", concept_of(snomed, "44054006", "Diabetes mellitus type 2"))});
  set_prefetch(r, "immunizations", {given_60_days_ago()});
  // The corrected order's rateRange: low 12 mL/h (0.3 mg/kg/min as ordered), high 138 mL/h (the cap).
  expect_cards(r, "dosing/r13-privigen-titration-keeps-start", {"warning R8 R13", "warning R10"});
}

TEST_F(Scenario, R14WarnsWhenAFirstInfusionStartsAboveTheInitialRate) {
  expect_cards(select_json(ivig_order(privigen(), dose(0.5, 35, rate_range(1, 4)))), "dosing/r14-first-infusion",
               {"warning R14"});
}

TEST_F(Scenario, R14SilentWhenImmuneGlobulinWasGivenBefore) {
  auto r = select_json(ivig_order(privigen(), dose(0.5, 35, rate_range(1, 4))));
  set_prefetch(r, "immunizations", {given_60_days_ago()});
  expect_cards(r, "no-cards", {});
}

TEST_F(Scenario, R14WarnsOnAProductSwitchAndR26OnTheOtherActiveOrder) {
  auto r = select_json(ivig_order(privigen(), dose(0.5, 35, rate_range(1, 4))));
  std::string earlier = ivig_order(octagam_10(), dose(0.5, 35), {}, "earlier");
  earlier.replace(earlier.find("\"draft\""), 7, "\"active\"");
  set_prefetch(r, "medications", {earlier});
  expect_cards(r, "dosing/r14-product-switch-r26-duplicate", {"warning R14", "warning R26"});
}

// --- R20, R21, R26 -----------------------------------------------------------------------------
TEST_F(Scenario, R21GivesTheInfusionVolumeForAPatientWithHeartFailure) {
  auto r = select_json(ivig_order(privigen(), dose(0.5, 35)));
  set_prefetch(r, "conditions", {condition("c1", concept_of(snomed, "84114007", "Heart failure"))});
  expect_cards(r, "dosing/r21-heart-failure", {"warning R10", "warning R21"});
}

TEST_F(Scenario, R26WarnsOnImmuneGlobulinGivenTenDaysAgo) {
  auto r = select_json(ivig_order(privigen(), dose(0.5, 35)));
  set_prefetch(r, "immunizations",
               {R"({"resourceType":"Immunization","id":"i1","status":"completed","vaccineCode":)" +
                concept_of("http://hl7.org/fhir/sid/cvx", "87", "IGIV") + R"(,"occurrenceDateTime":"2026-11-12"})"});
  expect_cards(r, "dosing/r26-given-10-days-ago", {"warning R26"});
}

TEST_F(Scenario, R26SilentOnTheRenewalOfTheSameMonthlyProduct) {
  auto r = select_json(ivig_order(privigen(), dose(0.5, 35), every_weeks(4)));
  std::string regimen = ivig_order(privigen(), dose(0.5, 35), every_weeks(4), "regimen");
  regimen.replace(regimen.find("\"draft\""), 7, "\"active\"");
  set_prefetch(r, "medications", {regimen});
  set_prefetch(r, "immunizations", {given_60_days_ago()});
  expect_cards(r, "no-cards", {});
}

TEST_F(Scenario, R26WarnsOnASecondConcurrentDraftOrderInTheSession) {
  auto r = select_json(ivig_order(privigen(), dose(0.5, 35), every_weeks(4)));
  r.draft_orders.push_back(ivig_order(privigen(), dose(0.5, 35), every_weeks(4), "ivig-2"));
  set_prefetch(r, "immunizations", {given_60_days_ago()});
  expect_cards(r, "dosing/r26-second-draft-order", {"warning R26"});
}

TEST_F(Scenario, R26SilentOnImmuneGlobulinGivenTwentyDaysAgo) {
  auto r = select_json(ivig_order(privigen(), dose(0.5, 35)));
  set_prefetch(r, "immunizations",
               {R"({"resourceType":"Immunization","id":"i1","status":"completed","vaccineCode":)" +
                concept_of("http://hl7.org/fhir/sid/cvx", "87", "IGIV") + R"(,"occurrenceDateTime":"2026-11-02"})"});
  expect_cards(r, "no-cards", {});
}

TEST_F(Scenario, DoseAndRateCorrectionsAreMergedSoAnySuggestionGivesTheWholeCorrectedOrder) {
  auto r = select_json(ivig_order(privigen(), dose(0.4, 48, rate(4))));
  set_prefetch(r, "observations", {body_weight(120), body_height(165), serum_creatinine(0.9), normal_iga()});
  set_prefetch(r, "immunizations", {given_60_days_ago()});
  set_prefetch(r, "conditions", {condition("c1", concept_of(snomed, "44054006", "Diabetes mellitus type 2"))});
  expect_cards(r, "dosing/merged-dose-and-rate-corrections", {"warning R8 R13", "warning R17", "warning R10"});
  const auto doc = parse(server().post("ivig-order-select", r.json()).body);
  int with_suggestion = 0;
  for (const auto& card : doc["cards"].GetArray()) {
    if (!card.HasMember("suggestions")) continue;
    ++with_suggestion;
    const auto& resource = card["suggestions"][0]["actions"][0]["resource"];
    const auto& entries = resource["dosageInstruction"][0]["doseAndRate"];
    EXPECT_DOUBLE_EQ(entries[0]["doseQuantity"]["value"].GetDouble(), 0.4);
    EXPECT_DOUBLE_EQ(entries[1]["doseQuantity"]["value"].GetDouble(), 35);
    // R13 caps only the top: a range from the label's start (0.5 mg/kg/min = 24 mL/h on the adjusted 82.1 kg) to the
    // cap.
    ASSERT_TRUE(entries[0].HasMember("rateRange"));
    EXPECT_DOUBLE_EQ(entries[0]["rateRange"]["low"]["value"].GetDouble(), 24);
    EXPECT_STREQ(entries[0]["rateRange"]["high"]["unit"].GetString(), "mL/h");
  }
  EXPECT_EQ(with_suggestion, 2);  // the renal card (with R13's cap) and R17's card
}
