// tests/integration/audit_http_test.cpp: the audit log behind the real server, over HTTP, with a
// real SQLite file: calls and their cards are recorded, feedback is validated, recorded once and
// matched to its card, rejected calls are recorded without their body, and a failing store still
// lets cards through, spools, makes /readyz unready and replays when it recovers.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>

#include "hooks/audit/chain_verify.hpp"
#include "hooks/audit/queries.hpp"
#include "hooks/audit/sqlite_store.hpp"
#include "tests/support/fhir_builders.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/test_support.hpp"

using namespace ivig::test;
namespace audit = ivig::audit;

namespace {

class AuditOverHttp : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("ivig-audit-http-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    audit::audit_options options;
    options.path = (dir_ / "audit.sqlite3").string();
    options.retry_interval = std::chrono::milliseconds(0);  // retry on the very next write
    options.idle_retry = std::chrono::milliseconds(0);
    options.fail_at = [this](std::string_view step) { return failing_.load() && step == "commit"; };
    options.log = [](std::string_view) {};
    store_ = std::make_shared<audit::sqlite_audit_store>(options);
    server_ = std::make_unique<running_service>(scenario_now(), ivig::server::server_config{}, store_);
  }
  void TearDown() override {
    server_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::string path() const { return (dir_ / "audit.sqlite3").string(); }

  std::filesystem::path dir_;
  std::atomic<bool> failing_{false};
  std::shared_ptr<audit::sqlite_audit_store> store_;
  std::unique_ptr<running_service> server_;
};

}  // namespace

TEST_F(AuditOverHttp, EveryCardUuidIsInTheLogWithItsCall) {
  const http_result result =
      server_->post("ivig-order-select", two_card_request("00000000-0000-4000-8000-0000000000a1").json());
  ASSERT_EQ(result.status, 200u);
  const auto doc = parse(result.body);
  const audit::hook_instance_view view = audit::show_hook_instance(path(), "00000000-0000-4000-8000-0000000000a1");
  ASSERT_EQ(view.calls.size(), 1u);
  EXPECT_EQ(view.calls[0].service_id, "ivig-order-select");
  EXPECT_EQ(view.calls[0].hook, "order-select");
  EXPECT_EQ(view.calls[0].user_id, "Practitioner/example");
  EXPECT_EQ(view.calls[0].patient, "example");
  EXPECT_EQ(view.calls[0].http_status, 200u);
  EXPECT_EQ(view.calls[0].knowledge_version, embedded_knowledge()->version);
  ASSERT_EQ(view.cards.size(), doc["cards"].Size());
  for (rapidjson::SizeType i = 0; i < doc["cards"].Size(); ++i)
    EXPECT_EQ(view.cards[i].card_uuid, doc["cards"][i]["uuid"].GetString());
  EXPECT_NE(view.payloads[0].find("\"MedicationRequest/ivig-1: Privigen, 0.5 g/kg (35 g)\""), std::string::npos)
      << view.payloads[0];
  audit::call_filter fired_r4;
  fired_r4.rule_id = "R4";
  EXPECT_EQ(audit::list_calls(path(), fired_r4).size(), 1u);
  audit::call_filter fired_r22;
  fired_r22.rule_id = "R22";
  EXPECT_EQ(audit::list_calls(path(), fired_r22).size(), 0u);
  EXPECT_TRUE(audit::verify_chain(path()).ok);
}

TEST_F(AuditOverHttp, FeedbackIsRecordedOnceMatchedToItsCardAndUnknownCardsAreKept) {
  const auto doc =
      parse(server_->post("ivig-order-select", two_card_request("00000000-0000-4000-8000-0000000000a2").json()).body);
  ASSERT_EQ(doc["cards"].Size(), 2u);
  const std::string critical = doc["cards"][0]["uuid"].GetString();  // R4
  const std::string warning = doc["cards"][1]["uuid"].GetString();   // R3, with suggestions
  const std::string suggestion = doc["cards"][1]["suggestions"][0]["uuid"].GetString();
  const std::string batch =
      R"({"feedback":[)"
      R"({"card":")" +
      warning + R"(","outcome":"accepted","acceptedSuggestions":[{"id":")" + suggestion +
      R"("}],"outcomeTimestamp":"2026-11-22T12:01:00Z"},)"
      R"({"card":")" +
      critical +
      R"(","outcome":"overridden","overrideReason":{"reason":{"system":"urn:ivig-cds:override-reason","code":"benefit-outweighs-risk"},"userComment":"discussed with metabolic team"},"outcomeTimestamp":"2026-11-22T12:02:00Z"},)"
      R"({"card":")" +
      critical +
      R"(","outcome":"overridden","overrideReason":{"userComment":"second look"},"outcomeTimestamp":"2026-11-22T12:03:00Z"},)"
      R"({"card":")" +
      critical +
      R"(","outcome":"overridden","outcomeTimestamp":"2026-11-22T12:04:00Z"},)"
      R"({"card":"00000000-0000-5000-8000-000000000000","outcome":"overridden","outcomeTimestamp":"2026-11-22T12:05:00Z"}]})";
  const http_result first = http_request(server_->port(), "POST", "/cds-services/ivig-order-select/feedback", batch);
  ASSERT_EQ(first.status, 200u) << first.body;
  EXPECT_EQ(first.body, R"({"recorded":5,"duplicates":0,"unmatched":1})");
  const http_result again = http_request(server_->port(), "POST", "/cds-services/ivig-order-select/feedback", batch);
  EXPECT_EQ(again.body, R"({"recorded":0,"duplicates":5,"unmatched":0})");

  const audit::hook_instance_view view = audit::show_hook_instance(path(), "00000000-0000-4000-8000-0000000000a2");
  ASSERT_EQ(view.feedback.size(), 4u);  // the unknown card's feedback is kept, but belongs to no call
  EXPECT_EQ(view.feedback[0].outcome, "accepted");
  EXPECT_EQ(view.feedback[1].override_code, "benefit-outweighs-risk");
  EXPECT_EQ(view.feedback[1].user_comment, "discussed with metabolic team");
  EXPECT_EQ(view.feedback[2].user_comment, "second look");
  for (const audit::feedback_row& f : view.feedback) EXPECT_TRUE(f.matched);
  EXPECT_TRUE(audit::verify_chain(path()).ok);
}

TEST_F(AuditOverHttp, MalformedFeedbackIs400NamingTheItemAndNothingIsRecorded) {
  const std::string body =
      R"({"feedback":[{"card":"c1","outcome":"overridden","outcomeTimestamp":"2026-11-22T12:00:00Z"},)"
      R"({"card":"c2","outcome":"maybe","outcomeTimestamp":"2026-11-22T12:00:00Z"}]})";
  const http_result result = http_request(server_->port(), "POST", "/cds-services/ivig-order-sign/feedback", body);
  EXPECT_EQ(result.status, 400u);
  EXPECT_NE(result.body.find("The field 'feedback[1].outcome' must be accepted or overridden."), std::string::npos);
  audit::call_filter all;
  const auto calls = audit::list_calls(path(), all);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].service_id, "ivig-order-sign/feedback");
  EXPECT_EQ(calls[0].http_status, 400u);
  EXPECT_EQ(calls[0].error_code, "field-invalid");
  EXPECT_EQ(audit::show_hook_instance(path(), "c1").feedback.size(), 0u);
}

TEST_F(AuditOverHttp, RejectedCallsAreRecordedWithTheirCodeAndWithoutTheirBody) {
  hook_request wrong_hook = two_card_request("00000000-0000-4000-8000-0000000000a3");
  EXPECT_EQ(server_->post("ivig-order-sign", wrong_hook.json()).status, 400u);
  EXPECT_EQ(server_->get("/nowhere").status, 404u);
  audit::call_filter all;
  const auto calls = audit::list_calls(path(), all);
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].service_id, "ivig-order-sign");
  EXPECT_EQ(calls[0].error_code, "hook-mismatch");
  EXPECT_EQ(calls[0].http_status, 400u);
  EXPECT_EQ(calls[1].service_id, "GET /nowhere");
  EXPECT_EQ(calls[1].error_code, "route-not-found");
  // No part of the rejected body (the patient's conditions) is in the log, in the database or its WAL.
  std::string everything = read_file(path());
  if (std::filesystem::exists(path() + "-wal")) everything += read_file(path() + "-wal");
  EXPECT_NE(everything.find("hook-mismatch"), std::string::npos);  // the record itself is there
  EXPECT_EQ(everything.find("Hyperprolinemia"), std::string::npos);
}

TEST_F(AuditOverHttp, AFailingStoreStillAnswersSpoolsTurnsUnreadyAndReplaysWhenItRecovers) {
  failing_ = true;
  const http_result during =
      server_->post("ivig-order-select", two_card_request("00000000-0000-4000-8000-0000000000fa").json());
  ASSERT_EQ(during.status, 200u);  // clinical safety first: the cards still reach the clinician
  EXPECT_EQ(parse(during.body)["cards"].Size(), 2u);
  EXPECT_FALSE(store_->ready());
  const http_result unready = server_->get("/readyz");
  EXPECT_EQ(unready.status, 503u);
  EXPECT_NE(unready.body.find("\"code\":\"service-unready\""), std::string::npos);
  EXPECT_EQ(store_->spooled_records(), 1u);
  EXPECT_GE(store_->store_failures(), 1u);
  EXPECT_GT(std::filesystem::file_size(path() + ".spool"), 0u);
  EXPECT_TRUE(audit::show_hook_instance(path(), "00000000-0000-4000-8000-0000000000fa").calls.empty());

  failing_ = false;
  ASSERT_EQ(server_->post("ivig-order-select", two_card_request("00000000-0000-4000-8000-0000000000af").json()).status,
            200u);
  EXPECT_TRUE(store_->ready());
  EXPECT_EQ(server_->get("/readyz").status, 200u);
  EXPECT_EQ(store_->replayed_records(), 1u);
  EXPECT_EQ(audit::show_hook_instance(path(), "00000000-0000-4000-8000-0000000000fa").calls.size(), 1u);
  EXPECT_EQ(audit::show_hook_instance(path(), "00000000-0000-4000-8000-0000000000af").calls.size(), 1u);
  EXPECT_EQ(std::filesystem::file_size(path() + ".spool"), 0u);
  EXPECT_TRUE(audit::verify_chain(path()).ok);
}
