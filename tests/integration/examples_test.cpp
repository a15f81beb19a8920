// tests/integration/examples_test.cpp: every order-select and order-sign example of
// ../shared/cds-hooks/examples (spec, hook library, Inferno CRD kit) gets a spec-valid answer —
// as published (no IVIg: {"cards": []}), and with its medication order turned into an IVIg order
// (then the checks run, and with no prefetch they say which could not be completed).
#include <gtest/gtest.h>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "tests/integration/response_validator.hpp"
#include "tests/support/fhir_builders.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/test_support.hpp"

using namespace ivig::test;

namespace {

struct example {
  const char* file;
  const char* hook;
};

const example examples[] = {
    {"lib-order-select-01-example-r4.json", "order-select"},  // doseAndRate as an object
    {"lib-order-select-02-example-stu3.json", "order-select"},
    {"lib-order-select-03-example-dstu2.json", "order-select"},  // MedicationOrder
    {"lib-order-sign-01-example-r4.json", "order-sign"},         // STU3 doseQuantity in R4
    {"lib-order-sign-02-example-stu3.json", "order-sign"},       // R4 doseAndRate in STU3
    {"lib-order-sign-03-example-dstu2.json", "order-sign"},
    {"inferno-crd-order_select_hook_request.json", "order-select"},
    {"inferno-crd-order_sign_hook_request.json", "order-sign"},
    {"inferno-crd-order_select_context.json", "order-select"},  // a bare context
    {"spec300ballot-04-example-of-pagination-in-prefetch.json", "order-sign"},
};

/// The example as a complete request: wrapped in {"context": …} if bare, with hook and hookInstance.
rapidjson::Document complete_request(const example& e) {
  rapidjson::Document doc = parse(read_file(shared_dir() / "cds-hooks/examples" / e.file));
  auto& a = doc.GetAllocator();
  if (!doc.HasMember("context")) {
    rapidjson::Document wrapped(rapidjson::kObjectType);
    rapidjson::Value context;
    context.CopyFrom(doc, wrapped.GetAllocator());
    wrapped.AddMember("context", context, wrapped.GetAllocator());
    doc.Swap(wrapped);
  }
  if (!doc.HasMember("hook")) doc.AddMember("hook", rapidjson::Value(e.hook, a), a);
  if (!doc.HasMember("hookInstance")) doc.AddMember("hookInstance", "8d0a4d5e-1f0c-4b9e-9a52-2c5bb0f6a8a1", a);
  return doc;
}

std::string to_json(const rapidjson::Value& v) {
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> w(out);
  v.Accept(w);
  return out.GetString();
}

const char* service_for(const char* hook) {
  return std::string_view(hook) == "order-select" ? "ivig-order-select" : "ivig-order-sign";
}

class Examples : public ::testing::TestWithParam<example> {
 protected:
  static void SetUpTestSuite() { server_ = std::make_unique<running_service>(scenario_now()); }
  static void TearDownTestSuite() { server_.reset(); }
  static std::unique_ptr<running_service> server_;
};
std::unique_ptr<running_service> Examples::server_;

}  // namespace

// cds-hooks_2.0@ the empty-cards response when there is no advice
TEST_P(Examples, AsPublishedGetsNoCards) {
  const rapidjson::Document request = complete_request(GetParam());
  const http_result result = server_->post(service_for(GetParam().hook), to_json(request));
  ASSERT_EQ(result.status, 200u) << result.body;
  EXPECT_EQ(result.body, R"({"cards":[]})");
}

TEST_P(Examples, WithAnIvigOrderGetsSpecValidCards) {
  rapidjson::Document request = complete_request(GetParam());
  auto& a = request.GetAllocator();
  int changed = 0;
  for (auto& entry : request["context"]["draftOrders"]["entry"].GetArray()) {
    auto& resource = entry["resource"];
    const std::string_view type = resource["resourceType"].GetString();
    if (type != "MedicationRequest" && type != "MedicationOrder") continue;
    resource.RemoveMember("medicationReference");
    resource.RemoveMember("medicationCodeableConcept");
    rapidjson::Document privigen_concept = parse(privigen());
    rapidjson::Value concept_value;
    concept_value.CopyFrom(privigen_concept, a);
    resource.AddMember("medicationCodeableConcept", concept_value, a);
    ++changed;
  }
  ASSERT_EQ(changed, 1);
  const http_result result = server_->post(service_for(GetParam().hook), to_json(request));
  ASSERT_EQ(result.status, 200u) << result.body;
  EXPECT_EQ(cds_response_problems(result.body), std::vector<std::string>{});
  const auto doc = parse(result.body);
  // The last card lists the checks that could not run: no prefetch was sent with these examples.
  const auto& last = doc["cards"][doc["cards"].Size() - 1];
  EXPECT_STREQ(last["indicator"].GetString(), "info");
  EXPECT_NE(std::string(last["detail"].GetString()).find("(prefetch 'conditions')"), std::string::npos);
  std::string golden = std::string("integration/expected/examples/") + GetParam().file;
  const std::string diff = compare_with_golden(result.body, golden);
  EXPECT_TRUE(diff.empty()) << diff;
}

INSTANTIATE_TEST_SUITE_P(SharedExamples, Examples, ::testing::ValuesIn(examples), [](const auto& param_info) {
  std::string name = param_info.param.file;
  name = name.substr(0, name.find(".json"));
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
});
