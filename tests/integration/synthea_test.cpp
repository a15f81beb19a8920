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

// Every record answers with spec-valid cards; which ones is pinned by a golden file per record
// (their data is from 2019, so weights are stale and IgA is never on file).
TEST_P(SyntheaRecords, PrivigenOrderGetsSpecValidCards) {
  const hook_request request = synthea_request(GetParam(), privigen());
  const http_result result = server_->post("ivig-order-select", request.json());
  ASSERT_EQ(result.status, 200u) << result.body;
  EXPECT_EQ(cds_response_problems(result.body), std::vector<std::string>{});
  const std::string diff =
      compare_with_golden(result.body, std::string("integration/expected/synthea-privigen-") + GetParam() + ".json");
  EXPECT_TRUE(diff.empty()) << diff;
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
