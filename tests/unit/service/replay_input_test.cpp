// tests/unit/service/replay_input_test.cpp: the replay input a call leaves in its audit record: the
// request without its access token, and what was fetched, read back into the form the service uses.
#include <gtest/gtest.h>

#include <rapidjson/document.h>

#include "hooks/service/replay_input.hpp"

namespace ivig::service {
namespace {

rapidjson::Document parsed(const char* json) {
  rapidjson::Document d;
  d.Parse(json);
  return d;
}

TEST(ReplayInput, TheRequestIsKeptWithoutItsAccessTokenAndNothingElseWhenNothingWasFetched) {
  const rapidjson::Document request =
      parsed(R"({"hook":"order-select","fhirServer":"https://ehr/fhir","fhirAuthorization":{"access_token":"secret",)"
             R"("token_type":"Bearer"},"context":{"patientId":"p1"}})");
  const std::string input = write_replay_input(request, nullptr);
  EXPECT_EQ(input,
            R"({"request":{"hook":"order-select","fhirServer":"https://ehr/fhir","context":{"patientId":"p1"}}})");
  const auto back = read_replay_input(input, 64);
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(back->request, R"({"hook":"order-select","fhirServer":"https://ehr/fhir","context":{"patientId":"p1"}})");
  EXPECT_EQ(back->fetched, nullptr);
}

TEST(ReplayInput, WhatWasFetchedComesBackWithEachKeysStatusAndResources) {
  const rapidjson::Document request = parsed(R"({"hook":"order-select"})");
  const rapidjson::Document bundle =
      parsed(R"([{"resourceType":"Condition","id":"c1"},{"resourceType":"Medication","id":"m1"}])");
  fetched_data fetched;
  fetched.keys.push_back({"conditions", {fhir::data_state::provided, "", true, ""}, {&bundle[0]}});
  fetched.keys.push_back({"observations", {fhir::data_state::error, "the FHIR server timed out", true, "timeout"}, {}});
  fetched.medications = {&bundle[1]};
  const std::string input = write_replay_input(request, &fetched);
  EXPECT_EQ(input, R"({"request":{"hook":"order-select"},"fetched":[{"key":"conditions","state":"provided",)"
                   R"("detail":"","reason":"","resources":[{"resourceType":"Condition","id":"c1"}]},)"
                   R"({"key":"observations","state":"error","detail":"the FHIR server timed out","reason":"timeout",)"
                   R"("resources":[]}],"medications":[{"resourceType":"Medication","id":"m1"}]})");
  const auto back = read_replay_input(input, 64);
  ASSERT_TRUE(back) << back.error();
  ASSERT_NE(back->fetched, nullptr);
  ASSERT_EQ(back->fetched->keys.size(), 2u);
  EXPECT_EQ(back->fetched->keys[0].key, "conditions");
  EXPECT_EQ(back->fetched->keys[0].status.state, fhir::data_state::provided);
  EXPECT_TRUE(back->fetched->keys[0].status.fetched);
  ASSERT_EQ(back->fetched->keys[0].resources.size(), 1u);
  EXPECT_STREQ((*back->fetched->keys[0].resources[0])["id"].GetString(), "c1");
  EXPECT_EQ(back->fetched->keys[1].status.state, fhir::data_state::error);
  EXPECT_EQ(back->fetched->keys[1].status.detail, "the FHIR server timed out");
  EXPECT_EQ(back->fetched->keys[1].status.reason, "timeout");
  ASSERT_EQ(back->fetched->medications.size(), 1u);
  EXPECT_STREQ((*back->fetched->medications[0])["id"].GetString(), "m1");
  // Written again from what was read, it is the same text: nothing is lost on the way.
  EXPECT_EQ(write_replay_input(parsed(back->request.c_str()), back->fetched.get()), input);
}

TEST(ReplayInput, AnInputThatIsNotOneSaysWhy) {
  EXPECT_EQ(read_replay_input(R"({"fetched":[]})", 64).error(), "it has no request object");
  EXPECT_EQ(read_replay_input(R"({"request":{},"fetched":{}})", 64).error(), "fetched is not an array");
  EXPECT_EQ(read_replay_input(R"({"request":{},"fetched":[{"key":"k","state":"lost"}]})", 64).error(),
            "fetched key k has an unknown state");
  EXPECT_EQ(
      read_replay_input(R"({"request":{},"fetched":[{"key":"k","state":"provided","resources":[1]}]})", 64).error(),
      "fetched key k: resources holds something other than a resource");
  EXPECT_EQ(read_replay_input("{", 64).error().substr(0, 9), "not JSON:");
}

}  // namespace
}  // namespace ivig::service
