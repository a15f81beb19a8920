// tests/scenarios/scenario_fixture.cpp: the shared server and the whole-response assertion.
#include "tests/scenarios/scenario_fixture.hpp"

#include "tests/support/test_support.hpp"
#include "tests/support/utf8_length.hpp"

namespace ivig::test {

std::unique_ptr<running_service> Scenario::server_;

void Scenario::SetUpTestSuite() {
  server_ = std::make_unique<running_service>(scenario_now());
}
void Scenario::TearDownTestSuite() {
  server_.reset();
}
running_service& Scenario::server() {
  return *server_;
}

std::string Scenario::normal_iga() {
  return observation("iga-normal", concept_of(loinc, "2458-8", "IgA [Mass/volume] in Serum or Plasma"),
                     quantity_value(180, "mg/dL"), "2026-09-01T08:00:00Z");
}

hook_request Scenario::select_order(const std::string& medication, const std::string& order_id) {
  hook_request request = order_select_with(medication_request(order_id, medication), order_id);
  set_prefetch(request, "observations", observations_with({}));
  return request;
}

hook_request Scenario::select_json(const std::string& order_json, const std::string& order_id) {
  hook_request request = order_select_with(order_json, order_id);
  set_prefetch(request, "observations", observations_with({}));
  return request;
}

std::vector<std::string> Scenario::observations_with(const std::vector<std::string>& extra) {
  std::vector<std::string> all{body_weight(70), body_height(170), normal_iga(), serum_creatinine(0.9)};
  all.insert(all.end(), extra.begin(), extra.end());
  return all;
}

hook_request Scenario::sign_orders(const std::vector<std::string>& orders) {
  hook_request request = order_sign_with(orders);
  set_prefetch(request, "observations", observations_with({}));
  return request;
}

namespace {

/// "warning R8 R13": a card's indicator and the rules on it.
std::string indicator_and_rules_of(const rapidjson::Value& card) {
  std::string entry = card["indicator"].GetString();
  for (const auto& rule : card["extension"]["ivig-cds"]["rules"].GetArray())
    entry += std::string(" ") + rule.GetString();
  return entry;
}

}  // namespace

void Scenario::expect_cards(const hook_request& request, const std::string& golden,
                            const std::vector<std::string>& indicator_and_rules) {
  const std::string service = request.hook == "order-select" ? "ivig-order-select" : "ivig-order-sign";
  const http_result result = server().post(service, request.json());
  ASSERT_EQ(result.status, 200u) << result.body;
  const rapidjson::Document doc = parse(result.body);
  std::vector<std::string> got;
  for (const auto& card : doc["cards"].GetArray()) {
    std::string entry = indicator_and_rules_of(card);
    got.push_back(entry);
    EXPECT_LT(utf8_code_points(card["summary"].GetString()), summary_limit) << card["summary"].GetString();
  }
  EXPECT_EQ(got, indicator_and_rules);
  const std::string diff = compare_with_golden(result.body, "scenarios/expected/" + golden + ".json");
  EXPECT_TRUE(diff.empty()) << diff;
}

std::vector<std::string> Scenario::override_reasons(const hook_request& request) {
  const std::string service = request.hook == "order-select" ? "ivig-order-select" : "ivig-order-sign";
  const http_result result = server().post(service, request.json());
  EXPECT_EQ(result.status, 200u) << result.body;
  const rapidjson::Document doc = parse(result.body);
  std::vector<std::string> got;
  for (const auto& card : doc["cards"].GetArray()) {
    std::string entry = indicator_and_rules_of(card);
    entry += ":";
    if (card.HasMember("overrideReasons"))
      for (const auto& reason : card["overrideReasons"].GetArray())
        entry += std::string(" ") + reason["code"].GetString();
    got.push_back(entry);
  }
  return got;
}

}  // namespace ivig::test
