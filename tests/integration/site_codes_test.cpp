// tests/integration/site_codes_test.cpp: the site's anti-IgA test codes (--anti-iga-test-code) over
// HTTP. No LOINC code exists for anti-IgA antibodies; a code the site configures joins the value set
// at load, so discovery asks for it and R2 finds a result that only that code identifies.
#include <gtest/gtest.h>

#include "rules/load/knowledge_loader.hpp"
#include "tests/support/fhir_builders.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/test_support.hpp"

using namespace ivig::test;

namespace {

const std::string local_system = "http://lab.example.org/codes";
const std::string local_code = "AIGA-4711";

std::shared_ptr<const ivig::rules::knowledge> knowledge_with_site_code() {
  ivig::rules::load_options options;
  options.site_codes["anti-iga-test-code"] = {local_system + "|" + local_code};
  ivig::rules::load_result loaded = ivig::rules::load_embedded_knowledge(options);
  EXPECT_TRUE(loaded) << loaded.error();
  return loaded ? *loaded : nullptr;
}

std::string observations_query(running_service& server) {
  const http_result result = server.get("/cds-services");
  EXPECT_EQ(result.status, 200u);
  const rapidjson::Document doc = parse(result.body);
  return doc["services"][0]["prefetch"]["observations"].GetString();
}

/// IgA deficiency, a hypersensitivity history and a positive anti-IgA result whose only link to
/// anti-IgA is the site's local code: its words ("Lab panel 4711") match no text term.
hook_request iga_deficient_with_local_anti_iga_result() {
  hook_request r = order_select_with(medication_request("ivig-1", octagam_10()), "ivig-1");
  set_prefetch(r, "conditions",
               {condition("c1", concept_of(icd10cm, "D80.2", "Selective deficiency of immunoglobulin A [IgA]"))});
  set_prefetch(
      r, "observations",
      {body_weight(70), body_height(170), serum_creatinine(0.9),
       observation("anti-iga", concept_of(local_system, local_code, "Lab panel 4711"), R"("valueString":"Positive")")});
  set_prefetch(r, "allergies",
               {allergy("a1", concept_of("urn:local", "BP", "Blood products"), {}, {},
                        concept_of(snomed, "39579001", "Anaphylaxis"))});
  return r;
}

std::vector<std::string> indicators_and_rules(const http_result& result) {
  const rapidjson::Document doc = parse(result.body);
  std::vector<std::string> got;
  for (const auto& card : doc["cards"].GetArray()) {
    std::string entry = card["indicator"].GetString();
    for (const auto& rule : card["extension"]["ivig-cds"]["rules"].GetArray())
      entry += std::string(" ") + rule.GetString();
    got.push_back(entry);
  }
  return got;
}

}  // namespace

TEST(SiteCodes, AConfiguredAntiIgaCodeIsInDiscoverysObservationsPrefetch) {
  running_service configured(scenario_now(), knowledge_with_site_code());
  const std::string query = observations_query(configured);
  const auto code_list = query.find("&code=");
  const auto local = query.find(local_system + "|" + local_code);
  ASSERT_NE(local, std::string::npos) << query;
  EXPECT_LT(code_list, local) << query;
  running_service plain(scenario_now());
  EXPECT_EQ(observations_query(plain).find(local_code), std::string::npos);
}

TEST(SiteCodes, AnAntiIgaResultKnownOnlyByTheLocalCodeMakesR2Critical) {
  running_service configured(scenario_now(), knowledge_with_site_code());
  const http_result result = configured.post("ivig-order-select", iga_deficient_with_local_anti_iga_result().json());
  ASSERT_EQ(result.status, 200u) << result.body;
  EXPECT_EQ(indicators_and_rules(result), (std::vector<std::string>{"critical R2"})) << result.body;
  const rapidjson::Document doc = parse(result.body);
  EXPECT_STREQ(doc["cards"][0]["summary"].GetString(),
               "IVIg contraindicated: IgA deficiency with anti-IgA antibodies and a hypersensitivity history");
  const std::string detail = doc["cards"][0]["detail"].GetString();
  EXPECT_NE(detail.find("Lab panel 4711"), std::string::npos) << detail;
}

TEST(SiteCodes, WithoutTheCodeTheSameResultIsNotFoundAndTheStatusIsUnknown) {
  // The control: the embedded knowledge does not know the local code, so the result is not an anti-IgA
  // result; R2's screen is incomplete and says so on R3's card, a warning, not silence.
  running_service plain(scenario_now());
  const http_result result = plain.post("ivig-order-select", iga_deficient_with_local_anti_iga_result().json());
  ASSERT_EQ(result.status, 200u) << result.body;
  EXPECT_EQ(indicators_and_rules(result), (std::vector<std::string>{"warning R3 R2"})) << result.body;
  const rapidjson::Document doc = parse(result.body);
  const std::string detail = doc["cards"][0]["detail"].GetString();
  EXPECT_NE(detail.find("**Anti-IgA antibody status is unknown**"), std::string::npos) << detail;
  EXPECT_NE(detail.find("This site has not configured the local codes of its anti-IgA test"), std::string::npos)
      << detail;
}

TEST(SiteCodes, AConfiguredSiteIsToldItsCodesWereSearched) {
  running_service configured(scenario_now(), knowledge_with_site_code());
  hook_request r = iga_deficient_with_local_anti_iga_result();
  set_prefetch(r, "observations", {body_weight(70), body_height(170), serum_creatinine(0.9)});
  const http_result result = configured.post("ivig-order-select", r.json());
  ASSERT_EQ(result.status, 200u) << result.body;
  EXPECT_EQ(indicators_and_rules(result), (std::vector<std::string>{"warning R3 R2"})) << result.body;
  const std::string detail = parse(result.body)["cards"][0]["detail"].GetString();
  EXPECT_NE(detail.find("Anti-IgA results are looked for under this site's 1 configured local test code(s) and by "
                        "their words."),
            std::string::npos)
      << detail;
}
