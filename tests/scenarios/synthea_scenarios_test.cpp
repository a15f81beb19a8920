// tests/scenarios/synthea_scenarios_test.cpp: whole Synthea records (../shared/fhir-data/synthea) with
// every date shifted so that their newest observation is 3 days old on 2026-11-22, and the cards their
// own codes, values and dates call for. Golden files are in expected/synthea/.
#include "fhir/model/fhir_time.hpp"
#include "tests/scenarios/scenario_fixture.hpp"
#include "tests/support/record_shift.hpp"
#include "tests/support/test_support.hpp"

using namespace ivig::test;
using std::chrono::days;

// --- the shifter itself ----------------------------------------------------------------------
TEST(RecordShift, ShiftsADateAndKeepsItADate) {
  EXPECT_EQ(shift_fhir_time("2019-03-04", days{10}), "2019-03-14");
  EXPECT_EQ(shift_fhir_time("2019-12-25", days{-30}), "2019-11-25");
}

TEST(RecordShift, ShiftsADateTimeWithAnOffsetToUtc) {
  EXPECT_EQ(shift_fhir_time("2019-12-31T22:30:00-05:00", days{1}), "2020-01-02T03:30:00Z");
  EXPECT_EQ(shift_fhir_time("2018-09-17T15:29:24.181+00:00", days{2985}), "2026-11-19T15:29:24Z");
}

TEST(RecordShift, KeepsThePrecisionOfPartialDates) {
  EXPECT_EQ(shift_fhir_time("2019", days{366}), "2020");
  EXPECT_EQ(shift_fhir_time("2019-03", days{31}), "2019-04");
  EXPECT_EQ(shift_fhir_time("2019", days{366}, /*year_only_is_date=*/false), std::nullopt);
}

TEST(RecordShift, ShiftsEveryDateInARecordAndLeavesOtherStringsAlone) {
  const std::string record =
      R"({"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Patient","id":"1484a42d-0eaf-4654",)"
      R"("birthDate":"1942","address":[{"line":["1065 Murphy Grove"],"postalCode":"2339"}],)"
      R"("identifier":[{"system":"urn:oid:2.16.840.1.113883.4.3.25","value":"99999999999"}]}},)"
      R"({"resource":{"resourceType":"Observation","code":{"coding":[{"system":"http://loinc.org","code":"4544-3"}]},)"
      R"("effectiveDateTime":"2019-02-11T20:03:25-05:00","issued":"2019-02-11T20:03:25.181-05:00",)"
      R"("valueString":"2019","note":[{"text":"seen 2019-02-11"}],"effectivePeriod":{"start":"2019-02"}}}]})";
  const rapidjson::Document shifted = parse(shift_record_dates(record, days{10}));
  const rapidjson::Value& patient = shifted["entry"][0]["resource"];
  EXPECT_STREQ(patient["birthDate"].GetString(), "1942");  // 1942-01-01 + 10 days is still 1942
  EXPECT_STREQ(patient["id"].GetString(), "1484a42d-0eaf-4654");
  EXPECT_STREQ(patient["address"][0]["line"][0].GetString(), "1065 Murphy Grove");
  EXPECT_STREQ(patient["address"][0]["postalCode"].GetString(), "2339");
  EXPECT_STREQ(patient["identifier"][0]["system"].GetString(), "urn:oid:2.16.840.1.113883.4.3.25");
  EXPECT_STREQ(patient["identifier"][0]["value"].GetString(), "99999999999");
  const rapidjson::Value& observation = shifted["entry"][1]["resource"];
  EXPECT_STREQ(observation["code"]["coding"][0]["code"].GetString(), "4544-3");
  EXPECT_STREQ(observation["effectiveDateTime"].GetString(), "2019-02-22T01:03:25Z");
  EXPECT_STREQ(observation["issued"].GetString(), "2019-02-22T01:03:25Z");
  EXPECT_STREQ(observation["valueString"].GetString(), "2019");  // a bare year outside a date element
  EXPECT_STREQ(observation["note"][0]["text"].GetString(), "seen 2019-02-11");
  EXPECT_STREQ(observation["effectivePeriod"]["start"].GetString(), "2019-02");
  EXPECT_STREQ(parse(shift_record_dates(record, days{365}))["entry"][0]["resource"]["birthDate"].GetString(), "1943");
}

TEST(RecordShift, MovesTheNewestObservationToTheRequestedAge) {
  const std::string record =
      R"({"resourceType":"Bundle","entry":[)"
      R"({"resource":{"resourceType":"Observation","effectiveDateTime":"2020-09-17T05:09:36+00:00"}},)"
      R"({"resource":{"resourceType":"Observation","effectiveDateTime":"2020-03-05T05:09:36+00:00"}},)"
      R"({"resource":{"resourceType":"Immunization","occurrenceDateTime":"2021-01-01T00:00:00Z"}}]})";
  const days offset = offset_to_make_newest(record, scenario_now(), days{3});
  const auto newest = ivig::fhir::parse_fhir_time("2020-09-17T05:09:36+00:00");
  ASSERT_TRUE(newest);
  EXPECT_EQ(ivig::fhir::days_between(newest->at + offset, scenario_now()), 3);
  EXPECT_EQ(ivig::fhir::format_date(newest->at + offset), "2026-11-19");
}

TEST(RecordShift, MovesTheNewestMatchingImmunizationToTheRequestedAge) {
  const std::string record = R"({"resourceType":"Bundle","entry":[)"
                             R"({"resource":{"resourceType":"Immunization","vaccineCode":{"coding":[{"code":"03"}]},)"
                             R"("occurrenceDateTime":"2020-08-03T09:43:30+00:00"}},)"
                             R"({"resource":{"resourceType":"Immunization","vaccineCode":{"coding":[{"code":"20"}]},)"
                             R"("occurrenceDateTime":"2020-11-02T09:43:30+00:00"}}]})";
  const days offset = offset_to_make_newest_immunization(record, scenario_now(), days{10}, {"03", "21"});
  const auto mmr = ivig::fhir::parse_fhir_time("2020-08-03T09:43:30+00:00");
  ASSERT_TRUE(mmr);
  EXPECT_EQ(ivig::fhir::days_between(mmr->at + offset, scenario_now()), 10);
}

// --- whole records -----------------------------------------------------------------------------
namespace {

/// Dana Feest's record shifted so that her newest MMR (CVX 03) or varicella (CVX 21) dose is `age`
/// old. Her later entries (a DTaP dose, weights and a sinusitis of 2020-11/12) land in the future.
hook_request dana_with_live_vaccines(days age) {
  const std::string record = read_synthea_record("Dana_Feest");
  const days offset = offset_to_make_newest_immunization(record, scenario_now(), age, {"03", "21"});
  return synthea_request_from_record(shift_record_dates(record, offset), privigen());
}

}  // namespace

// Isaiah Schaden, 67 on the shifted record: type 2 diabetes (SNOMED 44054006), CKD stages 1 and 2,
// eGFR (LOINC 33914-3) 41.6 three days ago, hypertension. Both boxed warnings; the 35 g order is not
// 0.5 g/kg on his adjusted weight (BMI 30.3).
TEST_F(Scenario, SyntheaIsaiahSchadenGetsTheRenalWarningForDiabetesCkdAndEgfrAndTheThrombosisWarning) {
  expect_cards(synthea_request_shifted("Isaiah_Schaden", privigen(), days{3}),
               "synthea/isaiah-schaden-privigen-renal-and-thrombosis",
               {"warning R17", "warning R8", "warning R10", "info R3"});
}

// Octagam 10% contains maltose: his insulin order (Humulin 70/30, matched by text) adds R7, with his
// diabetes; his laboratory glucose results (LOINC 2339-0) no longer count (meters, not analysers).
TEST_F(Scenario, SyntheaIsaiahSchadenOctagamAlsoWarnsAboutGlucoseMetersForHisDiabetes) {
  expect_cards(synthea_request_shifted("Isaiah_Schaden", octagam_10(), days{3}),
               "synthea/isaiah-schaden-octagam-maltose-renal-and-thrombosis",
               {"warning R17", "warning R7", "warning R8", "warning R10", "info R3"});
}

// Martina Murazik, 67: chronic congestive heart failure (matched by text) → R21 with the volume;
// stroke (SNOMED 230690007) and heart failure → R10; eGFR 26.7 → R8 escalated below 30. Her newest
// weight is 108 days old (R18).
TEST_F(Scenario, SyntheaMartinaMurazikHeartFailureGetsTheVolumeCardAndStrokeTheThrombosisCard) {
  expect_cards(synthea_request_shifted("Martina_Murazik", privigen(), days{3}), "synthea/martina-murazik-heart-failure",
               {"warning R8", "warning R10", "warning R18", "warning R21", "info R3"});
}

// Dana Feest, a toddler: varicella (CVX 21) and MMR (CVX 03) given the same day, 10 days before the
// order → R22 with the repeat date 10 months after the IVIg (0.5 g/kg course).
TEST_F(Scenario, SyntheaDanaFeestLiveVaccines10DaysBeforeIvigMustBeRepeatedAfterTheInterval) {
  expect_cards(dana_with_live_vaccines(days{10}), "synthea/dana-feest-live-vaccines-10-days-before",
               {"critical R17", "warning R9", "warning R18", "warning R22",
                "info R3"});
}

TEST_F(Scenario, SyntheaDanaFeestLiveVaccines14DaysBeforeIvigRaiseNoVaccineCard) {
  expect_cards(dana_with_live_vaccines(days{14}), "synthea/dana-feest-live-vaccines-14-days-before",
               {"critical R17", "warning R9", "warning R18", "info R3"});
}

// Max Dicki, born 1942 (78 on the shifted record), atrial fibrillation: age over 65 is a renal and a
// thrombosis risk factor. No creatinine or eGFR on file (R9); newest weight 333 days old (R18).
TEST_F(Scenario, SyntheaMaxDickiOver65GetsTheRenalAndThrombosisCards) {
  expect_cards(synthea_request_shifted("Max_Dicki", privigen(), days{3}), "synthea/max-dicki-over-65",
               {"warning R17", "warning R8", "warning R9", "warning R10", "warning R18", "info R3"});
}

// Clemente Kreiger, 34, no relevant condition: only what is missing (no renal result, no serum IgA).
TEST_F(Scenario, SyntheaClementeKreigerQuietRecordGetsOnlyTheMissingDataCards) {
  expect_cards(synthea_request_shifted("Clemente_Kreiger", privigen(), days{3}), "synthea/clemente-kreiger-quiet",
               {"warning R9", "info R3"});
}
