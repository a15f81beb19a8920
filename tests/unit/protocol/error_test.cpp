// tests/unit/protocol/error_test.cpp: the stable error table and the OperationOutcome body.
#include <gtest/gtest.h>

#include <set>

#include "hooks/protocol/error.hpp"
#include "hooks/protocol/json_body.hpp"
#include "hooks/protocol/uuid.hpp"

using namespace ivig::protocol;

TEST(ErrorTable, EveryCodeHasItsDocumentedStatusAndAUniqueName) {
  const std::vector<std::pair<error_code, unsigned>> expected{{error_code::json_malformed, 400},
                                                              {error_code::json_too_deep, 400},
                                                              {error_code::body_too_large, 413},
                                                              {error_code::headers_too_large, 431},
                                                              {error_code::http_malformed, 400},
                                                              {error_code::field_missing, 400},
                                                              {error_code::field_invalid, 400},
                                                              {error_code::fhir_authorization_without_server, 400},
                                                              {error_code::hook_mismatch, 400},
                                                              {error_code::selection_not_in_draft_orders, 400},
                                                              {error_code::prefetch_patient_mismatch, 400},
                                                              {error_code::fhir_server_refused, 400},
                                                              {error_code::patient_unavailable, 412},
                                                              {error_code::unsupported_media_type, 415},
                                                              {error_code::unknown_service, 404},
                                                              {error_code::route_not_found, 404},
                                                              {error_code::method_not_allowed, 405},
                                                              {error_code::request_timeout, 408},
                                                              {error_code::expectation_failed, 417},
                                                              {error_code::unauthorized, 401},
                                                              {error_code::too_many_connections, 503},
                                                              {error_code::service_draining, 503},
                                                              {error_code::too_many_entries, 413},
                                                              {error_code::field_too_long, 413},
                                                              {error_code::response_too_large, 413},
                                                              {error_code::reload_unavailable, 409},
                                                              {error_code::knowledge_rejected, 422},
                                                              {error_code::internal_error, 500}};
  std::set<std::string_view> names;
  for (const auto& [code, status] : expected) {
    EXPECT_EQ(describe(code).http_status, status) << describe(code).code;
    EXPECT_TRUE(names.insert(describe(code).code).second) << describe(code).code;
    EXPECT_FALSE(describe(code).summary.empty());
  }
}

TEST(OperationOutcome, CarriesTheStableCodeAndDiagnostics) {
  EXPECT_EQ(
      operation_outcome_json(error_code::hook_mismatch, "This service answers the hook 'order-select', not 'x'."),
      R"({"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"invalid","details":{"coding":[)"
      R"({"system":"urn:ivig-cds:error","code":"hook-mismatch","display":"The request's hook is not the hook this )"
      R"(service answers."}]},"diagnostics":"This service answers the hook 'order-select', not 'x'."}]})");
}

TEST(OperationOutcome, AnAuthenticationRefusalNamesItsReasonInASecondCoding) {
  EXPECT_EQ(operation_outcome_json(error_code::unauthorized, "The token expired 61 s ago.", "token-expired"),
            R"({"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"login","details":{"coding":[)"
            R"({"system":"urn:ivig-cds:error","code":"unauthorized","display":"The request carries no valid )"
            R"(credentials."},{"system":"urn:ivig-cds:auth-reason","code":"token-expired"}]},)"
            R"("diagnostics":"The token expired 61 s ago."}]})");
}

TEST(OperationOutcome, ServerErrorsAreFatal) {
  EXPECT_NE(operation_outcome_json(error_code::internal_error, "").find(R"("severity":"fatal")"), std::string::npos);
}

TEST(JsonBody, RejectsNestingDeeperThanTheLimitBeforeParsing) {
  const std::string deep = std::string(65, '[') + std::string(65, ']');
  const auto parsed = parse_json_body("{\"a\":" + deep + "}", 64);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, error_code::json_too_deep);
  EXPECT_EQ(parsed.error().diagnostics, "The body nests objects or arrays more than 64 levels deep.");
  EXPECT_TRUE(parse_json_body("{\"a\":" + std::string(63, '[') + std::string(63, ']') + "}", 64));
}

TEST(JsonBody, BracketsInsideStringsDoNotCount) {
  EXPECT_EQ(json_nesting_depth(R"({"a":"[[[[[[\"[[["})", 64), 1u);
}

TEST(JsonBody, RejectsMalformedJsonWithTheOffset) {
  const auto parsed = parse_json_body(R"({"hook": })", 64);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, error_code::json_malformed);
  EXPECT_EQ(parsed.error().diagnostics, "Invalid JSON at byte 9: Invalid value.");
  EXPECT_EQ(parse_json_body("[1]", 64).error().diagnostics, "The body must be a JSON object.");
  EXPECT_EQ(parse_json_body("{} {}", 64).error().code, error_code::json_malformed);
}

TEST(Uuid, IsAStableVersion5Uuid) {
  const std::string a = uuid_v5("hook-1|R1|MedicationRequest/1");
  EXPECT_EQ(a, uuid_v5("hook-1|R1|MedicationRequest/1"));
  EXPECT_NE(a, uuid_v5("hook-2|R1|MedicationRequest/1"));
  ASSERT_EQ(a.size(), 36u);
  EXPECT_EQ(a[14], '5');
  EXPECT_NE(std::string("89ab").find(a[19]), std::string::npos);
}
