// tests/unit/service/record_gatherer_test.cpp: every prefetch state of spec-digest §3.3.
#include <gtest/gtest.h>

#include "hooks/protocol/cds_request.hpp"
#include "hooks/service/record_gatherer.hpp"
#include "tests/support/fhir_builders.hpp"
#include "tests/support/test_support.hpp"

using namespace ivig::service;
using ivig::fhir::data_state;

namespace {

struct gathered {
  ivig::fhir::patient_record record;
  std::optional<ivig::protocol::request_error> error;
};

gathered gather(const ivig::test::hook_request& request) {
  const rapidjson::Document doc = ivig::test::parse(request.json());
  const auto parsed = ivig::protocol::read_cds_request(doc, ivig::protocol::hook_kind::order_select);
  EXPECT_TRUE(parsed) << parsed.error().diagnostics;
  const auto templates = derive_prefetch_templates(*ivig::test::embedded_knowledge());
  auto result = gather_record(*parsed, templates, " and gave no FHIR server to query");
  gathered out;
  if (result)
    out.record = std::move(result).value();
  else
    out.error = std::move(result).error();
  return out;
}

ivig::test::hook_request base() {
  return ivig::test::order_select_with(ivig::test::medication_request("m1", ivig::test::privigen()), "m1");
}

}  // namespace

TEST(RecordGatherer, AbsentKeyIsNotProvidedWithAReason) {
  auto request = base();
  request.prefetch.erase("conditions");
  const gathered g = gather(request);
  EXPECT_EQ(g.record.status_of("conditions").state, data_state::not_provided);
  EXPECT_EQ(g.record.status_of("conditions").detail,
            "the EHR did not send conditions (prefetch 'conditions') and gave no FHIR server to query");
  EXPECT_EQ(g.record.status_of("conditions").reason, "not sent");
  EXPECT_FALSE(g.record.status_of("conditions").fetched);
}

TEST(RecordGatherer, NoPrefetchAtAllMeansEveryKeyIsNotProvided) {
  auto request = base();
  request.prefetch.clear();
  const gathered g = gather(request);
  for (const char* key :
       {"patient", "conditions", "observations", "allergies", "immunizations", "medications", "procedures"})
    EXPECT_EQ(g.record.status_of(key).state, data_state::not_provided) << key;
}

TEST(RecordGatherer, NullIsAnAnswerMeaningNoData) {
  auto request = base();
  request.prefetch["allergies"] = "null";
  const gathered g = gather(request);
  EXPECT_EQ(g.record.status_of("allergies").state, data_state::provided);
  EXPECT_TRUE(g.record.allergies.empty());
}

TEST(RecordGatherer, OperationOutcomeIsAnErrorWithItsSummary) {
  auto request = base();
  request.prefetch["observations"] =
      R"({"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"timeout","diagnostics":"lab system down"}]})";
  const gathered g = gather(request);
  EXPECT_EQ(g.record.status_of("observations").state, data_state::error);
  EXPECT_EQ(g.record.status_of("observations").detail,
            "the EHR could not provide laboratory results and vital signs (error/timeout: lab system down)");
}

TEST(RecordGatherer, PagedBundleIsIncompleteButItsResourcesCount) {
  auto request = base();
  request.prefetch["conditions"] =
      R"({"resourceType":"Bundle","type":"searchset","link":[{"relation":"next","url":"https://ehr/p2"}],)"
      R"("entry":[{"resource":{"resourceType":"Condition","id":"c1","code":{"text":"x"}}}]})";
  const gathered g = gather(request);
  EXPECT_EQ(g.record.status_of("conditions").state, data_state::incomplete);
  EXPECT_EQ(g.record.conditions.size(), 1u);
}

TEST(RecordGatherer, EmptyBundleAndBundleWithoutTypeAreProvided) {
  auto request = base();
  request.prefetch["conditions"] = R"({"resourceType":"Bundle"})";
  const gathered g = gather(request);
  EXPECT_EQ(g.record.status_of("conditions").state, data_state::provided);
}

TEST(RecordGatherer, BundleWithAnErrorOutcomeEntryIsAnError) {
  auto request = base();
  request.prefetch["allergies"] = R"({"resourceType":"Bundle","entry":[{"resource":{"resourceType":"OperationOutcome",)"
                                  R"("issue":[{"severity":"error","code":"exception"}]}}]})";
  EXPECT_EQ(gather(request).record.status_of("allergies").state, data_state::error);
}

TEST(RecordGatherer, APatientOtherThanTheContextPatientIsRejected) {
  auto request = base();
  request.prefetch["patient"] = ivig::test::patient("someone-else");
  const gathered g = gather(request);
  ASSERT_TRUE(g.error);
  EXPECT_EQ(g.error->diagnostics, "prefetch.patient is the Patient 'someone-else' but context.patientId is 'example'.");
}

TEST(RecordGatherer, NonResourceValueIsAnError) {
  auto request = base();
  request.prefetch["medications"] = R"("see chart")";
  EXPECT_EQ(gather(request).record.status_of("medications").state, data_state::error);
}
