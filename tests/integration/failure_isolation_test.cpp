// tests/integration/failure_isolation_test.cpp: a rule that throws costs only itself, over HTTP with
// the real server and a real SQLite audit log. The call still answers 200 with every other card
// exactly as without the fault; the failed check is on the "could not be completed" card; one log
// line names the rule and the exception; the audit record flags the rule.
#include <gtest/gtest.h>

#include <filesystem>
#include <mutex>

#include "hooks/audit/queries.hpp"
#include "hooks/audit/sqlite_store.hpp"
#include "tests/support/fault_knowledge.hpp"
#include "tests/support/fhir_builders.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/test_support.hpp"

using namespace ivig::test;
namespace audit = ivig::audit;

TEST(FailureIsolationOverHttp, AThrowingRuleLeavesEveryOtherCardIntactAndIsLoggedAndAudited) {
  const hook_request request = two_card_request("6f1c3c0e-2a59-4b8e-9a51-6c1f1d2e3a40");

  running_service healthy(scenario_now());
  const rapidjson::Document expected = parse(healthy.post("ivig-order-select", request.json()).body);
  ASSERT_EQ(expected["cards"].Size(), 2u);  // critical R4, warning R3 (joined by R2: anti-IgA status unknown)
  ASSERT_STREQ(expected["cards"][1]["extension"]["ivig-cds"]["rules"][0].GetString(), "R3");

  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("ivig-failure-isolation-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  audit::audit_options options;
  options.path = (dir / "audit.sqlite3").string();
  options.log = [](std::string_view) {};
  auto store = std::make_shared<audit::sqlite_audit_store>(options);
  std::mutex lines_mutex;
  std::vector<std::string> lines;
  {
    running_service failing(scenario_now(), knowledge_with_failing_rule("R3"), store, [&](std::string_view line) {
      const std::lock_guard lock(lines_mutex);
      lines.emplace_back(line);
    });
    const http_result result = failing.post("ivig-order-select", request.json());
    ASSERT_EQ(result.status, 200u) << result.body;
    const rapidjson::Document got = parse(result.body);
    ASSERT_EQ(got["cards"].Size(), 3u) << result.body;
    // The R4 card is exactly the card of the healthy service (same uuid, words, sources, actions).
    EXPECT_EQ(pretty(got["cards"][0]), pretty(expected["cards"][0]));
    // R2's incomplete anti-IgA screen, which joins R3's card when R3 speaks, stands on its own: the
    // warning that the status is unknown is not lost with R3.
    EXPECT_STREQ(got["cards"][1]["indicator"].GetString(), "warning");
    EXPECT_STREQ(got["cards"][1]["summary"].GetString(),
                 "IgA deficiency with unknown anti-IgA antibody status: contraindication screen incomplete");
    ASSERT_EQ(got["cards"][1]["extension"]["ivig-cds"]["rules"].Size(), 1u);
    EXPECT_STREQ(got["cards"][1]["extension"]["ivig-cds"]["rules"][0].GetString(), "R2");
    // The failed check is named on the missing-data card; nothing of its partial output is shown.
    const auto& incomplete = got["cards"][2];
    EXPECT_STREQ(incomplete["indicator"].GetString(), "info");
    EXPECT_STREQ(incomplete["summary"].GetString(), "1 IVIg safety check could not be completed: see which and why");
    EXPECT_EQ(std::string(incomplete["detail"].GetString()),
              "These checks could not be done, so their silence does not mean the order is safe:\n\n"
              "- **R3 IgA deficiency or anti-IgA antibodies without a hypersensitivity history** "
              "(MedicationRequest/ivig-1): the check failed with an internal error and was skipped; the service's "
              "log names it\n\nKnowledge " +
                  embedded_knowledge()->version + ".");
    EXPECT_EQ(result.body.find("partial output of a failing rule"), std::string::npos);
  }
  EXPECT_EQ(lines, std::vector<std::string>{
                       "rule R3 failed on MedicationRequest/ivig-1 (injected fault in R3); its check is listed as "
                       "not completed, the other rules' cards are returned"});
  const audit::hook_instance_view view = audit::show_hook_instance(options.path, request.hook_instance);
  ASSERT_EQ(view.calls.size(), 1u);
  EXPECT_EQ(view.calls[0].http_status, 200u);
  EXPECT_NE(
      view.payloads[0].find(R"({"rule_id":"R3","fired":false,"error":"internal error on MedicationRequest/ivig-1"})"),
      std::string::npos)
      << view.payloads[0];
  EXPECT_NE(view.payloads[0].find(R"({"rule_id":"R4","fired":true})"), std::string::npos) << view.payloads[0];
  store.reset();
  std::filesystem::remove_all(dir);
}
