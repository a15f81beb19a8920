// tests/unit/rules/interaction_rules_test.cpp: the issue 10 checks in-process, each in and out: R31
// (FcRn blockers, plasma exchange), R32 (a prior serious IVIg reaction, and how it meets R1), the
// migraine line of R30, sorbitol for a child whose fructose intolerance may be undiagnosed (R5), and
// the drugs R8 counts by RxNorm code and name (loop diuretics only with volume depletion, local forms
// not at all). The scenario clock is 2026-11-22T12:00:00Z.
#include <gtest/gtest.h>

#include <algorithm>

#include "rules/engine/engine.hpp"
#include "tests/support/fhir_builders.hpp"
#include "tests/support/rule_harness.hpp"
#include "tests/support/test_support.hpp"

using namespace ivig::test;
using ivig::rules::hook_stage;
using ivig::rules::severity;

namespace {

const std::string immune_globulin = concept_of(rxnorm, "5666", "immunoglobulin G");
const std::string efgartigimod = concept_of(rxnorm, "2587717", "efgartigimod alfa");
const std::string plasmapheresis =
    concept_of("http://www.ama-assn.org/go/cpt", "36514", "Therapeutic apheresis; for plasma pheresis");

/// A MedicationRequest of `medication` (a CodeableConcept) with `status`, authored on `authored`.
std::string med_order(const std::string& id, const std::string& medication, const std::string& status = "active",
                      const std::string& authored = "2026-11-01", const std::string& extra = {}) {
  return R"({"resourceType":"MedicationRequest","id":")" + id + R"(","status":")" + status +
         R"(","intent":"order","medicationCodeableConcept":)" + medication +
         R"(,"subject":{"reference":"Patient/example"},"authoredOn":")" + authored + "\"" + extra + "}";
}

std::string text_concept(const std::string& text) {
  return R"({"text":)" + json_string(text) + "}";
}

std::string procedure(const std::string& id, const std::string& code, const std::string& status,
                      const std::string& performed_members) {
  return R"({"resourceType":"Procedure","id":")" + id + R"(","status":")" + status + R"(","code":)" + code +
         R"(,"subject":{"reference":"Patient/example"})" + (performed_members.empty() ? "" : "," + performed_members) +
         "}";
}

std::string service_request(const std::string& id, const std::string& code, const std::string& status = "draft") {
  return R"({"resourceType":"ServiceRequest","id":")" + id + R"(","status":")" + status +
         R"(","intent":"order","code":)" + code + R"(,"subject":{"reference":"Patient/example"}})";
}

std::vector<std::string> evidence_of(const rule_harness& h, const std::string& rule) {
  const ivig::rules::finding* f = h.finding_of(rule);
  return f == nullptr ? std::vector<std::string>{} : f->evidence;
}

}  // namespace

// --- R31: a treatment that removes or lowers IVIg ----------------------------------------------

TEST(R31FcrnBlocker, AnActiveOrderByRxNormIngredientIsAWarningNamingTheDrugAndDate) {
  rule_harness h = ordinary_adult();
  h.with(med_order("vyvgart", efgartigimod)).order(medication_request("ivig-1", privigen())).evaluate();
  EXPECT_EQ(h.findings(), std::vector<std::string>{"warning R31"});
  const ivig::rules::finding* f = h.finding_of("R31");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->summary, "FcRn blocker with IVIg: lowers the IVIg's exposure and effect: monitor for a reduced effect");
  EXPECT_EQ(f->evidence, (std::vector<std::string>{"FcRn blocker: efgartigimod alfa (RxNorm 2587717) (active order "
                                                   "MedicationRequest/vyvgart, authored 2026-11-01)"}));
  EXPECT_EQ(
      f->explanation.rfind("The FcRn-blocker labels (interaction text [S]): \"Coadministration of efgartigimod", 0),
      0u);
  EXPECT_EQ(f->policy_notes, std::vector<std::string>{});  // an active order needs no window
}

TEST(R31FcrnBlocker, AnOrderOfThisSessionByBrandNameCounts) {
  rule_harness h = ordinary_adult();
  h.order(medication_request("ivig-1", privigen()))
      .also_ordered(med_order("rystiggo", text_concept("Rystiggo 140 mg/mL subcutaneous"), "draft"))
      .evaluate();
  EXPECT_EQ(h.findings(), std::vector<std::string>{"warning R31"});
  EXPECT_EQ(evidence_of(h, "R31"), (std::vector<std::string>{"FcRn blocker: \xE2\x80\x9C"
                                                             "Rystiggo 140 mg/mL "
                                                             "subcutaneous\xE2\x80\x9D (matched by text) (ordered "
                                                             "now, MedicationRequest/rystiggo)"}));
}

TEST(R31FcrnBlocker, ACompletedOrderCountsFor56DaysAsLocalPolicyNotOn57) {
  rule_harness in = ordinary_adult();
  in.with(med_order("vyvgart", efgartigimod, "completed", "2026-09-27"))  // 56 days before the clock
      .order(medication_request("ivig-1", privigen()))
      .evaluate();
  EXPECT_EQ(in.findings(), std::vector<std::string>{"warning R31"});
  ASSERT_NE(in.finding_of("R31"), nullptr);
  EXPECT_EQ(in.finding_of("R31")->policy_notes.size(), 1u);
  EXPECT_NE(in.finding_of("R31")->policy_notes[0].find("[U]"), std::string::npos);

  rule_harness out = ordinary_adult();
  out.with(med_order("vyvgart", efgartigimod, "completed", "2026-09-26"))  // 57 days
      .order(medication_request("ivig-1", privigen()))
      .evaluate();
  EXPECT_EQ(out.findings(), std::vector<std::string>{});
}

TEST(R31FcrnBlocker, ADoseGivenWithinTheWindowCountsAndAnOlderOneDoesNot) {
  auto given = [](const std::string& date) {
    return R"({"resourceType":"MedicationAdministration","id":"vyvgart-cycle","status":"completed",)"
           R"("medicationCodeableConcept":)" +
           efgartigimod + R"(,"subject":{"reference":"Patient/example"},"effectiveDateTime":")" + date + R"("})";
  };
  rule_harness in = ordinary_adult();
  in.with(given("2026-11-08T10:00:00Z")).order(medication_request("ivig-1", privigen())).evaluate();
  ASSERT_NE(in.finding_of("R31"), nullptr);
  EXPECT_EQ(in.finding_of("R31")->evidence,
            std::vector<std::string>{"FcRn blocker: efgartigimod alfa (RxNorm 2587717) (given 2026-11-08, 14 days ago, "
                                     "MedicationAdministration/vyvgart-cycle)"});

  rule_harness out = ordinary_adult();
  out.with(given("2026-09-26T10:00:00Z")).order(medication_request("ivig-1", privigen())).evaluate();  // 57 days
  EXPECT_EQ(out.findings(), std::vector<std::string>{});
}

TEST(R31PlasmaExchange, AServiceRequestOfThisSessionIsAWarningWithTheExchangeAdvice) {
  rule_harness h = ordinary_adult();
  h.order(medication_request("ivig-1", privigen())).also_ordered(service_request("plex", plasmapheresis)).evaluate();
  EXPECT_EQ(h.findings(), std::vector<std::string>{"warning R31"});
  const ivig::rules::finding* f = h.finding_of("R31");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->summary, "Plasma exchange with IVIg: removes infused IVIg: give the IVIg after the exchanges");
  EXPECT_EQ(f->evidence, (std::vector<std::string>{"Plasma exchange: Therapeutic apheresis; for plasma pheresis "
                                                   "(CPT 36514) (ordered now, ServiceRequest/plex)"}));
  EXPECT_EQ(f->explanation.rfind("Plasma exchange removes circulating IgG", 0), 0u);
}

TEST(R31PlasmaExchange, AProcedure14DaysAgoCountsOne15DaysAgoDoesNot) {
  rule_harness in = ordinary_adult();
  in.with(procedure("p1", plasmapheresis, "completed", R"("performedDateTime":"2026-11-08T10:00:00Z")"))
      .order(medication_request("ivig-1", privigen()))
      .evaluate();
  EXPECT_EQ(in.findings(), std::vector<std::string>{"warning R31"});
  EXPECT_EQ(evidence_of(in, "R31"), (std::vector<std::string>{"Plasma exchange: Therapeutic apheresis; for plasma "
                                                              "pheresis (CPT 36514) (Procedure/p1, completed, "
                                                              "2026-11-08)"}));

  rule_harness out = ordinary_adult();
  out.with(procedure("p1", plasmapheresis, "completed", R"("performedDateTime":"2026-11-07T10:00:00Z")"))
      .order(medication_request("ivig-1", privigen()))
      .evaluate();
  EXPECT_EQ(out.findings(), std::vector<std::string>{});
}

TEST(R31PlasmaExchange, ACourseInProgressCountsFromItsPeriodStartWhateverItsAge) {
  rule_harness h = ordinary_adult();
  h.with(procedure("p1", text_concept("Therapeutic plasma exchange course"), "in-progress",
                   R"("performedPeriod":{"start":"2026-10-01"})"))
      .order(medication_request("ivig-1", privigen()))
      .evaluate();
  EXPECT_EQ(h.findings(), std::vector<std::string>{"warning R31"});
  EXPECT_EQ(h.finding_of("R31")->policy_notes, std::vector<std::string>{});
}

TEST(R31PlasmaExchange, NotDoneEnteredInErrorAndThePlexAbbreviationAreQuiet) {
  rule_harness h = ordinary_adult();
  h.with(procedure("p1", plasmapheresis, "not-done", R"("performedDateTime":"2026-11-20")"))
      .with(procedure("p2", plasmapheresis, "entered-in-error", R"("performedDateTime":"2026-11-20")"))
      .with(procedure("p3", text_concept("PLEX"), "completed", R"("performedDateTime":"2026-11-20")"))
      .order(medication_request("ivig-1", privigen()))
      .also_ordered(service_request("plex", plasmapheresis, "revoked"))
      .evaluate();
  EXPECT_EQ(h.findings(), std::vector<std::string>{});
  EXPECT_EQ(h.incomplete_rules(), std::vector<std::string>{});
}

TEST(R31, BothTreatmentsMakeOneCardWithBothAdvices) {
  rule_harness h = ordinary_adult();
  h.with(med_order("vyvgart", efgartigimod))
      .order(medication_request("ivig-1", privigen()))
      .also_ordered(service_request("plex", plasmapheresis))
      .evaluate();
  EXPECT_EQ(h.findings(), std::vector<std::string>{"warning R31"});
  const ivig::rules::finding* f = h.finding_of("R31");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->summary,
            "FcRn blocker and plasma exchange with IVIg: both lower the IVIg's effect, see the advice for each");
  EXPECT_EQ(f->evidence.size(), 2u);
  EXPECT_NE(f->explanation.find("\n\nPlasma exchange removes circulating IgG"), std::string::npos);
}

TEST(R31, WithoutProceduresTheCheckIsListedAsNotCompleted) {
  rule_harness h = ordinary_adult();
  h.without("procedures").order(medication_request("ivig-1", privigen())).evaluate();
  EXPECT_EQ(h.findings(), std::vector<std::string>{});
  EXPECT_EQ(h.incomplete_rules(), std::vector<std::string>{"R31"});
}

// --- R32: a prior serious IVIg reaction ---------------------------------------------------------

TEST(R32PriorReaction, AResolvedAllergyWithAsepticMeningitisIsAWarningNamingTheEventAndItsPrecaution) {
  rule_harness h = ordinary_adult();
  h.with(allergy("a1", immune_globulin, {}, {}, concept_of(icd10cm, "G03.9", "Meningitis, unspecified"), "resolved"))
      .order(medication_request("ivig-1", privigen()))
      .evaluate();
  EXPECT_EQ(h.findings(), std::vector<std::string>{"warning R32"});  // R1 reads active allergies only
  const ivig::rules::finding* f = h.finding_of("R32");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->summary, "Prior serious reaction to immune globulin (Aseptic meningitis): take the label's precautions");
  ASSERT_EQ(f->evidence.size(), 2u);
  EXPECT_EQ(f->evidence[0],
            "Serious reaction to immune globulin: Allergy: immunoglobulin G (RxNorm 5666) (Meningitis, "
            "unspecified), recorded 2024-03-05");
  EXPECT_EQ(f->evidence[1].rfind("Aseptic meningitis, the label's precaution: \"AMS usually begins", 0), 0u);
  EXPECT_EQ(f->joins, std::vector<std::string>{"R1"});
}

TEST(R32PriorReaction, AnActiveAllergyWithHemolysisAlsoGivesR1sWarningWhichR32Joins) {
  rule_harness h = ordinary_adult();
  h.with(allergy("a1", immune_globulin, {}, {},
                 concept_of(icd10cm, "D59.2", "Drug-induced nonautoimmune hemolytic anemia")))
      .order(medication_request("ivig-1", privigen()))
      .evaluate();
  EXPECT_EQ(h.findings(), (std::vector<std::string>{"warning R1", "warning R32"}));
  ASSERT_NE(h.finding_of("R32"), nullptr);
  EXPECT_EQ(h.finding_of("R32")->summary,
            "Prior serious reaction to immune globulin (Hemolysis): take the label's precautions");
}

TEST(R32PriorReaction, AnaphylaxisIsR1sAlone) {
  rule_harness h = ordinary_adult();
  h.with(allergy("a1", immune_globulin, {}, "severe", concept_of(snomed, "39579001", "Anaphylaxis")))
      .order(medication_request("ivig-1", privigen()))
      .evaluate();
  EXPECT_EQ(h.findings(), std::vector<std::string>{"critical R1"});
}

TEST(R32PriorReaction, AnAdverseEffectConditionNamesTheEventFromItsNoteOrSaysItIsNotNamed) {
  const std::string t50 = concept_of(icd10cm, "T50.Z15A", "Adverse effect of immunoglobulin, initial encounter");
  rule_harness named = ordinary_adult();
  std::string with_note = condition("c1", t50, "resolved");
  with_note.insert(with_note.size() - 1, R"(,"note":[{"text":"Aseptic meningitis two days after IVIg"}])");
  named.with(with_note).order(medication_request("ivig-1", privigen())).evaluate();
  EXPECT_EQ(named.findings(), std::vector<std::string>{"warning R32"});
  ASSERT_NE(named.finding_of("R32"), nullptr);
  EXPECT_EQ(named.finding_of("R32")->summary,
            "Prior serious reaction to immune globulin (Aseptic meningitis): take the label's precautions");

  rule_harness unnamed = ordinary_adult();
  unnamed.with(condition("c1", t50, "resolved")).order(medication_request("ivig-1", privigen())).evaluate();
  ASSERT_NE(unnamed.finding_of("R32"), nullptr);
  EXPECT_EQ(unnamed.finding_of("R32")->summary,
            "Prior serious reaction to immune globulin (reaction not named): take the label's precautions");
  EXPECT_EQ(unnamed.finding_of("R32")->evidence[1].rfind("Reaction not named: The record does not say", 0), 0u);
}

TEST(R32PriorReaction, ADvtConditionOrAPenicillinReactionIsNotAnIvigReaction) {
  rule_harness h = ordinary_adult();
  h.with(condition("dvt", concept_of(snomed, "128053003", "Deep venous thrombosis")))
      .with(allergy("a1", concept_of(rxnorm, "7980", "Penicillin G"), {}, {},
                    concept_of(icd10cm, "D59.0", "Drug-induced autoimmune hemolytic anemia")))
      .order(medication_request("ivig-1", privigen()))
      .evaluate();
  EXPECT_EQ(h.findings(), std::vector<std::string>{"warning R10"});  // the thrombosis risk factor, not R32
}

TEST(ReactionValueSets, PartitionTheSeriousReactionSet) {
  const auto kb = embedded_knowledge();
  const auto* serious = kb->find_value_set("vs-ivig-serious-reactions");
  ASSERT_NE(serious, nullptr);
  std::vector<std::string> parts_codes, parts_terms, parts_prefixes;
  for (const char* id : {"vs-ivig-reaction-aseptic-meningitis", "vs-ivig-reaction-hemolysis", "vs-ivig-reaction-renal",
                         "vs-ivig-reaction-thrombosis", "vs-ivig-reaction-trali", "vs-ivig-adverse-effect"}) {
    const auto* part = kb->find_value_set(id);
    ASSERT_NE(part, nullptr) << id;
    for (const auto& c : part->codes) parts_codes.push_back(c.system + "|" + c.code);
    for (const auto& p : part->prefixes) parts_prefixes.push_back(p.system + "|" + p.prefix);
    parts_terms.insert(parts_terms.end(), part->text_terms.begin(), part->text_terms.end());
  }
  std::vector<std::string> codes, terms(serious->text_terms), prefixes;
  for (const auto& c : serious->codes) codes.push_back(c.system + "|" + c.code);
  for (const auto& p : serious->prefixes) prefixes.push_back(p.system + "|" + p.prefix);
  for (auto* list : {&codes, &terms, &prefixes, &parts_codes, &parts_terms, &parts_prefixes})
    std::sort(list->begin(), list->end());
  EXPECT_EQ(parts_codes, codes);  // each once: a sorted list with a duplicate would differ
  EXPECT_EQ(parts_terms, terms);
  EXPECT_EQ(parts_prefixes, prefixes);
}

// --- R30: migraine --------------------------------------------------------------------------------

TEST(R30Migraine, MigraineAddsOneCitedLineToTheRemindersAtSigning) {
  rule_harness h = ordinary_adult();
  h.with(condition("mig", concept_of(snomed, "37796009", "Migraine")))
      .order(medication_request("ivig-1", privigen()))
      .evaluate(hook_stage::sign);
  EXPECT_EQ(h.findings(), (std::vector<std::string>{"info R24", "info R28", "info R30"}));
  const ivig::rules::finding* f = h.finding_of("R30");
  ASSERT_NE(f, nullptr);
  ASSERT_FALSE(f->evidence.empty());
  EXPECT_EQ(f->evidence.back().rfind(
                "Condition: Migraine (SNOMED CT 37796009), active, recorded 2025-01-10. History of migraine: "
                "aseptic meningitis after high-dose IVIg \"developed in 4 of 8 patients",
                0),
            0u)
      << f->evidence.back();
  EXPECT_TRUE(
      std::any_of(f->citations.begin(), f->citations.end(), [](const auto& c) { return c.cited->id == "V-I-SEKUL"; }));
}

TEST(R30Migraine, WithoutMigraineTheRemindersHaveNoSuchLine) {
  rule_harness h = ordinary_adult();
  h.with(condition("ha", concept_of(snomed, "25064002", "Headache")))
      .order(medication_request("ivig-1", privigen()))
      .evaluate(hook_stage::sign);
  const ivig::rules::finding* f = h.finding_of("R30");
  ASSERT_NE(f, nullptr);
  for (const std::string& line : f->evidence) EXPECT_EQ(line.find("igraine"), std::string::npos) << line;
  EXPECT_FALSE(
      std::any_of(f->citations.begin(), f->citations.end(), [](const auto& c) { return c.cited->id == "V-I-SEKUL"; }));
}

// --- R5: sorbitol for a child whose fructose intolerance may be undiagnosed ----------------------

namespace {

rule_harness child(const std::string& birth_date) {
  rule_harness h;
  h.with(patient("example", "male", birth_date))
      .with(body_weight(11))
      .with(body_height(80))
      .with(serum_creatinine(0.3))
      .with(
          observation("iga", concept_of(loinc, "2458-8", "IgA"), quantity_value(60, "mg/dL"), "2026-09-01T08:00:00Z"));
  return h;
}

/// 0.5 g/kg for 11 kg, once.
std::string child_order(const std::string& medication) {
  return ivig_order_for(medication, R"({"text":"Chronic inflammatory demyelinating polyneuropathy"})", 0.5, 5.5);
}

const std::string hfi = concept_of(icd10cm, "E74.12", "Hereditary fructose intolerance");

}  // namespace

TEST(R5InfantSorbitol, An18MonthOldOnFlebogammaIsAWarningNamingTheAlternatives) {
  rule_harness h = child("2025-05-22");
  h.order(child_order(flebogamma_5())).evaluate();
  const ivig::rules::finding* f = h.finding_of("R5");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->level, severity::warning);
  EXPECT_EQ(f->summary,
            "Flebogamma 5% DIF contains sorbitol: child aged 18 months, fructose intolerance may be undiagnosed");
  EXPECT_EQ(f->evidence,
            (std::vector<std::string>{
                "Age 18 months (born 2025-05-22); the leaflet's warning covers children aged up to 2 years",
                "No hereditary fructose intolerance diagnosis is on file, and none rules it out",
                "Product: Flebogamma 5% DIF contains EU SmPC: 'Excipient with known effect: One ml contains 50 mg of "
                "D-sorbitol.' [C]",
                "Marketed products without sorbitol whose excipients are known: Gammagard Liquid, Gammagard S/D, "
                "Gamunex-C, Privigen, Octagam 5%, Octagam 10%, Gammaplex 10%, Bivigam"}));
  EXPECT_TRUE(std::any_of(f->citations.begin(), f->citations.end(),
                          [](const auto& c) { return c.cited->id == "L-B-FLEBO-EU-PL"; }));
}

TEST(R5InfantSorbitol, AThreeYearOldOnFlebogammaIsQuiet) {
  rule_harness h = child("2023-11-21");
  h.order(child_order(flebogamma_5())).evaluate();
  const auto findings = h.findings();
  EXPECT_EQ(std::count(findings.begin(), findings.end(), "warning R5"), 0);
}

TEST(R5InfantSorbitol, AChildOfTwoYearsAndElevenMonthsStillCounts) {
  rule_harness h = child("2023-12-22");
  h.order(child_order(flebogamma_5())).evaluate();
  ASSERT_NE(h.finding_of("R5"), nullptr);
  EXPECT_EQ(h.finding_of("R5")->summary,
            "Flebogamma 5% DIF contains sorbitol: child aged 2 years, fructose intolerance may be undiagnosed");
}

TEST(R5InfantSorbitol, AnInfantOnPrivigenIsQuiet) {
  rule_harness h = child("2025-05-22");
  h.order(child_order(privigen())).evaluate();
  const auto findings = h.findings();
  EXPECT_EQ(std::count_if(findings.begin(), findings.end(),
                          [](const std::string& f) { return f.find("R5") != std::string::npos; }),
            0);
}

TEST(R5InfantSorbitol, AnInfantWithFructoseIntoleranceGetsTheContraindicationOnly) {
  rule_harness h = child("2025-05-22");
  h.with(condition("hfi", hfi)).order(child_order(flebogamma_5())).evaluate();
  const auto findings = h.findings();
  EXPECT_EQ(std::count_if(findings.begin(), findings.end(),
                          [](const std::string& f) { return f.find("R5") != std::string::npos; }),
            1);
  ASSERT_NE(h.finding_of("R5"), nullptr);
  // E74.12 is [S]: the contraindication is critical (both the excipient and the code are confirmed).
  EXPECT_EQ(h.finding_of("R5")->level, severity::critical);
}

// --- R8: nephrotoxic drugs by RxNorm code and name; loop diuretics; local forms ------------------

TEST(R8NephrotoxicDrugs, CountedByIngredientCodeBySCDDisplayAndByText) {
  rule_harness h = ordinary_adult();
  // The SCD codes are not in the value set (it lists ingredients): their displays name the drug.
  h.with(med_order("keto", concept_of(rxnorm, "834022", "ketorolac tromethamine 10 MG Oral Tablet")))
      .with(med_order("ibu", concept_of(rxnorm, "310965", "ibuprofen 200 MG Oral Tablet")))
      .with(med_order("vanco", concept_of(rxnorm, "11124", "vancomycin")))
      .with(med_order("tac", text_concept("Tacrolimus 1 mg capsule")))
      .order(medication_request("ivig-1", privigen()))
      .evaluate();
  EXPECT_EQ(h.findings(), std::vector<std::string>{"warning R8"});
  EXPECT_EQ(evidence_of(h, "R8"),
            (std::vector<std::string>{
                "Nephrotoxic drug: \xE2\x80\x9Cketorolac tromethamine 10 MG Oral Tablet\xE2\x80\x9D (matched by text) "
                "(active order MedicationRequest/keto)",
                "Nephrotoxic drug: \xE2\x80\x9Cibuprofen 200 MG Oral Tablet\xE2\x80\x9D (matched by text) (active "
                "order MedicationRequest/ibu)",
                "Nephrotoxic drug: vancomycin (RxNorm 11124) (active order MedicationRequest/vanco)",
                "Nephrotoxic drug: \xE2\x80\x9CTacrolimus 1 mg capsule\xE2\x80\x9D (matched by text) (active order "
                "MedicationRequest/tac)"}));
}

TEST(R8NephrotoxicDrugs, TopicalEyeAndEarFormsAreNotCounted) {
  rule_harness h = ordinary_adult();
  const std::string topical_route =
      R"(,"dosageInstruction":[{"route":)" + concept_of(snomed, "6064005", "Topical route") + "}]";
  h.with(med_order("dicl", concept_of(rxnorm, "855633", "diclofenac sodium 10 MG/ML Topical Gel")))
      .with(med_order("cyclo", concept_of(rxnorm, "378252", "cyclosporine 0.5 MG/ML Ophthalmic Emulsion")))
      .with(med_order("neo", text_concept("neomycin / polymyxin B / dexamethasone Ophthalmic Suspension")))
      .with(med_order("genta", text_concept("gentamicin 0.3% drops"), "active", "2026-11-01",
                      R"(,"dosageInstruction":[{"text":"2 drops in the left ear twice daily"}])"))
      .with(med_order("ibu-gel", text_concept("ibuprofen 5% gel"), "active", "2026-11-01", topical_route))
      .order(medication_request("ivig-1", privigen()))
      .evaluate();
  EXPECT_EQ(h.findings(), std::vector<std::string>{});
}

TEST(R8NephrotoxicDrugs, OralCyclosporineIsCounted) {
  rule_harness h = ordinary_adult();
  h.with(med_order("cyclo", text_concept("cycloSPORINE 100 MG Oral Capsule")))
      .order(medication_request("ivig-1", privigen()))
      .evaluate();
  EXPECT_EQ(h.findings(), std::vector<std::string>{"warning R8"});
}

TEST(R8LoopDiuretics, AloneTheyAreNotARenalRiskFactor) {
  rule_harness h = ordinary_adult();
  h.with(med_order("furo", concept_of(rxnorm, "4603", "furosemide")))
      .with(med_order("lasix", text_concept("Lasix 40 mg tablet")))
      .order(medication_request("ivig-1", privigen()))
      .evaluate();
  EXPECT_EQ(h.findings(), std::vector<std::string>{});
}

TEST(R8LoopDiuretics, WithVolumeDepletionTheyAreALineOfTheRenalCard) {
  rule_harness h = ordinary_adult();
  h.with(med_order("furo", concept_of(rxnorm, "4603", "furosemide")))
      .with(condition("dehyd", concept_of(icd10cm, "E86.0", "Dehydration")))
      .order(medication_request("ivig-1", privigen()))
      .evaluate();
  EXPECT_EQ(h.findings(), std::vector<std::string>{"warning R8"});
  EXPECT_EQ(evidence_of(h, "R8"),
            (std::vector<std::string>{
                "Volume depletion: Condition: Dehydration (ICD-10-CM E86.0), active, recorded 2025-01-10",
                "Loop diuretic with volume depletion: furosemide (RxNorm 4603) (active order "
                "MedicationRequest/furo)"}));
}

// --- R10: estrogens by RxNorm ingredient code and by the clinical drug's display ---------------------

TEST(R10Estrogens, CountedByIngredientCodeAndByAClinicalDrugsDisplay) {
  rule_harness by_code = ordinary_adult();
  by_code.with(med_order("ee", concept_of(rxnorm, "4124", "ethinyl estradiol")))
      .order(medication_request("ivig-1", privigen()))
      .evaluate();
  EXPECT_EQ(by_code.findings(), std::vector<std::string>{"warning R10"});
  EXPECT_EQ(evidence_of(by_code, "R10"),
            std::vector<std::string>{"Estrogen: ethinyl estradiol (RxNorm 4124) (active order MedicationRequest/ee)"});

  rule_harness by_display = ordinary_adult();
  by_display
      .with(med_order("ocp", concept_of(rxnorm, "748962", "drospirenone 3 MG / ethinyl estradiol 0.03 MG Oral Tablet")))
      .order(medication_request("ivig-1", privigen()))
      .evaluate();
  EXPECT_EQ(by_display.findings(), std::vector<std::string>{"warning R10"});

  rule_harness progestin_only = ordinary_adult();
  progestin_only.with(med_order("pop", concept_of(rxnorm, "198042", "norethindrone 0.35 MG Oral Tablet")))
      .order(medication_request("ivig-1", privigen()))
      .evaluate();
  EXPECT_EQ(progestin_only.findings(), std::vector<std::string>{});
}
