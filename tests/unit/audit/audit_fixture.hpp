// tests/unit/audit/audit_fixture.hpp: what every audit test shares: a fresh folder, sample records,
// a clock the test moves, a log it reads, and SQL against the file from a connection of its own.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "hooks/audit/audit_sink.hpp"
#include "hooks/audit/sqlite_store.hpp"

namespace ivig::audit::test {

/// A folder of its own for each test (named after it), removed afterwards.
class audit_test : public ::testing::Test {
 protected:
  audit_test();
  ~audit_test() override;

  std::string path(const std::string& name = "audit.db") const { return (dir_ / name).string(); }
  /// Options for a store at path() with the test's clock and log, no idle retries and a 1 s retry interval.
  audit_options options();

  /// Moves the test clock.
  void advance(std::chrono::milliseconds by) { now_ms_ += by.count(); }
  std::vector<std::string> log_lines() const;

  std::filesystem::path dir_;
  std::atomic<std::int64_t> now_ms_{1795867200000};  // 2026-11-22T12:00:00Z
  mutable std::mutex log_mutex_;
  std::vector<std::string> log_;
};

/// A call at `received_at` showing one card `card_uuid` (rules R3 and R5, indicator "warning") with R3
/// and R5 fired and R1 not.
call_record sample_call(const std::string& hook_instance, const std::string& card_uuid,
                        const std::string& received_at = "2026-11-22T12:00:00Z");
/// Feedback on `card_uuid`: accepted with suggestion "s1", or overridden with a reason and a comment.
feedback_record sample_feedback(const std::string& card_uuid, const std::string& outcome,
                                const std::string& received_at = "2026-11-22T12:05:00Z");

/// "2026-11-0<d>T12:00:00Z" (d from 1 to 9): the received_at of day d.
std::string day(int d);
/// A store with `options` records calls h1..hN, each received on its day (1..N), then closes.
void record_days(const audit_options& options, int days);
/// What an attacker with write access does first: drops the trigger that refuses UPDATE on entries.
void drop_guards(const std::string& path);

/// The first column of the first row of `sql`, as text, on a connection of the test's own.
std::string query(const std::string& path, const std::string& sql);
std::int64_t count(const std::string& path, const std::string& table_and_condition);
/// Every row of `sql`, columns joined by '|'.
std::vector<std::string> rows(const std::string& path, const std::string& sql);
void execute(const std::string& path, const std::string& sql);

}  // namespace ivig::audit::test
