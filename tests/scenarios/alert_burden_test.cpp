// tests/scenarios/alert_burden_test.cpp: the alert burden of the standard scenarios, measured.
//
// Each standard scenario (the seeds' two MS regimens on an ordinary adult, MS maintenance after a
// tolerated infusion, a CIDP induction, an ITP dose, a Kawasaki dose in a child, an obese adult, an
// elderly diabetic with CKD on Octagam) is sent on both hooks to the real server; the cards are
// listed by severity in a table that lives in docs/alert-burden.md between two marker lines. The
// test fails when a scenario gains (or loses) a card the table does not show: a new card must earn
// its place in review. IVIG_UPDATE_GOLDEN=1 rewrites the table.
#include <cstdlib>

#include "tests/scenarios/scenario_fixture.hpp"
#include "tests/support/test_support.hpp"

using namespace ivig::test;

namespace {

const char* const begin_marker =
    "<!-- alert-burden:begin (written by Scenario.AlertBurdenOfTheStandardScenariosIsTheDocumentedTable) -->";
const char* const end_marker = "<!-- alert-burden:end -->";

std::string quantity(double value, const std::string& unit) {
  char number[32];
  std::snprintf(number, sizeof number, "%g", value);
  return R"({"value":)" + std::string(number) + R"(,"unit":")" + unit +
         R"(","system":"http://unitsofmeasure.org","code":")" + unit + "\"}";
}

std::string typed(const std::string& type) {
  return R"({"coding":[{"system":"http://terminology.hl7.org/CodeSystem/dose-rate-type","code":")" + type + "\"}]}";
}

/// An order as a prescriber writes it: g/kg ordered with the label's titration (start → top rate),
/// the calculated grams, the timing and the indication.
std::string order(const std::string& medication, double g_per_kg, double grams, double rate_low, double rate_high,
                  const std::string& timing, const std::string& reason) {
  const std::string dose_and_rate = R"([{"type":)" + typed("ordered") + R"(,"doseQuantity":)" +
                                    quantity(g_per_kg, "g/kg") + R"(,"rateRange":{"low":)" +
                                    quantity(rate_low, "mg/(kg.min)") + R"(,"high":)" +
                                    quantity(rate_high, "mg/(kg.min)") + R"(}},{"type":)" + typed("calculated") +
                                    R"(,"doseQuantity":)" + quantity(grams, "g") + "}]";
  return R"({"resourceType":"MedicationRequest","id":"ivig-1","status":"draft","intent":"order",)"
         R"("medicationCodeableConcept":)" +
         medication + R"(,"subject":{"reference":"Patient/example"},"reasonCode":[)" + reason +
         R"(],"dosageInstruction":[{"text":"IVIg","route":)" + concept_of(snomed, "47625008", "Intravenous route") +
         R"(,"doseAndRate":)" + dose_and_rate + "," + timing + "}]}";
}

std::string daily(int days) {
  return R"("timing":{"repeat":{"count":)" + std::to_string(days) + R"(,"frequency":1,"period":1,"periodUnit":"d"}})";
}
std::string every_weeks(int weeks) {
  return R"("timing":{"repeat":{"frequency":1,"period":)" + std::to_string(weeks) + R"(,"periodUnit":"wk"}})";
}

const std::string ms = concept_of(snomed, "426373005", "Relapsing remitting multiple sclerosis");
const std::string cidp = concept_of(icd10cm, "G61.81", "Chronic inflammatory demyelinating polyneuritis");
const std::string itp = concept_of(icd10cm, "D69.3", "Immune thrombocytopenic purpura");
const std::string kawasaki = concept_of(icd10cm, "M30.3", "Mucocutaneous lymph node syndrome [Kawasaki]");
const std::string iga_normal = "iga";

std::string normal_iga() {
  return observation("iga", concept_of(loinc, "2458-8", "IgA [Mass/volume] in Serum or Plasma"),
                     quantity_value(180, "mg/dL"), "2026-09-01T08:00:00Z");
}
std::string egfr(double value) {
  return observation("egfr", concept_of(loinc, "98979-8", "eGFR CKD-EPI 2021"),
                     quantity_value(value, "mL/min/{1.73_m2}"), "2026-11-15T09:00:00Z");
}

struct standard_scenario {
  std::string name;
  std::string patient;
  std::vector<std::string> observations;
  std::vector<std::string> conditions;
  std::vector<std::string> immunizations;
  std::vector<std::string> medications;
  std::string order;
};

std::vector<standard_scenario> standard_scenarios() {
  const std::string woman = patient("example", "female", "1988-05-10");  // 38
  std::vector<std::string> ordinary{body_weight(70), body_height(165), serum_creatinine(0.8), egfr(95), normal_iga()};
  std::vector<standard_scenario> all;
  all.push_back({"MS, 1 g/kg monthly (seed), 70 kg, BMI 25.7",
                 woman,
                 ordinary,
                 {},
                 {},
                 {},
                 order(privigen(), 1, 70, 0.5, 4, every_weeks(4), ms)});
  all.push_back({"MS, 0.4 g/kg/day × 5 (seed), 70 kg, BMI 25.7",
                 woman,
                 ordinary,
                 {},
                 {},
                 {},
                 order(privigen(), 0.4, 28, 0.5, 4, daily(5), ms)});
  all.push_back({"MS maintenance 1 g/kg every 4 weeks after a tolerated infusion 28 days ago",
                 woman,
                 ordinary,
                 {},
                 {R"({"resourceType":"Immunization","id":"ig-prior","status":"completed","vaccineCode":)" +
                  concept_of("http://hl7.org/fhir/sid/cvx", "87", "IGIV") +
                  R"(,"patient":{"reference":"Patient/example"},"occurrenceDateTime":"2026-10-25T10:00:00Z"})"},
                 {R"({"resourceType":"MedicationRequest","id":"ivig-regimen","status":"active","intent":"order",)"
                  R"("medicationCodeableConcept":)" +
                  privigen() + R"(,"subject":{"reference":"Patient/example"},"authoredOn":"2026-10-20",)" +
                  R"("dosageInstruction":[{)" + every_weeks(4) + "}]}"},
                 order(privigen(), 1, 70, 0.5, 8, every_weeks(4), ms)});
  all.push_back({"CIDP induction 2 g/kg over 5 days, man 80 kg, 180 cm",
                 patient("example", "male", "1970-02-01"),
                 {body_weight(80), body_height(180), serum_creatinine(1.0), egfr(85), normal_iga()},
                 {},
                 {},
                 {},
                 order(privigen(), 0.4, 32, 0.5, 8, daily(5), cidp)});
  all.push_back({"Chronic ITP 1 g/kg/day × 2, woman 60 kg, 168 cm",
                 patient("example", "female", "1979-07-21"),
                 {body_weight(60), body_height(168), serum_creatinine(0.7), egfr(100), normal_iga()},
                 {},
                 {},
                 {},
                 order(privigen(), 1, 60, 0.5, 4, daily(2), itp)});
  all.push_back({"Kawasaki disease 2 g/kg once, child 4 y, 16 kg, 104 cm",
                 patient("example", "male", "2022-06-01"),
                 {body_weight(16), body_height(104), serum_creatinine(0.3), normal_iga()},
                 {},
                 {},
                 {},
                 order(privigen(), 2, 32, 0.5, 4, daily(1), kawasaki)});
  all.push_back({"Obese adult, MS 1 g/kg monthly on adjusted weight, 120 kg, 170 cm (BMI 41.5)",
                 patient("example", "female", "1984-01-15"),
                 {body_weight(120), body_height(170), serum_creatinine(0.8), egfr(95), normal_iga()},
                 {},
                 {},
                 {},
                 order(privigen(), 1, 85, 0.5, 4, every_weeks(4), ms)});
  all.push_back({"Elderly diabetic with CKD, 75 y, Octagam 10% 0.4 g/kg × 5, 70 kg, eGFR 45",
                 patient("example", "male", "1951-03-03"),
                 {body_weight(70), body_height(172), serum_creatinine(1.6), egfr(45), normal_iga()},
                 {condition("dm", concept_of(snomed, "44054006", "Diabetes mellitus type 2")),
                  condition("ckd", concept_of(snomed, "433144002", "Chronic kidney disease stage 3"))},
                 {},
                 {},
                 order(octagam_10(), 0.4, 28, 1, 3.3, daily(5), cidp)});
  return all;
}

/// "critical: R4 · warning: R8+R13, R10 · info: R19, worksheet, not completed (R12)".
std::string cards_by_severity(const rapidjson::Document& doc) {
  std::map<std::string, std::vector<std::string>> by;
  for (const auto& card : doc["cards"].GetArray()) {
    std::string rules;
    for (const auto& id : card["extension"]["ivig-cds"]["rules"].GetArray())
      rules += (rules.empty() ? "" : "+") + std::string(id.GetString());
    const std::string source = card["source"]["label"].GetString();
    std::string entry = rules;
    if (source.find("worksheet") != std::string::npos) entry = "worksheet";
    if (source.find("completeness") != std::string::npos) entry = "not completed (" + rules + ")";
    by[card["indicator"].GetString()].push_back(entry);
  }
  auto list = [&](const std::string& level) {
    std::string out;
    for (const std::string& e : by[level]) out += (out.empty() ? "" : ", ") + e;
    return out.empty() ? std::string("—") : out;
  };
  return list("critical") + " | " + list("warning") + " | " + list("info");
}

std::string burden_table(running_service& server) {
  std::string table = "| scenario | hook | critical | warning | info |\n|---|---|---|---|---|\n";
  for (const standard_scenario& s : standard_scenarios()) {
    for (const std::string hook : {"order-select", "order-sign"}) {
      hook_request r = hook == "order-select" ? order_select_with(s.order, "ivig-1") : order_sign_with({s.order});
      r.prefetch["patient"] = s.patient;
      set_prefetch(r, "observations", s.observations);
      set_prefetch(r, "conditions", s.conditions);
      set_prefetch(r, "immunizations", s.immunizations);
      set_prefetch(r, "medications", s.medications);
      const http_result result =
          server.post(hook == "order-select" ? "ivig-order-select" : "ivig-order-sign", r.json());
      EXPECT_EQ(result.status, 200u) << s.name << " " << hook << ": " << result.body;
      table += "| " + s.name + " | " + hook + " | " + cards_by_severity(parse(result.body)) + " |\n";
    }
  }
  return table;
}

}  // namespace

TEST_F(Scenario, AlertBurdenOfTheStandardScenariosIsTheDocumentedTable) {
  const std::filesystem::path doc = source_dir() / "docs" / "alert-burden.md";
  const std::string text = read_file(doc);
  const auto begin = text.find(begin_marker);
  const auto end = text.find(end_marker);
  ASSERT_NE(begin, std::string::npos) << doc << " lacks the begin marker";
  ASSERT_NE(end, std::string::npos) << doc << " lacks the end marker";
  const std::size_t inner = begin + std::string(begin_marker).size() + 1;
  const std::string documented = text.substr(inner, end - inner);
  const std::string measured = burden_table(server());
  const char* update = std::getenv("IVIG_UPDATE_GOLDEN");
  if (update != nullptr && std::string_view(update) == "1") {
    write_file(doc, text.substr(0, inner) + measured + text.substr(end));
    return;
  }
  EXPECT_EQ(measured, documented) << "a standard scenario's cards changed: review them, then rewrite the table in "
                                  << doc << " with IVIG_UPDATE_GOLDEN=1";
}
