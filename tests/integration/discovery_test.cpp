// tests/integration/discovery_test.cpp: GET /cds-services and /healthz over HTTP.
#include <gtest/gtest.h>

#include "tests/support/http_client.hpp"
#include "tests/support/test_support.hpp"

using namespace ivig::test;

// cds-hooks_2.0@4 discovery at {baseURL}/cds-services
TEST(Discovery, ListsTheTwoIvigServicesWithTheirPrefetch) {
  running_service server(scenario_now());
  http_result result = server.get("/cds-services");
  ASSERT_EQ(result.status, 200u);
  EXPECT_EQ(result.headers["content-type"], "application/json");
  const auto doc = parse(result.body);
  ASSERT_EQ(doc["services"].Size(), 2u);
  const auto& select = doc["services"][0];
  EXPECT_STREQ(select["id"].GetString(), "ivig-order-select");
  EXPECT_STREQ(select["hook"].GetString(), "order-select");
  EXPECT_STREQ(select["title"].GetString(), "IVIg order safety check");
  EXPECT_TRUE(select["description"].IsString());
  EXPECT_TRUE(select["usageRequirements"].IsString());
  std::vector<std::string> keys;
  for (const auto& m : select["prefetch"].GetObject()) keys.emplace_back(m.name.GetString());
  EXPECT_EQ(keys, (std::vector<std::string>{"patient", "conditions", "observations", "allergies", "immunizations",
                                            "medications", "medicationHistory", "administrations", "procedures"}));
  const auto& sign = doc["services"][1];
  EXPECT_STREQ(sign["id"].GetString(), "ivig-order-sign");
  EXPECT_STREQ(sign["hook"].GetString(), "order-sign");
  EXPECT_TRUE(sign["prefetch"] == select["prefetch"]);
  const std::string diff = compare_with_golden(result.body, "integration/expected/discovery.json");
  EXPECT_TRUE(diff.empty()) << diff;
}

TEST(Health, ReportsTheKnowledgeVersion) {
  running_service server(scenario_now());
  const http_result result = server.get("/healthz");
  ASSERT_EQ(result.status, 200u);
  EXPECT_EQ(result.body, R"({"status":"ok","knowledgeVersion":")" + embedded_knowledge()->version + R"("})");
}
