// tests/unit/rules/label_knowledge_test.cpp: the product facts issue 10 corrected against the labels,
// each read back from the knowledge with its evidence and citation, and the checks that use them:
// the labelled dose for the order's indication (R15, R16) and an excipient the label does not confirm.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>

#include "rules/engine/engine.hpp"
#include "rules/engine/infusion_plan.hpp"
#include "rules/engine/number_format.hpp"
#include "tests/support/fhir_builders.hpp"
#include "tests/support/rule_harness.hpp"
#include "tests/support/test_support.hpp"

using namespace ivig::test;
using ivig::rules::evidence_level;
using ivig::rules::product;

namespace {

const product& product_named(const ivig::rules::knowledge& kb, const std::string& id) {
  const auto it = std::find_if(kb.products.begin(), kb.products.end(), [&](const product& p) { return p.id == id; });
  if (it == kb.products.end()) throw std::runtime_error("no product " + id);
  return *it;
}

bool cites(const std::vector<const ivig::rules::source*>& sources, const std::string& id) {
  return std::any_of(sources.begin(), sources.end(), [&](const auto* s) { return s->id == id; });
}

const std::string gammagard_sd = concept_of(rxnorm, "1809730", "Gammagard S/D");
const std::string kawasaki = concept_of(icd10cm, "M30.3", "Mucocutaneous lymph node syndrome [Kawasaki]");
const std::string itp = concept_of(icd10cm, "D69.3", "Immune thrombocytopenic purpura");
const std::string gbs = concept_of(icd10cm, "G61.0", "Guillain-Barre syndrome");
const std::string ms = concept_of(snomed, "426373005", "Relapsing remitting multiple sclerosis");

}  // namespace

// --- product facts corrected against the labels (old → new in docs/research/product-labels-*.md) ---

TEST(LabelFacts, Gammaplex5SorbitolAndIgaAreTheSmpcsAndConfirmed) {
  const auto kb = embedded_knowledge();
  const product& p = product_named(*kb, "gammaplex-5");
  const ivig::rules::excipient* sorbitol = p.find_excipient("sorbitol");
  ASSERT_NE(sorbitol, nullptr);
  EXPECT_EQ(sorbitol->evidence, evidence_level::confirmed);  // was [U] "believed"
  ASSERT_TRUE(sorbitol->mg_per_ml);
  EXPECT_DOUBLE_EQ(*sorbitol->mg_per_ml, 50);
  EXPECT_TRUE(cites(sorbitol->sources, "L-B-GPLX5-SMPC"));
  ASSERT_TRUE(p.iga);
  EXPECT_EQ(p.iga->describe(), "< 10 µg/mL");
  EXPECT_EQ(p.iga->evidence, evidence_level::confirmed);
}

TEST(LabelFacts, PanzygaIgaIsTheUsAverageNotTheEuMaximum) {
  const auto kb = embedded_knowledge();
  const product& p = product_named(*kb, "panzyga");
  ASSERT_TRUE(p.iga);
  EXPECT_EQ(p.iga->describe(), "average 100 µg/mL");  // was "≤ 300 µg/mL" [S] (EU)
  EXPECT_EQ(p.iga->evidence, evidence_level::confirmed);
  EXPECT_TRUE(cites(p.iga->sources, "L-B-PANZ-RXR-PREC"));
}

TEST(LabelFacts, GamunexCAndGammakedIgaAreOnFile) {
  const auto kb = embedded_knowledge();
  for (const std::string id : {"gamunex-c", "gammaked"}) {
    const product& p = product_named(*kb, id);
    ASSERT_TRUE(p.iga) << id;  // was missing
    EXPECT_EQ(p.iga->describe(), "average 46 µg/mL") << id;
  }
  EXPECT_EQ(product_named(*kb, "gamunex-c").iga->evidence, evidence_level::confirmed);
  EXPECT_EQ(product_named(*kb, "gammaked").iga->evidence, evidence_level::secondary);
}

TEST(LabelFacts, BivigamAtRiskCapIsLocalPolicyBecauseItsLabelSaysMinimumPracticableRate) {
  const auto kb = embedded_knowledge();
  const product& p = product_named(*kb, "bivigam");
  ASSERT_TRUE(p.at_risk_max_rate);
  EXPECT_DOUBLE_EQ(p.at_risk_max_rate->value, 2);
  EXPECT_EQ(p.at_risk_max_rate->evidence, evidence_level::unconfirmed);  // was [S]
}

TEST(LabelFacts, GammagardLiquidErcIsItsOwnProductWithItsNdc) {
  const auto kb = embedded_knowledge();
  const product& erc = product_named(*kb, "gammagard-liquid-erc");
  ASSERT_NE(erc.specific_identifier(), nullptr);
  EXPECT_EQ(erc.specific_identifier()->code, "0944-2705");
  const product& liquid = product_named(*kb, "gammagard-liquid");
  EXPECT_TRUE(std::none_of(liquid.identifiers.begin(), liquid.identifiers.end(),
                           [](const auto& id) { return id.code == "0944-2705"; }));
}

TEST(LabelFacts, GammagardSdGlucoseIsConfirmedWithItsAmount) {
  const auto kb = embedded_knowledge();
  const ivig::rules::excipient* glucose = product_named(*kb, "gammagard-sd").find_excipient("glucose");
  ASSERT_NE(glucose, nullptr);
  EXPECT_EQ(glucose->evidence, evidence_level::confirmed);  // was [U]
}

TEST(LabelFacts, EveryProductRowNamesTheLabelItWasCheckedAgainstOrSaysItWasNot) {
  const auto kb = embedded_knowledge();
  for (const product& p : kb->products) {
    ASSERT_TRUE(p.label) << p.id;
    EXPECT_FALSE(p.label->title.empty()) << p.id;
    if (p.label->evidence != evidence_level::unconfirmed) {
      EXPECT_FALSE(p.label->sources.empty()) << p.id;
    }
  }
}

TEST(LabelFacts, TitrationStepsRiseAndOnlyTheLastRunsToTheEnd) {
  const auto kb = embedded_knowledge();
  const ivig::rules::titration_schedule* t = product_named(*kb, "octagam-10").titration_for("ITP");
  ASSERT_NE(t, nullptr);
  ASSERT_GE(t->steps.size(), 2U);
  EXPECT_DOUBLE_EQ(t->steps.front().mg_per_kg_min, 1);
  EXPECT_DOUBLE_EQ(t->steps.back().mg_per_kg_min, 12);
  EXPECT_FALSE(t->steps.back().minutes);
}

// --- the labelled dose for the order's indication ----------------------------------------------------

TEST(IndicationDoses, ChronicItpOnPrivigenAtOneGramPerKgOnTwoDaysIsItsLabelAndQuiet) {
  rule_harness h = ordinary_adult();
  h.order(ivig_order_for(privigen(), itp, 1, 70, 2)).evaluate();
  EXPECT_EQ(h.findings(), std::vector<std::string>{"warning R20"});  // haemoglobin at 2 g/kg, not a dose card
}

TEST(IndicationDoses, KawasakiOnGammagardSdAboveItsLabelledOneGramPerKgIsAWarningQuotingTheLabel) {
  rule_harness h = ordinary_adult();
  h.order(ivig_order_for(gammagard_sd, kawasaki, 2, 140)).evaluate();
  const ivig::rules::finding* r15 = h.finding_of("R15");
  ASSERT_NE(r15, nullptr);
  EXPECT_EQ(r15->level, ivig::rules::severity::warning);
  EXPECT_EQ(r15->summary, "IVIg dose 2 g/kg/day exceeds 1 g/kg/day, Gammagard S/D's labelled dose for Kawasaki");
  ASSERT_FALSE(r15->evidence.empty());
  EXPECT_EQ(r15->evidence.front().rfind("Label (US) for Kawasaki: Single 1g/kg or 400 mg/kg for 4 consecutive days", 0),
            0U)
      << r15->evidence.front();
}

TEST(IndicationDoses, GammagardSdForItpMayGiveThreeGramsPerKgButNotMore) {
  // "1g/kg Maximal 3 doses on alternate days": the 3 g/kg course is labelled; a fourth dose is beyond
  // every labelled course.
  auto on_alternate_days = [](int doses) {
    std::string order = ivig_order_for(gammagard_sd, itp, 1, 70, doses);
    const std::string daily = R"("period":1,"periodUnit":"d")";
    return order.replace(order.find(daily), daily.size(), R"("period":2,"periodUnit":"d")");
  };
  auto r16 = [&](int doses) {
    rule_harness h = ordinary_adult();
    h.order(on_alternate_days(doses)).evaluate();
    std::vector<std::string> found;
    for (const std::string& f : h.findings())
      if (f.find("R16") != std::string::npos) found.push_back(f);
    return found;
  };
  EXPECT_EQ(r16(3), std::vector<std::string>{});
  EXPECT_EQ(r16(4), std::vector<std::string>{"critical R16"});
}

TEST(IndicationDoses, AnIndicationTheProductHasNoLabelledDoseForKeepsTheLocalLimit) {
  for (const std::string& reason : {gbs, ms}) {
    rule_harness h = ordinary_adult();
    h.order(ivig_order_for(privigen(), reason, 2, 140)).evaluate();
    const ivig::rules::finding* r15 = h.finding_of("R15");
    ASSERT_NE(r15, nullptr);
    EXPECT_EQ(r15->summary, "IVIg dose 2 g/kg/day exceeds 1 g/kg/day, the local daily limit");
  }
}

TEST(IndicationDoses, ACourseAboveTheIndicationsLabelledCourseIsAWarningNamingIt) {
  rule_harness h = ordinary_adult();
  h.order(ivig_order_for(privigen(), itp, 0.5, 35, 5)).evaluate();  // 2.5 g/kg over 5 days
  const ivig::rules::finding* r16 = h.finding_of("R16");
  ASSERT_NE(r16, nullptr);
  EXPECT_EQ(r16->summary, "IVIg course 2.5 g/kg over 5 days exceeds 2 g/kg, Privigen's labelled dose for ITP");
}

// --- an excipient the label does not confirm ---------------------------------------------------------

TEST(ExcipientEvidence, AnUnconfirmedSorbitolIsAWarningThatSaysSoNotACriticalCard) {
  const auto site = embedded_knowledge_edited("products.json", [](rapidjson::Document& d) {
    for (auto& p : d["products"].GetArray())
      if (std::string(p["id"].GetString()) == "gammaplex-5")
        for (auto& e : p["excipients"].GetArray())
          if (std::string(e["substance"].GetString()) == "sorbitol") e["evidence"].SetString("U");
  });
  ASSERT_NE(site, nullptr);
  rule_harness h = ordinary_adult_on(site);
  h.with(condition("c1", concept_of(snomed, "20052008", "Hereditary fructose intolerance")))
      .order(ivig_order_for(concept_of(rxnorm, "1809511", "100 ML Gammaplex 5% Injection"), itp, 0.4, 28))
      .evaluate();
  const ivig::rules::finding* r5 = h.finding_of("R5");
  ASSERT_NE(r5, nullptr);
  EXPECT_EQ(r5->level, ivig::rules::severity::warning);
  EXPECT_EQ(r5->summary,
            "Gammaplex 5% may contain sorbitol (unconfirmed): check it before use with hereditary fructose "
            "intolerance");
}

TEST(IndicationDoses, PostpartumRelapsePreventionInMsIsItsOwnOffLabelIndication) {
  const std::string postpartum = R"({"text":"Relapsing multiple sclerosis: postpartum relapse prevention"})";
  rule_harness h = ordinary_adult();
  h.order(ivig_order_for(privigen(), postpartum, 0.9, 63)).evaluate();
  EXPECT_EQ(h.facts().indication, "MS-postpartum");
  EXPECT_TRUE(h.facts().rates.maximum_is_conservative);
  EXPECT_EQ(h.facts().rates.maximum_basis,
            "the most conservative labelled maximum (ITP): Privigen is not labelled for MS-postpartum");
  EXPECT_TRUE(h.facts().indication_doses.empty());

  rule_harness plain_ms = ordinary_adult();
  plain_ms.order(ivig_order_for(privigen(), ms, 0.9, 63)).evaluate();
  EXPECT_EQ(plain_ms.facts().indication, "MS");
  rule_harness postpartum_alone = ordinary_adult();  // "postpartum" without a relapse is not MS
  postpartum_alone.order(ivig_order_for(privigen(), R"({"text":"Postpartum state"})", 0.4, 28)).evaluate();
  EXPECT_EQ(postpartum_alone.facts().indication, "");
}

// --- the infusion plan: the label's steps in mL/h, held to the ceiling ------------------------------

TEST(InfusionPlan, StepsAreHeldToTheCeilingAndTheRestRunsThereUntilTheDoseIsIn) {
  const auto kb = embedded_knowledge();
  const product& octagam = product_named(*kb, "octagam-10");
  // 700 mL on 70 kg: 1, 2 mg/kg/min for 30 min each, then held at 3.3 until done.
  const auto plan = ivig::rules::plan_infusion(octagam, "ITP", 100, 70, 700, 3.3, "cap");
  ASSERT_TRUE(plan);
  ASSERT_EQ(plan->steps.size(), 3u);
  EXPECT_DOUBLE_EQ(plan->steps[0].ml_per_hour, 42);
  EXPECT_DOUBLE_EQ(plan->steps[1].ml_per_hour, 84);
  EXPECT_TRUE(plan->steps[2].held);
  EXPECT_DOUBLE_EQ(plan->steps[2].mg_per_kg_min, 3.3);
  const double ml_at_cap = 700 - 21 - 42;
  EXPECT_NEAR(plan->steps[2].minutes, ml_at_cap / (3.3 * 70 * 60 / 100) * 60, 1e-9);
  EXPECT_NEAR(plan->total_minutes, 60 + plan->steps[2].minutes, 1e-9);
}

TEST(InfusionPlan, ASmallDoseEndsWithinTheFirstStep) {
  const auto kb = embedded_knowledge();
  const auto plan = ivig::rules::plan_infusion(product_named(*kb, "octagam-10"), "ITP", 100, 70, 10, 12, "max");
  ASSERT_TRUE(plan);
  ASSERT_EQ(plan->steps.size(), 1u);
  EXPECT_NEAR(plan->total_minutes, 10.0 / 42 * 60, 1e-9);
}

TEST(InfusionPlan, ThePerDoseLoadMultipliesTheLabelledAmountsByTheVolume) {
  const auto kb = embedded_knowledge();
  const std::vector<std::string> load = ivig::rules::dose_load(product_named(*kb, "flebogamma-5-dif"), 700);
  EXPECT_NE(std::find(load.begin(), load.end(), "sorbitol: 50 mg/mL → 35.0 g per dose [C]"), load.end())
      << ::testing::PrintToString(load);
}

TEST(LabelFacts, BivigamsUnlabelledAtRiskCapIsSaidToBeLocalPolicyOnR13sCard) {
  const std::string bivigam_at_3 =
      R"x({"resourceType":"MedicationRequest","id":"ivig-1","status":"draft","intent":"order","medicationCodeableConcept":)x" +
      concept_of(rxnorm, "1364424", "Bivigam") + R"x(,"subject":{"reference":"Patient/example"},"reasonCode":[)x" +
      concept_of(icd10cm, "D83.9", "Common variable immunodeficiency, unspecified") +
      R"x(],"dosageInstruction":[{"route":)x" + concept_of(snomed, "47625008", "Intravenous route") +
      R"x(,"doseAndRate":[{"doseQuantity":{"value":0.4,"unit":"g/kg","system":"http://unitsofmeasure.org","code":"g/kg"},)x"
      R"x("rateQuantity":{"value":3,"unit":"mg/(kg.min)","system":"http://unitsofmeasure.org","code":"mg/(kg.min)"}}]}]})x";
  rule_harness h = ordinary_adult();
  h.with(condition("ckd", concept_of(icd10cm, "N18.3", "Chronic kidney disease, stage 3"))).order(bivigam_at_3).evaluate();
  const ivig::rules::finding* r13 = h.finding_of("R13");
  ASSERT_NE(r13, nullptr);
  EXPECT_EQ(r13->summary, "Rate 3 mg/kg/min exceeds the 2 mg/kg/min cap for patients at renal or thrombosis risk");
  ASSERT_FALSE(r13->policy_notes.empty());
  EXPECT_EQ(r13->policy_notes.back().rfind("Bivigam's cap of 2 mg/kg/min at renal or thrombosis risk is local policy [U], "
                                           "not a labelled figure: label: minimum practicable rate",
                                           0),
            0u)
      << r13->policy_notes.back();
}

// Every product fact the label check of 2026-11-30 added or changed (old → new in the closing note of
// issue 10 and docs/research/product-labels-*.md), read back from the knowledge with its evidence.
namespace {

std::string marker_of(evidence_level level) {
  return std::string(ivig::rules::evidence_marker(level));
}

std::string fact_of(const product& p, const std::string& field) {
  const auto number = [](double v) { return ivig::rules::format_trimmed(v, 2); };
  if (field == "concentration" && p.concentration_mg_per_ml)
    return number(p.concentration_mg_per_ml->value) + " mg/mL " + marker_of(p.concentration_mg_per_ml->evidence);
  if (field == "iga" && p.iga) return p.iga->describe() + " " + marker_of(p.iga->evidence);
  if (field == "sodium" && p.sodium) return p.sodium->describe() + " " + marker_of(p.sodium->evidence);
  if (field == "osmolality" && p.osmolality) return p.osmolality->describe() + " " + marker_of(p.osmolality->evidence);
  if (field == "initialRate" && p.initial_rate)
    return number(p.initial_rate->value) + " " + marker_of(p.initial_rate->evidence);
  if (field == "atRiskMaxRate" && p.at_risk_max_rate)
    return number(p.at_risk_max_rate->value) + " " + marker_of(p.at_risk_max_rate->evidence);
  if (field == "vialSizes" && p.vial_sizes_g_evidence) {
    std::string sizes;
    for (double g : p.vial_sizes_g) sizes += (sizes.empty() ? "" : ",") + number(g);
    return sizes + " " + marker_of(p.vial_sizes_g_evidence->evidence);
  }
  if (field == "labeler") return p.labeler;
  if (field.rfind("maxRate:", 0) == 0)
    for (const auto& r : p.max_rates)
      if (r.indication == field.substr(8)) return number(r.rate.value) + " " + marker_of(r.rate.evidence);
  if (field.rfind("excipient:", 0) == 0)
    if (const ivig::rules::excipient* e = p.find_excipient(field.substr(10)))
      return (e->mg_per_ml ? number(*e->mg_per_ml) + " mg/mL " : std::string()) + marker_of(e->evidence);
  return "missing";
}

}  // namespace

TEST(LabelFacts, EveryFactTheLabelCheckChangedIsInTheKnowledgeWithItsEvidence) {
  const auto kb = embedded_knowledge();
  const std::vector<std::array<std::string, 3>> expected{{
      {"gammagard-liquid", "sodium", "trace [C]"},
      {"gammagard-liquid", "osmolality", "up to 300 mOsm/kg [C]"},
      {"gammagard-liquid-erc", "iga", "≤ 2 µg/mL [S]"},
      {"gammagard-liquid-erc", "concentration", "100 mg/mL [S]"},
      {"gammagard-sd", "excipient:glucose", "17 mg/mL [C]"},
      {"gammagard-sd", "sodium", "average 154 mmol/L [C]"},
      {"gamunex-c", "concentration", "100 mg/mL [C]"},
      {"gamunex-c", "iga", "average 46 µg/mL [C]"},
      {"gamunex-c", "osmolality", "average 258 mOsm/kg [C]"},
      {"gamunex-c", "sodium", "trace [S]"},
      {"gamunex-c", "excipient:glycine", "[C]"},
      {"gammaked", "iga", "average 46 µg/mL [S]"},
      {"privigen", "sodium", "≤ 1 mmol/L [C]"},
      {"privigen", "osmolality", "average 320 mOsm/kg [C]"},
      {"octagam-5", "maxRate:all", "3.33 [C]"},
      {"octagam-5", "sodium", "< 30 mmol/L [S]"},
      {"octagam-5", "osmolality", "up to 380 mOsm/kg [S]"},
      {"octagam-10", "iga", "average 106 µg/mL [S]"},
      {"octagam-10", "maxRate:DM", "4 [C]"},
      {"octagam-10", "sodium", "< 30 mmol/L [S]"},
      {"flebogamma-5-dif", "excipient:sorbitol", "50 mg/mL [C]"},
      {"flebogamma-5-dif", "osmolality", "up to 370 mOsm/kg [C]"},
      {"flebogamma-5-dif", "initialRate", "0.5 [S]"},
      {"flebogamma-5-dif", "maxRate:all", "5 [S]"},
      {"flebogamma-10-dif", "initialRate", "1 [C]"},
      {"flebogamma-10-dif", "maxRate:PI", "8 [C]"},
      {"flebogamma-10-dif", "maxRate:ITP", "8 [C]"},
      {"gammaplex-5", "excipient:sorbitol", "50 mg/mL [C]"},
      {"gammaplex-5", "iga", "< 10 µg/mL [C]"},
      {"gammaplex-5", "sodium", "≤ 1.29 mg/mL [C]"},
      {"gammaplex-5", "vialSizes", "2.5,5,10,20 [C]"},
      {"gammaplex-10", "excipient:glycine", "[C]"},
      {"gammaplex-10", "excipient:polysorbate-80", "[C]"},
      {"gammaplex-10", "sodium", "< 30 mmol/L [C]"},
      {"gammaplex-10", "osmolality", "average 280 mOsm/kg [C]"},
      {"bivigam", "atRiskMaxRate", "2 [U]"},
      {"panzyga", "iga", "average 100 µg/mL [C]"},
      {"panzyga", "vialSizes", "1,2.5,5,10,20,30 [C]"},
      {"asceniv", "labeler", "ADMA Biologics"},
      {"yimmugo", "vialSizes", "5,10,20 [C]"},
      {"yimmugo", "osmolality", "up to 380 mOsm/kg [C]"},
      {"qivigy", "concentration", "100 mg/mL [C]"},
      {"qivigy", "labeler", "Kedrion"},
  }};
  for (const auto& [id, field, value] : expected)
    EXPECT_EQ(fact_of(product_named(*kb, id), field), value) << id << " " << field;
}
