// tests/unit/protocol/cds_request_test.cpp: CDS Hooks request validation (spec-digest §2, §11).
#include <gtest/gtest.h>

#include "hooks/protocol/cds_request.hpp"
#include "tests/support/fhir_builders.hpp"
#include "tests/support/test_support.hpp"

using namespace ivig::protocol;

namespace {

std::string valid_select() {
  return ivig::test::order_select_with(ivig::test::medication_request("m1", ivig::test::privigen()), "m1").json();
}

/// Validates `json` as order-select; returns the error (code, diagnostics) or nullopt.
std::optional<request_error> check(const std::string& json, hook_kind hook = hook_kind::order_select) {
  const rapidjson::Document doc = ivig::test::parse(json);
  const auto result = read_cds_request(doc, hook);
  if (!result) return result.error();
  return std::nullopt;
}

std::string with(std::string json, const std::string& from, const std::string& to) {
  const auto at = json.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return json.replace(at, from.size(), to);
}

void expect_error(const std::optional<request_error>& error, error_code code, const std::string& diagnostics) {
  ASSERT_TRUE(error) << "expected " << describe(code).code;
  EXPECT_EQ(describe(error->code).code, describe(code).code);
  EXPECT_EQ(error->diagnostics, diagnostics);
}

}  // namespace

// cds-hooks_2.0@ hook, hookInstance, context REQUIRED
TEST(CdsRequest, AcceptsAValidOrderSelect) {
  EXPECT_FALSE(check(valid_select()));
}

TEST(CdsRequest, RequiresHookHookInstanceAndContext) {
  expect_error(check(with(valid_select(), R"("hook":"order-select",)", "")), error_code::field_missing,
               "The required field 'hook' is missing.");
  expect_error(check(with(valid_select(), R"("hookInstance":"d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",)", "")),
               error_code::field_missing, "The required field 'hookInstance' is missing.");
  expect_error(check(R"({"hook":"order-select","hookInstance":"d1577c69-dfbe-44ad-ba6d-3e05e953b2ea"})"),
               error_code::field_missing, "The required field 'context' is missing.");
  expect_error(check(R"({"hook":"order-select","hookInstance":"d1577c69-dfbe-44ad-ba6d-3e05e953b2ea","context":[]})"),
               error_code::field_invalid, "The field 'context' must be a JSON object.");
}

// The spec types hookInstance as a UUID; free text reached the audit CLI raw (security review).
TEST(CdsRequest, HookInstanceMustBeAUuidBareOrAsUrn) {
  for (const char* bad : {"x", "cli-1", "d1577c69-dfbe-44ad-ba6d-3e05e953b2e", "d1577c69-dfbe-44ad-ba6d-3e05e953b2eaa",
                          "d1577c69xdfbe-44ad-ba6d-3e05e953b2ea", "g1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
                          "\\u001b[2Jd1577c69-dfbe-44ad-ba6d-3e05e953b2ea"})
    expect_error(check(with(valid_select(), "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea", bad)), error_code::field_invalid,
                 "The field 'hookInstance' must be a UUID (8-4-4-4-12 hexadecimal digits).");
  EXPECT_FALSE(
      check(with(valid_select(), "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea", "D1577C69-DFBE-44AD-BA6D-3E05E953B2EA")));
  EXPECT_FALSE(check(
      with(valid_select(), "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea", "urn:uuid:d1577c69-dfbe-44ad-ba6d-3e05e953b2ea")));
}

TEST(CdsRequest, FhirAuthorizationWithoutFhirServerIsRejected) {
  expect_error(
      check(with(
          valid_select(), R"("context":)",
          R"("fhirAuthorization":{"access_token":"t","token_type":"Bearer","expires_in":300,"scope":"s","subject":"c"},"context":)")),
      error_code::fhir_authorization_without_server,
      "fhirAuthorization is present but fhirServer is not (CDS Hooks invariant cds-r-1).");
}

TEST(CdsRequest, AcceptsFhirAuthorizationWithFhirServer) {
  EXPECT_FALSE(check(with(
      valid_select(), R"("context":)",
      R"("fhirServer":"https://ehr.example.org/fhir","fhirAuthorization":{"access_token":"t","token_type":"Bearer"},"context":)")));
}

TEST(CdsRequest, HookMustMatchTheService) {
  expect_error(check(valid_select(), hook_kind::order_sign), error_code::hook_mismatch,
               "This service answers the hook 'order-sign', not 'order-select'.");
}

TEST(CdsRequest, UserIdMustFollowInvariantOrd1) {
  expect_error(check(with(valid_select(), "Practitioner/example", "example")), error_code::field_invalid,
               "The field 'context.userId' must be a relative reference such as Practitioner/123 (invariant ord-1).");
  EXPECT_FALSE(check(with(valid_select(), "Practitioner/example", "PractitionerRole/a-1.b")));
}

TEST(CdsRequest, PatientIdMustBeAFhirId) {
  expect_error(check(with(valid_select(), R"("patientId":"example")", R"("patientId":"a b")")),
               error_code::field_invalid, "The field 'context.patientId' must be a FHIR id ([A-Za-z0-9-.]{1,64}).");
}

TEST(CdsRequest, OrderSelectNeedsSelectionsThatAreInDraftOrders) {
  expect_error(check(with(valid_select(), R"("selections":["MedicationRequest/m1"],)", "")), error_code::field_missing,
               "The required field 'context.selections' is missing.");
  expect_error(check(with(valid_select(), "MedicationRequest/m1\"]", "MedicationRequest/other\"]")),
               error_code::selection_not_in_draft_orders,
               "The selection 'MedicationRequest/other' names no resource in context.draftOrders.");
  expect_error(check(with(valid_select(), R"("selections":["MedicationRequest/m1"])", R"("selections":[])")),
               error_code::field_invalid, "The field 'context.selections' must be a non-empty array of references.");
}

TEST(CdsRequest, OrderSignDoesNotNeedSelections) {
  const std::string sign =
      ivig::test::order_sign_with({ivig::test::medication_request("m1", ivig::test::privigen())}).json();
  EXPECT_FALSE(check(sign, hook_kind::order_sign));
}

TEST(CdsRequest, DraftOrdersMustBeABundleButItsTypeMayBeMissing) {
  expect_error(check(with(valid_select(), R"("draftOrders":{"resourceType":"Bundle")",
                          R"("draftOrders":{"resourceType":"List")")),
               error_code::field_invalid, "The field 'context.draftOrders' must be a FHIR Bundle.");
  EXPECT_FALSE(check(with(valid_select(), R"("type":"collection",)", "")));
}

TEST(CdsRequest, UnknownFieldsAndExtensionsAreIgnored) {
  EXPECT_FALSE(
      check(with(valid_select(), R"("context":)", R"("extension":{"com.example":{"x":1}},"user":"123","context":)")));
}

TEST(CdsRequest, NullPrefetchIsNoPrefetch) {
  const std::string json = with(valid_select(), R"("prefetch":{)", R"("prefetch":null,"x":{)");
  const rapidjson::Document doc = ivig::test::parse(json);
  const auto result = read_cds_request(doc, hook_kind::order_select);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->prefetch, nullptr);
}

TEST(CdsRequest, SelectionMayNameTheEntryFullUrl) {
  const rapidjson::Document bundle = ivig::test::parse(
      R"({"resourceType":"Bundle","entry":[{"fullUrl":"urn:uuid:1","resource":{"resourceType":"MedicationRequest","id":"a"}}]})");
  const bundle_index index(&bundle);
  EXPECT_NE(index.find("urn:uuid:1"), nullptr);
  EXPECT_NE(index.find("MedicationRequest/a"), nullptr);
  EXPECT_NE(index.find("https://ehr.example.org/fhir/MedicationRequest/a"), nullptr);
  EXPECT_EQ(index.find("MedicationRequest/b"), nullptr);
  EXPECT_EQ(index.find("Medication/a"), nullptr);
}
