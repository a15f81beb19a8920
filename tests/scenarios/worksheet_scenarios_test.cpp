// tests/scenarios/worksheet_scenarios_test.cpp: the pharmacist's verification worksheet at order-sign,
// for a Synthea patient and for a built patient with a history, each a whole golden response; and the
// items a pharmacist verifies from, each asserted on the worksheet card. The clock is 2026-11-22.
#include "fhir/model/fhir_time.hpp"
#include "tests/scenarios/scenario_fixture.hpp"
#include "tests/support/record_shift.hpp"
#include "tests/support/test_support.hpp"

using namespace ivig::test;

namespace {

const std::string ucum = R"("system":"http://unitsofmeasure.org")";
const std::string octagam_10_vial = concept_of(rxnorm, "1809502", "Octagam 10% 100 ML Injection");

/// The worksheet card's markdown in a response.
std::string worksheet_of(const std::string& response_body) {
  const rapidjson::Document doc = parse(response_body);
  for (const auto& card : doc["cards"].GetArray())
    if (std::string(card["summary"].GetString()).rfind("IVIg verification worksheet", 0) == 0)
      return card["detail"].GetString();
  return {};
}

/// Every section a pharmacist verifies from is on the worksheet.
void expect_every_item(const std::string& worksheet) {
  for (const char* item :
       {"**Order:**", "**Indication:**", "**Prior authorisation:**", "**Label:**", "| Serum IgA |", "| Anti-IgA |",
        "| Product IgA |", "| Creatinine |", "| eGFR |", "| BUN |", "| Haemoglobin |", "| Haematocrit |",
        "**Risk factors:**", "**Allergies:**", "**Earlier reactions to immune globulin:**",
        "**Last immune globulin course:**", "**Dosing weight**", "**Dose**", "Labelled dose", "**Vials:**",
        "**Volume:**", "**Rate limits**", "**Titration**", "Total: ", "**Preparation**", "**Each dose also carries**",
        "**Estimated cost:**", "**Checks not done and problems**"})
    EXPECT_NE(worksheet.find(item), std::string::npos) << item << "\n" << worksheet;
}

/// Octagam 10% for chronic ITP, 1 g/kg (70 g) on 2 days, titrated 1 to 12 mg/kg/min, with the payer's
/// answer (prior authorisation satisfied) on the order.
std::string octagam_itp_order() {
  const std::string rate = R"x("unit":"mg/(kg.min)",)x" + ucum + R"x(,"code":"mg/(kg.min)")x";
  return R"x({"resourceType":"MedicationRequest","id":"ivig-1","status":"draft","intent":"order",)x"
         R"x("extension":[{"url":"http://hl7.org/fhir/us/davinci-crd/StructureDefinition/ext-coverage-information",)x"
         R"x("extension":[{"url":"covered","valueCode":"covered"},{"url":"pa-needed","valueCode":"satisfied"},)x"
         R"x({"url":"satisfied-pa-id","valueString":"PA-2026-4411"},{"url":"date","valueDate":"2026-11-20"}]}],)x"
         R"x("medicationCodeableConcept":)x" +
         octagam_10_vial +
         R"x(,"subject":{"reference":"Patient/example"},"reasonCode":[)x" +
         concept_of(icd10cm, "D69.3", "Immune thrombocytopenic purpura") + R"x(],"dosageInstruction":[{"route":)x" +
         concept_of(snomed, "47625008", "Intravenous route") +
         R"x(,"timing":{"repeat":{"count":2,"frequency":1,"period":1,"periodUnit":"d"}},)x"
         R"x("doseAndRate":[{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/dose-rate-type","code":"ordered"}]},)x"
         R"x("doseQuantity":{"value":1,"unit":"g/kg",)x" +
         ucum + R"x(,"code":"g/kg"},"rateRange":{"low":{"value":1,)x" + rate + R"x(},"high":{"value":12,)x" + rate +
         R"x(}}},{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/dose-rate-type","code":"calculated"}]},)x"
         R"x("doseQuantity":{"value":70,"unit":"g",)x" +
         ucum + R"x(,"code":"g"}}]}]})x";
}

/// An Octagam 10% infusion given on `date`, `grams` g, with what the nurse recorded.
std::string octagam_given(const std::string& id, const std::string& date, double grams, const std::string& note) {
  return R"({"resourceType":"MedicationAdministration","id":")" + id +
         R"(","status":"completed","medicationCodeableConcept":)" + octagam_10_vial +
         R"(,"subject":{"reference":"Patient/example"},"effectiveDateTime":")" + date +
         R"(","dosage":{"dose":{"value":)" + std::to_string(grams) + R"(,"unit":"g",)" + ucum +
         R"(,"code":"g"}},"note":[{"text":")" + note + R"("}]})";
}

}  // namespace

// A 46-year-old woman with chronic ITP, 70 kg, on her second course of Octagam 10%: results, an
// allergy, an earlier course with its notes, and the payer's prior authorisation on the order.
TEST_F(Scenario, WorksheetForABuiltPatientWithHistoryShowsEveryItemAPharmacistVerifies) {
  hook_request r = sign_orders({octagam_itp_order()});
  set_prefetch(r, "observations",
               observations_with({observation("egfr", concept_of(loinc, "98979-8", "eGFR CKD-EPI 2021"),
                                              quantity_value(88, "mL/min/{1.73_m2}"), "2026-11-15T09:00:00Z"),
                                  observation("bun", concept_of(loinc, "3094-0", "Urea nitrogen"),
                                              quantity_value(14, "mg/dL"), "2026-11-15T09:00:00Z"),
                                  observation("hb", concept_of(loinc, "718-7", "Hemoglobin"),
                                              quantity_value(12.9, "g/dL"), "2026-11-15T09:00:00Z"),
                                  observation("hct", concept_of(loinc, "4544-3", "Hematocrit"),
                                              quantity_value(38.5, "%"), "2026-11-15T09:00:00Z")}));
  set_prefetch(r, "allergies", {allergy("pcn", concept_of(snomed, "91936005", "Allergy to penicillin"), "high")});
  set_prefetch(r, "administrations",
               {octagam_given("given-1", "2026-10-25T09:00:00Z", 70,
                              "Tolerated; mild headache after; premedicated with acetaminophen 650 mg")});
  expect_cards(r, "worksheet/built-patient-octagam-itp-with-history",
               {"warning R20", "info R24", "info R28", "info R30", "info R15 R16 R17 R19"});
  const std::string worksheet = worksheet_of(server().post("ivig-order-sign", r.json()).body);
  expect_every_item(worksheet);
  EXPECT_NE(worksheet.find("prior authorisation satisfied (PA-2026-4411)"), std::string::npos) << worksheet;
  EXPECT_NE(worksheet.find("Note: Tolerated; mild headache after; premedicated with acetaminophen 650 mg"),
            std::string::npos);
  EXPECT_NE(worksheet.find("| 1 | 1 | 42 | 30 min |"), std::string::npos) << worksheet;  // 1 mg/kg/min on 70 kg
}

// Isaiah Schaden (Synthea), 67, diabetes and CKD, eGFR 41.6: Octagam 10% at signing, no history sent
// beyond his own record (the history queries find no immune globulin).
TEST_F(Scenario, WorksheetForASyntheaPatientShowsEveryItemAndHisRiskFactors) {
  hook_request r = synthea_request_shifted("Isaiah_Schaden", octagam_10(), std::chrono::days{3});
  r.hook = "order-sign";
  r.selections.clear();
  expect_cards(r, "worksheet/synthea-isaiah-schaden-octagam",
               {"warning R17", "warning R7", "warning R8", "warning R10", "info R24", "info R28", "info R30",
                "info R15 R16 R17 R19", "info R3 R12"});
  const std::string worksheet = worksheet_of(server().post("ivig-order-sign", r.json()).body);
  expect_every_item(worksheet);
  EXPECT_NE(worksheet.find("none on file: a first infusion"), std::string::npos) << worksheet;
}
