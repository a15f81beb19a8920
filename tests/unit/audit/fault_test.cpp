// tests/unit/audit/fault_test.cpp: the failure policy (sqlite_store.cpp invariants 3-9), by fault injection.
//
// Like Beast's fail_count and SQLite's malloc tests: run the same scenario with a failure at step 1,
// then 2, 3, ... until a run completes without reaching the failure point, and accept only the declared
// outcomes. Every run must end with each record in the chain exactly once.
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>

#include <gtest/gtest.h>

#include "hooks/audit/chain_verify.hpp"
#include "hooks/audit/sqlite_store.hpp"
#include "tests/unit/audit/audit_fixture.hpp"

namespace ivig::audit::test {
namespace {

using Fault = audit_test;

bool is_store_step(std::string_view step) {
  return step == "begin" || step == "insert" || step == "commit";
}

// Fails the n-th store step (begin, insert or commit) once.
struct fail_once {
  int n;
  std::shared_ptr<int> seen = std::make_shared<int>(0);
  std::shared_ptr<bool> fired = std::make_shared<bool>(false);
  bool operator()(std::string_view step) const {
    if (!is_store_step(step)) return false;
    if (++*seen != n) return false;
    *fired = true;
    return true;
  }
};

void expect_every_record_once(const std::string& path) {
  const verify_result chain = verify_chain(path);
  EXPECT_TRUE(chain.ok) << chain.problem;
  EXPECT_EQ(chain.entries, 4);
  EXPECT_EQ(rows(path, "SELECT hook_instance, COUNT(*) FROM calls GROUP BY hook_instance ORDER BY hook_instance"),
            (std::vector<std::string>{"h1|1", "h2|1", "h3|1"}));
  EXPECT_EQ(rows(path, "SELECT card_uuid, outcome, matched FROM feedback"),
            (std::vector<std::string>{"u1|accepted|1"}));
  EXPECT_EQ(count(path, "cards"), 2);
  EXPECT_EQ(count(path, "call_rules"), 4);  // R3 and R5 of two calls (R1 did not fire)
}

TEST_F(Fault, OneFailureAtAnyStoreStepLosesNothing) {
  int n = 1;
  for (;; ++n) {
    SCOPED_TRACE("failure at store step " + std::to_string(n));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    log_.clear();
    const fail_once fault{n};
    audit_options o = options();
    o.retry_interval = std::chrono::milliseconds(0);
    o.fail_at = fault;
    std::optional<int> failed_record;  // which of the five calls met the failure
    {
      sqlite_audit_store store(o);
      int record = 0;
      // After each record: was it the one that failed? Then the declared outcome is "spooled", and the
      // store is unready until the next write retries successfully.
      const auto check = [&](auto result, auto normal, auto spooled) {
        const bool failed_now = *fault.fired && !failed_record;
        if (failed_now) failed_record = record;
        if (failed_now) {
          EXPECT_EQ(result, spooled) << "record " << record;
          EXPECT_FALSE(store.ready());
          EXPECT_EQ(store.store_failures(), 1U);
          EXPECT_EQ(store.spooled_records(), 1U);
        } else {
          EXPECT_EQ(result, normal) << "record " << record;
          EXPECT_TRUE(store.ready());
          EXPECT_EQ(store.replayed_records(), failed_record ? 1U : 0U);
        }
        ++record;
      };
      check(store.record_call(sample_call("h1", "u1")), true, false);
      check(store.record_feedback(sample_feedback("u1", "accepted")), feedback_result::recorded_matched,
            feedback_result::recorded_unmatched);
      check(store.record_feedback(sample_feedback("u1", "accepted")), feedback_result::duplicate,
            feedback_result::recorded_unmatched);
      check(store.record_call(sample_call("h2", "u2")), true, false);
      call_record rejected;
      rejected.received_at = "2026-11-22T12:00:01Z";
      rejected.hook_instance = "h3";
      rejected.http_status = 400;
      rejected.error_code = "invalid-request";
      check(store.record_call(rejected), true, false);
      EXPECT_EQ(store.lost_records(), 0U);
    }
    if (!*fault.fired) break;  // the scenario has fewer than n store steps: every point was tried
    // A failure at the last record leaves it in the spool; the next start replays it.
    {
      sqlite_audit_store store(options());
      EXPECT_TRUE(store.ready());
    }
    expect_every_record_once(path());
    EXPECT_EQ(log_lines().size(), 2U);  // one line for the episode, one for the recovery
  }
  // begin+5 inserts+commit per call with a card and two rules that fired (x2; R1 did not fire and has no
  // row), begin+2+commit per feedback, begin+commit for the duplicate, begin+2+commit for the rejected call.
  EXPECT_EQ(n, 7 + 4 + 2 + 7 + 4 + 1);
}

// Fails `step` every time while `failing` is set.
struct fail_while {
  std::string step;
  std::shared_ptr<std::atomic<bool>> failing = std::make_shared<std::atomic<bool>>(true);
  std::shared_ptr<std::atomic<int>> asked = std::make_shared<std::atomic<int>>(0);
  bool operator()(std::string_view s) const {
    if (s == "begin") ++*asked;
    return *failing && s == step;
  }
};

TEST_F(Fault, PersistentFailureSpoolsUntilRecoveryThenReplaysInOrder) {
  for (const char* step : {"begin", "insert", "commit"}) {
    SCOPED_TRACE(step);
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    log_.clear();
    const fail_while fault{step};
    audit_options o = options();
    o.fail_at = fault;
    sqlite_audit_store store(o);
    EXPECT_TRUE(store.ready());

    EXPECT_FALSE(store.record_call(sample_call("h1", "u1")));
    EXPECT_FALSE(store.ready());
    advance(std::chrono::milliseconds(1000));
    EXPECT_EQ(store.record_feedback(sample_feedback("u1", "accepted")), feedback_result::recorded_unmatched);
    advance(std::chrono::milliseconds(1000));
    EXPECT_FALSE(store.record_call(sample_call("h2", "u2")));
    EXPECT_FALSE(store.ready());
    EXPECT_EQ(store.store_failures(), 3U);
    EXPECT_EQ(store.spooled_records(), 3U);
    EXPECT_EQ(store.commits(), 0U);
    EXPECT_EQ(count(path(), "entries"), 0);
    ASSERT_EQ(log_lines().size(), 1U);
    EXPECT_EQ(log_lines()[0], "ivig-cds audit: store failing (audit store: injected failure at " + std::string(step) +
                                  "); records go to the spool " + path() + ".spool until it recovers");

    *fault.failing = false;
    advance(std::chrono::milliseconds(1000));
    EXPECT_TRUE(store.record_call(sample_call("h3", "u3")));
    EXPECT_TRUE(store.ready());
    EXPECT_EQ(store.replayed_records(), 3U);
    EXPECT_EQ(store.commits(), 1U);  // the replay and the new record in one transaction
    EXPECT_EQ(log_lines().size(), 2U);
    EXPECT_EQ(log_lines()[1], "ivig-cds audit: store recovered; 3 spooled records replayed into the chain");
    EXPECT_EQ(rows(path(), "SELECT kind, received_at FROM entries ORDER BY seq"),
              (std::vector<std::string>{"call|2026-11-22T12:00:00Z", "feedback|2026-11-22T12:05:00Z",
                                        "call|2026-11-22T12:00:00Z", "call|2026-11-22T12:00:00Z"}));
    EXPECT_EQ(rows(path(), "SELECT hook_instance FROM calls ORDER BY seq"),
              (std::vector<std::string>{"h1", "h2", "h3"}));
    EXPECT_EQ(rows(path(), "SELECT card_uuid, matched FROM feedback"), (std::vector<std::string>{"u1|1"}));
    EXPECT_EQ(rows(path(), "SELECT seq FROM spool_replays ORDER BY seq"), (std::vector<std::string>{"1", "2", "3"}));
    EXPECT_EQ(std::filesystem::file_size(path() + ".spool"), 0U);
    EXPECT_TRUE(verify_chain(path()).ok);
  }
}

TEST_F(Fault, RetriesAtMostOncePerRetryInterval) {
  const fail_while fault{"begin"};
  audit_options o = options();
  o.fail_at = fault;
  sqlite_audit_store store(o);
  EXPECT_FALSE(store.record_call(sample_call("h1", "u1")));
  EXPECT_EQ(fault.asked->load(), 1);
  advance(std::chrono::milliseconds(999));
  EXPECT_FALSE(store.record_call(sample_call("h2", "u2")));
  EXPECT_EQ(fault.asked->load(), 1);  // not tried: straight to the spool
  EXPECT_EQ(store.store_failures(), 1U);
  EXPECT_EQ(store.spooled_records(), 2U);
  advance(std::chrono::milliseconds(1));
  EXPECT_FALSE(store.record_call(sample_call("h3", "u3")));
  EXPECT_EQ(fault.asked->load(), 2);
  EXPECT_EQ(store.store_failures(), 2U);
  EXPECT_EQ(store.spooled_records(), 3U);
}

TEST_F(Fault, SpoolFailingTooCountsLostRecords) {
  audit_options o = options();
  o.fail_at = [](std::string_view step) { return step == "begin" || step == "spool"; };
  sqlite_audit_store store(o);
  EXPECT_FALSE(store.record_call(sample_call("h1", "u1")));
  advance(std::chrono::milliseconds(1000));
  EXPECT_FALSE(store.record_call(sample_call("h2", "u2")));
  EXPECT_EQ(store.lost_records(), 2U);
  EXPECT_EQ(store.spooled_records(), 0U);
  EXPECT_FALSE(store.ready());
  EXPECT_EQ(log_lines(),
            (std::vector<std::string>{"ivig-cds audit: store failing (audit store: injected failure at begin); records "
                                      "go to the spool " +
                                          path() + ".spool until it recovers",
                                      "ivig-cds audit: RECORDS LOST: the store and the spool " + path() +
                                          ".spool both fail (audit store: injected failure at spool)"}));
}

TEST_F(Fault, SpoolNotEmptiedAfterReplayIsNotReplayedTwice) {
  auto begin_fails = std::make_shared<bool>(true);
  auto truncate_fails = std::make_shared<bool>(true);
  audit_options o = options();
  o.fail_at = [=](std::string_view step) {
    return (step == "begin" && *begin_fails) || (step == "truncate" && *truncate_fails);
  };
  {
    sqlite_audit_store store(o);
    EXPECT_FALSE(store.record_call(sample_call("h1", "u1")));
    *begin_fails = false;
    advance(std::chrono::milliseconds(1000));
    EXPECT_TRUE(store.record_call(sample_call("h2", "u2")));  // replays h1, commits, cannot truncate
    EXPECT_TRUE(store.ready());
    EXPECT_GT(std::filesystem::file_size(path() + ".spool"), 0U);
    EXPECT_TRUE(store.record_call(sample_call("h3", "u3")));  // reads the spool again: h1 is skipped
    EXPECT_EQ(store.replayed_records(), 1U);
  }
  {
    sqlite_audit_store store(options());  // and at the next start
    EXPECT_EQ(store.replayed_records(), 0U);
  }
  EXPECT_EQ(std::filesystem::file_size(path() + ".spool"), 0U);
  EXPECT_EQ(rows(path(), "SELECT hook_instance FROM calls ORDER BY seq"), (std::vector<std::string>{"h1", "h2", "h3"}));
  EXPECT_TRUE(verify_chain(path()).ok);
}

TEST_F(Fault, IdleTickRecoversWithoutTraffic) {
  std::mutex mutex;
  std::condition_variable recovered;
  bool done = false;
  const fail_while fault{"begin"};
  audit_options o = options();
  o.fail_at = fault;
  o.idle_retry = std::chrono::milliseconds(1);
  o.log = [&](std::string_view line) {
    std::lock_guard lock(mutex);
    if (line.find("recovered") != std::string_view::npos) done = true;
    recovered.notify_all();
  };
  sqlite_audit_store store(o);
  EXPECT_FALSE(store.record_call(sample_call("h1", "u1")));
  *fault.failing = false;
  advance(std::chrono::milliseconds(1000));
  {
    std::unique_lock lock(mutex);
    // Waits for the event; the timeout only bounds a broken build.
    ASSERT_TRUE(recovered.wait_for(lock, std::chrono::seconds(30), [&] { return done; }));
  }
  EXPECT_TRUE(store.ready());
  EXPECT_EQ(count(path(), "calls"), 1);
}

TEST_F(Fault, FailingReplayAtStartupStartsUnreadyAndKeepsTheSpool) {
  {
    audit_options o = options();
    o.fail_at = [](std::string_view step) { return step == "begin"; };
    sqlite_audit_store store(o);
    EXPECT_FALSE(store.record_call(sample_call("h1", "u1")));
  }
  const auto spool_size = std::filesystem::file_size(path() + ".spool");
  {
    audit_options o = options();
    o.fail_at = [](std::string_view step) { return step == "commit"; };
    sqlite_audit_store store(o);
    EXPECT_FALSE(store.ready());
    EXPECT_EQ(store.store_failures(), 1U);
  }
  EXPECT_EQ(std::filesystem::file_size(path() + ".spool"), spool_size);
  {
    sqlite_audit_store store(options());
    EXPECT_TRUE(store.ready());
    EXPECT_EQ(store.replayed_records(), 1U);
  }
  EXPECT_EQ(count(path(), "calls"), 1);
}

}  // namespace
}  // namespace ivig::audit::test
