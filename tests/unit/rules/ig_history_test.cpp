// tests/unit/rules/ig_history_test.cpp: earlier immune globulin from the record's history (orders that
// ended, infusions given): first infusion and product switch (R14), duplicates (R26), the course total
// and the maintenance interval (R16), each in and out. The scenario clock is 2026-11-22T12:00:00Z.
#include <gtest/gtest.h>

#include <algorithm>

#include "rules/engine/engine.hpp"
#include "tests/support/fhir_builders.hpp"
#include "tests/support/rule_harness.hpp"
#include "tests/support/test_support.hpp"

using namespace ivig::test;
using ivig::rules::ig_record_kind;

namespace {

const std::string ucum = R"("system":"http://unitsofmeasure.org")";

/// A MedicationAdministration of `medication` on `date`, `grams` g, with an optional note.
std::string given(const std::string& id, const std::string& medication, const std::string& date, double grams,
                  const std::string& note = {}) {
  return R"({"resourceType":"MedicationAdministration","id":")" + id +
         R"(","status":"completed","medicationCodeableConcept":)" + medication +
         R"(,"subject":{"reference":"Patient/example"},"effectiveDateTime":")" + date +
         R"(","dosage":{"dose":{"value":)" + std::to_string(grams) + R"(,"unit":"g",)" + ucum + R"(,"code":"g"}})" +
         (note.empty() ? std::string{} : R"(,"note":[{"text":")" + note + R"("}])") + "}";
}

/// An ended (completed) MedicationRequest of `medication`, written on `date`.
std::string ended_order(const std::string& id, const std::string& medication, const std::string& date) {
  return R"({"resourceType":"MedicationRequest","id":")" + id + R"(","status":"completed","intent":"order",)"
         R"("medicationCodeableConcept":)" +
         medication + R"(,"subject":{"reference":"Patient/example"},"authoredOn":")" + date + R"("})";
}

/// An order of `medication` for `reason`: `g_per_kg` as `grams` on 70 kg, started at `start` mg/kg/min
/// up to 4, over `days` days.
std::string order_of(const std::string& medication, const std::string& reason, double g_per_kg, double grams,
                     double start, int days = 1) {
  const std::string rate_unit = R"x("unit":"mg/(kg.min)",)x" + ucum + R"x(,"code":"mg/(kg.min)")x";
  return R"x({"resourceType":"MedicationRequest","id":"ivig-1","status":"draft","intent":"order",)x"
         R"x("medicationCodeableConcept":)x" +
         medication + R"x(,"subject":{"reference":"Patient/example"},"reasonCode":[)x" + reason +
         R"x(],"dosageInstruction":[{"route":)x" + concept_of(snomed, "47625008", "Intravenous route") +
         R"x(,"timing":{"repeat":{"count":)x" + std::to_string(days) +
         R"x(,"frequency":1,"period":1,"periodUnit":"d"}},"doseAndRate":[{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/dose-rate-type","code":"ordered"}]},"doseQuantity":{"value":)x" +
         std::to_string(g_per_kg) + R"x(,"unit":"g/kg",)x" + ucum + R"x(,"code":"g/kg"},"rateRange":{"low":{"value":)x" +
         std::to_string(start) + "," + rate_unit + R"x(},"high":{"value":4,)x" + rate_unit +
         R"x(}}},{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/dose-rate-type","code":"calculated"}]},"doseQuantity":{"value":)x" +
         std::to_string(grams) + R"x(,"unit":"g",)x" + ucum + R"x(,"code":"g"}}]}]})x";
}

const std::string cidp = concept_of(icd10cm, "G61.81", "Chronic inflammatory demyelinating polyneuritis");
const std::string ms = concept_of(snomed, "426373005", "Relapsing remitting multiple sclerosis");

std::vector<std::string> of_rule(const rule_harness& h, const std::string& rule) {
  std::vector<std::string> found;
  for (const std::string& f : h.findings())
    if (f.substr(f.find(' ') + 1) == rule) found.push_back(f);
  return found;
}

}  // namespace

TEST(IgHistory, RecordsAreGatheredNewestFirstWithTheirDoseAndNotes) {
  rule_harness h = ordinary_adult();
  h.with(ended_order("old", privigen(), "2026-08-01"))
      .with(given("a1", privigen(), "2026-10-25T09:00:00Z", 35, "tolerated; premedicated with acetaminophen"))
      .with(given("a0", privigen(), "2026-09-27T09:00:00Z", 35))
      .order(order_of(privigen(), cidp, 0.5, 35, 0.5))
      .evaluate();
  const auto& records = h.facts().history.records;
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].reference, "MedicationAdministration/a1");
  EXPECT_EQ(records[0].line(),
            "Given: Privigen (RxNorm 758996) on 2026-10-25 (28 days ago), 35 g (MedicationAdministration/a1)");
  EXPECT_EQ(records[0].notes, std::vector<std::string>{"tolerated; premedicated with acetaminophen"});
  EXPECT_EQ(records[2].kind, ig_record_kind::ended_order);
  ASSERT_NE(h.facts().history.last_course(), nullptr);
  EXPECT_EQ(h.facts().history.last_course()->reference, "MedicationAdministration/a1");
}

TEST(IgHistory, AFirstInfusionStartedAboveTheLabelIsR14sWarningAndAPreviousInfusionOfTheSameProductIsNot) {
  rule_harness first = ordinary_adult();
  first.order(order_of(privigen(), cidp, 0.5, 35, 1)).evaluate();
  EXPECT_EQ(of_rule(first, "R14"), std::vector<std::string>{"warning R14"});
  EXPECT_EQ(first.finding_of("R14")->summary, "First IVIg infusion: start Privigen at 0.5 mg/kg/min, not 1");

  rule_harness again = ordinary_adult();
  again.with(given("a1", privigen(), "2026-10-25T09:00:00Z", 35)).order(order_of(privigen(), cidp, 0.5, 35, 1)).evaluate();
  EXPECT_EQ(of_rule(again, "R14"), std::vector<std::string>{});
}

TEST(IgHistory, AnEarlierInfusionOfAnotherProductMakesItAProductSwitch) {
  rule_harness h = ordinary_adult();
  h.with(given("a1", gammagard_liquid(), "2026-10-25T09:00:00Z", 35))
      .order(order_of(privigen(), cidp, 0.5, 35, 1))
      .evaluate();
  ASSERT_NE(h.finding_of("R14"), nullptr);
  EXPECT_EQ(h.finding_of("R14")->summary, "Product switch: start Privigen at 0.5 mg/kg/min, not 1");
}

TEST(IgHistory, AnInfusionGivenWithinTheWindowIsR26sDuplicateAndAnOldOrderThatEndedIsNot) {
  rule_harness recent = ordinary_adult();
  recent.with(given("a1", privigen(), "2026-11-19T09:00:00Z", 35)).order(order_of(privigen(), cidp, 0.5, 35, 0.5));
  recent.evaluate();
  ASSERT_NE(recent.finding_of("R26"), nullptr);
  EXPECT_EQ(recent.finding_of("R26")->evidence,
            std::vector<std::string>{
                "Given: Privigen (RxNorm 758996) on 2026-11-19 (3 days ago), 35 g (MedicationAdministration/a1)"});

  rule_harness old = ordinary_adult();
  old.with(ended_order("m1", privigen(), "2026-08-01"))
      .with(given("a1", privigen(), "2026-10-25T09:00:00Z", 35))
      .order(order_of(privigen(), cidp, 0.5, 35, 0.5))
      .evaluate();
  EXPECT_EQ(of_rule(old, "R26"), std::vector<std::string>{});
}

TEST(IgHistory, GramsGivenEarlierInTheCourseCountTowardsItsTotal) {
  // 105 g (1.5 g/kg on 70 kg) two days ago, and 1 g/kg today: 2.5 g/kg, above CIDP's labelled 2 g/kg.
  rule_harness h = ordinary_adult();
  h.with(given("a1", privigen(), "2026-11-20T09:00:00Z", 105)).order(order_of(privigen(), cidp, 1, 70, 0.5)).evaluate();
  const ivig::rules::finding* r16 = h.finding_of("R16");
  ASSERT_NE(r16, nullptr);
  EXPECT_EQ(r16->level, ivig::rules::severity::warning);
  EXPECT_EQ(r16->summary,
            "IVIg course 2.5 g/kg over 3 days with the 105 g given since 2026-11-20 exceeds 2 g/kg, Privigen's "
            "labelled dose for CIDP");
  EXPECT_NE(std::find(r16->evidence.begin(), r16->evidence.end(),
                      "Given: Privigen (RxNorm 758996) on 2026-11-20 (2 days ago), 105 g (MedicationAdministration/a1)"),
            r16->evidence.end());
  ASSERT_EQ(r16->policy_notes.size(), 1u);
  EXPECT_NE(r16->policy_notes.front().find("Which doses given earlier count towards this course"), std::string::npos);
}

TEST(IgHistory, GramsGivenBeforeTheCourseWindowDoNotCount) {
  rule_harness h = ordinary_adult();
  h.with(given("a1", privigen(), "2026-11-10T09:00:00Z", 105)).order(order_of(privigen(), cidp, 1, 70, 0.5)).evaluate();
  EXPECT_EQ(of_rule(h, "R16"), std::vector<std::string>{});
}

TEST(IgHistory, AnMsMaintenanceDoseTwoWeeksAfterTheLastIsMoreOftenThanEveryFourWeeks) {
  rule_harness soon = ordinary_adult();
  soon.with(given("a1", privigen(), "2026-11-08T09:00:00Z", 28)).order(order_of(privigen(), ms, 0.4, 28, 0.5));
  soon.evaluate();
  ASSERT_NE(soon.finding_of("R16"), nullptr);
  EXPECT_EQ(soon.finding_of("R16")->summary, "Last IVIg dose was 14 days ago: more often than every 28 days");

  rule_harness on_time = ordinary_adult();
  on_time.with(given("a1", privigen(), "2026-10-24T09:00:00Z", 28)).order(order_of(privigen(), ms, 0.4, 28, 0.5));
  on_time.evaluate();
  EXPECT_EQ(of_rule(on_time, "R16"), std::vector<std::string>{});
}

TEST(IgHistory, WithoutTheHistoryAFirstInfusionCannotBeJudgedAndR14SaysSo) {
  rule_harness h = ordinary_adult();
  h.without("medicationHistory").without("administrations").order(order_of(privigen(), cidp, 0.5, 35, 1)).evaluate();
  EXPECT_EQ(of_rule(h, "R14"), std::vector<std::string>{});
  const auto incomplete = h.incomplete_rules();
  EXPECT_NE(std::find(incomplete.begin(), incomplete.end(), "R14"), incomplete.end());
}

TEST(IgHistory, AnIntramuscularImmuneGlobulinRecordIsNotTheLastIvigCourse) {
  rule_harness h = ordinary_adult();
  h.with(R"({"resourceType":"Immunization","id":"im1","status":"completed","vaccineCode":{"coding":[{"system":"http://hl7.org/fhir/sid/cvx","code":"86"}]},"occurrenceDateTime":"2026-11-08T09:00:00Z"})")
      .order(order_of(privigen(), ms, 0.4, 28, 0.5))
      .evaluate();
  EXPECT_EQ(h.facts().history.last_course(), nullptr);
  EXPECT_EQ(of_rule(h, "R16"), std::vector<std::string>{});
}
