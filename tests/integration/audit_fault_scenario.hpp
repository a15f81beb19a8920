// tests/integration/audit_fault_scenario.hpp: the scenario that the audit store's fault matrices run,
// and its declared outcomes (issue 14, "Fault matrices"; docs/reliability.md).
//
// A fixed scenario of calls and feedback over HTTP to the real server, in front of a real
// sqlite_audit_store in a scratch folder, then a stop and a start on the same files. It contains an
// outage (BEGIN failing for two exchanges) so that the spool, the replay and the truncation are
// reached in every run. Each matrix brings its own fault (the store's own steps, or SQLite's own
// file calls) through `audit_fault`; the outcomes every run is held to are the same:
// audit_fault_matrix_test.cpp's opening comment says them.
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hooks/audit/sqlite_store.hpp"

namespace ivig::test {

/// What the scenario must know of one run's injected fault to declare the outcomes.
class audit_fault {
 public:
  virtual ~audit_fault() = default;
  /// Asked at each of the store's own steps (audit_options.fail_at); true fails that step.
  virtual bool fail_step(std::string_view step) = 0;
  /// Whether the fault has failed its step yet.
  virtual bool fired() const = 0;
  /// Once fired: whether the failure rolled back the transaction it hit, so that its batch was spooled
  /// (or, in the constructor's replay at a start, kept in the spool).
  virtual bool rolled_back() const = 0;
  /// Once fired at a start: checks that `error` is this fault's declared startup refusal.
  virtual void expect_refusal(const audit::store_error& error) const = 0;
  /// Invariant 9: which spooled record the fault loses (1: the outage's call, 2: its feedback); 0: none.
  virtual int lost_spooled_record() const { return 0; }
};

struct exchange_result {
  unsigned status = 0;
  std::string body{};
};

/// What the fault-free run answered, and what every run must answer too.
struct audit_baseline {
  std::vector<exchange_result> answers{};
  std::string unready_body{};
};

class audit_fault_scenario {
 public:
  /// Runs in `run_dir`, emptied before each run.
  explicit audit_fault_scenario(std::filesystem::path run_dir);

  /// The fault-free run (only the outage), checked, and the exact 503 body of an unready moment.
  audit_baseline fault_free_baseline();

  /// One run with `fault`: after every exchange, the answer is the baseline's (when `expected` is
  /// given) and /readyz is 503 exactly when that exchange's batch was not committed; then a stop and
  /// a start that recovers.
  struct run_outcome {
    bool fired = false;
    std::vector<exchange_result> answers{};
  };
  run_outcome run(audit_fault& fault, const audit_baseline* expected);

  /// At the end of a run: every call and feedback exactly once, in order, matched to its card; the
  /// spool empty; the chain verifies (less the one record that invariant 9 declares lost).
  void expect_the_log_is_whole(const audit_fault& fault) const;

  std::string path() const { return (run_dir_ / "audit.sqlite3").string(); }

 private:
  audit::audit_options options(audit_fault& fault) const;
  std::shared_ptr<audit::sqlite_audit_store> open_store(audit_fault& fault);

  std::filesystem::path run_dir_;
  // BEGIN fails while this is set: the scenario's outage (exchanges 2 and 3).
  std::shared_ptr<std::atomic<bool>> outage_ = std::make_shared<std::atomic<bool>>(false);
};

}  // namespace ivig::test
