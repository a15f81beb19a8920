// tests/scenarios/risk_and_vaccine_scenarios_test.cpp: boxed-warning risk factors (R8–R11), live
// vaccines (R22–R25), the signing information (R24, R27–R30) and card discipline, in and out at
// each boundary (13 vs 14 days; 8/10/11 months; eGFR either side of 60 and 30; age 65 vs 66),
// whole responses compared with golden files. Now is 2026-11-22T12:00:00Z.
#include "tests/scenarios/scenario_fixture.hpp"
#include "tests/support/test_support.hpp"

using namespace ivig::test;

namespace {

const char* cvx = "http://hl7.org/fhir/sid/cvx";

std::string immunization(const std::string& id, const std::string& code, const std::string& display,
                         const std::string& when) {
  return R"({"resourceType":"Immunization","id":")" + id + R"(","status":"completed","vaccineCode":)" +
         concept_of(cvx, code, display) + R"(,"patient":{"reference":"Patient/example"},"occurrenceDateTime":")" +
         when + "\"}";
}

std::string egfr(double value, const std::string& when = "2026-11-15T09:00:00Z") {
  return observation("egfr", concept_of(loinc, "98979-8", "eGFR (CKD-EPI 2021)"),
                     quantity_value(value, "mL/min/{1.73_m2}"), when);
}

std::string active_medication(const std::string& id, const std::string& text) {
  return R"({"resourceType":"MedicationRequest","id":")" + id +
         R"(","status":"active","intent":"order","medicationCodeableConcept":{"text":")" + text +
         R"("},"subject":{"reference":"Patient/example"}})";
}

/// The standard patient's observations without the creatinine, plus `extra`.
std::vector<std::string> without_renal_labs(const std::vector<std::string>& extra) {
  std::vector<std::string> all{
      body_weight(70), body_height(170),
      observation("iga", concept_of(loinc, "2458-8", "IgA"), quantity_value(180, "mg/dL"), "2026-09-01T08:00:00Z")};
  all.insert(all.end(), extra.begin(), extra.end());
  return all;
}

std::string summary_of(const std::string& body, std::size_t card) {
  const auto doc = parse(body);
  return doc["cards"][static_cast<rapidjson::SizeType>(card)]["summary"].GetString();
}

}  // namespace

// --- R22 live vaccine given before IVIg, R25 vaccines the interval does not apply to ----------
TEST_F(Scenario, R22WarnsOnMmrGivenThirteenDaysAgoWithTheRepeatDate) {
  auto r = select_order(privigen());
  set_prefetch(r, "immunizations", {immunization("mmr", "03", "MMR", "2026-11-09T12:00:00Z")});
  expect_cards(r, "vaccines/r22-mmr-13-days", {"warning R22"});
}

TEST_F(Scenario, R22SilentOnMmrGivenFourteenDaysAgo) {
  auto r = select_order(privigen());
  set_prefetch(r, "immunizations", {immunization("mmr", "03", "MMR", "2026-11-08T12:00:00Z")});
  expect_cards(r, "no-cards", {});
}

TEST_F(Scenario, R22WarnsOnVaricellaGivenYesterday) {
  auto r = select_order(privigen());
  set_prefetch(r, "immunizations", {immunization("var", "21", "varicella", "2026-11-21T09:00:00Z")});
  expect_cards(r, "vaccines/r22-varicella-1-day", {"warning R22"});
}

TEST_F(Scenario, R25YellowFeverAndLiveInfluenzaRaiseNoCard) {
  auto r = select_order(privigen());
  set_prefetch(r, "immunizations",
               {immunization("yf", "37", "yellow fever", "2026-11-19T09:00:00Z"),
                immunization("laiv", "149", "influenza, live, intranasal", "2026-11-20T09:00:00Z"),
                immunization("rzv", "187", "zoster recombinant", "2026-11-20T09:00:00Z")});
  expect_cards(r, "no-cards", {});
}

// --- R23 a measles/varicella vaccine planned with the IVIg --------------------------------------
TEST_F(Scenario, R23WarnsOnMmrOrderedInTheSameSessionAsTheIvig) {
  auto r = select_order(privigen());
  r.draft_orders.push_back(R"({"resourceType":"MedicationRequest","id":"mmr","status":"draft","intent":"order",)"
                           R"("medicationCodeableConcept":)" +
                           concept_of(cvx, "03", "MMR") + "}");
  expect_cards(r, "vaccines/r23-mmr-in-session", {"warning R23"});
}

TEST_F(Scenario, R23WarnsOnAVaricellaServiceRequestInTheSession) {
  auto r = select_order(privigen());
  r.draft_orders.push_back(R"({"resourceType":"ServiceRequest","id":"var","status":"draft","intent":"order","code":)" +
                           concept_of(cvx, "21", "varicella") + "}");
  expect_cards(r, "vaccines/r23-varicella-service-request", {"warning R23"});
}

// --- R24 the deferral date on signing: 8/10/11 months by course dose, from the last dose -------
TEST_F(Scenario, R24DefersEightMonthsAfterFourHundredMgPerKg) {
  auto r = sign_orders({medication_request("ivig-1", privigen())});
  r.draft_orders[0].replace(r.draft_orders[0].find("\"value\":0.5"), 11, "\"value\":0.4");
  r.draft_orders[0].replace(r.draft_orders[0].find("\"value\":35"), 10, "\"value\":28");
  const http_result result = server().post("ivig-order-sign", r.json());
  ASSERT_EQ(result.status, 200u);
  EXPECT_NE(result.body.find("Defer measles-, mumps-, rubella- and varicella-containing vaccines until 2027-07-22"),
            std::string::npos);
}

TEST_F(Scenario, R24DefersTenMonthsJustAboveFourHundredMgPerKg) {
  auto r = sign_orders({medication_request("ivig-1", privigen())});  // 0.5 g/kg
  expect_cards(r, "vaccines/r24-0.5-g-per-kg-10-months",
               {"info R24", "info R28", "info R30", "info R15 R16 R17 R19", "info R12"});
  EXPECT_EQ(summary_of(server().post("ivig-order-sign", r.json()).body, 0),
            "Defer measles-, mumps-, rubella- and varicella-containing vaccines until 2027-09-22");
}

TEST_F(Scenario, R24DefersElevenMonthsFromTheLastDoseOfATwoGramCourse) {
  std::string order = medication_request("ivig-1", privigen());
  order.replace(
      order.find(R"("text":"0.5 g/kg IV once")"), 25,
      R"("text":"0.4 g/kg daily x5","timing":{"repeat":{"count":5,"frequency":1,"period":1,"periodUnit":"d"}})");
  order.replace(order.find("\"value\":0.5"), 11, "\"value\":0.4");
  order.replace(order.find("\"value\":35"), 10, "\"value\":30");
  auto r = sign_orders({order});
  const http_result result = server().post("ivig-order-sign", r.json());
  ASSERT_EQ(result.status, 200u);
  // 2 g/kg course, last dose on 2026-11-26: + 11 months.
  EXPECT_NE(result.body.find("until 2027-10-26"), std::string::npos) << result.body.substr(0, 600);
}

TEST_F(Scenario, R24DefersTenMonthsAtOneGramPerKgAndElevenJustAbove) {
  auto at_one = sign_orders({medication_request("ivig-1", privigen())});
  at_one.draft_orders[0].replace(at_one.draft_orders[0].find("\"value\":0.5"), 11, "\"value\":1.0");
  at_one.draft_orders[0].replace(at_one.draft_orders[0].find("\"value\":35"), 10, "\"value\":70");
  EXPECT_NE(server().post("ivig-order-sign", at_one.json()).body.find("vaccines until 2027-09-22"), std::string::npos);
  auto above = sign_orders({medication_request("ivig-1", privigen())});
  above.draft_orders[0].replace(above.draft_orders[0].find("\"value\":0.5"), 11, "\"value\":1.1");
  above.draft_orders[0].replace(above.draft_orders[0].find("\"value\":35"), 10, "\"value\":75");
  const std::string body = server().post("ivig-order-sign", above.json()).body;
  EXPECT_NE(body.find("vaccines until 2027-10-22"), std::string::npos) << body.substr(0, 400);
  // The worksheet carries the same deferral.
  EXPECT_NE(
      body.find("**Vaccines:** Defer measles-, mumps-, rubella- and varicella-containing vaccines until 2027-10-22"),
      std::string::npos);
}

// --- R8 renal boxed warning -------------------------------------------------------------------
TEST_F(Scenario, R8WarnsOnEgfrFiftyNine) {
  auto r = select_order(privigen());
  set_prefetch(r, "observations", without_renal_labs({egfr(59)}));
  expect_cards(r, "risk/r8-egfr-59", {"warning R8"});
}

TEST_F(Scenario, R8SilentOnEgfrSixty) {
  auto r = select_order(privigen());
  set_prefetch(r, "observations", without_renal_labs({egfr(60)}));
  expect_cards(r, "no-cards", {});
}

TEST_F(Scenario, R8EscalatesBelowEgfrThirty) {
  auto r = select_order(privigen());
  set_prefetch(r, "observations", without_renal_labs({egfr(29)}));
  expect_cards(r, "risk/r8-egfr-29", {"warning R8"});
  EXPECT_EQ(summary_of(server().post("ivig-order-select", r.json()).body, 0),
            "Renal boxed warning: eGFR below 30 or dialysis: consider alternatives; if given, minimum dose and rate");
}

TEST_F(Scenario, R8DoesNotEscalateAtEgfrThirty) {
  auto r = select_order(privigen());
  set_prefetch(r, "observations", without_renal_labs({egfr(30)}));
  EXPECT_EQ(summary_of(server().post("ivig-order-select", r.json()).body, 0),
            "Renal boxed warning: 1 risk factor: minimum practicable dose and rate, hydrate, monitor");
}

TEST_F(Scenario, R8AndR10WarnAtAgeSixtySix) {
  auto r = select_order(privigen());
  r.prefetch["patient"] = patient("example", "female", "1960-11-01");
  expect_cards(r, "risk/age-66", {"warning R8", "warning R10"});
}

TEST_F(Scenario, R8AndR10SilentAtAgeSixtyFive) {
  auto r = select_order(privigen());
  r.prefetch["patient"] = patient("example", "female", "1961-06-01");
  expect_cards(r, "no-cards", {});
}

TEST_F(Scenario, R8CountsACreatinineAboveTheLaboratoryRange) {
  auto r = select_order(privigen());
  std::string creatinine = serum_creatinine(1.4);
  creatinine.insert(creatinine.size() - 1,
                    R"(,"referenceRange":[{"low":{"value":0.6,"unit":"mg/dL"},"high":{"value":1.2,"unit":"mg/dL"}}])");
  set_prefetch(r, "observations", without_renal_labs({creatinine}));
  expect_cards(r, "risk/r8-creatinine-high", {"warning R8"});
}

TEST_F(Scenario, R8CountsANephrotoxicDrug) {
  auto r = select_order(privigen());
  set_prefetch(r, "medications", {active_medication("vanco", "Vancomycin 1 g IV q12h")});
  expect_cards(r, "risk/r8-vancomycin", {"warning R8"});
}

// --- R9 no recent renal function --------------------------------------------------------------
TEST_F(Scenario, R9WarnsWhenTheNewestCreatinineIsThirtyOneDaysOld) {
  auto r = select_order(privigen());
  set_prefetch(r, "observations", without_renal_labs({serum_creatinine(0.9, "2026-10-22T11:00:00Z")}));
  expect_cards(r, "risk/r9-creatinine-31-days", {"warning R9"});
}

TEST_F(Scenario, R9OffersTheReasonsOfAMissingResult) {
  auto r = select_order(privigen());
  set_prefetch(r, "observations", without_renal_labs({serum_creatinine(0.9, "2026-10-22T11:00:00Z")}));
  EXPECT_EQ(override_reasons(r),
            (std::vector<std::string>{"warning R9: labs-ordered results-pending result-outside-record other"}));
}

TEST_F(Scenario, R9SilentWhenTheNewestCreatinineIsThirtyDaysOld) {
  auto r = select_order(privigen());
  set_prefetch(r, "observations", without_renal_labs({serum_creatinine(0.9, "2026-10-23T12:00:00Z")}));
  expect_cards(r, "no-cards", {});
}

// --- R10 thrombosis, R11 hyperviscosity ---------------------------------------------------------
TEST_F(Scenario, R10ListsAThrombosisHistoryAndAnEstrogen) {
  auto r = select_order(privigen());
  set_prefetch(r, "conditions",
               {condition("dvt", concept_of(snomed, "128053003", "Deep venous thrombosis"), "resolved")});
  set_prefetch(r, "medications", {active_medication("hrt", "Estradiol 1 mg tablet")});
  expect_cards(r, "risk/r10-dvt-estradiol", {"warning R10"});
}

TEST_F(Scenario, R11AsksForViscosityWithCryoglobulinemia) {
  auto r = select_order(privigen());
  set_prefetch(r, "conditions", {condition("cryo", concept_of(icd10cm, "D89.1", "Cryoglobulinemia"))});
  expect_cards(r, "risk/r11-cryoglobulinemia", {"warning R10", "warning R11"});
}

// --- R27–R30 and card discipline ---------------------------------------------------------------
TEST_F(Scenario, R29AsksForTheIndicationOnOrderSelect) {
  std::string order = medication_request("ivig-1", privigen());
  order.replace(order.find(indication()), indication().size(), R"("note":[{"text":"no reason given"}])");
  auto r = select_json(order);
  expect_cards(r, "context/r29-no-indication", {"info R29"});
}

TEST_F(Scenario, R29SaysMultipleSclerosisIsOffLabelOnSigning) {
  std::string order = medication_request("ivig-1", privigen());
  order.replace(order.find(indication()), indication().size(),
                R"("reasonCode":[)" + concept_of(icd10cm, "G35.A", "Relapsing-remitting multiple sclerosis") + "]");
  expect_cards(sign_orders({order}), "context/r29-ms-off-label",
               {"info R24", "info R28", "info R29", "info R30", "info R15 R16 R17 R19", "info R12"});
}

TEST_F(Scenario, R27OnSigningForAPregnantPatientWithoutAPrePregnancyWeight) {
  auto r = sign_orders({medication_request("ivig-1", privigen())});
  set_prefetch(r, "conditions", {condition("preg", concept_of(snomed, "77386006", "Pregnancy"))});
  expect_cards(r, "context/r27-pregnant",
               {"warning R18", "info R24", "info R27", "info R28", "info R30", "info R15 R16 R17 R19", "info R12"});
}

TEST_F(Scenario, R30NamesTheProductsHandlingOnSigning) {
  const std::string gamunex = concept_of(rxnorm, "1809582", "100 ML Gamunex-C 100 MG/ML Injection");
  expect_cards(sign_orders({medication_request("ivig-1", gamunex)}), "context/r30-gamunex",
               {"info R24", "info R28", "info R30", "info R15 R16 R17 R19", "info R12"});
}

TEST_F(Scenario, InformationThatDoesNotChangeTheOrderWaitsForSigning) {
  // The same order and patient as the R29 off-label test, on order-select: no info cards at all.
  std::string order = medication_request("ivig-1", privigen());
  order.replace(order.find(indication()), indication().size(),
                R"("reasonCode":[)" + concept_of(icd10cm, "G35.A", "Relapsing-remitting multiple sclerosis") + "]");
  expect_cards(select_json(order), "no-cards", {});
}
