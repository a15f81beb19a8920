// tests/integration/audit_sqlite_io_matrix_test.cpp: SQLite's own write, fsync and truncate calls
// failing in turn under the audit store, behind the real server, over HTTP (issue 14, "Fault
// matrices"; docs/reliability.md).
//
// The scenario and the declared outcomes are audit_fault_matrix_test.cpp's (audit_fault_scenario.hpp);
// the fault is tests/support/faulty_sqlite_vfs.hpp, the process's default VFS for this test, which
// fails the n-th call of one kind on one file (database, WAL, rollback journal) with SQLite's
// SQLITE_IOERR_WRITE, _FSYNC or _TRUNCATE. A fault-free run counts the calls; then each one is failed
// in turn, n = 1, 2, ... until a run completes without reaching it. Whether a failure rolled its
// batch back is read from the WAL locks SQLite held when it failed (a write transaction, or a
// checkpoint): a failure inside a transaction must spool the batch and report unready until the next
// write replays it; a failure in a checkpoint (after the batch's answer, or at close) must leave the
// store ready and lose nothing; a failure at a start must refuse the start, which the next one opens.
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <sqlite3.h>

#include "hooks/audit/chain_verify.hpp"
#include "tests/integration/audit_fault_scenario.hpp"
#include "tests/support/audit_entries.hpp"
#include "tests/support/faulty_sqlite_vfs.hpp"
#include "tests/support/fhir_builders.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/scratch_folder.hpp"
#include "tests/support/test_support.hpp"

using namespace ivig::test;
namespace audit = ivig::audit;

namespace {

// The shim's armed fault, as the scenario asks about it.
class sqlite_io_fault final : public audit_fault {
 public:
  explicit sqlite_io_fault(const faulty_sqlite_vfs& vfs) : vfs_(vfs) {}
  bool fail_step(std::string_view) override { return false; }
  bool fired() const override { return vfs_.fired(); }
  bool rolled_back() const override { return vfs_.fired_in() == vfs_phase::transaction; }
  // A start refused by the failure: SQLite's extended I/O error for that call, in the message of the
  // statement that met it.
  void expect_refusal(const audit::store_error& error) const override {
    const int expected_code = vfs_.fault()->call == vfs_call::write  ? SQLITE_IOERR_WRITE
                              : vfs_.fault()->call == vfs_call::sync ? SQLITE_IOERR_FSYNC
                                                                     : SQLITE_IOERR_TRUNCATE;
    EXPECT_EQ(error.code(), expected_code) << error.what();
    // Switching to WAL is a query (PRAGMA journal_mode); the migrations are statements run whole.
    EXPECT_EQ(std::string(error.what()), vfs_.fired_in() == vfs_phase::other ? "audit store: step: disk I/O error"
                                                                             : "audit store: exec: disk I/O error");
    ++refusals_;
  }
  int refusals() const { return refusals_; }

 private:
  const faulty_sqlite_vfs& vfs_;
  mutable int refusals_ = 0;  // asked on the test thread only (a start)
};

struct io_step {
  vfs_call call;
  vfs_file file;
};

constexpr std::array<io_step, 7> steps{{{vfs_call::write, vfs_file::journal},
                                        {vfs_call::sync, vfs_file::journal},
                                        {vfs_call::write, vfs_file::wal},
                                        {vfs_call::sync, vfs_file::wal},
                                        {vfs_call::write, vfs_file::database},
                                        {vfs_call::sync, vfs_file::database},
                                        {vfs_call::truncate, vfs_file::database}}};

std::string step_name(const io_step& step) {
  return std::string(name(step.file)) + " " + std::string(name(step.call));
}

bool all_points() {
  const char* scope = std::getenv("IVIG_SQLITE_IO_MATRIX");
  return scope != nullptr && std::string_view(scope) == "all";
}

// The calls of `step` to fail, numbered from 1 as the shim counts them in the fault-free run. All of
// them with IVIG_SQLITE_IO_MATRIX=all; otherwise the first and the last of each write transaction,
// each checkpoint and the rest (the start's switch to WAL): the calls between them fail in the same
// transaction or checkpoint, with the same declared outcome.
std::vector<int> points_to_fail(const std::vector<vfs_call_site>& calls, const io_step& step) {
  std::vector<vfs_call_site> of_step;
  for (const vfs_call_site& site : calls)
    if (site.call == step.call && site.file == step.file) of_step.push_back(site);
  const bool all = all_points();
  std::vector<int> points;
  for (std::size_t i = 0; i < of_step.size(); ++i) {
    const auto same_group = [&](std::size_t j) {
      return of_step[j].phase == of_step[i].phase && of_step[j].episode == of_step[i].episode;
    };
    const bool first = i == 0 || !same_group(i - 1);
    const bool last = i + 1 == of_step.size() || !same_group(i + 1);
    if (all || first || last) points.push_back(static_cast<int>(i) + 1);
  }
  return points;
}

class AuditSqliteIoMatrix : public ::testing::Test {
 protected:
  // One run with the n-th call of `step` failing; returns whether it failed, checking the log when so.
  // Adds to `refused_starts` the starts that the failure refused.
  bool run_failing(const io_step& step, int n, const audit_baseline& expected, int& refused_starts) {
    SCOPED_TRACE(step_name(step) + " failing at its call " + std::to_string(n));
    vfs_.record(vfs_fault{step.call, step.file, n});
    sqlite_io_fault fault{vfs_};
    const bool fired = scenario_.run(fault, &expected).fired;
    vfs_.stop();
    refused_starts += fault.refusals();
    if (fired) scenario_.expect_the_log_is_whole(fault);
    return fired;
  }

  // The store as the crash tests run it: no checkpoint, so that the WAL holds every commit.
  static audit::audit_options crash_options(const std::filesystem::path& folder) {
    audit::audit_options options;
    options.path = (folder / "audit.sqlite3").string();
    options.retry_interval = std::chrono::milliseconds(0);
    options.idle_retry = std::chrono::milliseconds(0);
    options.now = [] { return scenario_now(); };
    options.checkpoint_frames = 1 << 30;
    options.log = [](std::string_view) {};
    return options;
  }

  // The process dies here: its files are what the operating system holds (the shared-memory index
  // is rebuilt from the WAL by the next start, which is the only connection).
  static void crash_copy(const std::filesystem::path& live, const std::filesystem::path& crashed) {
    for (const char* suffix : {"", "-wal", ".spool"}) {
      const std::filesystem::path from = live / ("audit.sqlite3" + std::string(suffix));
      if (std::filesystem::exists(from)) std::filesystem::copy_file(from, crashed / from.filename());
    }
  }

  faulty_sqlite_vfs vfs_;  // first: it outlives every connection the test opens
  scratch_folder folder_{"audit-io-matrix"};
  audit_fault_scenario scenario_{folder_.path() / "run"};
};

TEST_F(AuditSqliteIoMatrix, EachWriteFsyncAndTruncateFailingInTurnAnswersTheSameCardsAndLosesNothing) {
  const auto started = std::chrono::steady_clock::now();
  const audit_baseline expected = scenario_.fault_free_baseline();
  ASSERT_FALSE(HasFailure());

  // The fault-free run, counted: every call it makes is a point that can fail.
  vfs_.record(std::nullopt);
  {
    sqlite_io_fault none{vfs_};
    scenario_.run(none, &expected);
  }
  vfs_.stop();
  ASSERT_FALSE(HasFailure());
  const std::vector<vfs_call_site> calls = vfs_.calls();

  // step: calls in the fault-free run, points failed, and where those failed (phase: count).
  std::vector<std::string> measured;
  int total = 0;
  for (const io_step& step : steps) {
    const int reached = vfs_.count(step.call, step.file);
    const std::vector<int> points = points_to_fail(calls, step);
    std::map<std::string, int> phases;
    int refused_starts = 0;
    for (int n : points) {
      ++total;
      ASSERT_TRUE(run_failing(step, n, expected, refused_starts))
          << step_name(step) << " call " << n << " was not reached";
      ++phases[std::string(name(vfs_.fired_in()))];
      ASSERT_FALSE(HasFailure());  // one failing run says enough
    }
    // One call more than the fault-free run makes is never reached: every point was in reach.
    ++total;
    EXPECT_FALSE(run_failing(step, reached + 1, expected, refused_starts)) << step_name(step);
    std::string line =
        step_name(step) + ": " + std::to_string(reached) + " calls, " + std::to_string(points.size()) + " failed (";
    for (const auto& [phase, count] : phases) line += phase + " " + std::to_string(count) + ", ";
    line += std::to_string(refused_starts) + " refused starts)";
    std::printf("[ matrix   ] %s\n", line.c_str());
    measured.push_back(line);
  }
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("[ matrix   ] sqlite io total %d runs, %.1f s\n", total, seconds);
  if (all_points()) return;  // the exhaustive run is for reading, not pinned
  // The first start switches the new file to WAL under a rollback journal (other); then come 8
  // write transactions: the 3 migrations, the chain's metadata and the 4 committed batches (the
  // recovery's replay is inside the third). Each syncs the WAL at COMMIT; the first, and each first
  // after a checkpoint, also syncs the header with which it starts the WAL (again). Each of the 4
  // checkpoints (one per committed batch) syncs the WAL, copies it, truncates the database to its
  // size and syncs it. The checkpoints at the stops find nothing left to copy. Every failure at the
  // first start (the switch, the migrations, the chain's metadata) refuses it; a failure later never does.
  const std::vector<std::string> pinned{
      "journal write: 2 calls, 2 failed (other 2, 2 refused starts)",
      "journal fsync: 2 calls, 2 failed (other 2, 2 refused starts)",
      "wal write: 168 calls, 16 failed (transaction 16, 8 refused starts)",
      "wal fsync: 16 calls, 16 failed (checkpoint 4, transaction 12, 5 refused starts)",
      "database write: 64 calls, 9 failed (checkpoint 8, other 1, 1 refused starts)",
      "database fsync: 5 calls, 5 failed (checkpoint 4, other 1, 1 refused starts)",
      "database truncate: 4 calls, 4 failed (checkpoint 4, 0 refused starts)",
  };
  EXPECT_EQ(measured, pinned);
  EXPECT_EQ(total, 61);
}

// Switching a new file to WAL commits the new file format under a rollback journal, when the PRAGMA
// has already returned its row ("wal"). If that commit fails, SQLite stays in rollback-journal mode;
// the store, which refuses to run without WAL (readers would block its writer), must refuse the start
// rather than run on in that mode. The next start switches the file and runs in WAL.
TEST_F(AuditSqliteIoMatrix, AFailedSwitchToWalAtTheFirstStartRefusesTheStart) {
  for (const vfs_fault fault :
       {vfs_fault{vfs_call::write, vfs_file::journal, 1}, vfs_fault{vfs_call::write, vfs_file::journal, 2},
        vfs_fault{vfs_call::sync, vfs_file::journal, 1}, vfs_fault{vfs_call::sync, vfs_file::journal, 2},
        vfs_fault{vfs_call::write, vfs_file::database, 1}, vfs_fault{vfs_call::sync, vfs_file::database, 1}}) {
    SCOPED_TRACE(std::string(name(fault.file)) + " " + std::string(name(fault.call)) + " " + std::to_string(fault.n));
    const std::filesystem::path folder = folder_.path() / "switch";
    std::filesystem::remove_all(folder);
    std::filesystem::create_directories(folder);
    const audit::audit_options options = crash_options(folder);
    vfs_.record(fault);
    std::shared_ptr<audit::sqlite_audit_store> store;
    try {
      store = std::make_shared<audit::sqlite_audit_store>(options);
    } catch (const audit::store_error& error) {
      EXPECT_EQ(error.code(), fault.call == vfs_call::write ? SQLITE_IOERR_WRITE : SQLITE_IOERR_FSYNC);
      EXPECT_EQ(std::string(error.what()), "audit store: step: disk I/O error");
    }
    vfs_.stop();
    EXPECT_TRUE(vfs_.fired());
    EXPECT_EQ(vfs_.fired_in(), vfs_phase::other);
    ASSERT_FALSE(store) << "the start was not refused";
    store = std::make_shared<audit::sqlite_audit_store>(options);  // the operator's next start
    running_service server(scenario_now(), ivig::server::server_config{}, store);
    ASSERT_EQ(server.post("ivig-order-select", two_card_request("00000000-0000-4000-8000-00000000fc03").json()).status,
              200u);
    EXPECT_TRUE(std::filesystem::exists(options.path + "-wal"));  // committed to the WAL, not under a journal
  }
}

// A COMMIT whose WAL fsync fails has written its frames, commit mark included: SQLite reports the
// failure and forgets them, but the WAL file still holds them. The store spools the batch. If the
// process then dies before the next write overwrites those frames, the next start recovers the WAL
// from the file, frames included, and replays the spool.
TEST_F(AuditSqliteIoMatrix, AFailedWalFsyncAtCommitThenACrashLeavesEachRecordOnce) {
  const std::filesystem::path live = folder_.path() / "live";
  const std::filesystem::path crashed = folder_.path() / "crashed";
  std::filesystem::create_directories(live);
  std::filesystem::create_directories(crashed);
  audit::audit_options options = crash_options(live);
  {
    auto store = std::make_shared<audit::sqlite_audit_store>(options);
    running_service server(scenario_now(), ivig::server::server_config{}, store);
    ASSERT_EQ(server.post("ivig-order-select", two_card_request("00000000-0000-4000-8000-00000000fc01").json()).status,
              200u);
    vfs_.record(vfs_fault{vfs_call::sync, vfs_file::wal, 1});
    ASSERT_EQ(server.post("ivig-order-select", two_card_request("00000000-0000-4000-8000-00000000fc02").json()).status,
              200u);
    vfs_.stop();
    ASSERT_TRUE(vfs_.fired());
    EXPECT_EQ(server.get("/readyz").status, 503u);
    crash_copy(live, crashed);
  }
  options.path = (crashed / "audit.sqlite3").string();
  {
    auto store = std::make_shared<audit::sqlite_audit_store>(options);  // recovers the WAL, replays the spool
    EXPECT_TRUE(store->ready());
  }
  std::vector<std::string> instances;
  for (const audit::call_record& call : audit_calls(options.path)) instances.push_back(call.hook_instance);
  EXPECT_EQ(instances,
            (std::vector<std::string>{"00000000-0000-4000-8000-00000000fc01", "00000000-0000-4000-8000-00000000fc02"}));
  const audit::verify_result chain = audit::verify_chain(options.path);
  EXPECT_TRUE(chain.ok) << chain.problem;
  EXPECT_EQ(chain.entries, 2);
  EXPECT_EQ(std::filesystem::file_size(options.path + ".spool"), 0u);
}

}  // namespace
