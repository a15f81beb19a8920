// tests/support/pg_test_server.hpp: a real PostgreSQL for the audit tests, one database per test.
//
// With IVIG_TEST_PG_URL set (tests/run.sh starts one server for the whole run and exports it), that
// server is used; otherwise the first test that asks starts one of its own: postgresql-15's initdb and
// pg_ctl as the `postgres` user (initdb refuses root) in a temporary folder, on a free loopback port,
// stopped with `pg_ctl -m immediate stop` when the test process exits. Each test gets a database of its
// own (CREATE DATABASE), so tests run in parallel (ctest -j2). Without postgresql-15 installed, tests
// skip with the reason (GTest's GTEST_SKIP): pg_test_server::skip_reason() says it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ivig::test {

class pg_test_server {
 public:
  /// The process's server, started on first use; nullptr when none can be had (see skip_reason()).
  static pg_test_server* get();
  /// Why get() returned nullptr.
  static const std::string& skip_reason();

  /// A fresh, empty database named after `name` (the test's name: lower-cased, made safe, with the
  /// pid), dropped first if a crashed run left it; its URL ("postgresql://postgres@127.0.0.1:P/db").
  std::string create_database(const std::string& name);
  /// The URL of the current test's database (create_database with the running test's full name).
  std::string database_for_current_test();
  /// Cuts the database off (ALLOW_CONNECTIONS false, its sessions terminated) or lets it be reached
  /// again: the audit store sees the database as unreachable, as after a network failure.
  void set_reachable(const std::string& database_url, bool reachable);

  const std::string& base_url() const { return base_url_; }

 private:
  explicit pg_test_server(std::string base_url) : base_url_(std::move(base_url)) {}
  std::string base_url_;  ///< postgresql://postgres@127.0.0.1:PORT (no database)
};

/// The database name in a URL ("…/db?x" → "db").
std::string pg_database_name(const std::string& url);

/// Runs `sql` on `url` and returns every row, columns joined by '|' (NULL as "NULL"). Throws on error.
std::vector<std::string> pg_rows(const std::string& url, const std::string& sql);
/// The first column of the first row ("" when none).
std::string pg_query(const std::string& url, const std::string& sql);
std::int64_t pg_count(const std::string& url, const std::string& table_and_condition);
void pg_execute(const std::string& url, const std::string& sql);

}  // namespace ivig::test
