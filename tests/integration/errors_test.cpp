// tests/integration/errors_test.cpp: every rejected request gets its exact status and
// OperationOutcome over HTTP, from the real server.
#include <gtest/gtest.h>

#include "tests/support/fhir_builders.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/test_support.hpp"

using namespace ivig::test;

namespace {

class Errors : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ivig::server::server_config config;
    config.body_limit = 4 * 1024 * 1024;
    config.header_limit = 8 * 1024;
    server_ = std::make_unique<running_service>(scenario_now(), config);
  }
  static void TearDownTestSuite() { server_.reset(); }
  static std::unique_ptr<running_service> server_;

  /// Asserts the status, the stable error code and the diagnostics of an OperationOutcome answer.
  static void expect_error(const http_result& result, unsigned status, const std::string& code,
                           const std::string& diagnostics) {
    EXPECT_EQ(result.status, status) << result.body;
    EXPECT_EQ(result.headers.at("content-type"), "application/json");
    const auto doc = parse(result.body);
    ASSERT_TRUE(doc.IsObject()) << result.body;
    EXPECT_STREQ(doc["resourceType"].GetString(), "OperationOutcome");
    EXPECT_EQ(std::string(doc["issue"][0]["details"]["coding"][0]["code"].GetString()), code);
    EXPECT_EQ(std::string(doc["issue"][0]["diagnostics"].GetString()), diagnostics);
  }

  static std::string valid_select() { return order_select_with(medication_request("m1", privigen()), "m1").json(); }
};
std::unique_ptr<running_service> Errors::server_;

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  return text.replace(text.find(from), from.size(), to);
}

}  // namespace

TEST_F(Errors, UnknownServiceIs404) {
  expect_error(server_->post("ivig-nope", valid_select()), 404, "unknown-service",
               "No CDS service has the id 'ivig-nope'.");
}

TEST_F(Errors, UnknownPathIs404) {
  expect_error(server_->get("/nowhere"), 404, "route-not-found",
               "The endpoints are GET /cds-services, POST /cds-services/{id}, POST /cds-services/{id}/feedback, "
               "GET /healthz and GET /readyz.");
}

TEST_F(Errors, WrongMethodIs405WithAllow) {
  const http_result result = http_request(server_->port(), "GET", "/cds-services/ivig-order-select");
  expect_error(result, 405, "method-not-allowed", "This endpoint accepts only POST.");
  EXPECT_EQ(result.headers.at("allow"), "POST");
  EXPECT_EQ(http_request(server_->port(), "POST", "/cds-services", "{}").headers.at("allow"), "GET");
}

TEST_F(Errors, MalformedJsonIs400) {
  expect_error(server_->post("ivig-order-select", R"({"hook":)"), 400, "json-malformed",
               "Invalid JSON at byte 8: Invalid value.");
}

TEST_F(Errors, TooDeepJsonIs400) {
  expect_error(server_->post("ivig-order-select", "{\"a\":" + std::string(100, '[') + std::string(100, ']') + "}"), 400,
               "json-too-deep", "The body nests objects or arrays more than 64 levels deep.");
}

TEST_F(Errors, MissingHookIs400) {
  expect_error(server_->post("ivig-order-select", replaced(valid_select(), R"("hook":"order-select",)", "")), 400,
               "field-missing", "The required field 'hook' is missing.");
}

TEST_F(Errors, FhirAuthorizationWithoutServerIs400) {
  expect_error(
      server_->post("ivig-order-select",
                    replaced(valid_select(), R"("context":)",
                             R"("fhirAuthorization":{"access_token":"secret","token_type":"Bearer"},"context":)")),
      400, "fhir-authorization-without-server",
      "fhirAuthorization is present but fhirServer is not (CDS Hooks invariant cds-r-1).");
}

TEST_F(Errors, HookMismatchIs400) {
  expect_error(server_->post("ivig-order-sign", valid_select()), 400, "hook-mismatch",
               "This service answers the hook 'order-sign', not 'order-select'.");
}

TEST_F(Errors, SelectionNotInDraftOrdersIs400) {
  expect_error(server_->post("ivig-order-select",
                             replaced(valid_select(), "\"MedicationRequest/m1\"", "\"MedicationRequest/x\"")),
               400, "selection-not-in-draft-orders",
               "The selection 'MedicationRequest/x' names no resource in context.draftOrders.");
}

TEST_F(Errors, PrefetchedPatientMismatchIs400) {
  auto request = order_select_with(medication_request("m1", privigen()), "m1");
  request.prefetch["patient"] = patient("other");
  expect_error(server_->post("ivig-order-select", request.json()), 400, "prefetch-patient-mismatch",
               "prefetch.patient is the Patient 'other' but context.patientId is 'example'.");
}

TEST_F(Errors, WrongContentTypeIs415) {
  expect_error(http_request(server_->port(), "POST", "/cds-services/ivig-order-select", valid_select(), "text/plain"),
               415, "unsupported-media-type", "Content-Type must be application/json or application/fhir+json.");
}

TEST_F(Errors, BodyOverTheLimitIs413) {
  const std::string body = "{\"pad\":\"" + std::string(4 * 1024 * 1024, 'x') + "\"}";
  const http_result result = server_->post("ivig-order-select", body);
  EXPECT_EQ(result.status, 413u);
  EXPECT_NE(result.body.find("\"code\":\"body-too-large\""), std::string::npos) << result.body;
}

// Issue 14, bounded work per request: each cap answers 413 with its own code before the work it
// bounds is done (defaults: 200 draft orders, 500 feedback items, 1 MiB strings).
TEST_F(Errors, MoreDraftOrdersThanTheCapIs413) {
  std::vector<std::string> orders;
  for (int i = 0; i < 201; ++i) orders.push_back(medication_request("m" + std::to_string(i), privigen()));
  expect_error(server_->post("ivig-order-sign", order_sign_with(orders).json()), 413, "too-many-entries",
               "The request has 201 draft orders; at most 200 are accepted (--max-draft-orders).");
}

TEST_F(Errors, AStringLongerThanTheFieldCapIs413NamingItsPath) {
  auto request = order_select_with(medication_request("m1", privigen()), "m1");
  const std::string body =
      replaced(request.json(), R"("userId":")", R"("note":")" + std::string((1u << 20) + 1, 'x') + R"(","userId":")");
  expect_error(server_->post("ivig-order-select", body), 413, "field-too-long",
               "The string at context.note is 1048577 bytes long; at most 1048576 bytes are accepted "
               "(--max-field-bytes).");
}

TEST_F(Errors, MoreFeedbackItemsThanTheCapIs413AndNothingIsRecorded) {
  std::string body = R"({"feedback":[)";
  for (int i = 0; i < 501; ++i)
    body +=
        std::string(i == 0 ? "" : ",") +
        R"({"card":"3d5d5e02-2d7c-5a5b-9a5e-0c2b5d6f7a8b","outcome":"overridden","outcomeTimestamp":"2026-01-01T00:00:00Z"})";
  body += "]}";
  expect_error(http_request(server_->port(), "POST", "/cds-services/ivig-order-select/feedback", body), 413,
               "too-many-entries",
               "The request has 501 feedback items; at most 500 are accepted (--max-feedback-items).");
}
