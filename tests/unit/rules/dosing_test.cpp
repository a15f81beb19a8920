// tests/unit/rules/dosing_test.cpp: the dosing arithmetic. Devine IBW, adjusted and dosing weight
// (R17), the measurement checks (R18), vial rounding (R19), and the dose plan: g/kg per dose, day and
// course, maintenance interval, and infusion rates in mg/kg/min.
//
// Every expected number is worked out by hand from policy.json and products.json (the knowledge the
// embedded bundle carries), so a change in the arithmetic or in how a threshold is read breaks a test.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "fhir/model/patient_record.hpp"
#include "fhir/model/resources.hpp"
#include "rules/engine/dose_plan.hpp"
#include "rules/engine/dosing_weight.hpp"
#include "rules/engine/ivig_order.hpp"
#include "rules/engine/number_format.hpp"
#include "rules/engine/order_facts.hpp"
#include "rules/engine/vial_rounding.hpp"
#include "tests/support/fhir_builders.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/test_support.hpp"

using namespace ivig::rules;
namespace fhir = ivig::fhir;
namespace t = ivig::test;

namespace {

constexpr double tight = 1e-6;

// Devine IBW worked out by hand: base + 2.3 × (cm / 2.54 − 60).
constexpr double ibw_male_180cm = 50 + 2.3 * (180 / 2.54 - 60);      // 74.99213 kg
constexpr double ibw_female_165cm = 45.5 + 2.3 * (165 / 2.54 - 60);  // 56.90945 kg
constexpr double ibw_male_170cm = 50 + 2.3 * (170 / 2.54 - 60);      // 65.93701 kg
constexpr double ibw_male_190cm = 50 + 2.3 * (190 / 2.54 - 60);      // 84.04724 kg

const knowledge& kb() {
  return *t::embedded_knowledge();
}

const dosing_weight_inputs& weight_inputs() {
  return kb().fact_inputs->weight;
}

/// A patient record built from resource JSON; the documents stay alive with the record it views.
class record_builder {
 public:
  record_builder& add(const std::string& json) {
    documents_.push_back(std::make_unique<rapidjson::Document>(t::parse(json)));
    record_.add_resource(*documents_.back());
    return *this;
  }
  record_builder& patient(const std::string& gender) { return add(t::patient("example", gender)); }
  record_builder& weight(double kg, const std::string& at = "2026-11-15T09:00:00Z") {
    return add(t::body_weight(kg, at));
  }
  record_builder& height(double cm, const std::string& at = "2026-11-15T09:00:00Z") {
    return add(t::body_height(cm, at));
  }
  record_builder& weight_in(double value, const std::string& unit, const std::string& at = "2026-11-15T09:00:00Z") {
    return add(t::observation("w-" + at, t::concept_of(t::loinc, "29463-7", "Body weight"),
                              t::quantity_value(value, unit), at));
  }
  record_builder& height_in(double value, const std::string& unit, const std::string& at = "2026-11-15T09:00:00Z") {
    return add(t::observation("h-" + at, t::concept_of(t::loinc, "8302-2", "Body height"),
                              t::quantity_value(value, unit), at));
  }
  record_builder& bmi(double value, const std::string& at = "2026-11-15T09:00:00Z") {
    return add(t::observation("bmi-" + at, t::concept_of(t::loinc, "39156-5", "Body mass index (BMI) [Ratio]"),
                              t::quantity_value(value, "kg/m2"), at));
  }
  record_builder& pregnancy(const std::string& onset) {
    return add(R"({"resourceType":"Condition","id":"pregnancy","clinicalStatus":{"coding":[{"system":)"
               R"("http://terminology.hl7.org/CodeSystem/condition-clinical","code":"active"}]},"code":)" +
               t::concept_of(t::snomed, "77386006", "Pregnancy") +
               R"(,"subject":{"reference":"Patient/example"},"onsetDateTime":)" + t::json_string(onset) + "}");
  }

  dosing_weight compute() const { return compute(kb()); }
  dosing_weight compute(const knowledge& with) const {
    return compute_dosing_weight(record_, with, with.fact_inputs->weight, reasons_, t::scenario_now());
  }
  /// The order's indication (reasonCode), as a CodeableConcept's JSON.
  record_builder& indication(const std::string& concept_json) {
    documents_.push_back(std::make_unique<rapidjson::Document>(t::parse(concept_json)));
    reasons_.push_back(fhir::read_codeable_concept(documents_.back().get()));
    return *this;
  }

 private:
  std::vector<std::unique_ptr<rapidjson::Document>> documents_;
  fhir::patient_record record_;
  std::vector<fhir::codeable_concept> reasons_;
};

bool has_problem(const std::vector<std::string>& problems, const std::string& text) {
  return std::find(problems.begin(), problems.end(), text) != problems.end();
}

std::string listed(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines) out += "\n  " + line;
  return out.empty() ? " (none)" : out;
}

/// A UCUM Quantity.
std::string quantity(double value, const std::string& unit) {
  char number[32];
  std::snprintf(number, sizeof number, "%.10g", value);
  return R"({"value":)" + std::string(number) + R"(,"unit":)" + t::json_string(unit) +
         R"(,"system":"http://unitsofmeasure.org","code":)" + t::json_string(unit) + "}";
}

std::string typed(const std::string& type) {
  return R"("type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/dose-rate-type","code":")" + type +
         R"("}]})";
}

/// A draft MedicationRequest with one dosageInstruction made of `dosage_members` and an IV route.
std::string order_json(const std::string& medication, const std::string& dosage_members) {
  std::string dosage = "{" + dosage_members + (dosage_members.empty() ? "" : ",") + R"("route":)" +
                       t::concept_of(t::snomed, "47625008", "Intravenous route") + "}";
  return R"({"resourceType":"MedicationRequest","id":"ivig-1","status":"draft","intent":"order",)"
         R"("medicationCodeableConcept":)" +
         medication + R"(,"subject":{"reference":"Patient/example"},"dosageInstruction":[)" + dosage + "]}";
}

/// An order read and recognised as IVIg; holds the JSON the views point into.
struct recognised_order {
  rapidjson::Document document;
  fhir::medication_order order;
  std::optional<ivig_order> ivig;

  explicit recognised_order(const std::string& json) : document(t::parse(json)) {
    order = fhir::read_medication_order(document);
    ivig = recognise_ivig(order, {order.medication_concept}, kb());
  }
  recognised_order(const recognised_order&) = delete;
  recognised_order& operator=(const recognised_order&) = delete;

  const ivig_order& get() const {
    EXPECT_TRUE(ivig.has_value()) << "the order was not recognised as IVIg";
    return *ivig;
  }
  dose_plan plan(double weight_kg) const { return plan_dose(get(), weight_kg); }
};

std::unique_ptr<recognised_order> read_order(const std::string& medication, const std::string& dosage_members) {
  return std::make_unique<recognised_order>(order_json(medication, dosage_members));
}

std::string octagam_5() {
  return t::concept_of(t::rxnorm, "1809643", "Octagam 5%");
}
std::string octagam_brand() {
  return t::concept_of(t::rxnorm, "226026", "Octagam");
}

/// doseAndRate with one `ordered` entry carrying `members`.
std::string ordered_entry(const std::string& members) {
  return R"("doseAndRate":[{)" + typed("ordered") + "," + members + "}]";
}

/// An `ordered` entry with 0.4 g/kg and `members` (a rate).
std::string dose_and(const std::string& members) {
  return ordered_entry(R"("doseQuantity":)" + quantity(0.4, "g/kg") + "," + members);
}

std::string rate_quantity(double value, const std::string& unit) {
  return R"("rateQuantity":)" + quantity(value, unit);
}

}  // namespace

// ---- Devine IBW ---------------------------------------------------------------------------------

TEST(DevineIbw, MaleAt180CmIs74Point99Kg) {
  const std::optional<double> ibw = devine_ibw(weight_inputs(), "male", 180);
  ASSERT_TRUE(ibw);
  EXPECT_NEAR(*ibw, 74.992126, 1e-5);
}

TEST(DevineIbw, FemaleAt165CmIs56Point91Kg) {
  const std::optional<double> ibw = devine_ibw(weight_inputs(), "female", 165);
  ASSERT_TRUE(ibw);
  EXPECT_NEAR(*ibw, 56.909449, 1e-5);
}

TEST(DevineIbw, FiveFeetIsTheBaseWeight) {
  EXPECT_NEAR(*devine_ibw(weight_inputs(), "male", 152.4), 50.0, tight);
  EXPECT_NEAR(*devine_ibw(weight_inputs(), "female", 152.4), 45.5, tight);
}

TEST(DevineIbw, OtherAndUnknownSexHaveNoFormula) {
  EXPECT_FALSE(devine_ibw(weight_inputs(), "other", 170));
  EXPECT_FALSE(devine_ibw(weight_inputs(), "unknown", 170));
  EXPECT_FALSE(devine_ibw(weight_inputs(), "", 170));
}

TEST(DevineIbw, RecordInCentimetresGivesMaleIbw) {
  record_builder r;
  r.patient("male").weight(70).height(180);
  const dosing_weight w = r.compute();
  ASSERT_TRUE(w.height);
  EXPECT_NEAR(w.height->value, 180, tight);
  ASSERT_TRUE(w.ibw_kg);
  EXPECT_NEAR(*w.ibw_kg, ibw_male_180cm, tight);
}

TEST(DevineIbw, RecordInCentimetresGivesFemaleIbw) {
  record_builder r;
  r.patient("female").weight(55).height(165);
  const dosing_weight w = r.compute();
  ASSERT_TRUE(w.ibw_kg);
  EXPECT_NEAR(*w.ibw_kg, ibw_female_165cm, tight);
}

TEST(DevineIbw, HeightInInchesIsConvertedForMale) {
  record_builder r;
  r.patient("male").weight(70).height_in(70, "[in_i]");
  const dosing_weight w = r.compute();
  ASSERT_TRUE(w.height);
  EXPECT_NEAR(w.height->value, 177.8, tight);
  ASSERT_TRUE(w.ibw_kg);
  EXPECT_NEAR(*w.ibw_kg, 73.0, tight);  // 50 + 2.3 × (70 − 60)
}

TEST(DevineIbw, HeightInInchesIsConvertedForFemale) {
  record_builder r;
  r.patient("female").weight(55).height_in(64, "[in_i]");
  const dosing_weight w = r.compute();
  ASSERT_TRUE(w.ibw_kg);
  EXPECT_NEAR(*w.ibw_kg, 54.7, tight);  // 45.5 + 2.3 × (64 − 60)
}

TEST(DevineIbw, OtherSexInRecordGivesNoIbwAndAProblem) {
  for (const char* gender : {"other", "unknown"}) {
    SCOPED_TRACE(gender);
    record_builder r;
    r.patient(gender).weight(120).height(170);
    const dosing_weight w = r.compute();
    EXPECT_FALSE(w.ibw_kg);
    EXPECT_FALSE(w.adjusted_kg);
    EXPECT_TRUE(has_problem(w.problems,
                            "The patient's sex is not recorded as male or female: the Devine ideal body weight has no "
                            "formula for it, so actual weight is used"))
        << listed(w.problems);
    EXPECT_EQ(w.basis, weight_basis::actual);
    EXPECT_NEAR(w.kg, 120, tight);
    EXPECT_EQ(w.why, "actual weight");
  }
}

// ---- adjusted weight and the choice of dosing weight (R17) --------------------------------------

TEST(DosingWeight, RecordedBmiJustOver30UsesAdjustedWeight) {
  // 80 kg on 180 cm is only 107% of IBW, so only the BMI can ask for adjusted weight.
  record_builder r;
  r.patient("male").weight(80).height(180).bmi(30.1);
  const dosing_weight w = r.compute();
  EXPECT_EQ(w.basis, weight_basis::adjusted);
  EXPECT_TRUE(w.adjusted_applies);
  const double adjusted = ibw_male_180cm + 0.4 * (80 - ibw_male_180cm);  // 76.99528
  ASSERT_TRUE(w.adjusted_kg);
  EXPECT_NEAR(*w.adjusted_kg, adjusted, tight);
  EXPECT_NEAR(w.kg, 76.995276, 1e-5);
  EXPECT_EQ(w.why, "BMI 30.1 is over 30: adjusted weight = IBW + 0.4 × (actual − IBW)");
}

TEST(DosingWeight, ComputedBmiJustOver30UsesAdjustedWeight) {
  record_builder r;
  r.patient("male").weight(86.8).height(170);  // BMI 86.8 / 1.7² = 30.03
  const dosing_weight w = r.compute();
  ASSERT_TRUE(w.bmi);
  EXPECT_TRUE(w.bmi_computed);
  EXPECT_NEAR(*w.bmi, 86.8 / (1.7 * 1.7), tight);
  EXPECT_EQ(w.basis, weight_basis::adjusted);
  EXPECT_NEAR(w.kg, ibw_male_170cm + 0.4 * (86.8 - ibw_male_170cm), tight);  // 74.28220
  EXPECT_NEAR(w.kg, 74.282205, 1e-5);
}

TEST(DosingWeight, BmiExactly30AndWeightWithin120PercentOfIbwUsesActualWeight) {
  record_builder r;
  r.patient("male").weight(80).height(180).bmi(30);
  const dosing_weight w = r.compute();
  EXPECT_EQ(w.basis, weight_basis::actual);
  EXPECT_FALSE(w.adjusted_applies);
  EXPECT_NEAR(w.kg, 80, tight);
  EXPECT_EQ(w.why, "BMI 30.0 is not over 30: actual weight");
}

TEST(DosingWeight, WeightOver120PercentOfIbwWithBmiUnder30UsesActualWeightByDefault) {
  // 105 kg on 190 cm: BMI 29.09, IBW 84.05 kg, 120% of IBW 100.86 kg. Ontario's criterion is BMI > 30.
  record_builder r;
  r.patient("male").weight(105).height(190);
  const dosing_weight w = r.compute();
  EXPECT_EQ(w.basis, weight_basis::actual);
  EXPECT_FALSE(w.adjusted_applies);
  EXPECT_NEAR(w.kg, 105, tight);
  EXPECT_EQ(w.why, "BMI 29.1 is not over 30: actual weight");
}

TEST(DosingWeight, WeightOver120PercentOfIbwUsesAdjustedWeightWhereTheSiteTurnsTheTriggerOn) {
  // 105 kg on 190 cm: BMI 29.09, IBW 84.05 kg, 120% of IBW 100.86 kg.
  const auto site = t::embedded_knowledge_edited(
      "policy.json", [](rapidjson::Document& d) { t::set_threshold(d, "adjusted-weight-over-ibw-enabled", 1); });
  ASSERT_NE(site, nullptr);
  record_builder r;
  r.patient("male").weight(105).height(190);
  const dosing_weight w = r.compute(*site);
  ASSERT_TRUE(w.bmi);
  EXPECT_NEAR(*w.bmi, 105 / (1.9 * 1.9), tight);
  EXPECT_LT(*w.bmi, 30);
  EXPECT_EQ(w.basis, weight_basis::adjusted);
  EXPECT_TRUE(w.adjusted_applies);
  EXPECT_NEAR(w.kg, ibw_male_190cm + 0.4 * (105 - ibw_male_190cm), tight);
  EXPECT_NEAR(w.kg, 92.428346, 1e-5);
  EXPECT_EQ(w.why, "actual weight is over 120% of ideal body weight: adjusted weight = IBW + 0.4 × (actual − IBW)");
}

TEST(DosingWeight, WeightAt119PercentOfIbwWithBmiUnder30UsesActualWeightEvenWithTheTriggerOn) {
  const auto site = t::embedded_knowledge_edited(
      "policy.json", [](rapidjson::Document& d) { t::set_threshold(d, "adjusted-weight-over-ibw-enabled", 1); });
  ASSERT_NE(site, nullptr);
  record_builder r;
  r.patient("male").weight(100).height(190);  // 119% of IBW 84.05 kg, BMI 27.7
  const dosing_weight w = r.compute(*site);
  EXPECT_EQ(w.basis, weight_basis::actual);
  EXPECT_NEAR(w.kg, 100, tight);
  EXPECT_EQ(w.why, "BMI 27.7 is not over 30 and weight is not over 120% of ideal body weight: actual weight");
}

TEST(DosingWeight, ObesePatientWithPrimaryImmunodeficiencyIsDosedOnActualWeight) {
  // 120 kg on 170 cm: BMI 41.5; the order is for common variable immunodeficiency (ICD-10-CM D83.9).
  record_builder r;
  r.patient("female").weight(120).height(170).indication(
      t::concept_of(t::icd10cm, "D83.9", "Common variable immunodeficiency, unspecified"));
  const dosing_weight w = r.compute();
  EXPECT_EQ(w.basis, weight_basis::actual);
  EXPECT_FALSE(w.adjusted_applies);
  EXPECT_NEAR(w.kg, 120, tight);
  EXPECT_EQ(w.why,
            "immunodeficiency (Common variable immunodeficiency, unspecified (ICD-10-CM D83.9)): replacement therapy "
            "is dosed on actual weight and titrated to IgG levels, not on adjusted weight");
}

TEST(DosingWeight, ObesePatientWithMultipleSclerosisIsDosedOnAdjustedWeight) {
  record_builder r;
  r.patient("female").weight(120).height(170).indication(
      t::concept_of(t::snomed, "426373005", "Relapsing remitting multiple sclerosis"));
  const dosing_weight w = r.compute();
  EXPECT_EQ(w.basis, weight_basis::adjusted);
  EXPECT_TRUE(w.adjusted_applies);
}

TEST(DosingWeight, ActualWeightBelowIbwWithHighBmiUsesActualWeight) {
  // Only a recorded BMI can be over 30 while the weight is under IBW.
  record_builder r;
  r.patient("male").weight(70).height(180).bmi(35);
  const dosing_weight w = r.compute();
  EXPECT_EQ(w.basis, weight_basis::actual);
  EXPECT_FALSE(w.adjusted_applies);
  EXPECT_NEAR(w.kg, 70, tight);
  ASSERT_TRUE(w.adjusted_kg);
  EXPECT_NEAR(*w.adjusted_kg, ibw_male_180cm + 0.4 * (70 - ibw_male_180cm), tight);
  EXPECT_EQ(w.why, "actual weight is below ideal body weight, so actual weight is used");
}

TEST(DosingWeight, RecordedBmiWinsOverComputedBmi) {
  // Computed: 80 / 1.8² = 24.69 (actual weight); recorded 31 (adjusted weight).
  record_builder r;
  r.patient("male").weight(80).height(180).bmi(31);
  const dosing_weight w = r.compute();
  ASSERT_TRUE(w.bmi);
  EXPECT_NEAR(*w.bmi, 31, tight);
  EXPECT_FALSE(w.bmi_computed);
  EXPECT_EQ(w.basis, weight_basis::adjusted);
}

TEST(DosingWeight, RecordedLowBmiIsReportedInsteadOfComputedOne) {
  record_builder r;
  r.patient("male").weight(80).height(180).bmi(22.5);
  const dosing_weight w = r.compute();
  ASSERT_TRUE(w.bmi);
  EXPECT_NEAR(*w.bmi, 22.5, tight);
  EXPECT_FALSE(w.bmi_computed);
  EXPECT_EQ(w.why, "BMI 22.5 is not over 30: actual weight");
}

TEST(DosingWeight, NewestRecordedBmiIsUsed) {
  record_builder r;
  r.patient("male").weight(80).height(180).bmi(22, "2026-01-01T09:00:00Z").bmi(31, "2026-11-01T09:00:00Z");
  const dosing_weight w = r.compute();
  ASSERT_TRUE(w.bmi);
  EXPECT_NEAR(*w.bmi, 31, tight);
}

TEST(DosingWeight, NormalWeightUsesActualWeightWithNoProblems) {
  record_builder r;
  r.patient("female").weight(56).height(165);
  const dosing_weight w = r.compute();
  EXPECT_TRUE(w.usable());
  EXPECT_EQ(w.basis, weight_basis::actual);
  EXPECT_NEAR(w.kg, 56, tight);
  EXPECT_TRUE(w.problems.empty()) << listed(w.problems);
  ASSERT_TRUE(w.weight);
  EXPECT_EQ(w.weight->age_days, 7);
  EXPECT_EQ(w.weight->line, "Body weight 56.0 kg on 2026-11-15 (7 days ago)");
}

TEST(DosingWeight, BasisNamesAreWords) {
  EXPECT_EQ(weight_basis_name(weight_basis::actual), "actual weight");
  EXPECT_EQ(weight_basis_name(weight_basis::adjusted), "adjusted weight");
  EXPECT_EQ(weight_basis_name(weight_basis::pre_pregnancy), "pre-pregnancy weight");
  EXPECT_EQ(weight_basis_name(weight_basis::none), "no usable weight");
}

// ---- measurements (R18) -------------------------------------------------------------------------

TEST(Measurements, WeightInPoundsIsConvertedToKilograms) {
  record_builder r;
  r.patient("male").weight_in(154.324, "[lb_av]").height(180);
  const dosing_weight w = r.compute();
  ASSERT_TRUE(w.weight);
  EXPECT_NEAR(w.weight->value, 70.0, 1e-3);
  EXPECT_NEAR(w.weight->value, 154.324 * 0.45359237, 1e-9);
  EXPECT_NEAR(w.kg, 70.0, 1e-3);
  EXPECT_TRUE(w.problems.empty()) << listed(w.problems);
}

TEST(Measurements, WeightInAnUnknownUnitIsReportedNotUsed) {
  record_builder r;
  r.patient("male").weight_in(11, "[stone_av]").height(180);
  const dosing_weight w = r.compute();
  EXPECT_FALSE(w.weight);
  EXPECT_TRUE(has_problem(w.problems, "Body weight on 2026-11-15 is in a unit the service cannot read ([stone_av])"))
      << listed(w.problems);
}

TEST(Measurements, WeightExactly30DaysOldIsNotStale) {
  record_builder r;
  r.patient("male").weight(70, "2026-10-23T12:00:00Z").height(180);
  const dosing_weight w = r.compute();
  ASSERT_TRUE(w.weight);
  EXPECT_EQ(w.weight->age_days, 30);
  EXPECT_TRUE(w.problems.empty()) << listed(w.problems);
  EXPECT_NEAR(w.kg, 70, tight);
}

TEST(Measurements, Weight31DaysOldIsStaleAndNamesTheDate) {
  record_builder r;
  r.patient("male").weight(70, "2026-10-22T12:00:00Z").height(180);
  const dosing_weight w = r.compute();
  ASSERT_TRUE(w.weight);
  EXPECT_EQ(w.weight->age_days, 31);
  EXPECT_TRUE(has_problem(w.problems, "Body weight 70.0 kg on 2026-10-22 (31 days ago) is older than 30 days"))
      << listed(w.problems);
  EXPECT_EQ(w.problems.size(), 1u) << listed(w.problems);
  // A stale weight is still the dosing weight; R18 says it is stale.
  EXPECT_NEAR(w.kg, 70, tight);
}

TEST(Measurements, MissingWeightIsAProblemAndNoDosingWeight) {
  record_builder r;
  r.patient("male").height(180);
  const dosing_weight w = r.compute();
  EXPECT_FALSE(w.weight);
  EXPECT_FALSE(w.usable());
  EXPECT_EQ(w.basis, weight_basis::none);
  EXPECT_EQ(w.kg, 0);
  EXPECT_TRUE(has_problem(w.problems, "No body weight is on file: the dose per kg cannot be checked"))
      << listed(w.problems);
}

TEST(Measurements, MissingHeightIsAProblemAndActualWeightIsUsed) {
  record_builder r;
  r.patient("male").weight(120);
  const dosing_weight w = r.compute();
  EXPECT_FALSE(w.height);
  EXPECT_FALSE(w.ibw_kg);
  EXPECT_FALSE(w.bmi);
  EXPECT_TRUE(has_problem(w.problems, "No height is on file: ideal and adjusted body weight cannot be computed"))
      << listed(w.problems);
  EXPECT_EQ(w.basis, weight_basis::actual);
  EXPECT_NEAR(w.kg, 120, tight);
}

TEST(Measurements, ImplausibleWeightIsReportedAndNotUsed) {
  record_builder r;
  r.patient("male").weight(700).height(180);
  const dosing_weight w = r.compute();
  EXPECT_FALSE(w.weight);
  EXPECT_FALSE(w.usable());
  EXPECT_TRUE(has_problem(w.problems,
                          "Body weight 700.0 kg on 2026-11-15 (7 days ago) is implausible (outside 2–350): check its "
                          "unit; it was not used"))
      << listed(w.problems);
  EXPECT_TRUE(has_problem(w.problems, "No body weight is on file: the dose per kg cannot be checked"))
      << listed(w.problems);
}

TEST(Measurements, ImplausibleNewestWeightFallsBackToThePlausibleOne) {
  record_builder r;
  r.patient("male").weight(72, "2026-11-10T09:00:00Z").weight(700, "2026-11-15T09:00:00Z").height(180);
  const dosing_weight w = r.compute();
  ASSERT_TRUE(w.weight);
  EXPECT_NEAR(w.weight->value, 72, tight);
  EXPECT_NEAR(w.kg, 72, tight);
  EXPECT_FALSE(w.previous_weight);
}

TEST(Measurements, ImplausibleHeightIsReportedAndNotUsed) {
  record_builder r;
  r.patient("male").weight(70).height(700);
  const dosing_weight w = r.compute();
  EXPECT_FALSE(w.height);
  EXPECT_FALSE(w.ibw_kg);
  EXPECT_TRUE(has_problem(w.problems,
                          "Height 700.0 cm on 2026-11-15 (7 days ago) is implausible (outside 40–250): check its "
                          "unit; it was not used"))
      << listed(w.problems);
}

TEST(Measurements, SuddenChangeOver10PercentWithin90DaysIsReported) {
  record_builder r;
  r.patient("male").weight(70, "2026-10-01T09:00:00Z").weight(80, "2026-11-15T09:00:00Z").height(180);
  const dosing_weight w = r.compute();
  ASSERT_TRUE(w.previous_weight);
  EXPECT_NEAR(w.previous_weight->value, 70, tight);
  EXPECT_TRUE(has_problem(w.problems,
                          "Body weight changed by 14% between 2026-10-01 (70.0 kg) and 2026-11-15 (80.0 kg): confirm "
                          "the newest weight"))
      << listed(w.problems);
}

TEST(Measurements, SuddenLossOver10PercentIsReported) {
  record_builder r;
  r.patient("male").weight(80, "2026-10-01T09:00:00Z").weight(68, "2026-11-15T09:00:00Z").height(180);
  const dosing_weight w = r.compute();
  EXPECT_TRUE(has_problem(w.problems,
                          "Body weight changed by 15% between 2026-10-01 (80.0 kg) and 2026-11-15 (68.0 kg): confirm "
                          "the newest weight"))
      << listed(w.problems);
}

TEST(Measurements, ChangeOfExactly10PercentIsNotReported) {
  record_builder r;
  r.patient("male").weight(70, "2026-10-01T09:00:00Z").weight(77, "2026-11-15T09:00:00Z").height(180);
  const dosing_weight w = r.compute();
  ASSERT_TRUE(w.previous_weight);
  EXPECT_TRUE(w.problems.empty()) << listed(w.problems);
}

TEST(Measurements, ChangeAtExactly90DaysApartIsStillChecked) {
  record_builder r;
  r.patient("male").weight(70, "2026-08-17T09:00:00Z").weight(80, "2026-11-15T09:00:00Z").height(180);
  const dosing_weight w = r.compute();
  EXPECT_EQ(w.problems.size(), 1u) << listed(w.problems);
}

TEST(Measurements, ChangeOver91DaysIsNotSudden) {
  record_builder r;
  r.patient("male").weight(70, "2026-08-16T09:00:00Z").weight(80, "2026-11-15T09:00:00Z").height(180);
  const dosing_weight w = r.compute();
  EXPECT_TRUE(w.problems.empty()) << listed(w.problems);
}

// ---- pregnancy (R18) ----------------------------------------------------------------------------

TEST(PregnancyWeight, WeightBeforeOnsetIsThePrePregnancyDosingWeight) {
  record_builder r;
  r.patient("female")
      .weight(64, "2026-02-01T09:00:00Z")
      .weight(65, "2026-03-01T09:00:00Z")
      .weight(80, "2026-11-15T09:00:00Z")
      .height(165)
      .pregnancy("2026-04-01");
  const dosing_weight w = r.compute();
  EXPECT_TRUE(w.pregnant_or_postpartum);
  ASSERT_TRUE(w.pre_pregnancy_weight);
  EXPECT_NEAR(w.pre_pregnancy_weight->value, 65, tight);  // the newest before onset
  EXPECT_EQ(w.basis, weight_basis::pre_pregnancy);
  EXPECT_NEAR(w.kg, 65, tight);
  EXPECT_EQ(w.why, "pregnant or postpartum: the pre-pregnancy weight is used");
  EXPECT_TRUE(w.problems.empty()) << listed(w.problems);
}

TEST(PregnancyWeight, NoWeightBeforeOnsetIsAProblem) {
  record_builder r;
  r.patient("female").weight(80, "2026-11-15T09:00:00Z").height(165).pregnancy("2026-04-01");
  const dosing_weight w = r.compute();
  EXPECT_TRUE(w.pregnant_or_postpartum);
  EXPECT_FALSE(w.pre_pregnancy_weight);
  ASSERT_EQ(w.problems.size(), 1u) << listed(w.problems);
  EXPECT_EQ(w.problems.front(), "Pregnant or postpartum (" + w.pregnancy_line +
                                    ") and no pre-pregnancy weight is on file: dose on the pre-pregnancy weight");
  EXPECT_NE(w.pregnancy_line.find("77386006"), std::string::npos) << w.pregnancy_line;
  EXPECT_NE(w.pregnancy_line.find("onset 2026-04-01"), std::string::npos) << w.pregnancy_line;
  EXPECT_NE(w.basis, weight_basis::pre_pregnancy);
}

// ---- vial rounding (R19) ------------------------------------------------------------------------

TEST(VialRounding, Privigen28GramsRoundsUpTo30) {
  const auto order = read_order(t::privigen(), "");
  const vial_rounding r = round_to_vials(28, order->get(), 5);
  EXPECT_NEAR(r.step_g, 5, tight);
  EXPECT_NEAR(r.requested_g, 28, tight);
  EXPECT_NEAR(r.rounded_g, 30, tight);
  EXPECT_EQ(r.combination, "1 × 20 g + 1 × 10 g");
  EXPECT_EQ(r.vial_sizes_g, (std::vector<double>{5, 10, 20, 40}));
  EXPECT_NEAR(r.change_fraction(), 2.0 / 28.0, tight);
}

TEST(VialRounding, Privigen27GramsRoundsDownTo25) {
  const auto order = read_order(t::privigen(), "");
  const vial_rounding r = round_to_vials(27, order->get(), 5);
  EXPECT_NEAR(r.rounded_g, 25, tight);
  EXPECT_EQ(r.combination, "1 × 20 g + 1 × 5 g");
  EXPECT_NEAR(r.change_fraction(), -2.0 / 27.0, tight);
}

TEST(VialRounding, PrivigenStepIgnoresTheDefaultStep) {
  const auto order = read_order(t::privigen(), "");
  const vial_rounding r = round_to_vials(95, order->get(), 2);
  EXPECT_NEAR(r.step_g, 5, tight);
  EXPECT_NEAR(r.rounded_g, 95, tight);
  EXPECT_EQ(r.combination, "2 × 40 g + 1 × 10 g + 1 × 5 g");
  EXPECT_NEAR(r.change_fraction(), 0, tight);
}

TEST(VialRounding, GammagardLiquidStepIsHalfAGram) {
  const auto order = read_order(t::gammagard_liquid(), "");
  const vial_rounding r = round_to_vials(33.3, order->get(), 5);
  EXPECT_NEAR(r.step_g, 0.5, tight);
  EXPECT_NEAR(r.rounded_g, 33.5, tight);
  EXPECT_EQ(r.combination, "1 × 30 g + 1 × 2.5 g + 1 × 1 g");
  EXPECT_EQ(r.vial_sizes_g, (std::vector<double>{1, 2.5, 5, 10, 20, 30}));
}

TEST(VialRounding, GammagardLiquid28GramsNeedsNoRounding) {
  const auto order = read_order(t::gammagard_liquid(), "");
  const vial_rounding r = round_to_vials(28, order->get(), 5);
  EXPECT_NEAR(r.rounded_g, 28, tight);
  EXPECT_NEAR(r.change_fraction(), 0, tight);
}

TEST(VialRounding, GammagardLiquid28GramsCombinationIsMadeOfWholeVials) {
  const auto order = read_order(t::gammagard_liquid(), "");
  const vial_rounding r = round_to_vials(28, order->get(), 5);
  EXPECT_EQ(r.combination, "1 × 20 g + 1 × 5 g + 3 × 1 g");
}

TEST(VialRounding, GammagardLiquidRoundedTotalIsAchievableWithItsVials) {
  // A 3 kg neonate at 0.5 g/kg: 1.5 g. Gammagard Liquid (1, 2.5, 5, 10, 20, 30 g) can make 1 g or 2 g
  // or 2.5 g, not 1.5 g.
  const auto order = read_order(t::gammagard_liquid(), "");
  const vial_rounding r = round_to_vials(1.5, order->get(), 5);
  EXPECT_TRUE(r.rounded_g == 1.0 || r.rounded_g == 2.0) << "rounded to " << r.rounded_g;
  EXPECT_EQ(r.combination.find("another combination"), std::string::npos) << r.combination;
}

TEST(VialRounding, Flebogamma5DifUsesItsHalfGramVials) {
  const auto order = read_order(t::flebogamma_5(), "");
  const vial_rounding r = round_to_vials(27.3, order->get(), 5);
  EXPECT_EQ(r.vial_sizes_g, (std::vector<double>{0.5, 2.5, 5, 10, 20}));
  EXPECT_NEAR(r.step_g, 0.5, tight);
  EXPECT_NEAR(r.rounded_g, 27.5, tight);
  EXPECT_EQ(r.combination, "1 × 20 g + 1 × 5 g + 1 × 2.5 g");
}

TEST(VialRounding, Flebogamma5DifSmallDoseUsesHalfGramVial) {
  const auto order = read_order(t::flebogamma_5(), "");
  const vial_rounding r = round_to_vials(3.4, order->get(), 5);
  EXPECT_NEAR(r.rounded_g, 3.5, tight);
  EXPECT_EQ(r.combination, "1 × 2.5 g + 2 × 0.5 g");
}

TEST(VialRounding, GenericIvigUsesTheDefaultStep) {
  const auto order = read_order(t::generic_ivig(), "");
  ASSERT_TRUE(order->get().candidates.empty());
  const vial_rounding r = round_to_vials(28, order->get(), 5);
  EXPECT_NEAR(r.step_g, 5, tight);
  EXPECT_NEAR(r.rounded_g, 30, tight);
  EXPECT_TRUE(r.vial_sizes_g.empty());
  EXPECT_EQ(r.combination, "");
  const vial_rounding other_step = round_to_vials(28, order->get(), 2.5);
  EXPECT_NEAR(other_step.step_g, 2.5, tight);
  EXPECT_NEAR(other_step.rounded_g, 27.5, tight);
}

TEST(VialRounding, ProductWithoutKnownVialsUsesTheDefaultStep) {
  const auto order = read_order(t::octagam_10(), "");  // products.json has no vialSizes for Octagam 10%
  ASSERT_NE(order->get().identified_product(), nullptr);
  const vial_rounding r = round_to_vials(33, order->get(), 5);
  EXPECT_NEAR(r.step_g, 5, tight);
  EXPECT_NEAR(r.rounded_g, 35, tight);
  EXPECT_TRUE(r.vial_sizes_g.empty());
}

TEST(VialRounding, SharedBrandUsesTheDefaultStep) {
  const auto order = read_order(octagam_brand(), "");
  ASSERT_EQ(order->get().candidates.size(), 2u);
  const vial_rounding r = round_to_vials(28, order->get(), 5);
  EXPECT_NEAR(r.step_g, 5, tight);
  EXPECT_NEAR(r.rounded_g, 30, tight);
}

TEST(VialRounding, NeverRoundsToZero) {
  const auto generic = read_order(t::generic_ivig(), "");
  const vial_rounding r = round_to_vials(1, generic->get(), 5);
  EXPECT_NEAR(r.rounded_g, 5, tight);
  EXPECT_NEAR(r.change_fraction(), 4.0, tight);
  const auto privigen = read_order(t::privigen(), "");
  const vial_rounding p = round_to_vials(1, privigen->get(), 5);
  EXPECT_NEAR(p.rounded_g, 5, tight);
  EXPECT_EQ(p.combination, "1 × 5 g");
}

TEST(VialRounding, ChangeFractionIsZeroForZeroRequested) {
  const auto order = read_order(t::generic_ivig(), "");
  const vial_rounding r = round_to_vials(0, order->get(), 5);
  EXPECT_NEAR(r.rounded_g, 5, tight);
  EXPECT_EQ(r.change_fraction(), 0);
}

// ---- dose plan ----------------------------------------------------------------------------------

TEST(DosePlan, FhirSpecOrderedMgPerKgAndCalculatedMg) {
  const auto order = read_order(t::privigen(), R"("doseAndRate":[{)" + typed("ordered") + R"(,"doseQuantity":)" +
                                                   quantity(400, "mg/kg") + "},{" + typed("calculated") +
                                                   R"(,"doseQuantity":)" + quantity(28000, "mg") + "}]");
  const dose_plan p = order->plan(70);
  EXPECT_TRUE(p.has_dose);
  EXPECT_TRUE(p.readable);
  EXPECT_TRUE(p.per_kg_ordered);
  ASSERT_TRUE(p.g_per_kg_per_dose);
  EXPECT_NEAR(*p.g_per_kg_per_dose, 0.4, tight);
  ASSERT_TRUE(p.grams_per_dose);
  EXPECT_NEAR(*p.grams_per_dose, 28, tight);
  ASSERT_TRUE(p.calculated_grams);
  EXPECT_NEAR(*p.calculated_grams, 28, tight);
  EXPECT_EQ(p.as_written, "ordered 400 mg/kg; calculated 28000 mg");
  EXPECT_TRUE(p.problems.empty()) << listed(p.problems);
  EXPECT_EQ(p.course_doses, 1);
  EXPECT_FALSE(p.interval_days);
}

TEST(DosePlan, BuilderShapeHalfGramPerKgOn70Kg) {
  const auto order = std::make_unique<recognised_order>(t::medication_request("ivig-1", t::privigen()));
  const dose_plan p = order->plan(70);
  EXPECT_NEAR(*p.g_per_kg_per_dose, 0.5, tight);
  EXPECT_NEAR(*p.grams_per_dose, 35, tight);
  EXPECT_NEAR(*p.calculated_grams, 35, tight);
  EXPECT_EQ(p.as_written, "ordered 0.5 g/kg; calculated 35 g");
}

TEST(DosePlan, OneGramPerKgMonthlyIsOneDoseEvery28Days) {
  const auto order =
      read_order(t::privigen(), ordered_entry(R"("doseQuantity":)" + quantity(1, "g/kg")) +
                                    R"(,"timing":{"repeat":{"frequency":1,"period":4,"periodUnit":"wk"}})");
  const dose_plan p = order->plan(70);
  EXPECT_TRUE(p.readable);
  EXPECT_NEAR(*p.g_per_kg_per_dose, 1, tight);
  EXPECT_NEAR(*p.grams_per_dose, 70, tight);
  ASSERT_TRUE(p.interval_days);
  EXPECT_NEAR(*p.interval_days, 28, tight);
  EXPECT_EQ(p.course_doses, 1);
  EXPECT_NEAR(p.course_days, 1, tight);
  EXPECT_NEAR(*p.g_per_kg_per_day, 1, tight);
  EXPECT_NEAR(*p.g_per_kg_per_course, 1, tight);
  EXPECT_NEAR(*p.grams_per_course, 70, tight);
  EXPECT_EQ(p.as_written, "ordered 1 g/kg, 1 per 4 wk");
}

TEST(DosePlan, FourHundredMgPerKgPerDayForFiveDaysIsTwoGramsPerKgCourse) {
  const auto order =
      read_order(t::privigen(), ordered_entry(R"("doseQuantity":)" + quantity(0.4, "g/kg/d")) +
                                    R"(,"timing":{"repeat":{"count":5,"frequency":1,"period":1,"periodUnit":"d"}})");
  const dose_plan p = order->plan(70);
  EXPECT_TRUE(p.readable);
  EXPECT_NEAR(p.doses_per_day, 1, tight);
  EXPECT_NEAR(*p.g_per_kg_per_dose, 0.4, tight);
  EXPECT_NEAR(*p.g_per_kg_per_day, 0.4, tight);
  EXPECT_EQ(p.course_doses, 5);
  EXPECT_NEAR(p.course_days, 5, tight);
  EXPECT_FALSE(p.interval_days);
  EXPECT_NEAR(*p.g_per_kg_per_course, 2.0, tight);
  EXPECT_NEAR(*p.grams_per_dose, 28, tight);
  EXPECT_NEAR(*p.grams_per_course, 140, tight);
  EXPECT_EQ(p.as_written, "ordered 0.4 g/kg/d; 5 doses, 1 per 1 d");
}

TEST(DosePlan, PerDayDoseSplitTwiceADayHalvesEachDose) {
  const auto order =
      read_order(t::privigen(), ordered_entry(R"("doseQuantity":)" + quantity(1, "g/kg/d")) +
                                    R"(,"timing":{"repeat":{"count":4,"frequency":2,"period":1,"periodUnit":"d"}})");
  const dose_plan p = order->plan(70);
  EXPECT_NEAR(p.doses_per_day, 2, tight);
  EXPECT_NEAR(*p.g_per_kg_per_dose, 0.5, tight);
  EXPECT_NEAR(*p.g_per_kg_per_day, 1, tight);
  EXPECT_EQ(p.course_doses, 4);
  EXPECT_NEAR(p.course_days, 2, tight);
  EXPECT_NEAR(*p.g_per_kg_per_course, 2, tight);
  EXPECT_NEAR(*p.grams_per_course, 140, tight);
}

TEST(DosePlan, BoundsDurationGivesTheCourseLength) {
  const auto order = read_order(
      t::privigen(), ordered_entry(R"("doseQuantity":)" + quantity(1, "g/kg")) +
                         R"(,"timing":{"repeat":{"frequency":1,"period":1,"periodUnit":"d","boundsDuration":)" +
                         quantity(2, "d") + "}}");
  const dose_plan p = order->plan(70);
  EXPECT_EQ(p.course_doses, 2);
  EXPECT_NEAR(p.course_days, 2, tight);
  EXPECT_NEAR(*p.g_per_kg_per_course, 2, tight);
}

TEST(DosePlan, AbsoluteDoseIsDividedByTheWeight) {
  const auto order = read_order(t::privigen(), ordered_entry(R"("doseQuantity":)" + quantity(28, "g")));
  const dose_plan p = order->plan(70);
  EXPECT_TRUE(p.has_dose);
  EXPECT_TRUE(p.readable);
  EXPECT_FALSE(p.per_kg_ordered);
  EXPECT_NEAR(*p.grams_per_dose, 28, tight);
  EXPECT_NEAR(*p.g_per_kg_per_dose, 0.4, tight);
  EXPECT_FALSE(p.calculated_grams);  // only a `calculated` entry sets it
  EXPECT_TRUE(p.problems.empty()) << listed(p.problems);
}

TEST(DosePlan, AbsoluteDoseWithoutWeightIsNotReadable) {
  const auto order = read_order(t::privigen(), ordered_entry(R"("doseQuantity":)" + quantity(28, "g")));
  const dose_plan p = order->plan(0);
  EXPECT_TRUE(p.has_dose);
  EXPECT_FALSE(p.readable);
  EXPECT_NEAR(*p.grams_per_dose, 28, tight);
  EXPECT_FALSE(p.g_per_kg_per_dose);
  EXPECT_FALSE(p.g_per_kg_per_course);
  EXPECT_NEAR(*p.grams_per_course, 28, tight);
  ASSERT_EQ(p.problems.size(), 1u) << listed(p.problems);
  EXPECT_EQ(p.problems.front(),
            "the dose is written in grams and no usable weight is on file, so it cannot be checked per kg");
}

TEST(DosePlan, PerKgDoseWithoutWeightIsReadableButHasNoGrams) {
  const auto order = read_order(t::privigen(), ordered_entry(R"("doseQuantity":)" + quantity(0.4, "g/kg")));
  const dose_plan p = order->plan(0);
  EXPECT_TRUE(p.readable);
  EXPECT_NEAR(*p.g_per_kg_per_dose, 0.4, tight);
  EXPECT_FALSE(p.grams_per_dose);
  EXPECT_FALSE(p.grams_per_course);
}

TEST(DosePlan, NoDosageInstructionHasNoDose) {
  const auto order = std::make_unique<recognised_order>(
      R"({"resourceType":"MedicationRequest","id":"ivig-1","status":"draft","intent":"order",)"
      R"("medicationCodeableConcept":)" +
      t::privigen() + "}");
  const dose_plan p = order->plan(70);
  EXPECT_FALSE(p.has_dose);
  EXPECT_FALSE(p.readable);
  EXPECT_TRUE(p.problems.empty()) << listed(p.problems);
  EXPECT_EQ(p.as_written, "");
  ASSERT_TRUE(p.concentration_mg_per_ml);
  EXPECT_NEAR(*p.concentration_mg_per_ml, 100, tight);
}

TEST(DosePlan, TextOnlyDosageHasNoDoseAndSaysWhy) {
  const auto order = read_order(t::privigen(), R"("text":"per protocol")");
  const dose_plan p = order->plan(70);
  EXPECT_FALSE(p.has_dose);
  EXPECT_FALSE(p.readable);
  EXPECT_EQ(p.as_written, "text only: per protocol");
  ASSERT_EQ(p.problems.size(), 1u) << listed(p.problems);
  EXPECT_EQ(p.problems.front(), "no dose quantity could be read from the order (its text says “per protocol”)");
}

TEST(DosePlan, SecondDosageInstructionIsReported) {
  std::string json = order_json(t::privigen(), ordered_entry(R"("doseQuantity":)" + quantity(0.4, "g/kg")));
  json.replace(json.rfind("]}"), 2, R"(,{"text":"second"}]})");
  const auto order = std::make_unique<recognised_order>(json);
  const dose_plan p = order->plan(70);
  EXPECT_NEAR(*p.g_per_kg_per_dose, 0.4, tight);
  ASSERT_EQ(p.other_instructions.size(), 1u);
  EXPECT_FALSE(p.other_instructions[0].has_dose);
  EXPECT_TRUE(p.unreadable_fields);
  EXPECT_TRUE(has_problem(
      p.problems, "dosage instruction 2: no dose quantity could be read from the order (its text says “second”)"))
      << listed(p.problems);
}

// ---- infusion rates -----------------------------------------------------------------------------

TEST(InfusionRate, TenPercentProduct300MlPerHourOn70KgIs7Point14MgPerKgMin) {
  const auto order = read_order(
      t::privigen(), ordered_entry(R"("doseQuantity":)" + quantity(0.4, "g/kg") + "," + rate_quantity(300, "mL/h")));
  const dose_plan p = order->plan(70);
  ASSERT_TRUE(p.concentration_mg_per_ml);
  EXPECT_NEAR(*p.concentration_mg_per_ml, 100, tight);
  ASSERT_TRUE(p.rate_mg_per_kg_min);
  EXPECT_NEAR(*p.rate_mg_per_kg_min, 7.142857, 1e-6);
  ASSERT_TRUE(p.initial_rate_mg_per_kg_min);
  EXPECT_NEAR(*p.initial_rate_mg_per_kg_min, 7.142857, 1e-6);
  EXPECT_EQ(p.rate_as_written, "300 mL/h");
  EXPECT_TRUE(p.problems.empty()) << listed(p.problems);
}

TEST(InfusionRate, FivePercentProduct300MlPerHourOn70KgIs3Point57MgPerKgMin) {
  const auto order = read_order(
      octagam_5(), ordered_entry(R"("doseQuantity":)" + quantity(0.4, "g/kg") + "," + rate_quantity(300, "mL/h")));
  ASSERT_NE(order->get().identified_product(), nullptr);
  EXPECT_EQ(order->get().product_description(), "Octagam 5%");
  const dose_plan p = order->plan(70);
  ASSERT_TRUE(p.concentration_mg_per_ml);
  EXPECT_NEAR(*p.concentration_mg_per_ml, 50, tight);
  ASSERT_TRUE(p.rate_mg_per_kg_min);
  EXPECT_NEAR(*p.rate_mg_per_kg_min, 3.571429, 1e-6);
}

TEST(InfusionRate, Flebogamma5PercentIsHalfTheMgOfATenPercentProduct) {
  const auto order = read_order(t::flebogamma_5(), dose_and(rate_quantity(300, "mL/h")));
  const dose_plan p = order->plan(70);
  ASSERT_TRUE(p.rate_mg_per_kg_min);
  EXPECT_NEAR(*p.rate_mg_per_kg_min, 300.0 * 50 / (60 * 70), tight);
}

TEST(InfusionRate, MlPerKgPerHourConvertsWithoutTheWeight) {
  const auto ten = read_order(t::privigen(), dose_and(rate_quantity(4.8, "mL/kg/h")));
  const dose_plan p10 = ten->plan(70);
  ASSERT_TRUE(p10.rate_mg_per_kg_min);
  EXPECT_NEAR(*p10.rate_mg_per_kg_min, 8.0, tight);  // 4.8 × 100 / 60
  const dose_plan p10_no_weight = ten->plan(0);
  ASSERT_TRUE(p10_no_weight.rate_mg_per_kg_min);
  EXPECT_NEAR(*p10_no_weight.rate_mg_per_kg_min, 8.0, tight);

  const auto five = read_order(octagam_5(), dose_and(rate_quantity(0.6, "mL/kg/h")));
  const dose_plan p5 = five->plan(70);
  ASSERT_TRUE(p5.rate_mg_per_kg_min);
  EXPECT_NEAR(*p5.rate_mg_per_kg_min, 0.5, tight);  // 0.6 × 50 / 60
}

TEST(InfusionRate, MgPerKgPerMinNeedsNoConcentration) {
  const auto order = read_order(t::generic_ivig(), dose_and(rate_quantity(8, "mg/kg/min")));
  const dose_plan p = order->plan(70);
  EXPECT_FALSE(p.concentration_mg_per_ml);
  ASSERT_TRUE(p.rate_mg_per_kg_min);
  EXPECT_NEAR(*p.rate_mg_per_kg_min, 8, tight);
  EXPECT_TRUE(p.problems.empty()) << listed(p.problems);
}

TEST(InfusionRate, MlPerHourIsTheInverse) {
  EXPECT_NEAR(ml_per_hour(7.142857142857143, 100, 70), 300, 1e-9);
  EXPECT_NEAR(ml_per_hour(3.5714285714285716, 50, 70), 300, 1e-9);
  EXPECT_NEAR(ml_per_hour(8, 100, 70), 336, tight);  // 8 × 60 × 70 / 100
  EXPECT_NEAR(ml_per_hour(0.5, 50, 80), 48, tight);  // 0.5 × 60 × 80 / 50
}

TEST(InfusionRate, MlPerHourRoundTripsThroughThePlan) {
  const auto order = read_order(t::privigen(), dose_and(rate_quantity(250, "mL/h")));
  const dose_plan p = order->plan(82.5);
  ASSERT_TRUE(p.rate_mg_per_kg_min);
  EXPECT_NEAR(ml_per_hour(*p.rate_mg_per_kg_min, *p.concentration_mg_per_ml, 82.5), 250, 1e-9);
}

TEST(InfusionRate, RateRangeGivesInitialAndMaximum) {
  const auto order = read_order(t::privigen(), dose_and(R"("rateRange":{"low":)" + quantity(30, "mL/h") +
                                                        R"(,"high":)" + quantity(300, "mL/h") + "}"));
  const dose_plan p = order->plan(70);
  ASSERT_TRUE(p.initial_rate_mg_per_kg_min);
  EXPECT_NEAR(*p.initial_rate_mg_per_kg_min, 30.0 * 100 / (60 * 70), tight);  // 0.714286
  ASSERT_TRUE(p.rate_mg_per_kg_min);
  EXPECT_NEAR(*p.rate_mg_per_kg_min, 7.142857, 1e-6);
  EXPECT_EQ(p.rate_as_written, "30–300 mL/h");
  EXPECT_TRUE(p.problems.empty()) << listed(p.problems);
}

TEST(InfusionRate, RateRangeInMgPerKgPerMin) {
  const auto order = read_order(t::privigen(), dose_and(R"("rateRange":{"low":)" + quantity(0.5, "mg/kg/min") +
                                                        R"(,"high":)" + quantity(8, "mg/kg/min") + "}"));
  const dose_plan p = order->plan(70);
  EXPECT_NEAR(*p.initial_rate_mg_per_kg_min, 0.5, tight);
  EXPECT_NEAR(*p.rate_mg_per_kg_min, 8, tight);
  EXPECT_EQ(p.rate_as_written, "0.5–8 mg/kg/min");
}

TEST(InfusionRate, UnknownConcentrationGivesAProblemAndNoRate) {
  const auto order = read_order(t::generic_ivig(), ordered_entry(R"("doseQuantity":)" + quantity(0.4, "g/kg") + "," +
                                                                 rate_quantity(300, "mL/h")));
  const dose_plan p = order->plan(70);
  EXPECT_FALSE(p.concentration_mg_per_ml);
  EXPECT_FALSE(p.rate_mg_per_kg_min);
  EXPECT_FALSE(p.initial_rate_mg_per_kg_min);
  EXPECT_EQ(p.rate_as_written, "300 mL/h");
  ASSERT_EQ(p.problems.size(), 1u) << listed(p.problems);
  EXPECT_EQ(p.problems.front(),
            "the rate 300 mL/h cannot be converted to mg/kg/min: the product's concentration is not known");
}

TEST(InfusionRate, SharedBrandWithTwoConcentrationsHasNoConcentration) {
  const auto order = read_order(octagam_brand(), dose_and(rate_quantity(0.6, "mL/kg/h")));
  const dose_plan p = order->plan(70);
  EXPECT_FALSE(p.concentration_mg_per_ml);
  EXPECT_FALSE(p.rate_mg_per_kg_min);
  EXPECT_TRUE(has_problem(p.problems,
                          "the rate 0.6 mL/kg/h cannot be converted to mg/kg/min: the product's concentration is not "
                          "known"))
      << listed(p.problems);
}

TEST(InfusionRate, MlPerHourWithoutWeightGivesAProblem) {
  const auto order = read_order(t::privigen(), dose_and(rate_quantity(300, "mL/h")));
  const dose_plan p = order->plan(0);
  EXPECT_FALSE(p.rate_mg_per_kg_min);
  ASSERT_EQ(p.problems.size(), 1u) << listed(p.problems);
  EXPECT_EQ(p.problems.front(), "the rate 300 mL/h cannot be converted to mg/kg/min without a weight");
}

TEST(InfusionRate, RateRangeWithOnlyALowEndStillReportsAnUnconvertibleRate) {
  const auto order = read_order(t::generic_ivig(), dose_and(R"("rateRange":{"low":)" + quantity(30, "mL/h") + "}"));
  const dose_plan p = order->plan(70);
  EXPECT_FALSE(p.initial_rate_mg_per_kg_min);
  EXPECT_TRUE(has_problem(
      p.problems, "the rate 30 mL/h cannot be converted to mg/kg/min: the product's concentration is not known"))
      << listed(p.problems);
  EXPECT_NE(p.rate_as_written.find("mL/h"), std::string::npos) << p.rate_as_written;
}

TEST(VialRounding, CoveringTotalIsTheSmallestWholeVialTotalAtLeastTheRequest) {
  const auto privigen_order = read_order(t::privigen(), "");
  EXPECT_NEAR(round_to_vials(27, privigen_order->get(), 5).covering_g, 30, tight);  // rounds to 25, covers with 30
  const auto gammagard_order = read_order(t::gammagard_liquid(), "");
  EXPECT_NEAR(round_to_vials(1.5, gammagard_order->get(), 5).covering_g, 2, tight);  // 1.5 g is not makeable
  EXPECT_NEAR(round_to_vials(28, gammagard_order->get(), 5).covering_g, 28, tight);
  const auto generic_order = read_order(t::generic_ivig(), "");
  EXPECT_NEAR(round_to_vials(21, generic_order->get(), 5).covering_g, 25, tight);  // default step
}

// Every product with known vial sizes: the rounded total is made of whole vials exactly as the
// combination says, and lies within one smallest vial of the request.
TEST(VialRounding, EveryProductsRoundedTotalIsItsCombination) {
  const auto kb = ivig::test::embedded_knowledge();
  int checked = 0;
  for (const ivig::rules::product& p : kb->products) {
    if (p.vial_sizes_g.empty()) continue;
    ivig::rules::ivig_order order;
    order.candidates = {&p};
    for (const double request : {3.3, 27.3, 41.0, 98.7}) {
      const vial_rounding r = round_to_vials(request, order, 5);
      double sum = 0;
      std::string rest = r.combination;
      while (!rest.empty()) {
        const double count = std::stod(rest);
        const std::size_t times = rest.find("× ");
        const double size = std::stod(rest.substr(times + std::string("× ").size()));
        sum += count * size;
        const std::size_t next = rest.find(" + ");
        rest = next == std::string::npos ? std::string{} : rest.substr(next + 3);
      }
      EXPECT_NEAR(sum, r.rounded_g, 1e-9) << p.name << " " << request << ": " << r.combination;
      const double smallest = *std::min_element(p.vial_sizes_g.begin(), p.vial_sizes_g.end());
      EXPECT_LE(std::fabs(r.rounded_g - request), smallest) << p.name << " " << request;
      EXPECT_GE(r.covering_g, request - 1e-9) << p.name;
    }
    ++checked;
  }
  EXPECT_GE(checked, 10);
}

// Issue 14: a period of 1e-300 s was written "0 s" on the card (six decimals); a value too small for
// them is written exactly, as a power of ten, and every other value as before.
TEST(NumberFormat, AValueTooSmallForSixDecimalsIsAPowerOfTen) {
  EXPECT_EQ(format_number(1e-300), "1 × 10⁻³⁰⁰");
  EXPECT_EQ(format_number(-2.5e-7), "-2.5 × 10⁻⁷");
  EXPECT_EQ(format_number(0.000001), "0.000001");
  EXPECT_EQ(format_number(0), "0");
  EXPECT_EQ(format_number(7.1428571), "7.142857");
}
