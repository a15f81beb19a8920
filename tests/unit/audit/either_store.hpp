// tests/unit/audit/either_store.hpp: a fixture that runs one test on each audit store, SQLite and
// PostgreSQL (GoogleTest's value-parameterised tests), with the same expected outputs.
//
// Owns what differs between the stores and nothing else: opening a store (PostgreSQL: the chain "r1"
// of a database of the test's own), the reader, the purge and the verifier of the log, and SQL on
// it. The parameter and the PostgreSQL case's database (or its skip) are tests/support's
// either_audit_store.hpp, which the integration tests of the audit commands share.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "hooks/audit/audit_reader.hpp"
#include "hooks/audit/chain.hpp"
#include "hooks/audit/chain_verify.hpp"
#include "hooks/audit/spooling_store.hpp"
#include "tests/support/either_audit_store.hpp"
#include "tests/unit/audit/audit_fixture.hpp"

namespace ivig::audit::test {

class either_store_test : public audit_test, public ivig::test::on_either_audit_store {
 protected:
  void SetUp() override { open_test_database(); }

  /// The chain rows name: "" on SQLite, "r1" on PostgreSQL.
  std::string chain() const { return pg() ? "r1" : ""; }
  /// A store of the log (PostgreSQL: chain `chain_id`), with the fixture's options.
  std::unique_ptr<spooling_store> open_store(const std::string& chain_id = "r1");
  /// Calls h1..hN, each received on its day (1..N), through a store opened and closed here.
  void record_days(int days, const std::string& chain_id = "r1");
  std::unique_ptr<audit_reader> reader();
  /// The purge of the log (PostgreSQL: of chain "r1"; every chain is purged).
  purge_result purge(const std::string& before);
  /// The log's verification (PostgreSQL: every chain must verify; the result is chain "r1"'s).
  verify_result verify();

  /// SQL on the log, as audit_fixture.hpp's helpers (PostgreSQL: pg_test_server.hpp's).
  std::vector<std::string> rows(const std::string& sql);
  std::string query(const std::string& sql);
  std::int64_t count(const std::string& table_and_condition);
  void execute(const std::string& sql);
  /// What an attacker with write access does first: drops the triggers that refuse UPDATE and DELETE.
  void drop_guards();
};

}  // namespace ivig::audit::test
