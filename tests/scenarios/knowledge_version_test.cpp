// tests/scenarios/knowledge_version_test.cpp: a knowledge version bump rewrites no golden file.
//
// The embedded bundle is loaded again with bundle.json's version changed to 2099.1.1, the real
// service is started on it, and an order-sign scenario with twelve cards (two orders, their
// worksheets) must match its unchanged golden file once the loaded version is normalised.
#include <gtest/gtest.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "rules/load/embedded_knowledge.hpp"
#include "rules/load/knowledge_loader.hpp"
#include "tests/scenarios/scenario_fixture.hpp"
#include "tests/support/test_support.hpp"

using namespace ivig::test;

namespace {

/// The embedded knowledge files with bundle.json's "version" set to `version`.
class KnowledgeVersionBump : public Scenario {};

}  // namespace

TEST_F(KnowledgeVersionBump, OrderSignWithTwoOrdersStillMatchesItsGoldenFile) {
  const std::string bumped = "2099.1.1";
  const auto loaded = embedded_knowledge_edited("bundle.json", [&](rapidjson::Document& bundle) {
    bundle["version"].SetString(bumped.c_str(), static_cast<rapidjson::SizeType>(bumped.size()), bundle.GetAllocator());
  });
  ASSERT_NE(loaded, nullptr);
  ASSERT_EQ(loaded->version, bumped);
  ASSERT_NE(embedded_knowledge()->version, bumped);
  running_service bumped_service(scenario_now(), loaded);

  // The same request as Scenario.OrderSignChecksEveryDraftOrder (rule_scenarios_test.cpp).
  auto request = sign_orders({medication_request("ivig-1", privigen()), medication_request("ivig-2", octagam_10())});
  set_prefetch(request, "conditions",
               {condition("c1", concept_of("urn:local", "HP1", "Hyperprolinemia")),
                condition("c2", concept_of(snomed, "44054006", "Diabetes mellitus type 2"))});
  const http_result result = bumped_service.post("ivig-order-sign", request.json());
  ASSERT_EQ(result.status, 200u) << result.body;

  // Not vacuous: the response carries the bumped version, in the extension and in the cards' text.
  EXPECT_NE(result.body.find("\"knowledgeVersion\":\"" + bumped + "\""), std::string::npos) << result.body;
  EXPECT_NE(result.body.find("knowledge " + bumped + "."), std::string::npos) << result.body;
  EXPECT_EQ(result.body.find(embedded_knowledge()->version), std::string::npos) << result.body;
  EXPECT_EQ(parse(result.body)["cards"].Size(), 12u);  // one R26 card for the two orders (issue 14)

  const std::string diff =
      compare_with_golden(result.body, "scenarios/expected/order-sign-two-orders.json", scenario_now(), bumped);
  EXPECT_TRUE(diff.empty()) << diff;
}
