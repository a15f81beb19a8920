// tests/unit/fhir/resources_test.cpp: lenient readers for R4, STU3 and DSTU2 shapes.
#include <gtest/gtest.h>

#include "fhir/model/bundle.hpp"
#include "fhir/model/patient_record.hpp"
#include "tests/support/test_support.hpp"

using namespace ivig::fhir;
using ivig::test::parse;

TEST(CodeableConcept, ReadsAnArrayWhereAnObjectBelongs) {
  // The sandbox sends MedicationRequest.category as an object; R4 has it as an array. Both read alike.
  const auto doc =
      parse(R"({"a":[{"coding":[{"system":"s","code":"1"}]},{"coding":[{"system":"s","code":"2"}],"text":"t"}]})");
  const codeable_concept c = read_codeable_concept(member(doc, "a"));
  ASSERT_EQ(c.codings.size(), 2u);
  EXPECT_EQ(c.codings[1].code, "2");
  EXPECT_EQ(c.text, "t");
}

TEST(CodeableConcept, LabelPrefersTextThenDisplayThenCode) {
  const auto doc = parse(R"({"a":{"coding":[{"code":"X1"},{"code":"X2","display":"Shown"}]}})");
  EXPECT_EQ(read_codeable_concept(member(doc, "a")).label(), "Shown");
}

TEST(Reference, SplitsRelativeAbsoluteAndVersionedReferences) {
  EXPECT_EQ(split_reference("Medication/med-1")->id, "med-1");
  EXPECT_EQ(split_reference("https://ehr.example.org/fhir/Medication/7/_history/2")->type, "Medication");
  EXPECT_EQ(split_reference("https://ehr.example.org/fhir/Medication/7/_history/2")->id, "7");
  EXPECT_FALSE(split_reference("#contained"));
  EXPECT_FALSE(split_reference("Medication/"));
}

TEST(AllergyIntolerance, ReadsDstu2SubstanceAndStatus) {
  const auto doc = parse(R"({"resourceType":"AllergyIntolerance","id":"a","status":"refuted","criticality":"CRITH",
    "substance":{"text":"Immune globulin"}})");
  const allergy_intolerance a = read_allergy(doc);
  EXPECT_EQ(a.code.text, "Immune globulin");
  EXPECT_EQ(a.criticality, "high");
  EXPECT_TRUE(a.status.ruled_out());
}

TEST(AllergyIntolerance, ReadsStu3StringStatuses) {
  const auto doc =
      parse(R"({"resourceType":"AllergyIntolerance","clinicalStatus":"active","verificationStatus":"confirmed",
    "code":{"text":"corn"},"reaction":[{"severity":"severe","manifestation":[{"text":"Anaphylaxis"}]}]})");
  const allergy_intolerance a = read_allergy(doc);
  EXPECT_TRUE(a.status.active());
  ASSERT_EQ(a.reactions.size(), 1u);
  EXPECT_EQ(a.reactions[0].severity, "severe");
  EXPECT_EQ(a.reactions[0].manifestations[0].text, "Anaphylaxis");
}

TEST(Condition, ResolvedIsNotActiveButIsNotRuledOut) {
  const auto doc =
      parse(R"({"resourceType":"Condition","clinicalStatus":{"coding":[{"code":"resolved"}]},"code":{"text":"x"}})");
  const condition c = read_condition(doc);
  EXPECT_FALSE(c.status.active());
  EXPECT_FALSE(c.status.ruled_out());
}

TEST(MedicationOrder, ReadsDstu2MedicationOrderAndDoseAndRateObject) {
  const auto doc =
      parse(R"({"resourceType":"MedicationOrder","id":"order-123","status":"draft","dateWritten":"2026-11-01",
    "medicationCodeableConcept":{"text":"IVIG"},"dosageInstruction":{"route":{"text":"IV"},"text":"once"}})");
  const medication_order o = read_medication_order(doc);
  EXPECT_EQ(o.resource_type, "MedicationOrder");
  ASSERT_EQ(o.routes.size(), 1u);
  EXPECT_EQ(o.routes[0].text, "IV");
  ASSERT_EQ(o.dosage_texts.size(), 1u);
  EXPECT_EQ(format_date(o.authored->at), "2026-11-01");
}

TEST(Observation, ReadsComparatorInterpretationAndEffectivePeriod) {
  const auto doc = parse(R"({"resourceType":"Observation","status":"final","code":{"text":"IgA"},
    "effectivePeriod":{"start":"2026-10-01"},"valueQuantity":{"value":5,"comparator":"<","unit":"mg/dL"},
    "interpretation":{"coding":[{"code":"L"}]}})");
  const observation o = read_observation(doc);
  EXPECT_TRUE(o.usable());
  EXPECT_EQ(o.value_quantity->comparator, "<");
  EXPECT_EQ(o.interpretations.size(), 1u);
  EXPECT_EQ(format_date(o.effective->at), "2026-10-01");
}

TEST(Bundle, ReportsNextPageAndSkipsEntriesWithoutResources) {
  const auto doc = parse(R"({"resourceType":"Bundle","link":[{"relation":"next","url":"https://x/p2"}],
    "entry":[{"fullUrl":"a"},{"resource":{"resourceType":"Condition","id":"c1"}}]})");
  EXPECT_TRUE(has_next_page(doc));
  int count = 0;
  for_each_bundle_resource(doc, [&](const json_value&) { ++count; });
  EXPECT_EQ(count, 1);
}

TEST(OperationOutcome, SummarizesTheFirstIssueOnOneLine) {
  const auto doc = parse(R"({"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"timeout",
    "diagnostics":"upstream\ntimed out"}]})");
  EXPECT_EQ(summarize_operation_outcome(doc), "error/timeout: upstream timed out");
  EXPECT_TRUE(operation_outcome_has_error(doc));
}

TEST(PatientRecord, DispatchesResourcesByType) {
  const auto doc =
      parse(R"([{"resourceType":"Condition"},{"resourceType":"MedicationRequest"},{"resourceType":"Encounter"},
    {"resourceType":"Patient","id":"p"},{"resourceType":"Medication","id":"m"}])");
  patient_record record;
  for (const auto& r : doc.GetArray()) record.add_resource(r);
  EXPECT_EQ(record.conditions.size(), 1u);
  EXPECT_EQ(record.medication_orders.size(), 1u);
  EXPECT_EQ(record.medications.size(), 1u);
  EXPECT_EQ(record.subject->id, "p");
  EXPECT_EQ(record.status_of("conditions").state, data_state::not_provided);
}
