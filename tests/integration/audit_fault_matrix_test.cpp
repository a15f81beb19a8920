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
// spool failing during the outage loses exactly that record, counted. The scenario and its checks
// are audit_fault_scenario.hpp's, shared with the matrix of SQLite's own I/O calls.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tests/integration/audit_fault_scenario.hpp"
#include "tests/support/scratch_folder.hpp"

using namespace ivig::test;
namespace audit = ivig::audit;

namespace {

// Steps whose failure rolls the batch back, so that its records are spooled and the store unready.
bool rolls_back(std::string_view step) {
  return step == "begin" || step == "replay" || step == "insert" || step == "commit";
}

// The n-th asking of `kind` fails once. Asked on the writer thread and the test thread (open),
// hence atomics.
class store_step_fault final : public audit_fault {
 public:
  store_step_fault(std::string kind, int n) : kind_(std::move(kind)), n_(n) {}
  bool fail_step(std::string_view step) override {
    if (step != kind_ || ++seen_ != n_) return false;
    fired_ = true;
    return true;
  }
  bool fired() const override { return fired_; }
  bool rolled_back() const override { return rolls_back(kind_); }
  void expect_refusal(const audit::store_error& error) const override {
    EXPECT_EQ(kind_, "open");
    EXPECT_EQ(std::string(error.what()), "audit store: injected failure at open");
  }
  // The spool's n-th record in the outage: 1 is the call, 2 its feedback.
  int lost_spooled_record() const override { return kind_ == "spool" ? n_ : 0; }

 private:
  std::string kind_;
  int n_;
  std::atomic<int> seen_{0};
  std::atomic<bool> fired_{false};
};

class AuditFaultMatrix : public ::testing::Test {
 protected:
  scratch_folder folder_{"audit-matrix"};
  audit_fault_scenario scenario_{folder_.path() / "run"};
};

TEST_F(AuditFaultMatrix, EachIoStepFailingInTurnAnswersTheSameCardsSpoolsReplaysAndLosesNothing) {
  // The fault-free run (only the outage) gives the answers every faulted run must give.
  const audit_baseline expected = scenario_.fault_free_baseline();
  ASSERT_FALSE(HasFailure());

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
      store_step_fault fault{kind, n};
      const bool fired = scenario_.run(fault, &expected).fired;
      ++total;
      if (!fired) break;  // the scenario asks this step fewer than n times: every point tried
      scenario_.expect_the_log_is_whole(fault);
      ASSERT_FALSE(HasFailure());  // one failing run says enough
    }
    std::printf("[ matrix   ] audit %-10s failed at %d points, %d runs\n", kind.c_str(), n - 1, n);
    measured.emplace_back(kind, n - 1);
  }
  std::printf("[ matrix   ] audit total %d runs\n", total);
  EXPECT_EQ(measured, kinds);
}

}  // namespace
