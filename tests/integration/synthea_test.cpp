// tests/integration/synthea_test.cpp: requests whose prefetch carries a whole Synthea R4 record
// (0.2–2 MB) are answered correctly over HTTP.
#include <gtest/gtest.h>

#include "tests/integration/response_validator.hpp"
#include "tests/support/fhir_builders.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/test_support.hpp"

using namespace ivig::test;

namespace {

class SyntheaRecords : public ::testing::TestWithParam<const char*> {
 protected:
  static void SetUpTestSuite() { server_ = std::make_unique<running_service>(scenario_now()); }
  static void TearDownTestSuite() { server_.reset(); }
  static std::unique_ptr<running_service> server_;
};
std::unique_ptr<running_service> SyntheaRecords::server_;

}  // namespace

// None of the records has an IgA result, an IVIg contraindication or a proline contraindication:
// a Privigen order gets exactly one card, saying the IgA check could not be completed.
TEST_P(SyntheaRecords, PrivigenOrderGetsOnlyTheMissingIgaCard) {
  const hook_request request = synthea_request(GetParam(), privigen());
  const std::string body = request.json();
  const http_result result = server_->post("ivig-order-select", body);
  ASSERT_EQ(result.status, 200u) << result.body;
  EXPECT_EQ(cds_response_problems(result.body), std::vector<std::string>{});
  const auto doc = parse(result.body);
  ASSERT_EQ(doc["cards"].Size(), 1u) << result.body;
  EXPECT_STREQ(doc["cards"][0]["indicator"].GetString(), "info");
  EXPECT_EQ(
      std::string(doc["cards"][0]["detail"].GetString()).find("no serum IgA result is on file") != std::string::npos,
      true);
}

INSTANTIATE_TEST_SUITE_P(AllRecords, SyntheaRecords,
                         ::testing::Values("Isaiah_Schaden", "Martina_Murazik", "Laurie_McCullough", "Dana_Feest",
                                           "Clemente_Kreiger", "Max_Dicki"));

// Isaiah Schaden (2 MB record) has type 2 diabetes: an Octagam order warns about glucose meters.
TEST(SyntheaIsaiah, OctagamOrderWarnsAboutGlucoseMetersForHisDiabetes) {
  running_service server(scenario_now());
  const hook_request request = synthea_request("Isaiah_Schaden", octagam_10());
  const std::string body = request.json();
  ASSERT_GT(body.size(), 1'500'000u);
  const http_result result = server.post("ivig-order-select", body);
  ASSERT_EQ(result.status, 200u) << result.body;
  EXPECT_EQ(cds_response_problems(result.body), std::vector<std::string>{});
  const std::string diff = compare_with_golden(result.body, "integration/expected/synthea-isaiah-octagam.json");
  EXPECT_TRUE(diff.empty()) << diff;
}
