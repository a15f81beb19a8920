// tests/unit/fhir/dosage_test.cpp: reading IVIg doses, rates, timing and maxDosePerPeriod from
// dosageInstruction in R4, STU3 and DSTU2 shapes, and the exact problem lines for what is unreadable.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fhir/model/dosage.hpp"
#include "fhir/model/resources.hpp"
#include "tests/support/test_support.hpp"

using namespace ivig::fhir;
using ivig::test::parse;

namespace {

/// The reading of a MedicationRequest with one dosageInstruction given as JSON text.
dosage_reading read_one(const std::string& dosage_json) {
  const auto doc = parse(R"({"resourceType":"MedicationRequest","dosageInstruction":[)" + dosage_json + "]}");
  std::vector<dosage_reading> readings = read_dosages(doc);
  EXPECT_EQ(readings.size(), 1u);
  return readings.empty() ? dosage_reading{} : readings.front();
}

/// An R4 dosage whose single doseAndRate carries `dose_quantity`.
dosage_reading read_r4_dose(const std::string& dose_quantity) {
  return read_one(R"({"doseAndRate":[{"doseQuantity":)" + dose_quantity + "}]}");
}

/// An R4 dosage whose single doseAndRate carries `rate_quantity`.
dosage_reading read_r4_rate(const std::string& rate_quantity) {
  return read_one(R"({"doseAndRate":[{"rateQuantity":)" + rate_quantity + "}]}");
}

using problem_list = std::vector<std::string>;

}  // namespace

// ---- dose units -----------------------------------------------------------------------------------

TEST(DosageDose, ReadsGramsAndMilligramsByUcumCode) {
  const dosage_reading grams =
      read_r4_dose(R"({"value":28,"unit":"g","system":"http://unitsofmeasure.org","code":"g"})");
  ASSERT_TRUE(grams.ordered() && grams.ordered()->dose);
  EXPECT_DOUBLE_EQ(grams.ordered()->dose->grams, 28.0);
  EXPECT_EQ(grams.ordered()->dose->basis, dose_basis::absolute);
  EXPECT_DOUBLE_EQ(grams.ordered()->dose->value, 28.0);
  EXPECT_EQ(grams.ordered()->dose->unit, "g");
  EXPECT_FALSE(grams.ordered()->dose->per_day);
  EXPECT_TRUE(grams.problems.empty());

  const dosage_reading milligrams =
      read_r4_dose(R"({"value":28000,"unit":"milligram","system":"http://unitsofmeasure.org","code":"mg"})");
  ASSERT_TRUE(milligrams.ordered()->dose);
  EXPECT_DOUBLE_EQ(milligrams.ordered()->dose->grams, 28.0);
  EXPECT_EQ(milligrams.ordered()->dose->basis, dose_basis::absolute);
  EXPECT_DOUBLE_EQ(milligrams.ordered()->dose->value, 28000.0);
  EXPECT_EQ(milligrams.ordered()->dose->unit, "mg");
}

TEST(DosageDose, ReadsGramsPerKgAndMilligramsPerKgByUcumCode) {
  const dosage_reading g_kg = read_r4_dose(R"({"value":0.4,"system":"http://unitsofmeasure.org","code":"g/kg"})");
  ASSERT_TRUE(g_kg.ordered()->dose);
  EXPECT_DOUBLE_EQ(g_kg.ordered()->dose->grams, 0.4);
  EXPECT_EQ(g_kg.ordered()->dose->basis, dose_basis::per_kg);
  EXPECT_EQ(g_kg.ordered()->dose->unit, "g/kg");

  const dosage_reading mg_kg = read_r4_dose(R"({"value":400,"system":"http://unitsofmeasure.org","code":"mg/kg"})");
  ASSERT_TRUE(mg_kg.ordered()->dose);
  EXPECT_DOUBLE_EQ(mg_kg.ordered()->dose->grams, 0.4);
  EXPECT_EQ(mg_kg.ordered()->dose->basis, dose_basis::per_kg);
  EXPECT_DOUBLE_EQ(mg_kg.ordered()->dose->value, 400.0);
  EXPECT_EQ(mg_kg.ordered()->dose->unit, "mg/kg");
}

TEST(DosageDose, ReadsEveryUnitTextSpellingWhenThereIsNoCode) {
  struct spelling {
    const char* unit;
    double value;
    double grams;
    dose_basis basis;
  };
  const spelling spellings[] = {
      {"g", 30, 30, dose_basis::absolute},
      {"gram", 1, 1, dose_basis::absolute},
      {"grams", 35, 35, dose_basis::absolute},
      {"gm", 10, 10, dose_basis::absolute},
      {"mg", 500, 0.5, dose_basis::absolute},
      {"milligram", 2500, 2.5, dose_basis::absolute},
      {"milligrams", 10000, 10, dose_basis::absolute},
      {"g/kg", 2, 2, dose_basis::per_kg},
      {"mg/kg", 1000, 1, dose_basis::per_kg},
      {"GM", 5, 5, dose_basis::absolute},
      {" mg / kg ", 400, 0.4, dose_basis::per_kg},
      {"Grams", 20, 20, dose_basis::absolute},
  };
  for (const spelling& s : spellings) {
    SCOPED_TRACE(s.unit);
    const dosage_reading r =
        read_r4_dose(R"({"value":)" + std::to_string(s.value) + R"(,"unit":")" + std::string(s.unit) + R"("})");
    ASSERT_TRUE(r.ordered() && r.ordered()->dose);
    EXPECT_DOUBLE_EQ(r.ordered()->dose->grams, s.grams);
    EXPECT_EQ(r.ordered()->dose->basis, s.basis);
    EXPECT_DOUBLE_EQ(r.ordered()->dose->value, s.value);
    EXPECT_EQ(r.ordered()->dose->unit, s.unit);
    EXPECT_TRUE(r.problems.empty());
  }
}

TEST(DosageDose, UcumCodeWinsOverAUnitTextThatDisagrees) {
  const dosage_reading r =
      read_r4_dose(R"({"value":400,"unit":"g/kg","system":"http://unitsofmeasure.org","code":"mg/kg"})");
  ASSERT_TRUE(r.ordered()->dose);
  EXPECT_DOUBLE_EQ(r.ordered()->dose->grams, 0.4);
  EXPECT_EQ(r.ordered()->dose->unit, "mg/kg");
}

TEST(DosageDose, ANonUcumCodeFallsBackToTheUnitText) {
  // SNOMED CT unit codes (258684004 = mg) appear in older spec examples; the text says what it is.
  const dosage_reading r =
      read_r4_dose(R"({"value":500,"unit":"mg","system":"http://snomed.info/sct","code":"258684004"})");
  ASSERT_TRUE(r.ordered()->dose);
  EXPECT_DOUBLE_EQ(r.ordered()->dose->grams, 0.5);
  EXPECT_EQ(r.ordered()->dose->unit, "mg");
  EXPECT_TRUE(r.problems.empty());
}

TEST(DosageDose, PerDayUnitsReadAsPerKgWithPerDaySet) {
  const dosage_reading ucum = read_r4_dose(R"({"value":0.4,"system":"http://unitsofmeasure.org","code":"g/kg/d"})");
  ASSERT_TRUE(ucum.ordered()->dose);
  EXPECT_DOUBLE_EQ(ucum.ordered()->dose->grams, 0.4);
  EXPECT_EQ(ucum.ordered()->dose->basis, dose_basis::per_kg);
  EXPECT_TRUE(ucum.ordered()->dose->per_day);
  EXPECT_TRUE(ucum.problems.empty());

  const dosage_reading bracketed = read_r4_dose(R"j({"value":1000,"code":"mg/(kg.d)"})j");
  ASSERT_TRUE(bracketed.ordered()->dose);
  EXPECT_DOUBLE_EQ(bracketed.ordered()->dose->grams, 1.0);
  EXPECT_EQ(bracketed.ordered()->dose->basis, dose_basis::per_kg);
  EXPECT_TRUE(bracketed.ordered()->dose->per_day);

  const dosage_reading text = read_r4_dose(R"({"value":400,"unit":"mg/kg/day"})");
  ASSERT_TRUE(text.ordered()->dose);
  EXPECT_DOUBLE_EQ(text.ordered()->dose->grams, 0.4);
  EXPECT_TRUE(text.ordered()->dose->per_day);
}

TEST(DosageDose, ComparatorIsIgnored) {
  const dosage_reading r = read_r4_dose(R"({"value":2,"comparator":"<=","code":"g/kg"})");
  ASSERT_TRUE(r.ordered()->dose);
  EXPECT_DOUBLE_EQ(r.ordered()->dose->grams, 2.0);
  EXPECT_TRUE(r.problems.empty());
}

TEST(DosageDose, DoseRangeIsReadAsItsHigh) {
  const dosage_reading r = read_one(
      R"({"doseAndRate":[{"doseRange":{"low":{"value":0.4,"code":"g/kg"},"high":{"value":1,"code":"g/kg"}}}]})");
  ASSERT_TRUE(r.ordered()->dose);
  EXPECT_DOUBLE_EQ(r.ordered()->dose->grams, 1.0);
  EXPECT_TRUE(r.ordered()->dose->from_range);
  EXPECT_TRUE(r.problems.empty());

  const dosage_reading no_high = read_one(R"({"doseAndRate":[{"doseRange":{"low":{"value":0.4,"code":"g/kg"}}}]})");
  EXPECT_FALSE(no_high.ordered()->dose);
  EXPECT_EQ(no_high.problems, problem_list{"doseRange.high without a value"});
}

// ---- ordered and calculated ---------------------------------------------------------------------

TEST(DosageEntries, ReadsOrderedAndCalculatedDosesLikeTheSpecIvigExample) {
  // The shape of the FHIR spec's Gammagard Liquid example: an ordered weight-based dose and the
  // calculated absolute one, typed with dose-rate-type.
  const dosage_reading r = read_one(R"({
    "text":"400 mg/kg IV daily for 5 days",
    "doseAndRate":[
      {"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/dose-rate-type","code":"ordered","display":"Ordered"}]},
       "doseQuantity":{"value":400,"unit":"mg/kg","system":"http://unitsofmeasure.org","code":"mg/kg"}},
      {"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/dose-rate-type","code":"calculated","display":"Calculated"}]},
       "doseQuantity":{"value":28000,"unit":"mg","system":"http://unitsofmeasure.org","code":"mg"}}]})");
  EXPECT_EQ(r.text, "400 mg/kg IV daily for 5 days");
  ASSERT_EQ(r.entries.size(), 2u);
  EXPECT_EQ(r.entries[0].type, "ordered");
  EXPECT_EQ(r.entries[1].type, "calculated");
  ASSERT_NE(r.ordered(), nullptr);
  ASSERT_NE(r.calculated(), nullptr);
  EXPECT_EQ(r.ordered(), &r.entries[0]);
  EXPECT_EQ(r.calculated(), &r.entries[1]);
  EXPECT_DOUBLE_EQ(r.ordered()->dose->grams, 0.4);
  EXPECT_EQ(r.ordered()->dose->basis, dose_basis::per_kg);
  EXPECT_DOUBLE_EQ(r.calculated()->dose->grams, 28.0);
  EXPECT_EQ(r.calculated()->dose->basis, dose_basis::absolute);
  EXPECT_TRUE(r.problems.empty());
}

TEST(DosageEntries, OrderedFallsBackToTheUntypedEntryAndCalculatedNeedsItsType) {
  const dosage_reading untyped = read_r4_dose(R"({"value":30,"code":"g"})");
  ASSERT_EQ(untyped.entries.size(), 1u);
  EXPECT_EQ(untyped.entries[0].type, "");
  EXPECT_EQ(untyped.ordered(), &untyped.entries[0]);
  EXPECT_EQ(untyped.calculated(), nullptr);

  const dosage_reading only_calculated = read_one(
      R"({"doseAndRate":[{"type":{"coding":[{"code":"calculated"}]},"doseQuantity":{"value":30,"code":"g"}}]})");
  EXPECT_EQ(only_calculated.ordered(), nullptr);
  ASSERT_NE(only_calculated.calculated(), nullptr);
  EXPECT_DOUBLE_EQ(only_calculated.calculated()->dose->grams, 30.0);
}

TEST(DosageEntries, TypeAsTextOrBareStringIsRead) {
  const dosage_reading r = read_one(R"({"doseAndRate":[
      {"type":{"text":"Ordered"},"doseQuantity":{"value":1,"code":"g/kg"}},
      {"type":"calculated","doseQuantity":{"value":70,"code":"g"}}]})");
  EXPECT_DOUBLE_EQ(r.ordered()->dose->grams, 1.0);
  EXPECT_DOUBLE_EQ(r.calculated()->dose->grams, 70.0);
  EXPECT_TRUE(r.problems.empty());
}

TEST(DosageEntries, UnknownTypeIsKeptAndSaid) {
  const dosage_reading r =
      read_one(R"({"doseAndRate":[{"type":{"coding":[{"code":"rounded"}]},"doseQuantity":{"value":30,"code":"g"}}]})");
  ASSERT_EQ(r.entries.size(), 1u);
  EXPECT_EQ(r.entries[0].type, "rounded");
  EXPECT_EQ(r.ordered(), nullptr);
  EXPECT_EQ(r.problems, problem_list{"doseAndRate type 'rounded' is not ordered or calculated"});
}

TEST(DosageEntries, DoseAndRateAsASingleObjectReadsAsOneEntry) {
  const dosage_reading r = read_one(R"({"doseAndRate":{"doseQuantity":{"value":0.4,"code":"g/kg"}}})");
  ASSERT_EQ(r.entries.size(), 1u);
  ASSERT_TRUE(r.ordered()->dose);
  EXPECT_DOUBLE_EQ(r.ordered()->dose->grams, 0.4);
  EXPECT_TRUE(r.problems.empty());
}

TEST(DosageEntries, Stu3DoseAndRateDirectlyOnTheDosageReadAsOneUntypedEntry) {
  const auto doc = parse(R"({"resourceType":"MedicationRequest","dosageInstruction":[{
    "doseQuantity":{"value":35,"unit":"g","system":"http://unitsofmeasure.org","code":"g"},
    "rateQuantity":{"value":200,"unit":"mL/h","system":"http://unitsofmeasure.org","code":"mL/h"}}]})");
  const std::vector<dosage_reading> readings = read_dosages(doc);
  ASSERT_EQ(readings.size(), 1u);
  const dosage_reading& r = readings[0];
  ASSERT_EQ(r.entries.size(), 1u);
  EXPECT_EQ(r.entries[0].type, "");
  EXPECT_DOUBLE_EQ(r.ordered()->dose->grams, 35.0);
  ASSERT_TRUE(r.ordered()->rate);
  EXPECT_DOUBLE_EQ(r.ordered()->rate->value, 200.0);
  EXPECT_EQ(r.ordered()->rate->kind, rate_kind::ml_per_hour);
  EXPECT_TRUE(r.problems.empty());
}

TEST(DosageEntries, R4DoseAndRatePlusStu3DoseQuantityAreBothRead) {
  const dosage_reading r = read_one(R"({"doseAndRate":[{"type":{"coding":[{"code":"calculated"}]},
    "doseQuantity":{"value":28,"code":"g"}}],"doseQuantity":{"value":0.4,"code":"g/kg"}})");
  ASSERT_EQ(r.entries.size(), 2u);
  EXPECT_DOUBLE_EQ(r.calculated()->dose->grams, 28.0);
  EXPECT_DOUBLE_EQ(r.ordered()->dose->grams, 0.4);
  EXPECT_EQ(r.ordered(), &r.entries[1]);
}

TEST(DosageEntries, ReadsADstu2MedicationOrder) {
  const auto doc = parse(R"({"resourceType":"MedicationOrder","id":"order-123","dosageInstruction":{
    "text":"0.4 g/kg daily x 5 days",
    "timing":{"repeat":{"count":5,"frequency":1,"period":1,"periodUnits":"d","boundsQuantity":{"value":5,"code":"d"}}},
    "doseQuantity":{"value":0.4,"unit":"g/kg","system":"http://unitsofmeasure.org","code":"g/kg"},
    "rateRatio":{"numerator":{"value":100,"code":"mL"},"denominator":{"value":1,"code":"h"}},
    "maxDosePerPeriod":{"numerator":{"value":1,"code":"g/kg"},"denominator":{"value":1,"code":"d"}}}})");
  const std::vector<dosage_reading> readings = read_dosages(doc);
  ASSERT_EQ(readings.size(), 1u);
  const dosage_reading& r = readings[0];
  EXPECT_EQ(r.text, "0.4 g/kg daily x 5 days");
  ASSERT_EQ(r.entries.size(), 1u);
  EXPECT_DOUBLE_EQ(r.ordered()->dose->grams, 0.4);
  EXPECT_EQ(r.ordered()->dose->basis, dose_basis::per_kg);
  ASSERT_TRUE(r.ordered()->rate);
  EXPECT_DOUBLE_EQ(r.ordered()->rate->value, 100.0);
  EXPECT_EQ(r.ordered()->rate->kind, rate_kind::ml_per_hour);
  ASSERT_TRUE(r.timing);
  EXPECT_EQ(r.timing->count, 5);
  EXPECT_EQ(r.timing->period_unit, "d");
  EXPECT_DOUBLE_EQ(*r.timing->period_days, 1.0);
  EXPECT_DOUBLE_EQ(*r.timing->bounds_days, 5.0);
  EXPECT_DOUBLE_EQ(r.max_dose_per_period->grams, 1.0);
  EXPECT_DOUBLE_EQ(*r.max_dose_period_days, 1.0);
  EXPECT_TRUE(r.problems.empty());
}

TEST(DosageEntries, SeveralDosageInstructionsGiveOneReadingEach) {
  const auto doc = parse(R"({"resourceType":"MedicationRequest","dosageInstruction":[
    {"sequence":1,"doseAndRate":[{"doseQuantity":{"value":2,"code":"g/kg"}}]},
    {"sequence":2,"doseAndRate":[{"doseQuantity":{"value":0.4,"code":"g/kg"}}]}]})");
  const std::vector<dosage_reading> readings = read_dosages(doc);
  ASSERT_EQ(readings.size(), 2u);
  EXPECT_DOUBLE_EQ(readings[0].ordered()->dose->grams, 2.0);
  EXPECT_DOUBLE_EQ(readings[1].ordered()->dose->grams, 0.4);

  EXPECT_TRUE(read_dosages(parse(R"({"resourceType":"MedicationRequest"})")).empty());
}

TEST(DosageEntries, ReadsEveryOrderExampleOfTheHookLibrary) {
  // R4 with doseAndRate as an object, R4 with STU3 doseQuantity, STU3 with R4 doseAndRate, DSTU2
  // with periodUnits: each reads its one dose, and its 5 mL is said to be no mass unit.
  for (const char* file : {"lib-order-select-01-example-r4.json", "lib-order-select-02-example-stu3.json",
                           "lib-order-select-03-example-dstu2.json", "lib-order-sign-01-example-r4.json",
                           "lib-order-sign-02-example-stu3.json", "lib-order-sign-03-example-dstu2.json"}) {
    SCOPED_TRACE(file);
    const auto doc = parse(ivig::test::read_file(ivig::test::shared_dir() / "cds-hooks/examples" / file));
    std::vector<dosage_reading> readings;
    for (const auto& entry : doc["context"]["draftOrders"]["entry"].GetArray()) {
      const json_value& resource = entry["resource"];
      if (is_medication_order_type(resource_type_of(resource))) readings = read_dosages(resource);
    }
    ASSERT_EQ(readings.size(), 1u);
    const dosage_reading& r = readings[0];
    EXPECT_EQ(r.text, "5 mL bid x 10 days");
    ASSERT_EQ(r.entries.size(), 1u);
    EXPECT_FALSE(r.entries[0].dose);
    ASSERT_TRUE(r.timing);
    EXPECT_EQ(r.timing->frequency, 2);
    EXPECT_EQ(r.timing->period_unit, "d");
    EXPECT_DOUBLE_EQ(*r.timing->period_days, 1.0);
    EXPECT_EQ(r.problems, problem_list{"dose unit 'mL' is not a mass or mass per kg unit"});
  }
}

// ---- rates --------------------------------------------------------------------------------------

TEST(DosageRate, ReadsEveryRateUnitAndConverts) {
  struct spelling {
    const char* json;
    double value;
    rate_kind kind;
    const char* unit;
  };
  const spelling spellings[] = {
      {R"({"value":100,"system":"http://unitsofmeasure.org","code":"mL/h"})", 100, rate_kind::ml_per_hour, "mL/h"},
      {R"({"value":100,"unit":"ml/h"})", 100, rate_kind::ml_per_hour, "ml/h"},
      {R"({"value":150,"unit":"mL/hr"})", 150, rate_kind::ml_per_hour, "mL/hr"},
      {R"({"value":5,"code":"mL/min"})", 300, rate_kind::ml_per_hour, "mL/min"},
      {R"({"value":0.5,"code":"mL/kg/h"})", 0.5, rate_kind::ml_per_kg_per_hour, "mL/kg/h"},
      {R"j({"value":1,"code":"mL/(kg.h)"})j", 1, rate_kind::ml_per_kg_per_hour, "mL/(kg.h)"},
      {R"({"value":0.1,"code":"mL/kg/min"})", 6, rate_kind::ml_per_kg_per_hour, "mL/kg/min"},
      {R"({"value":8,"code":"mg/kg/min"})", 8, rate_kind::mg_per_kg_per_min, "mg/kg/min"},
      {R"j({"value":0.5,"code":"mg/(kg.min)"})j", 0.5, rate_kind::mg_per_kg_per_min, "mg/(kg.min)"},
      {R"({"value":60,"code":"mg/kg/h"})", 1, rate_kind::mg_per_kg_per_min, "mg/kg/h"},
      {R"j({"value":30,"code":"mg/(kg.h)"})j", 0.5, rate_kind::mg_per_kg_per_min, "mg/(kg.h)"},
  };
  for (const spelling& s : spellings) {
    SCOPED_TRACE(s.json);
    const dosage_reading r = read_r4_rate(s.json);
    ASSERT_TRUE(r.ordered() && r.ordered()->rate);
    EXPECT_DOUBLE_EQ(r.ordered()->rate->value, s.value);
    EXPECT_EQ(r.ordered()->rate->kind, s.kind);
    EXPECT_EQ(r.ordered()->rate->unit, s.unit);
    EXPECT_TRUE(r.problems.empty());
  }
}

TEST(DosageRate, RateRatioOf100MlPerHour) {
  const dosage_reading r = read_one(R"({"doseAndRate":[{"rateRatio":{
    "numerator":{"value":100,"unit":"mL","system":"http://unitsofmeasure.org","code":"mL"},
    "denominator":{"value":1,"unit":"h","system":"http://unitsofmeasure.org","code":"h"}}}]})");
  ASSERT_TRUE(r.ordered()->rate);
  EXPECT_DOUBLE_EQ(r.ordered()->rate->value, 100.0);
  EXPECT_EQ(r.ordered()->rate->kind, rate_kind::ml_per_hour);
  EXPECT_EQ(r.ordered()->rate->unit, "mL/h");
  EXPECT_TRUE(r.problems.empty());
}

TEST(DosageRate, RateRatioConvertsItsDenominator) {
  const dosage_reading per_30_min = read_one(
      R"({"doseAndRate":[{"rateRatio":{"numerator":{"value":100,"code":"mL"},"denominator":{"value":30,"code":"min"}}}]})");
  ASSERT_TRUE(per_30_min.ordered()->rate);
  EXPECT_DOUBLE_EQ(per_30_min.ordered()->rate->value, 200.0);
  EXPECT_EQ(per_30_min.ordered()->rate->kind, rate_kind::ml_per_hour);
  EXPECT_EQ(per_30_min.ordered()->rate->unit, "mL/30 min");

  const dosage_reading per_kg = read_one(
      R"({"doseAndRate":[{"rateRatio":{"numerator":{"value":60,"code":"mg/kg"},"denominator":{"value":1,"unit":"hour"}}}]})");
  ASSERT_TRUE(per_kg.ordered()->rate);
  EXPECT_DOUBLE_EQ(per_kg.ordered()->rate->value, 1.0);
  EXPECT_EQ(per_kg.ordered()->rate->kind, rate_kind::mg_per_kg_per_min);
  EXPECT_EQ(per_kg.ordered()->rate->unit, "mg/kg/hour");

  const dosage_reading ml_kg = read_one(
      R"({"doseAndRate":[{"rateRatio":{"numerator":{"value":2,"code":"mL/kg"},"denominator":{"value":60,"code":"min"}}}]})");
  ASSERT_TRUE(ml_kg.ordered()->rate);
  EXPECT_DOUBLE_EQ(ml_kg.ordered()->rate->value, 2.0);
  EXPECT_EQ(ml_kg.ordered()->rate->kind, rate_kind::ml_per_kg_per_hour);
}

TEST(DosageRate, RateRangeGivesTitrationStartAndMaximum) {
  const dosage_reading r = read_one(R"({"doseAndRate":[{"doseQuantity":{"value":0.4,"code":"g/kg"},
    "rateRange":{"low":{"value":0.5,"code":"mg/kg/min"},"high":{"value":8,"code":"mg/kg/min"}}}]})");
  const dose_and_rate* entry = r.ordered();
  ASSERT_NE(entry, nullptr);
  EXPECT_FALSE(entry->rate);
  ASSERT_TRUE(entry->rate_low);
  ASSERT_TRUE(entry->rate_high);
  EXPECT_DOUBLE_EQ(entry->rate_low->value, 0.5);
  EXPECT_EQ(entry->rate_low->kind, rate_kind::mg_per_kg_per_min);
  EXPECT_DOUBLE_EQ(entry->rate_high->value, 8.0);
  EXPECT_EQ(entry->rate_high->kind, rate_kind::mg_per_kg_per_min);
  EXPECT_TRUE(r.problems.empty());
}

// ---- timing and maximum dose --------------------------------------------------------------------

TEST(DosageTiming, ReadsAFiveDayCourse) {
  const dosage_reading r = read_one(R"({"timing":{"repeat":{"count":5,"frequency":1,"period":1,"periodUnit":"d"}},
    "doseAndRate":[{"doseQuantity":{"value":0.4,"code":"g/kg"}}]})");
  ASSERT_TRUE(r.timing);
  EXPECT_EQ(r.timing->count, 5);
  EXPECT_EQ(r.timing->frequency, 1);
  EXPECT_DOUBLE_EQ(*r.timing->period, 1.0);
  EXPECT_EQ(r.timing->period_unit, "d");
  EXPECT_DOUBLE_EQ(*r.timing->period_days, 1.0);
  EXPECT_FALSE(r.timing->bounds_days);
  EXPECT_TRUE(r.problems.empty());
}

TEST(DosageTiming, ReadsMonthlyMaintenanceInWeeksAndMonths) {
  const dosage_reading weeks = read_one(R"({"timing":{"repeat":{"frequency":1,"period":4,"periodUnit":"wk"}}})");
  ASSERT_TRUE(weeks.timing);
  EXPECT_FALSE(weeks.timing->count);
  EXPECT_DOUBLE_EQ(*weeks.timing->period, 4.0);
  EXPECT_EQ(weeks.timing->period_unit, "wk");
  EXPECT_DOUBLE_EQ(*weeks.timing->period_days, 28.0);

  // UCUM's month is the mean Julian month, 365.25 / 12 days.
  const dosage_reading months = read_one(R"({"timing":{"repeat":{"frequency":1,"period":1,"periodUnit":"mo"}}})");
  EXPECT_DOUBLE_EQ(*months.timing->period_days, 30.4375);
  EXPECT_TRUE(months.problems.empty());
}

TEST(DosageTiming, ReadsBoundsDuration) {
  const dosage_reading days = read_one(R"({"timing":{"repeat":{"frequency":1,"period":1,"periodUnit":"d",
    "boundsDuration":{"value":5,"unit":"days","system":"http://unitsofmeasure.org","code":"d"}}}})");
  EXPECT_DOUBLE_EQ(*days.timing->bounds_days, 5.0);

  const dosage_reading one_year = read_one(R"({"timing":{"repeat":{"period":6,"periodUnit":"wk",
    "boundsDuration":{"value":1,"code":"a"}}}})");
  EXPECT_DOUBLE_EQ(*one_year.timing->period_days, 42.0);
  EXPECT_DOUBLE_EQ(*one_year.timing->bounds_days, 365.25);

  const dosage_reading weeks = read_one(R"({"timing":{"repeat":{"boundsDuration":{"value":12,"unit":"weeks"}}}})");
  EXPECT_DOUBLE_EQ(*weeks.timing->bounds_days, 84.0);
  EXPECT_TRUE(weeks.problems.empty());
}

TEST(DosageTiming, NoRepeatMeansNoTiming) {
  EXPECT_FALSE(read_one(R"({"timing":{"code":{"text":"once"}}})").timing);
  EXPECT_FALSE(read_one(R"({"text":"once"})").timing);
}

TEST(DosageMaxDose, ReadsMaxDosePerPeriod) {
  const dosage_reading per_day = read_one(R"({"maxDosePerPeriod":{
    "numerator":{"value":1,"unit":"g/kg","system":"http://unitsofmeasure.org","code":"g/kg"},
    "denominator":{"value":1,"unit":"day","system":"http://unitsofmeasure.org","code":"d"}}})");
  ASSERT_TRUE(per_day.max_dose_per_period);
  EXPECT_DOUBLE_EQ(per_day.max_dose_per_period->grams, 1.0);
  EXPECT_EQ(per_day.max_dose_per_period->basis, dose_basis::per_kg);
  EXPECT_DOUBLE_EQ(*per_day.max_dose_period_days, 1.0);

  const dosage_reading per_course = read_one(R"({"maxDosePerPeriod":{
    "numerator":{"value":2000,"code":"mg/kg"},"denominator":{"value":5,"code":"d"}}})");
  EXPECT_DOUBLE_EQ(per_course.max_dose_per_period->grams, 2.0);
  EXPECT_DOUBLE_EQ(*per_course.max_dose_period_days, 5.0);
  EXPECT_TRUE(per_course.problems.empty());
}

// ---- what cannot be read ------------------------------------------------------------------------

TEST(DosageProblems, UnknownDoseUnitIsSaidAndTheDoseIsAbsent) {
  const dosage_reading r = read_r4_dose(R"({"value":2,"unit":"tablespoons"})");
  ASSERT_EQ(r.entries.size(), 1u);
  EXPECT_FALSE(r.entries[0].dose);
  EXPECT_EQ(r.problems, problem_list{"dose unit 'tablespoons' is not a mass or mass per kg unit"});

  const dosage_reading ucum = read_r4_dose(R"({"value":50,"system":"http://unitsofmeasure.org","code":"mg/m2"})");
  EXPECT_EQ(ucum.problems, problem_list{"dose unit 'mg/m2' is not a mass or mass per kg unit"});
}

TEST(DosageProblems, DoseWithoutUnitOrValue) {
  EXPECT_EQ(read_r4_dose(R"({"value":30})").problems, problem_list{"dose has no unit"});
  EXPECT_EQ(read_r4_dose(R"({"value":30,"unit":"  "})").problems, problem_list{"dose has no unit"});
  EXPECT_EQ(read_r4_dose(R"({"unit":"g"})").problems, problem_list{"doseQuantity without a value"});
  EXPECT_EQ(read_r4_dose(R"({"value":"30","unit":"g"})").problems, problem_list{"doseQuantity value is not a number"});
  EXPECT_EQ(read_r4_dose(R"({"value":-30,"unit":"g"})").problems, problem_list{"doseQuantity value is negative"});
  EXPECT_EQ(read_r4_dose(R"(30)").problems, problem_list{"doseQuantity is not a Quantity"});
}

TEST(DosageProblems, ProblemsInATypedEntrySayWhichEntry) {
  const dosage_reading r = read_one(R"({"doseAndRate":[
    {"type":{"coding":[{"code":"ordered"}]},"doseQuantity":{"value":400,"code":"mg/kg"}},
    {"type":{"coding":[{"code":"calculated"}]},"doseQuantity":{"value":280,"unit":"mL"}}]})");
  EXPECT_DOUBLE_EQ(r.ordered()->dose->grams, 0.4);
  EXPECT_FALSE(r.calculated()->dose);
  EXPECT_EQ(r.problems, problem_list{"calculated dose unit 'mL' is not a mass or mass per kg unit"});
}

TEST(DosageProblems, UnreadableRates) {
  EXPECT_EQ(read_r4_rate(R"({"unit":"mL/h"})").problems, problem_list{"rateQuantity without a value"});
  EXPECT_EQ(read_r4_rate(R"({"value":100})").problems, problem_list{"rate has no unit"});
  EXPECT_EQ(read_r4_rate(R"({"value":20,"unit":"drops/min"})").problems,
            problem_list{"rate unit 'drops/min' is not mL/h, mL/min, mL/kg/h, mL/kg/min, mg/kg/min or mg/kg/h"});

  const dosage_reading range = read_one(R"({"doseAndRate":[{"rateRange":{"low":{"value":0.5,"code":"mg/kg/min"},
    "high":{"value":8,"unit":"mg/min"}}}]})");
  EXPECT_DOUBLE_EQ(range.ordered()->rate_low->value, 0.5);
  EXPECT_FALSE(range.ordered()->rate_high);
  EXPECT_EQ(
      range.problems,
      problem_list{"rate range high unit 'mg/min' is not mL/h, mL/min, mL/kg/h, mL/kg/min, mg/kg/min or mg/kg/h"});
}

TEST(DosageProblems, UnreadableRateRatios) {
  // An absolute mg numerator (as in the spec's gentamicin example) is not a rate the IVIg checks use.
  const dosage_reading mg = read_one(R"({"rateRatio":{"numerator":{"value":80,"unit":"mg","code":"mg"},
    "denominator":{"value":60,"unit":"minutes","system":"http://snomed.info/sct","code":"258702006"}}})");
  ASSERT_EQ(mg.entries.size(), 1u);
  EXPECT_FALSE(mg.entries[0].rate);
  EXPECT_EQ(mg.problems, problem_list{"rateRatio numerator unit 'mg' is not mL, mL/kg or mg/kg"});

  const dosage_reading fortnightly =
      read_one(R"({"rateRatio":{"numerator":{"value":100,"code":"mL"},"denominator":{"value":1,"unit":"fortnight"}}})");
  EXPECT_EQ(fortnightly.problems,
            problem_list{"rateRatio denominator unit 'fortnight' is not a time unit (s, min, h, d, wk, mo or a)"});

  const dosage_reading zero =
      read_one(R"({"rateRatio":{"numerator":{"value":100,"code":"mL"},"denominator":{"value":0,"code":"h"}}})");
  EXPECT_FALSE(zero.entries[0].rate);
  EXPECT_EQ(zero.problems, problem_list{"rateRatio.denominator is zero"});

  const dosage_reading no_denominator = read_one(R"({"rateRatio":{"numerator":{"value":100,"code":"mL"}}})");
  EXPECT_EQ(no_denominator.problems, problem_list{"rateRatio.denominator without a value"});
}

TEST(DosageProblems, UnreadableTimingAndMaxDose) {
  const dosage_reading timing = read_one(R"({"timing":{"repeat":{"count":2.5,"frequency":1,"period":1,
    "periodUnit":"fortnight","boundsDuration":{"value":5}}}})");
  ASSERT_TRUE(timing.timing);
  EXPECT_FALSE(timing.timing->count);
  EXPECT_EQ(timing.timing->frequency, 1);
  EXPECT_EQ(timing.timing->period_unit, "fortnight");
  EXPECT_FALSE(timing.timing->period_days);
  EXPECT_FALSE(timing.timing->bounds_days);
  EXPECT_EQ(timing.problems,
            (problem_list{"timing count is not a positive whole number",
                          "timing periodUnit 'fortnight' is not a time unit (s, min, h, d, wk, mo or a)",
                          "timing boundsDuration has no unit"}));

  EXPECT_EQ(read_one(R"({"timing":{"repeat":{"period":1}}})").problems,
            problem_list{"timing period has no periodUnit"});

  const dosage_reading max = read_one(R"({"maxDosePerPeriod":{"numerator":{"value":2,"unit":"vials"},
    "denominator":{"value":1,"code":"d"}}})");
  EXPECT_FALSE(max.max_dose_per_period);
  EXPECT_DOUBLE_EQ(*max.max_dose_period_days, 1.0);
  EXPECT_EQ(max.problems, problem_list{"maximum dose per period unit 'vials' is not a mass or mass per kg unit"});
}

TEST(DosageProblems, WrongJsonShapesAreSaid) {
  EXPECT_EQ(read_one(R"("once daily")").problems, problem_list{"dosageInstruction is not an object"});
  EXPECT_EQ(read_one(R"({"doseAndRate":"400 mg/kg"})").problems, problem_list{"doseAndRate is not an object"});
  EXPECT_EQ(read_one(R"({"doseAndRate":["400 mg/kg"]})").problems, problem_list{"doseAndRate entry is not an object"});
  EXPECT_EQ(
      read_one(R"({"doseQuantity":{"value":1,"code":"g/kg"},"doseRange":{"high":{"value":2,"code":"g/kg"}}})").problems,
      problem_list{"doseQuantity and doseRange both given; doseRange not read"});
}
