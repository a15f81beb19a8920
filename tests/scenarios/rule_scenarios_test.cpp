// tests/scenarios/rule_scenarios_test.cpp: R1–R7 in and out, each asserting the whole response.
//
// Names say the boundary: FiresOn…/SilentOn…. Golden files live in expected/; regenerate them with
// IVIG_UPDATE_GOLDEN=1 and review the diff like code.
#include "tests/scenarios/scenario_fixture.hpp"
#include "tests/support/test_support.hpp"

using namespace ivig::test;

namespace {

const std::string anaphylaxis = concept_of(snomed, "39579001", "Anaphylaxis");
const std::string immune_globulin = concept_of(rxnorm, "5666", "immunoglobulin G");

std::string replace(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos);
  return text.replace(at, from.size(), to);
}

}  // namespace

// --- R1 hypersensitivity to immune globulin --------------------------------------------------
TEST_F(Scenario, R1FiresCriticalOnAnaphylaxisToImmuneGlobulin) {
  auto r = select_order(privigen());
  set_prefetch(r, "allergies", {allergy("a1", immune_globulin, {}, "severe", anaphylaxis)});
  expect_cards(r, "r1-critical-anaphylaxis", {"critical R1"});
}

TEST_F(Scenario, R1FiresCriticalOnHighCriticality) {
  auto r = select_order(privigen());
  set_prefetch(r, "allergies", {allergy("a1", concept_of("urn:local", "IG", "IVIG"), "high")});
  expect_cards(r, "r1-critical-high-criticality", {"critical R1"});
}

TEST_F(Scenario, R1WarnsOnAllergyWithoutSeverity) {
  auto r = select_order(privigen());
  set_prefetch(r, "allergies", {allergy("a1", immune_globulin, "low")});
  expect_cards(r, "r1-warning-not-severe", {"warning R1"});
}

TEST_F(Scenario, R1FiresCriticalOnAnaphylaxisConditionNamingIvig) {
  auto r = select_order(privigen());
  set_prefetch(
      r, "conditions",
      {condition("c1", concept_of(snomed, "39579001", "Anaphylaxis", "Anaphylaxis during IVIG infusion"), "resolved")});
  expect_cards(r, "r1-critical-condition", {"critical R1"});
}

TEST_F(Scenario, R1SilentOnRefutedAllergyAndOtherAllergens) {
  auto r = select_order(privigen());
  const std::string refuted = replace(allergy("a1", immune_globulin, "high"), R"("recordedDate")",
                                      R"("verificationStatus":{"coding":[{"code":"refuted"}]},"recordedDate")");
  set_prefetch(r, "allergies", {refuted, allergy("a2", concept_of(rxnorm, "7980", "Penicillin G"), "high")});
  expect_cards(r, "no-cards", {});
}

// --- R2/R3 IgA deficiency --------------------------------------------------------------------
const std::string iga_deficiency = concept_of(icd10cm, "D80.2", "Selective deficiency of immunoglobulin A [IgA]");

std::string anti_iga(const std::string& result) {
  return observation("anti-iga", concept_of("urn:local-lab", "AIGA", "Anti-IgA antibody"),
                     R"("valueString":")" + result + "\"");
}

TEST_F(Scenario, R2FiresCriticalWithAntibodiesAndHypersensitivityHistory) {
  auto r = select_order(octagam_10());
  set_prefetch(r, "conditions", {condition("c1", iga_deficiency)});
  set_prefetch(r, "observations",
               {body_weight(70), body_height(170), serum_creatinine(0.9), normal_iga(), anti_iga("Positive")});
  set_prefetch(r, "allergies",
               {allergy("a1", concept_of("urn:local", "BP", "Blood products"), {}, {},
                        concept_of(snomed, "39579001", "Anaphylaxis"))});
  expect_cards(r, "r2-critical", {"critical R2"});
}

TEST_F(Scenario, R2SilentWhenAntibodiesNotDetectedSoR3Warns) {
  auto r = select_order(octagam_10());
  set_prefetch(r, "conditions", {condition("c1", iga_deficiency), condition("c2", anaphylaxis, "resolved")});
  set_prefetch(r, "observations",
               {body_weight(70), body_height(170), serum_creatinine(0.9), normal_iga(), anti_iga("Not detected")});
  expect_cards(r, "r3-warning-deficiency-no-antibodies", {"warning R3"});
}

// With no anti-IgA result on file, R2's incomplete screen joins R3's card ("R3 R2": status unknown).
TEST_F(Scenario, R3WarnsOnIgaBelowTheAssayLimitAndOffersLowerIgaProducts) {
  auto r = select_order(octagam_10());
  set_prefetch(r, "observations",
               {body_weight(70), body_height(170), serum_creatinine(0.9),
                observation("iga", concept_of(loinc, "2458-8", "IgA"), quantity_value(5, "mg/dL", "<"))});
  expect_cards(r, "r3-warning-below-assay-limit", {"warning R3 R2"});
}

TEST_F(Scenario, R3LeavesPrivigenOutForHyperprolinemiaAndWritesProductCodes) {
  auto r = select_order(gammagard_liquid());
  set_prefetch(r, "conditions",
               {condition("c1", concept_of(snomed, "190979003", "Selective immunoglobulin A deficiency")),
                condition("c2", concept_of("urn:local", "HP1", "Hyperprolinemia type I"))});
  // Gammagard S/D and Gammaplex 10% by their NDC product codes (not the BNs they share); Privigen
  // (proline) is named as left out.
  // No anti-IgA result: R2 says the screen is incomplete on R3's card.
  expect_cards(r, "r3-warning-hyperprolinemia-no-privigen", {"warning R3 R2"});
}

TEST_F(Scenario, R3WarnsBelowTheLocalPolicyLevelAndSaysItIsPolicy) {
  auto r = select_order(octagam_10());
  set_prefetch(r, "observations",
               {body_weight(70), body_height(170), serum_creatinine(0.9),
                observation("iga", concept_of(loinc, "2458-8", "IgA"), quantity_value(0.06, "g/L"))});
  expect_cards(r, "r3-warning-policy-level", {"warning R3 R2"});
}

TEST_F(Scenario, R3SilentAtTheLocalPolicyLevel) {
  auto r = select_order(octagam_10());
  set_prefetch(r, "observations",
               {body_weight(70), body_height(170), serum_creatinine(0.9),
                observation("iga", concept_of(loinc, "2458-8", "IgA"), quantity_value(7, "mg/dL"))});
  expect_cards(r, "no-cards", {});
}

TEST_F(Scenario, R3ReportsAMissingIgaResultAsAnIncompleteCheck) {
  auto r = select_order(privigen());
  set_prefetch(r, "observations", {body_weight(70), body_height(170), serum_creatinine(0.9)});
  expect_cards(r, "r3-incomplete-no-iga", {"info R3"});
}

TEST_F(Scenario, R2ScreenIncompleteWhenIgaDeficiencyHasNoAntiIgaResultSaysSoOnR3sCard) {
  // IgA deficiency known, no anti-IgA result at all: R2's screen cannot be completed. It is a warning
  // that joins R3's card (one card per concern), saying the status is unknown and what it means.
  auto r = select_order(octagam_10());
  set_prefetch(r, "conditions", {condition("c1", iga_deficiency)});
  expect_cards(r, "r3-r2-anti-iga-status-unknown", {"warning R3 R2"});
  const http_result result = server().post("ivig-order-select", r.json());
  const rapidjson::Document doc = parse(result.body);
  const std::string detail = doc["cards"][0]["detail"].GetString();
  EXPECT_NE(detail.find("**Anti-IgA antibody status is unknown**: no anti-IgA antibody result is in the record"),
            std::string::npos)
      << detail;
  EXPECT_NE(detail.find("This site has not configured the local codes of its anti-IgA test"), std::string::npos)
      << detail;
}

TEST_F(Scenario, R2ScreenIncompleteAlsoWhenOnlyTheSerumIgaIsBelowTheLevel) {
  auto r = select_order(octagam_10());
  set_prefetch(r, "observations",
               {body_weight(70), body_height(170), serum_creatinine(0.9),
                observation("iga", concept_of(loinc, "2458-8", "IgA"), quantity_value(5, "mg/dL", "<"))});
  EXPECT_EQ(override_reasons(r),
            (std::vector<std::string>{"warning R3 R2: low-iga-product-chosen anti-iga-excluded previously-tolerated "
                                      "benefit-outweighs-risk data-incorrect other discussed-with-patient"}));
}

// --- override reasons: each card offers the reasons of its own rules -----------------------------
TEST_F(Scenario, OverrideReasonsOfContraindicationsAndOfTheIgaCard) {
  auto r4 = select_order(privigen());
  set_prefetch(r4, "conditions", {condition("c1", concept_of("urn:local", "HP1", "Hyperprolinemia type I"))});
  EXPECT_EQ(override_reasons(r4),
            (std::vector<std::string>{
                "critical R4: benefit-outweighs-risk discussed-with-patient product-free-of-excipient data-incorrect "
                "other"}));
  auto r2 = select_order(octagam_10());
  set_prefetch(r2, "conditions", {condition("c1", iga_deficiency)});
  set_prefetch(r2, "observations",
               {body_weight(70), body_height(170), serum_creatinine(0.9), normal_iga(), anti_iga("Positive")});
  set_prefetch(r2, "allergies",
               {allergy("a1", concept_of("urn:local", "BP", "Blood products"), {}, {},
                        concept_of(snomed, "39579001", "Anaphylaxis"))});
  EXPECT_EQ(override_reasons(r2),
            (std::vector<std::string>{"critical R2: benefit-outweighs-risk discussed-with-patient "
                                      "low-iga-product-chosen anti-iga-excluded data-incorrect other"}));
  // R3 alone (antibodies not detected): R3's reasons only; an info card offers none.
  auto r3 = select_order(octagam_10());
  set_prefetch(r3, "conditions", {condition("c1", iga_deficiency)});
  set_prefetch(r3, "observations",
               {body_weight(70), body_height(170), serum_creatinine(0.9), normal_iga(), anti_iga("Not detected")});
  EXPECT_EQ(override_reasons(r3),
            (std::vector<std::string>{"warning R3: low-iga-product-chosen anti-iga-excluded previously-tolerated "
                                      "benefit-outweighs-risk data-incorrect other"}));
  auto no_iga = select_order(privigen());
  set_prefetch(no_iga, "observations", {body_weight(70), body_height(170), serum_creatinine(0.9)});
  EXPECT_EQ(override_reasons(no_iga), (std::vector<std::string>{"info R3:"}));
}

// --- R4–R6 excipient contraindications -------------------------------------------------------
TEST_F(Scenario, R4FiresCriticalOnPrivigenWithHyperprolinemia) {
  auto r = select_order(privigen());
  set_prefetch(r, "conditions", {condition("c1", concept_of("urn:local", "HP1", "Hyperprolinemia type I"))});
  expect_cards(r, "r4-critical", {"critical R4"});
}

TEST_F(Scenario, R4WarnsWhenOnlyTheUnconfirmedIcdMappingSaysHyperprolinemia) {
  auto r = select_order(privigen());
  set_prefetch(r, "conditions",
               {condition("c1", concept_of(icd10cm, "E72.59", "Other disorders of glycine metabolism"))});
  expect_cards(r, "r4-warning-unconfirmed-code", {"warning R4"});
}

TEST_F(Scenario, R4WarnsWhenTheProductIsNotIdentified) {
  auto r = select_order(immune_globulin);
  set_prefetch(r, "conditions", {condition("c1", concept_of("urn:local", "HP1", "Hyperprolinemia"))});
  expect_cards(r, "r4-warning-product-unknown", {"warning R4"});
}

TEST_F(Scenario, R4SilentOnAProlineFreeProduct) {
  auto r = select_order(gammagard_liquid());
  set_prefetch(r, "conditions", {condition("c1", concept_of("urn:local", "HP1", "Hyperprolinemia"))});
  expect_cards(r, "no-cards", {});
}

TEST_F(Scenario, R5FiresCriticalOnFlebogammaWithFructoseIntolerance) {
  auto r = select_order(flebogamma_5());
  set_prefetch(r, "conditions", {condition("c1", concept_of(snomed, "20052008", "Hereditary fructose intolerance"))});
  expect_cards(r, "r5-critical", {"critical R5"});
}

// Gammaplex 5%'s sorbitol (50 mg/mL) is confirmed by its SmPC since knowledge 2026.11.7: critical.
TEST_F(Scenario, R5FiresCriticalOnGammaplex5WhoseSmpcStatesSorbitol) {
  auto r = select_order(concept_of(rxnorm, "1809511", "100 ML Gammaplex 5% Injection"));
  set_prefetch(r, "conditions", {condition("c1", concept_of(snomed, "20052008", "Hereditary fructose intolerance"))});
  expect_cards(r, "r5-critical-gammaplex-5", {"critical R5"});
}

TEST_F(Scenario, R5SilentOnAProductWithoutSorbitol) {
  auto r = select_order(privigen());
  set_prefetch(r, "conditions", {condition("c1", concept_of(snomed, "20052008", "Hereditary fructose intolerance"))});
  expect_cards(r, "no-cards", {});
}

TEST_F(Scenario, R6FiresCriticalOnOctagamWithCornAllergy) {
  auto r = select_order(octagam_10());
  set_prefetch(r, "allergies", {allergy("a1", concept_of(snomed, "419573007", "Allergy to corn"))});
  expect_cards(r, "r6-critical", {"critical R6"});
}

TEST_F(Scenario, R6SilentOnInactiveCornAllergy) {
  auto r = select_order(octagam_10());
  set_prefetch(r, "allergies",
               {allergy("a1", concept_of(snomed, "419573007", "Allergy to corn"), {}, {}, {}, "inactive")});
  expect_cards(r, "no-cards", {});
}

// --- R7 maltose and glucose meters -----------------------------------------------------------
// Meter (capillary, POC) glucose and insulin count; laboratory glucose does not; diabetes alone
// waits for signing (docs/decisions.md, "R7 triggers").
namespace {
std::string glucometer(const std::string& effective) {
  return observation("g1", concept_of(loinc, "41653-7", "Glucose [Mass/volume] in Capillary blood by Glucometer"),
                     quantity_value(140, "mg/dL"), effective);
}
std::string active_insulin() {
  return R"({"resourceType":"MedicationRequest","id":"insulin","status":"active","intent":"order",)"
         R"("medicationCodeableConcept":)" +
         concept_of("http://www.whocc.no/atc", "A10AE04", "insulin glargine") +
         R"(,"subject":{"reference":"Patient/example"}})";
}
}  // namespace

TEST_F(Scenario, R7WaitsForSigningOnOctagamWithDiabetesAlone) {
  auto r = select_order(octagam_10());
  set_prefetch(r, "conditions", {condition("c1", concept_of(snomed, "44054006", "Diabetes mellitus type 2"))});
  expect_cards(r, "r7-diabetes-alone-select", {"warning R8", "warning R10"});
}

TEST_F(Scenario, R7WarnsAtSigningOnOctagamWithDiabetesAlone) {
  auto r = sign_orders({medication_request("ivig-1", octagam_10())});
  set_prefetch(r, "conditions", {condition("c1", concept_of(snomed, "44054006", "Diabetes mellitus type 2"))});
  expect_cards(r, "r7-warning-diabetes-alone-sign",
               {"warning R7", "warning R8", "warning R10", "info R24", "info R28", "info R30", "info R15 R16 R17 R19",
                "info R12"});
}

TEST_F(Scenario, R7WarnsOnAGlucometerResultWithinTheWindow) {
  auto r = select_order(octagam_10());
  set_prefetch(
      r, "observations",
      {body_weight(70), body_height(170), serum_creatinine(0.9), normal_iga(), glucometer("2026-10-23T12:00:00Z")});
  expect_cards(r, "r7-warning-glucose-30-days", {"warning R7"});
}

TEST_F(Scenario, R7SilentOnAGlucometerResultOutsideTheWindow) {
  auto r = select_order(octagam_10());
  set_prefetch(
      r, "observations",
      {body_weight(70), body_height(170), serum_creatinine(0.9), normal_iga(), glucometer("2026-10-22T11:59:59Z")});
  expect_cards(r, "no-cards", {});
}

TEST_F(Scenario, R7SilentOnLaboratoryGlucoseOnly) {
  auto r = select_order(octagam_10());
  set_prefetch(r, "observations",
               {body_weight(70), body_height(170), serum_creatinine(0.9), normal_iga(),
                observation("g1", concept_of(loinc, "2345-7", "Glucose [Mass/volume] in Serum or Plasma"),
                            quantity_value(140, "mg/dL"), "2026-11-20T12:00:00Z")});
  expect_cards(r, "no-cards", {});
}

TEST_F(Scenario, R7WarnsOnAnInsulinOrder) {
  auto r = select_order(octagam_10());
  set_prefetch(r, "medications", {active_insulin()});
  expect_cards(r, "r7-warning-insulin", {"warning R7"});
}

TEST_F(Scenario, R7ReportsAnUnidentifiedProductForAPatientOnInsulin) {
  auto r = select_order(immune_globulin);
  set_prefetch(r, "conditions", {condition("c1", concept_of(snomed, "44054006", "Diabetes mellitus type 2"))});
  set_prefetch(r, "medications", {active_insulin()});
  expect_cards(r, "r7-incomplete-product-unknown", {"warning R8", "warning R10", "info R7"});
}

TEST_F(Scenario, R7SilentOnPrivigenWithDiabetes) {
  auto r = select_order(privigen());
  set_prefetch(r, "conditions", {condition("c1", concept_of(snomed, "44054006", "Diabetes mellitus type 2"))});
  expect_cards(r, "r7-privigen-diabetes-boxed-warnings-only", {"warning R8", "warning R10"});
}

// --- Missing data, hooks and order selection -------------------------------------------------
TEST_F(Scenario, MissingConditionsAreReportedForEveryCheckThatNeedsThem) {
  auto r = select_order(privigen());
  r.prefetch.erase("conditions");
  // The labelled contraindications that could not be checked are a warning of their own.
  expect_cards(r, "missing-conditions", {"warning R1 R2 R4 R5", "info R3 R7 R8 R10 R11 R13 R15 R16 R18 R21 R32"});
}

TEST_F(Scenario, NoIvigOrderMeansNoCards) {
  auto r = order_select_with(medication_request("apap", concept_of(rxnorm, "161", "Acetaminophen"), false), "apap");
  expect_cards(r, "no-cards", {});
}

TEST_F(Scenario, OrderSelectChecksOnlyTheSelections) {
  auto r = select_order(privigen());
  r.draft_orders.push_back(medication_request("apap", concept_of(rxnorm, "161", "Acetaminophen"), false));
  r.selections = {"MedicationRequest/apap"};
  set_prefetch(r, "conditions", {condition("c1", concept_of("urn:local", "HP1", "Hyperprolinemia"))});
  expect_cards(r, "no-cards", {});
}

TEST_F(Scenario, MedicationReferenceToAContainedMedicationIsResolved) {
  std::string order = medication_request("ivig-1", "{}");
  order = replace(order, R"("medicationCodeableConcept":{})",
                  R"("contained":[{"resourceType":"Medication","id":"med1","code":)" + privigen() +
                      R"(}],"medicationReference":{"reference":"#med1"})");
  auto r = order_select_with(order, "ivig-1");
  set_prefetch(r, "observations", {body_weight(70), body_height(170), serum_creatinine(0.9), normal_iga()});
  set_prefetch(r, "conditions", {condition("c1", concept_of("urn:local", "HP1", "Hyperprolinemia type I"))});
  expect_cards(r, "r4-critical", {"critical R4"});
}

TEST_F(Scenario, MedicationReferenceToAMedicationInDraftOrdersIsResolved) {
  std::string order = replace(medication_request("ivig-1", "{}"), R"("medicationCodeableConcept":{})",
                              R"("medicationReference":{"reference":"Medication/med1"})");
  auto r = order_select_with(order, "ivig-1");
  r.draft_orders.push_back(R"({"resourceType":"Medication","id":"med1","code":)" + privigen() + "}");
  set_prefetch(r, "observations", {body_weight(70), body_height(170), serum_creatinine(0.9), normal_iga()});
  set_prefetch(r, "conditions", {condition("c1", concept_of("urn:local", "HP1", "Hyperprolinemia type I"))});
  expect_cards(r, "r4-critical", {"critical R4"});
}

TEST_F(Scenario, OrderSignChecksEveryDraftOrder) {
  auto r = sign_orders({medication_request("ivig-1", privigen()), medication_request("ivig-2", octagam_10())});
  set_prefetch(r, "conditions",
               {condition("c1", concept_of("urn:local", "HP1", "Hyperprolinemia")),
                condition("c2", concept_of(snomed, "44054006", "Diabetes mellitus type 2"))});
  // Two IVIg orders in one session are also a duplicate (R26): one card, on the first order, naming
  // the second (issue 14: not one card per order naming the other); signing adds a worksheet per
  // order and says that neither order gives a rate. Octagam 10%'s label handling (do not dilute;
  // pooling) makes its infusion reminders differ from Privigen's: one R30 card per order.
  expect_cards(r, "order-sign-two-orders",
               {"critical R4", "warning R8", "warning R10", "warning R26", "warning R7", "info R24", "info R28",
                "info R30", "info R30", "info R15 R16 R17 R19", "info R15 R16 R17 R19", "info R12"});
}
