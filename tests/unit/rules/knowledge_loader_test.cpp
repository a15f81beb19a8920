// tests/unit/rules/knowledge_loader_test.cpp: the bundle loads, and each kind of bad knowledge is
// rejected with a message naming the file, the entry and the problem.
#include <gtest/gtest.h>

#include <functional>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "rules/engine/rule_catalogue.hpp"
#include "rules/load/knowledge_loader.hpp"
#include "tests/support/test_support.hpp"

using namespace ivig::rules;

namespace {

std::vector<knowledge_file> source_bundle() {
  std::vector<knowledge_file> files;
  for (std::string_view name : knowledge_file_names())
    files.push_back({std::string(name), ivig::test::read_file(ivig::test::source_dir() / "rules/knowledge" / name)});
  return files;
}

/// Loads the source bundle with one file changed by `edit`; returns the loader's error.
std::string error_after(std::string_view file, const std::function<void(rapidjson::Document&)>& edit) {
  std::vector<knowledge_file> files = source_bundle();
  for (knowledge_file& f : files) {
    if (f.name != file) continue;
    rapidjson::Document doc = ivig::test::parse(f.text);
    edit(doc);
    rapidjson::StringBuffer out;
    rapidjson::Writer<rapidjson::StringBuffer> w(out);
    doc.Accept(w);
    f.text = out.GetString();
  }
  const load_result result = load_knowledge(files);
  return result ? std::string("loaded") : result.error();
}

rapidjson::Value& rule(rapidjson::Document& doc, std::string_view id) {
  for (auto& r : doc["rules"].GetArray())
    if (std::string_view(r["id"].GetString()) == id) return r;
  throw std::runtime_error("no rule");
}

}  // namespace

TEST(KnowledgeLoader, EmbeddedBundleEqualsTheSourceFolderAndLoads) {
  const load_result embedded = load_embedded_knowledge();
  ASSERT_TRUE(embedded) << embedded.error();
  const load_result folder = load_knowledge_dir(ivig::test::source_dir() / "rules/knowledge");
  ASSERT_TRUE(folder) << folder.error();
  EXPECT_EQ((*embedded)->version, (*folder)->version);
  EXPECT_EQ((*embedded)->rules.size(), 32u);
  EXPECT_EQ((*embedded)->value_sets.size(), (*folder)->value_sets.size());
}

TEST(KnowledgeLoader, EveryImplementedRuleIsActiveAndEveryActiveRuleIsImplemented) {
  const auto kb = ivig::test::embedded_knowledge();
  std::size_t active = 0;
  for (const rule_definition& r : kb->rules) active += r.status == rule_status::active;
  EXPECT_EQ(active, rule_catalogue().size());
  EXPECT_EQ(kb->active_rules.size(), rule_catalogue().size());
}

TEST(KnowledgeLoader, RejectsAnUnknownKey) {
  EXPECT_EQ(error_after("rules.json", [](auto& d) { rule(d, "R4").AddMember("evidense", "C", d.GetAllocator()); }),
            "rules.json: rules[3] (R4): unknown key 'evidense'");
}

TEST(KnowledgeLoader, RejectsADuplicateKey) {
  // The strict reader reads the first of two equal keys; the second must not pass unread.
  EXPECT_EQ(error_after("rules.json", [](auto& d) { rule(d, "R4").AddMember("severity", "info", d.GetAllocator()); }),
            "rules.json: rules[3] (R4): duplicate key 'severity'");
}

TEST(KnowledgeLoader, RejectsAnUnknownValueSet) {
  EXPECT_EQ(error_after("rules.json", [](auto& d) { rule(d, "R4")["valueSets"]["condition"].SetString("vs-nope"); }),
            "rules.json: rules[3] (R4).valueSets: names unknown value set 'vs-nope'");
}

TEST(KnowledgeLoader, RejectsARuleWithoutASource) {
  EXPECT_EQ(error_after("rules.json", [](auto& d) { rule(d, "R12")["sources"].SetArray(); }),
            "rules.json: rules[11] (R12).sources: must cite at least one source");
}

TEST(KnowledgeLoader, RejectsAProductUnitMismatch) {
  const std::string error = error_after("products.json", [](auto& d) {
    for (auto& p : d["products"].GetArray())
      if (std::string_view(p["id"].GetString()) == "privigen") p["concentration"]["unit"].SetString("g/L");
  });
  EXPECT_NE(error.find("(privigen).concentration.unit: must be \"mg/mL\", not \"g/L\""), std::string::npos) << error;
}

TEST(KnowledgeLoader, RejectsAThresholdInAnotherUnitThanTheRuleExpects) {
  const std::string error = error_after("policy.json", [](auto& d) {
    for (auto& t : d["thresholds"].GetArray())
      if (std::string_view(t["id"].GetString()) == "iga-deficiency-level") t["unit"].SetString("g/L");
  });
  EXPECT_EQ(error,
            "rules.json: rule R2: thresholds role 'igaDeficiencyLevel' names 'iga-deficiency-level' in g/L, but its "
            "implementation (rules/engine/hypersensitivity_rules.cpp) reads it in mg/dL");
}

TEST(KnowledgeLoader, RejectsAnActiveRuleWithoutImplementation) {
  EXPECT_EQ(error_after("rules.json",
                        [](auto& d) {
                          rapidjson::Value extra(rule(d, "R1"), d.GetAllocator());
                          extra["id"].SetString("R99");
                          d["rules"].PushBack(extra, d.GetAllocator());
                        }),
            "rules.json: rule R99 is active but the engine has no implementation of it");
}

TEST(KnowledgeLoader, RejectsAnImplementedRuleThatIsNotActive) {
  EXPECT_EQ(error_after("rules.json", [](auto& d) { rule(d, "R5")["status"].SetString("planned"); }),
            "rules.json: rule R5: the engine implements it (rules/engine/excipient_rules.cpp), but the catalogue does "
            "not list it as active");
}

TEST(KnowledgeLoader, RejectsAMissingRole) {
  EXPECT_EQ(error_after("rules.json", [](auto& d) { rule(d, "R1")["valueSets"].RemoveMember("igSubstances"); }),
            "rules.json: rule R1: valueSets lacks the role 'igSubstances' that its implementation "
            "(rules/engine/hypersensitivity_rules.cpp) reads");
}

TEST(KnowledgeLoader, RejectsALocalPolicyValueWithoutRationale) {
  const std::string error = error_after("policy.json", [](auto& d) { d["thresholds"][0].RemoveMember("rationale"); });
  EXPECT_NE(error.find(".rationale: is required for a [U] local-policy value"), std::string::npos) << error;
}

TEST(KnowledgeLoader, RejectsAnUnknownSource) {
  const std::string error =
      error_after("rules.json", [](auto& d) { rule(d, "R1")["sources"][0]["source"].SetString("S999"); });
  EXPECT_NE(error.find("names unknown source 'S999'"), std::string::npos) << error;
}

// --- override reasons: a catalogue in policy.json, the fitting codes per rule in rules.json ------
TEST(KnowledgeLoader, EachRuleOffersItsOwnOverrideReasons) {
  const auto kb = ivig::test::embedded_knowledge();
  std::vector<std::string> r9;
  for (const override_reason* reason : kb->find_rule("R9")->override_reasons) r9.push_back(reason->code);
  EXPECT_EQ(r9, (std::vector<std::string>{"labs-ordered", "results-pending", "result-outside-record", "other"}));
  for (const rule_definition& entry : kb->rules)
    EXPECT_EQ(entry.override_reasons.empty(), entry.level == severity::info) << entry.id;
}

TEST(KnowledgeLoader, RejectsAnUnknownOverrideReason) {
  EXPECT_EQ(error_after("rules.json", [](auto& d) { rule(d, "R9")["overrideReasons"][0].SetString("nope"); }),
            "rules.json: rules[8] (R9).overrideReasons: names unknown override reason 'nope'");
}

TEST(KnowledgeLoader, RejectsAWarningRuleWithoutOverrideReasons) {
  EXPECT_EQ(error_after("rules.json", [](auto& d) { rule(d, "R18").RemoveMember("overrideReasons"); }),
            "rules.json: rules[17] (R18).overrideReasons: a warning rule must list the override reasons that fit it");
}

TEST(KnowledgeLoader, RejectsACriticalRuleWithAnEmptyListOfOverrideReasons) {
  EXPECT_EQ(error_after("rules.json", [](auto& d) { rule(d, "R1")["overrideReasons"].SetArray(); }),
            "rules.json: rules[0] (R1).overrideReasons: a critical rule must list the override reasons that fit it");
}

TEST(KnowledgeLoader, RejectsAnOverrideReasonNamedTwiceByARule) {
  EXPECT_EQ(
      error_after("rules.json", [](auto& d) { rule(d, "R26")["overrideReasons"].PushBack("other", d.GetAllocator()); }),
      "rules.json: rules[25] (R26).overrideReasons: names 'other' twice");
}

TEST(KnowledgeLoader, RejectsADuplicateOverrideReasonInTheCatalogue) {
  EXPECT_EQ(error_after("policy.json",
                        [](auto& d) {
                          d["overrideReasons"][1]["code"].SetString(d["overrideReasons"][0]["code"].GetString(),
                                                                    d.GetAllocator());
                        }),
            "policy.json: overrideReasons[1].code: duplicates override reason 'benefit-outweighs-risk'");
}

// --- site codes: local codes the configuration adds to a value set at load ---------------------
namespace {
load_result load_with_site_codes(const std::string& option, const std::vector<std::string>& codes) {
  load_options options;
  options.site_codes[option] = codes;
  return load_knowledge(source_bundle(), options);
}
}  // namespace

TEST(KnowledgeLoader, SiteCodesJoinTheValueSetThatNamesTheirOption) {
  const load_result loaded = load_with_site_codes("anti-iga-test-code", {"http://lab.example.org/codes|AIGA-4711"});
  ASSERT_TRUE(loaded) << loaded.error();
  const value_set* set = (*loaded)->find_value_set("vs-anti-iga-antibody-tests");
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(set->site_codes, 1u);
  ASSERT_EQ(set->codes.size(), 1u);
  EXPECT_EQ(set->codes[0].system, "http://lab.example.org/codes");
  EXPECT_EQ(set->codes[0].code, "AIGA-4711");
  EXPECT_EQ(set->codes[0].display, "local code configured by this site (--anti-iga-test-code)");
  EXPECT_EQ(set->code_index.count("http://lab.example.org/codes|AIGA-4711"), 1u);
  EXPECT_EQ(ivig::test::embedded_knowledge()->find_value_set("vs-anti-iga-antibody-tests")->site_codes, 0u);
}

TEST(KnowledgeLoader, RejectsASiteCodeThatIsNotSystemBarCode) {
  const load_result loaded = load_with_site_codes("anti-iga-test-code", {"AIGA-4711"});
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error(),
            "--anti-iga-test-code: 'AIGA-4711' must be system|code (one bar, no comma or space), e.g. "
            "http://lab.example.org/codes|AIGA");
}

TEST(KnowledgeLoader, RejectsASiteCodeGivenTwice) {
  const load_result loaded = load_with_site_codes("anti-iga-test-code", {"urn:lab|A", "urn:lab|A"});
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error(), "--anti-iga-test-code: 'urn:lab|A' is already in vs-anti-iga-antibody-tests");
}

TEST(KnowledgeLoader, RejectsSiteCodesForAnOptionNoValueSetTakes) {
  const load_result loaded = load_with_site_codes("weight-code", {"urn:lab|W"});
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error(), "--weight-code: no value set in value-sets.json takes this option's codes");
}

TEST(KnowledgeLoader, ReportsTheLineOfInvalidJson) {
  std::vector<knowledge_file> files = source_bundle();
  files[0].text = "{\n  \"bundle\": \"x\",\n  oops\n}";
  const load_result result = load_knowledge(files);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().rfind("bundle.json: line 3: ", 0), 0u) << result.error();
}

TEST(KnowledgeLoader, ReportsAMissingFile) {
  std::vector<knowledge_file> files = source_bundle();
  files.pop_back();
  EXPECT_EQ(load_knowledge(files).error(), "rules.json: missing from the knowledge bundle");
}

// --- rule units against their entries, both ways --------------------------------------------------

namespace {

rapidjson::Value& fact(rapidjson::Document& doc, std::string_view id) {
  for (auto& f : doc["facts"].GetArray())
    if (std::string_view(f["id"].GetString()) == id) return f;
  throw std::runtime_error("no facts entry");
}

}  // namespace

TEST(RuleBinding, AMisspeltRoleInTheCatalogueNamesTheRuleTheRoleAndTheFiles) {
  const std::string error = error_after("rules.json", [](auto& d) {
    auto& sets = rule(d, "R21")["valueSets"];
    rapidjson::Value target(sets["heartFailure"], d.GetAllocator());
    sets.RemoveMember("heartFailure");
    sets.AddMember("heartFailiure", target, d.GetAllocator());
  });
  EXPECT_EQ(error,
            "rules.json: rule R21: valueSets lacks the role 'heartFailure' that its implementation "
            "(rules/engine/infusion_rules.cpp) reads");
}

TEST(RuleBinding, ARoleTheImplementationNeverReadsIsRejected) {
  EXPECT_EQ(error_after("rules.json",
                        [](auto& d) { rule(d, "R9")["valueSets"].AddMember("bun", "vs-bun", d.GetAllocator()); }),
            "rules.json: rule R9: valueSets role 'bun' is not read by its implementation "
            "(rules/engine/boxed_warning_rules.cpp)");
}

TEST(RuleBinding, AMissingParamIsRejected) {
  EXPECT_EQ(error_after("rules.json", [](auto& d) { rule(d, "R6").RemoveMember("params"); }),
            "rules.json: rule R6: params lacks 'excipient' that its implementation "
            "(rules/engine/excipient_rules.cpp) reads");
}

TEST(RuleBinding, AnUnknownExcipientParamIsRejectedWhereItIsWritten) {
  EXPECT_EQ(error_after("rules.json", [](auto& d) { rule(d, "R4")["params"]["excipient"].SetString("prolin"); }),
            "rules.json: rules[3] (R4).params: excipient names unknown excipient 'prolin'");
}

TEST(RuleBinding, AnOrderFactThresholdInAnotherUnitIsRejected) {
  const std::string error = error_after("policy.json", [](auto& d) {
    for (auto& t : d["thresholds"].GetArray())
      if (std::string_view(t["id"].GetString()) == "rounding-step-default") t["unit"].SetString("mg");
  });
  EXPECT_EQ(error,
            "facts.json: facts vial-rounding: thresholds role 'defaultStep' names 'rounding-step-default' in mg, but "
            "its implementation (rules/engine/order_facts.cpp) reads it in g");
}

TEST(RuleBinding, AMissingOrderFactEntryIsRejected) {
  const std::string error = error_after("facts.json", [](auto& d) {
    auto& list = d["facts"];
    for (auto it = list.Begin(); it != list.End(); ++it)
      if (std::string_view((*it)["id"].GetString()) == "cost") {
        list.Erase(it);
        break;
      }
  });
  EXPECT_EQ(error, "facts.json: facts cost: missing; the engine computes it");
}

TEST(RuleBinding, AnOrderFactEntryTheEngineDoesNotComputeIsRejected) {
  EXPECT_EQ(error_after("facts.json",
                        [](auto& d) {
                          rapidjson::Value extra(fact(d, "cost"), d.GetAllocator());
                          extra["id"].SetString("costs");
                          d["facts"].PushBack(extra, d.GetAllocator());
                        }),
            "facts.json: facts costs: the engine computes no such facts");
}

TEST(RuleBinding, AMaximumRateForAnIndicationTheFactsDoNotNameIsRejected) {
  EXPECT_EQ(error_after("products.json",
                        [](auto& d) {
                          for (auto& p : d["products"].GetArray())
                            if (std::string_view(p["id"].GetString()) == "privigen")
                              p["maxRates"][1]["indication"].SetString("cITP");
                        }),
            "products.json: products privigen: maxRates indication 'cITP' is not an indication of facts.json's "
            "indication entry (nor \"all\")");
}

namespace {

rapidjson::Value& product_row(rapidjson::Document& doc, std::string_view id) {
  for (auto& p : doc["products"].GetArray())
    if (std::string_view(p["id"].GetString()) == id) return p;
  throw std::runtime_error("no product");
}

}  // namespace

TEST(KnowledgeLoader, ProductLabelFactsAreCheckedWhereTheyAreRead) {
  // A titration that goes down, or a step before the last without a duration, cannot be planned.
  EXPECT_EQ(error_after("products.json",
                        [](auto& d) { product_row(d, "octagam-10")["titration"][0]["steps"][1]["rate"].SetDouble(0.5); }),
            "products.json: products[7] (octagam-10).titration[0].steps[1].rate: steps must not go down");
  EXPECT_EQ(error_after("products.json",
                        [](auto& d) { product_row(d, "octagam-10")["titration"][0]["steps"][1].RemoveMember("minutes"); }),
            "products.json: products[7] (octagam-10).titration[0].steps[1].minutes: only the last step may run "
            "without a duration");
  EXPECT_EQ(error_after("products.json",
                        [](auto& d) { product_row(d, "privigen")["doseRanges"][1]["perCourseMax"].SetDouble(0); }),
            "products.json: products[5] (privigen).doseRanges[1].perCourseMax: must be positive (g/kg)");
  EXPECT_EQ(error_after("products.json",
                        [](auto& d) {
                          product_row(d, "octagam-10")["administration"][0]["topic"].SetString("reconstitution");
                        }),
            "products.json: products[7] (octagam-10).administration[0].topic: must be diluent, filter, pooling, "
            "storage, compatibility or other, not 'reconstitution'");
  EXPECT_EQ(error_after("products.json",
                        [](auto& d) { product_row(d, "privigen")["osmolality"]["unit"].SetString("mmol/L"); }),
            "products.json: products[5] (privigen).osmolality.unit: 'mmol/L' is not a unit for osmolality");
}

TEST(KnowledgeLoader, AProductDoseForAnIndicationTheFactsDoNotNameIsRejected) {
  EXPECT_EQ(error_after("products.json",
                        [](auto& d) { product_row(d, "privigen")["doseRanges"][1]["indication"].SetString("cITP"); }),
            "products.json: products privigen: doseRanges indication 'cITP' is not an indication of facts.json's "
            "indication entry (nor \"all\")");
}
