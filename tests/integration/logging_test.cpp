// tests/integration/logging_test.cpp: the binary's log (docs/operations.md, "Logs"): every line on
// stderr is one JSON object with time, level, component and message; a call, a feedback post and a
// rejected request are one event each with their request fields; no path, no token and nothing the
// caller sent about the patient is ever in it.
#include <gtest/gtest.h>

#include <csignal>

#include <rapidjson/document.h>

#include "tests/support/child_process.hpp"
#include "tests/support/command_run.hpp"
#include "tests/support/fhir_builders.hpp"
#include "tests/support/http_client.hpp"

using namespace ivig::test;

namespace {

std::vector<std::string> lines_until_exit(child_process& service) {
  std::vector<std::string> lines;
  for (std::string line = service.read_line(); !line.empty(); line = service.read_line()) lines.push_back(line);
  return lines;
}

}  // namespace

TEST(Logging, EveryLineIsOneJsonEventAndACallIsOneEventWithItsFieldsAndNoClinicalContent) {
  child_process service(IVIG_BINARY, {"--port", "0", "--no-audit"});
  const std::string listening = service.wait_for_line("listening on 127.0.0.1:");
  ASSERT_FALSE(listening.empty());
  const auto port = static_cast<unsigned short>(std::stoi(listening.substr(listening.rfind(':') + 1)));

  hook_request request = two_card_request("0b6e3c52-3f7c-4d0e-8a7b-5c1d2e3f4a5b");
  request.fhir_server = "https://ehr.example.org/fhir";
  request.access_token = "secret-token-9d8c7b";
  ASSERT_EQ(http_request(port, "POST", "/cds-services/ivig-order-select", request.json()).status, 200u);
  EXPECT_EQ(http_request(port, "GET", "/Patient/patient-name-in-id").status, 404u);
  ASSERT_EQ(http_request(port, "POST", "/cds-services/ivig-order-select/feedback",
                         R"({"feedback":[{"card":"9368d37b-283f-44a0-93ea-547cebab93ae","outcome":"accepted",)"
                         R"("acceptedSuggestions":[{"id":"s1"}],"outcomeTimestamp":"2026-11-22T12:00:00Z"}]})")
                .status,
            200u);
  ::kill(service.pid(), SIGTERM);
  std::vector<std::string> lines = lines_until_exit(service);
  lines.insert(lines.begin(), listening);
  EXPECT_EQ(service.wait_exit(), 0);

  int calls = 0, rejections = 0, feedback = 0;
  for (const std::string& line : lines) {
    rapidjson::Document event;
    event.Parse(line.c_str());
    ASSERT_FALSE(event.HasParseError()) << line;
    ASSERT_TRUE(event.IsObject()) << line;
    for (const char* key : {"time", "level", "component", "message"})
      ASSERT_TRUE(event.HasMember(key) && event[key].IsString()) << key << " in " << line;
    EXPECT_EQ(std::string(event["time"].GetString()).size(), std::string("2026-11-30T18:00:00.042Z").size()) << line;
    for (const char* secret : {"secret-token-9d8c7b", "patient-name-in-id", "Privigen", "Hyperprolinemia"})
      EXPECT_EQ(line.find(secret), std::string::npos) << secret << " in " << line;
    const std::string message = event["message"].GetString();
    if (message == "call answered") {
      ++calls;
      EXPECT_STREQ(event["level"].GetString(), "info");
      EXPECT_STREQ(event["component"].GetString(), "service");
      EXPECT_STREQ(event["request_id"].GetString(), "0b6e3c52-3f7c-4d0e-8a7b-5c1d2e3f4a5b");
      EXPECT_STREQ(event["service"].GetString(), "ivig-order-select");
      EXPECT_EQ(event["status"].GetUint(), 200u);
      EXPECT_GE(event["duration_ms"].GetDouble(), 0.0);
    } else if (message == "request rejected: route-not-found") {
      ++rejections;
      EXPECT_EQ(event["status"].GetUint(), 404u);
    } else if (message == "feedback recorded: 1 item(s), 0 duplicate(s), 1 unmatched") {
      ++feedback;
      EXPECT_STREQ(event["service"].GetString(), "ivig-order-select");
    }
  }
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(rejections, 1);
  EXPECT_EQ(feedback, 1);
  EXPECT_NE(lines.back().find(R"("component":"app","message":"stopped"})"), std::string::npos) << lines.back();
}

TEST(Logging, AConfigurationRefusalIsAnErrorEventInJsonAndTheOldLineInText) {
  auto run = [](const std::string& arguments) {
    return run_command(std::string(IVIG_BINARY) + " " + arguments + " 2>&1").output;
  };
  const std::string json = run("--no-audit --fhir-allow http://ehr.example.org/fhir --port 0");
  rapidjson::Document event;
  event.Parse(json.c_str());
  ASSERT_FALSE(event.HasParseError()) << json;
  EXPECT_STREQ(event["level"].GetString(), "error");
  EXPECT_STREQ(event["component"].GetString(), "app");
  EXPECT_STREQ(event["message"].GetString(),
               "--fhir-allow http://ehr.example.org/fhir: must be an https URL (http only to loopback, or with "
               "--fhir-allow-plain-http)");
  EXPECT_EQ(run("--log-format text --no-audit --fhir-allow http://ehr.example.org/fhir --port 0"),
            "ivig-cds: --fhir-allow http://ehr.example.org/fhir: must be an https URL (http only to loopback, or with "
            "--fhir-allow-plain-http)\n");
}
