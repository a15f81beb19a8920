// tests/integration/audit_fault_matrix_test.cpp: the audit store failing at each of its I/O steps in
// turn, behind the real server, over HTTP (issue 14, "Fault matrices"; docs/reliability.md).
//
// SQLite's way: a fixed scenario of calls and feedback runs with the n-th occurrence of one step kind
// failing once, for n = 1, 2, 3, ... until a run completes without reaching the failure, and every
// run is held to the declared outcomes of sqlite_store.cpp's failure policy: each call answers the
// same status and body as without the fault (feedback counts an uncommitted item as unmatched),
// /readyz answers 503 service-unready exactly while a record waits in the spool, the next write
// replays it, and at the end every call and feedback is in the log exactly once and the chain
// verifies. The scenario contains an outage (BEGIN failing for two exchanges) so that the spool,
// the replay and the truncation are reached in every run. The one declared loss is invariant 9: the
// spool failing during the outage loses exactly that record, counted.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <optional>

#include "hooks/audit/chain_verify.hpp"
#include "hooks/audit/queries.hpp"
#include "hooks/audit/sqlite_store.hpp"
#include "tests/support/audit_entries.hpp"
#include "tests/support/fhir_builders.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/scratch_folder.hpp"
#include "tests/support/test_support.hpp"

using namespace ivig::test;
namespace audit = ivig::audit;

namespace {

const std::string instance_a = "00000000-0000-4000-8000-00000000fa01";
const std::string instance_b = "00000000-0000-4000-8000-00000000fa02";
const std::string instance_c = "00000000-0000-4000-8000-00000000fa03";
const std::string instance_rejected = "00000000-0000-4000-8000-00000000fa04";

// Steps whose failure rolls the batch back, so that its records are spooled and the store unready.
bool rolls_back(std::string_view step) {
  return step == "begin" || step == "replay" || step == "insert" || step == "commit";
}

// The n-th asking of `kind` fails once; "begin" also fails throughout the scenario's outage. Asked on
// the writer thread and the test thread (open), hence atomics.
struct matrix_fault {
  std::string kind;  // empty: only the outage
  int n = 0;
  std::shared_ptr<std::atomic<int>> seen = std::make_shared<std::atomic<int>>(0);
  std::shared_ptr<std::atomic<bool>> fired = std::make_shared<std::atomic<bool>>(false);
  std::shared_ptr<std::atomic<bool>> outage = std::make_shared<std::atomic<bool>>(false);
  bool operator()(std::string_view step) const {
    if (!kind.empty() && step == kind && ++*seen == n) {
      *fired = true;
      return true;
    }
    return *outage && step == "begin";
  }
};

struct exchange_result {
  unsigned status = 0;
  std::string body{};
};

// What the fault-free run answered, and what every run must answer too.
struct baseline {
  std::vector<exchange_result> answers{};
  std::string unready_body{};
};

class AuditFaultMatrix : public ::testing::Test {
 protected:
  struct run_outcome {
    bool fired = false;
    std::vector<exchange_result> answers{};
  };

  std::string path() const { return (run_dir_ / "audit.sqlite3").string(); }

  audit::audit_options options(const matrix_fault& fault) const {
    audit::audit_options o;
    o.path = path();
    o.retry_interval = std::chrono::milliseconds(0);  // every write retries a failing store
    o.idle_retry = std::chrono::milliseconds(0);      // no idle ticks: only the scenario's writes act
    o.now = [] { return scenario_now(); };
    o.checkpoint_frames = 1;  // a checkpoint after every committed batch, so that each one is a step
    o.fail_at = fault;
    o.log = [](std::string_view) {};
    return o;
  }

  // Opens the store as a start would; an injected "open" failure is the declared startup refusal
  // (main.cpp exits 1 with the message), and the operator's next start opens it.
  std::shared_ptr<audit::sqlite_audit_store> open_store(const matrix_fault& fault) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      const bool fired_before = *fault.fired;
      try {
        return std::make_shared<audit::sqlite_audit_store>(options(fault));
      } catch (const audit::store_error& error) {
        EXPECT_TRUE(!fired_before && *fault.fired && fault.kind == "open") << error.what();
        EXPECT_EQ(std::string(error.what()), "audit store: injected failure at open");
      }
    }
    ADD_FAILURE() << "the store did not open twice in a row";
    return nullptr;
  }

  static http_result feedback(const running_service& server, const std::vector<std::string>& cards) {
    std::string body = R"({"feedback":[)";
    for (std::size_t i = 0; i < cards.size(); ++i) {
      if (i > 0) body += ',';
      body += R"({"card":")" + cards[i] + R"(","outcome":"overridden","outcomeTimestamp":"2026-11-22T12:01:00Z"})";
    }
    body += "]}";
    return http_request(server.port(), "POST", "/cds-services/ivig-order-select/feedback", body);
  }

  static std::vector<std::string> card_uuids(const std::string& body) {
    std::vector<std::string> uuids;
    const auto doc = parse(body);
    for (const auto& card : doc["cards"].GetArray()) uuids.emplace_back(card["uuid"].GetString());
    return uuids;
  }

  // The scenario: calls and feedback, with BEGIN failing in exchanges 2 and 3 (the outage). After
  // each exchange: the answer is the baseline's, and /readyz is 503 exactly when this exchange's
  // batch was not committed (outage, or the injected failure rolled it back).
  run_outcome run(const matrix_fault& fault, const baseline* expected) {
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
        *fault.outage = exchange == 2 || exchange == 3;
        const bool fired_before = *fault.fired;
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
        const bool fired_now = !fired_before && *fault.fired;
        const bool committed = !*fault.outage && !(fired_now && rolls_back(fault.kind));
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
      *fault.outage = false;
      // Invariant 9: a record is lost only when the spool fails too, and then it is counted.
      EXPECT_EQ(store->lost_records(), fault.kind == "spool" && *fault.fired ? 1u : 0u);
    }
    // Stop, then start again: a spool left at stop is replayed at the start (invariant 6). A start
    // whose replay fails is unready and keeps the spool; the next start replays it.
    for (int start = 0;; ++start) {
      if (start == 3) {
        ADD_FAILURE() << "the store never recovered";
        break;
      }
      const bool fired_before = *fault.fired;
      auto store = open_store(fault);
      if (!store) return outcome;
      running_service server(scenario_now(), ivig::server::server_config{}, store);
      const http_result ready = server.get("/readyz");
      if (store->ready()) {
        EXPECT_EQ(ready.status, 200u);
        break;
      }
      EXPECT_TRUE(!fired_before && *fault.fired && rolls_back(fault.kind));
      EXPECT_EQ(ready.status, 503u);
    }
    outcome.fired = *fault.fired;
    return outcome;
  }

  // Every call and feedback exactly once, in order, matched to its card; the chain verifies. With
  // the spool failing during the outage (invariant 9) the n-th spooled record is the one lost.
  void expect_the_log_is_whole(const matrix_fault& fault) {
    const bool lost_b = fault.kind == "spool" && fault.n == 1;
    const bool lost_feedback_b = fault.kind == "spool" && fault.n == 2;
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

  scratch_folder folder_{"audit-matrix"};
  std::filesystem::path run_dir_ = folder_.path() / "run";
};

TEST_F(AuditFaultMatrix, EachIoStepFailingInTurnAnswersTheSameCardsSpoolsReplaysAndLosesNothing) {
  // The fault-free run (only the outage) gives the answers every faulted run must give.
  baseline expected;
  {
    const matrix_fault none{};
    const run_outcome clean = run(none, nullptr);
    ASSERT_FALSE(HasFailure());
    expected.answers = clean.answers;
    ASSERT_EQ(expected.answers.size(), 6u);
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
    matrix_fault down{};
    *down.outage = true;
    auto store = std::make_shared<audit::sqlite_audit_store>(options(down));
    running_service server(scenario_now(), ivig::server::server_config{}, store);
    ASSERT_EQ(server.post("ivig-order-select", two_card_request(instance_a).json()).status, 200u);
    const http_result unready = server.get("/readyz");
    ASSERT_EQ(unready.status, 503u);
    expected.unready_body = unready.body;
  }

  // How often the scenario (with its restart) reaches each step, i.e. the failing runs per kind; one
  // more run per kind completes without reaching its failure. begin: once per exchange; commit and
  // checkpoint: once per committed batch (exchanges 0, 1, 4, 5; the outage commits nothing); insert:
  // each row (entries, calls, cards, call_rules, feedback, spool_replays); open: at the first start
  // and the restart; spool: the two outage records; replay and truncate: the recovery at exchange 4.
  const std::vector<std::pair<std::string, int>> kinds{{"open", 2},    {"begin", 6},   {"replay", 1},
                                                       {"insert", 31}, {"commit", 4},  {"checkpoint", 4},
                                                       {"spool", 2},   {"truncate", 1}};
  std::vector<std::pair<std::string, int>> measured;
  int total = 0;
  for (const auto& [kind, reached] : kinds) {
    int n = 1;
    for (;; ++n) {
      SCOPED_TRACE(kind + " failing at its occurrence " + std::to_string(n));
      const matrix_fault fault{kind, n};
      const run_outcome outcome = run(fault, &expected);
      ++total;
      if (!outcome.fired) break;  // the scenario asks this step fewer than n times: every point tried
      expect_the_log_is_whole(fault);
      ASSERT_FALSE(HasFailure());  // one failing run says enough
    }
    std::printf("[ matrix   ] audit %-10s failed at %d points, %d runs\n", kind.c_str(), n - 1, n);
    measured.emplace_back(kind, n - 1);
  }
  std::printf("[ matrix   ] audit total %d runs\n", total);
  EXPECT_EQ(measured, kinds);
}

}  // namespace
