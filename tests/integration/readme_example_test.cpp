// tests/integration/readme_example_test.cpp: the README's curl example produces the card it shows.
#include <gtest/gtest.h>

#include "tests/integration/response_validator.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/test_support.hpp"

using namespace ivig::test;

TEST(ReadmeExample, PrivigenWithHyperprolinemiaGivesOneCriticalR4Card) {
  running_service server(scenario_now());
  const std::string body = read_file(source_dir() / "deploy/examples/order-select-privigen-hyperprolinemia.json");
  const http_result result = server.post("ivig-order-select", body);
  ASSERT_EQ(result.status, 200u) << result.body;
  EXPECT_EQ(cds_response_problems(result.body), std::vector<std::string>{});
  const auto doc = parse(result.body);
  ASSERT_EQ(doc["cards"].Size(), 1u) << result.body;
  EXPECT_STREQ(doc["cards"][0]["indicator"].GetString(), "critical");
  EXPECT_STREQ(doc["cards"][0]["summary"].GetString(),
               "Privigen contains proline: contraindicated with hyperprolinemia");
  EXPECT_STREQ(doc["cards"][0]["extension"]["ivig-cds"]["rules"][0].GetString(), "R4");
}
