// tests/scenarios/scenario_fixture.hpp: one real server for the scenario suite, and the assertion
// that a response equals its golden file and carries the expected indicators and rule ids.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/fhir_builders.hpp"
#include "tests/support/http_client.hpp"

namespace ivig::test {

class Scenario : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  static running_service& server();

  /// A patient whose record holds a normal serum IgA, so that only what a test adds is news.
  static hook_request select_order(const std::string& medication, const std::string& order_id = "ivig-1");
  static hook_request sign_orders(const std::vector<std::string>& orders);
  /// order-select of an order given as JSON, on the same patient.
  static hook_request select_json(const std::string& order_json, const std::string& order_id = "ivig-1");
  /// The patient's standard observations (70 kg, 170 cm, normal IgA) plus `extra`.
  static std::vector<std::string> observations_with(const std::vector<std::string>& extra);
  static std::string normal_iga();

  /// Posts the request; asserts HTTP 200, the golden file, and the cards' "indicator rule" list
  /// (e.g. {"critical R4", "info R3"}).
  void expect_cards(const hook_request& request, const std::string& golden,
                    const std::vector<std::string>& indicator_and_rules);
  /// Posts the request; per card "<indicator> <rules>: <override reason codes>", e.g.
  /// "warning R9: labs-ordered results-pending result-outside-record other" (the reasons a clinician
  /// can pick, in the card's order).
  static std::vector<std::string> override_reasons(const hook_request& request);

 private:
  static std::unique_ptr<running_service> server_;
};

}  // namespace ivig::test
