// tests/integration/audit_fault_scenario.cpp: the fault matrices' scenario, its stop and start, and
// the checks of the log it leaves. Shared by audit_fault_matrix_test.cpp (the store's own steps) and
// audit_sqlite_io_matrix_test.cpp (SQLite's own write, fsync and truncate calls).
#include "tests/integration/audit_fault_scenario.hpp"

#include <gtest/gtest.h>

#include "hooks/audit/chain_verify.hpp"
#include "hooks/audit/queries.hpp"
#include "tests/support/audit_entries.hpp"
#include "tests/support/fhir_builders.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/test_support.hpp"

namespace ivig::test {
namespace {

const std::string instance_a = "00000000-0000-4000-8000-00000000fa01";
const std::string instance_b = "00000000-0000-4000-8000-00000000fa02";
const std::string instance_c = "00000000-0000-4000-8000-00000000fa03";
const std::string instance_rejected = "00000000-0000-4000-8000-00000000fa04";

http_result feedback(const running_service& server, const std::vector<std::string>& cards) {
  std::string body = R"({"feedback":[)";
  for (std::size_t i = 0; i < cards.size(); ++i) {
    if (i > 0) body += ',';
    body += R"({"card":")" + cards[i] + R"(","outcome":"overridden","outcomeTimestamp":"2026-11-22T12:01:00Z"})";
  }
  body += "]}";
  return http_request(server.port(), "POST", "/cds-services/ivig-order-select/feedback", body);
}

std::vector<std::string> card_uuids(const std::string& body) {
  std::vector<std::string> uuids;
  const auto doc = parse(body);
  for (const auto& card : doc["cards"].GetArray()) uuids.emplace_back(card["uuid"].GetString());
  return uuids;
}

// Only the outage: the fault-free run.
class no_fault final : public audit_fault {
 public:
  bool fail_step(std::string_view) override { return false; }
  bool fired() const override { return false; }
  bool rolled_back() const override { return false; }
  void expect_refusal(const audit::store_error& error) const override { ADD_FAILURE() << error.what(); }
};

}  // namespace

audit_fault_scenario::audit_fault_scenario(std::filesystem::path run_dir) : run_dir_(std::move(run_dir)) {}

audit::audit_options audit_fault_scenario::options(audit_fault& fault) const {
  audit::audit_options o;
  o.path = path();
  o.retry_interval = std::chrono::milliseconds(0);  // every write retries a failing store
  o.idle_retry = std::chrono::milliseconds(0);      // no idle ticks: only the scenario's writes act
  o.now = [] { return scenario_now(); };
  o.checkpoint_frames = 1;  // a checkpoint after every committed batch, so that each one is a step
  // Asked on the writer thread and the test thread (open); the fault outlives the run's stores.
  o.fail_at = [&fault, outage = outage_](std::string_view step) {
    if (fault.fail_step(step)) return true;
    return *outage && step == "begin";
  };
  o.log = [](std::string_view) {};
  return o;
}

// Opens the store as a start would; a failure injected at the start is the declared startup refusal
// (main.cpp exits 1 with the message), and the operator's next start opens it.
std::shared_ptr<audit::sqlite_audit_store> audit_fault_scenario::open_store(audit_fault& fault) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool fired_before = fault.fired();
    try {
      return std::make_shared<audit::sqlite_audit_store>(options(fault));
    } catch (const audit::store_error& error) {
      EXPECT_TRUE(!fired_before && fault.fired()) << error.what();
      fault.expect_refusal(error);
    }
  }
  ADD_FAILURE() << "the store did not open twice in a row";
  return nullptr;
}

audit_fault_scenario::run_outcome audit_fault_scenario::run(audit_fault& fault, const audit_baseline* expected) {
  run_outcome outcome;
  std::filesystem::remove_all(run_dir_);
  std::filesystem::create_directories(run_dir_);
  {
    auto store = open_store(fault);
    if (!store) return outcome;
    running_service server(scenario_now(), ivig::server::server_config{}, store);
    std::vector<std::string> cards_a, cards_b;
    for (int exchange = 0; exchange < 6; ++exchange) {
      SCOPED_TRACE("exchange " + std::to_string(exchange));
      *outage_ = exchange == 2 || exchange == 3;
      const bool fired_before = fault.fired();
      http_result answer;
      switch (exchange) {
        case 0:
          answer = server.post("ivig-order-select", two_card_request(instance_a).json());
          cards_a = card_uuids(answer.body);
          break;
        case 1:
          answer = feedback(server, cards_a);
          break;
        case 2:
          answer = server.post("ivig-order-select", two_card_request(instance_b).json());
          cards_b = card_uuids(answer.body);
          break;
        case 3:
          answer = feedback(server, {cards_b.at(0)});
          break;
        case 4:
          answer = server.post("ivig-order-sign", two_card_request(instance_rejected).json());  // 400
          break;
        default:
          answer = server.post("ivig-order-select", two_card_request(instance_c).json());
          break;
      }
      // The batch is answered only after its transaction ended, so a failure that rolled it back
      // has fired by now; a failure after the answer (a checkpoint) does not roll back.
      const bool fired_now = !fired_before && fault.fired();
      const bool committed = !*outage_ && !(fired_now && fault.rolled_back());
      outcome.answers.push_back({answer.status, answer.body});
      const http_result ready = server.get("/readyz");
      if (committed) {
        EXPECT_EQ(ready.status, 200u);
        EXPECT_EQ(ready.body, R"({"status":"ready"})");
      } else {
        EXPECT_EQ(ready.status, 503u);
        EXPECT_NE(ready.body.find(R"("code":"service-unready")"), std::string::npos) << ready.body;
        if (expected) {
          EXPECT_EQ(ready.body, expected->unready_body);
        }
      }
      if (expected) {
        exchange_result want = expected->answers.at(static_cast<std::size_t>(exchange));
        if (exchange == 1 && !committed) want.body = R"({"recorded":2,"duplicates":0,"unmatched":2})";
        EXPECT_EQ(answer.status, want.status);
        EXPECT_EQ(answer.body, want.body);
      }
    }
    *outage_ = false;
    // Invariant 9: a record is lost only when the spool fails too, and then it is counted.
    EXPECT_EQ(store->lost_records(), fault.lost_spooled_record() > 0 && fault.fired() ? 1u : 0u);
  }
  // Stop, then start again: a spool left at stop is replayed at the start (invariant 6). A start
  // whose replay fails is unready and keeps the spool; the next start replays it.
  for (int start = 0;; ++start) {
    if (start == 3) {
      ADD_FAILURE() << "the store never recovered";
      break;
    }
    const bool fired_before = fault.fired();
    auto store = open_store(fault);
    if (!store) return outcome;
    running_service server(scenario_now(), ivig::server::server_config{}, store);
    const http_result ready = server.get("/readyz");
    if (store->ready()) {
      EXPECT_EQ(ready.status, 200u);
      break;
    }
    EXPECT_TRUE(!fired_before && fault.fired() && fault.rolled_back());
    EXPECT_EQ(ready.status, 503u);
  }
  outcome.fired = fault.fired();
  return outcome;
}

void audit_fault_scenario::expect_the_log_is_whole(const audit_fault& fault) const {
  const bool lost_b = fault.lost_spooled_record() == 1;
  const bool lost_feedback_b = fault.lost_spooled_record() == 2;
  std::vector<std::string> calls;
  for (const audit::call_record& call : audit_calls(path()))
    calls.push_back(call.service_id + "|" + call.hook_instance + "|" + std::to_string(call.http_status) + "|" +
                    call.error_code);
  std::vector<std::string> want{"ivig-order-select|" + instance_a + "|200|"};
  if (!lost_b) want.push_back("ivig-order-select|" + instance_b + "|200|");
  want.push_back("ivig-order-sign||400|hook-mismatch");  // refused before its hookInstance is kept
  want.push_back("ivig-order-select|" + instance_c + "|200|");
  EXPECT_EQ(calls, want);

  const auto feedback_a = audit::show_hook_instance(path(), instance_a).feedback;
  ASSERT_EQ(feedback_a.size(), 2u);
  for (const audit::feedback_row& row : feedback_a) EXPECT_TRUE(row.matched);
  const auto feedback_b = audit::show_hook_instance(path(), instance_b).feedback;
  ASSERT_EQ(feedback_b.size(), lost_b || lost_feedback_b ? 0u : 1u);
  for (const audit::feedback_row& row : feedback_b) EXPECT_TRUE(row.matched);
  const std::size_t feedback_total = lost_feedback_b ? 2u : 3u;
  EXPECT_EQ(audit_entry_payloads(path(), "feedback").size(), feedback_total);

  const audit::verify_result chain = audit::verify_chain(path());
  EXPECT_TRUE(chain.ok) << chain.problem;
  EXPECT_EQ(chain.entries, static_cast<std::int64_t>(want.size() + feedback_total));
  EXPECT_EQ(std::filesystem::file_size(path() + ".spool"), 0u);
}

audit_baseline audit_fault_scenario::fault_free_baseline() {
  audit_baseline expected;
  {
    no_fault none;
    expected.answers = run(none, nullptr).answers;
    if (::testing::Test::HasFailure()) return expected;
    EXPECT_EQ(expected.answers.size(), 6u);
    if (expected.answers.size() != 6u) return expected;
    EXPECT_EQ(expected.answers[0].status, 200u);
    EXPECT_EQ(card_uuids(expected.answers[0].body).size(), 2u);
    EXPECT_EQ(expected.answers[1].body, R"({"recorded":2,"duplicates":0,"unmatched":0})");
    EXPECT_EQ(expected.answers[2].status, 200u);
    EXPECT_EQ(expected.answers[3].body, R"({"recorded":1,"duplicates":0,"unmatched":1})");  // spooled
    EXPECT_EQ(expected.answers[4].status, 400u);
    EXPECT_EQ(expected.answers[5].status, 200u);
    expect_the_log_is_whole(none);
  }
  {
    // One outage exchange's /readyz body, the exact 503 every unready moment must answer.
    std::filesystem::remove_all(run_dir_);
    std::filesystem::create_directories(run_dir_);
    no_fault none;
    *outage_ = true;
    auto store = std::make_shared<audit::sqlite_audit_store>(options(none));
    running_service server(scenario_now(), ivig::server::server_config{}, store);
    const http_result call = server.post("ivig-order-select", two_card_request(instance_a).json());
    EXPECT_EQ(call.status, 200u);
    const http_result unready = server.get("/readyz");
    EXPECT_EQ(unready.status, 503u);
    expected.unready_body = unready.body;
    *outage_ = false;
  }
  return expected;
}

}  // namespace ivig::test
