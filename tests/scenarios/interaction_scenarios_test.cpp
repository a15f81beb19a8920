// tests/scenarios/interaction_scenarios_test.cpp: issue 10's checks over HTTP with golden cards, each
// with a request that fires and one that must not: R31 (an FcRn blocker, plasma exchange planned in
// the same session or done 14 vs 15 days ago), R32 (a prior serious IVIg reaction alone, and joining
// R1's card), and R5's warning for sorbitol in a child whose fructose intolerance may be undiagnosed
// (18 months vs 3 years, Flebogamma vs Privigen, with and without the diagnosis).
#include "tests/scenarios/scenario_fixture.hpp"
#include "tests/support/test_support.hpp"

using namespace ivig::test;

namespace {

const std::string immune_globulin = concept_of(rxnorm, "5666", "immunoglobulin G");
const std::string plasmapheresis =
    concept_of("http://www.ama-assn.org/go/cpt", "36514", "Therapeutic apheresis; for plasma pheresis");

std::string efgartigimod_order() {
  return R"({"resourceType":"MedicationRequest","id":"vyvgart","status":"active","intent":"order",)"
         R"("medicationCodeableConcept":)" +
         concept_of(rxnorm, "2587717", "efgartigimod alfa") +
         R"(,"subject":{"reference":"Patient/example"},"authoredOn":"2026-11-01"})";
}

std::string plasma_exchange_done(const std::string& when) {
  return R"({"resourceType":"Procedure","id":"plex-1","status":"completed","code":)" + plasmapheresis +
         R"(,"subject":{"reference":"Patient/example"},"performedDateTime":")" + when + "\"}";
}

std::string plasma_exchange_ordered() {
  return R"({"resourceType":"ServiceRequest","id":"plex-order","status":"draft","intent":"order","code":)" +
         plasmapheresis + R"(,"subject":{"reference":"Patient/example"}})";
}

/// 0.5 g/kg of `medication` for a child of 10 kg (5 g, whole vials of both products), once.
std::string child_order(const std::string& medication) {
  return ivig_order_for(medication, R"({"text":"Chronic inflammatory demyelinating polyneuropathy"})", 0.5, 5);
}

/// order-select for a boy born on `birth_date`, 10 kg, 80 cm, with a normal IgA and creatinine.
hook_request child_request(const std::string& medication, const std::string& birth_date) {
  hook_request r = order_select_with(child_order(medication), "ivig-1");
  r.prefetch["patient"] = patient("example", "male", birth_date);
  set_prefetch(r, "observations",
               {body_weight(10), body_height(80), serum_creatinine(0.3),
                observation("iga", concept_of(loinc, "2458-8", "IgA [Mass/volume] in Serum or Plasma"),
                            quantity_value(60, "mg/dL"), "2026-09-01T08:00:00Z")});
  return r;
}

}  // namespace

// --- R31 a treatment that removes or lowers IVIg -----------------------------------------------
TEST_F(Scenario, R31WarnsOfAnActiveFcrnBlockerOrder) {
  auto r = select_order(privigen());
  set_prefetch(r, "medications", {efgartigimod_order()});
  expect_cards(r, "r31-fcrn-blocker", {"warning R31"});
}

TEST_F(Scenario, R31WarnsOfPlasmaExchangeOrderedInTheSameSession) {
  auto r = select_order(privigen());
  r.draft_orders.push_back(plasma_exchange_ordered());
  expect_cards(r, "r31-plasma-exchange-ordered", {"warning R31"});
}

TEST_F(Scenario, R31CountsAPlasmaExchange14DaysAgo) {
  auto r = select_order(privigen());
  set_prefetch(r, "procedures", {plasma_exchange_done("2026-11-08T09:00:00Z")});
  expect_cards(r, "r31-plasma-exchange-14-days", {"warning R31"});
}

TEST_F(Scenario, R31SilentOnAPlasmaExchange15DaysAgo) {
  auto r = select_order(privigen());
  set_prefetch(r, "procedures", {plasma_exchange_done("2026-11-07T09:00:00Z")});
  expect_cards(r, "r31-plasma-exchange-15-days-quiet", {});
}

// --- R32 a prior serious IVIg reaction -----------------------------------------------------------
TEST_F(Scenario, R32WarnsOfAPriorAsepticMeningitisWithTheLabelsPrecaution) {
  auto r = select_order(privigen());
  set_prefetch(
      r, "allergies",
      {allergy("a1", immune_globulin, {}, {}, concept_of(icd10cm, "G03.9", "Meningitis, unspecified"), "resolved")});
  expect_cards(r, "r32-aseptic-meningitis", {"warning R32"});
}

TEST_F(Scenario, R32JoinsR1sCardForAnActiveAllergyWithHemolysis) {
  auto r = select_order(privigen());
  set_prefetch(r, "allergies",
               {allergy("a1", immune_globulin, {}, {},
                        concept_of(icd10cm, "D59.2", "Drug-induced nonautoimmune hemolytic anemia"))});
  expect_cards(r, "r32-joins-r1-hemolysis", {"warning R1 R32"});
}

TEST_F(Scenario, R32SilentOnAnaphylaxisWhichIsR1s) {
  auto r = select_order(privigen());
  set_prefetch(r, "allergies",
               {allergy("a1", immune_globulin, {}, "severe", concept_of(snomed, "39579001", "Anaphylaxis"))});
  expect_cards(r, "r1-critical-anaphylaxis", {"critical R1"});
}

// --- R5 sorbitol for a child whose fructose intolerance may be undiagnosed -----------------------
TEST_F(Scenario, R5WarnsOfSorbitolForAn18MonthOld) {
  expect_cards(child_request(flebogamma_5(), "2025-05-22"), "r5-infant-sorbitol", {"warning R5"});
}

TEST_F(Scenario, R5SilentOnSorbitolForAThreeYearOld) {
  expect_cards(child_request(flebogamma_5(), "2023-11-21"), "r5-three-year-old-sorbitol-quiet", {});
}

TEST_F(Scenario, R5SilentOnPrivigenForAnInfant) {
  expect_cards(child_request(privigen(), "2025-05-22"), "r5-infant-privigen-quiet", {});
}

TEST_F(Scenario, R5InfantWithFructoseIntoleranceGetsOnlyTheContraindication) {
  auto r = child_request(flebogamma_5(), "2025-05-22");
  set_prefetch(r, "conditions", {condition("hfi", concept_of(icd10cm, "E74.12", "Hereditary fructose intolerance"))});
  expect_cards(r, "r5-infant-with-hfi", {"critical R5"});
}
