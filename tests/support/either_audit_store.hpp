// tests/support/either_audit_store.hpp: the parameter that runs one test on each audit store, SQLite
// and PostgreSQL (GoogleTest's value-parameterised tests), and the PostgreSQL case's database.
//
// A fixture mixes it in beside its ::testing::Test base and calls open_test_database() from SetUp.
// Without a PostgreSQL (IVIG_TEST_PG_URL unset and postgresql-15 absent) the PostgreSQL case skips with
// pg_test_server's reason, which names the variable.
#pragma once

#include <string>

#include <gtest/gtest.h>

namespace ivig::test {

enum class audit_store_kind { sqlite, postgresql };

/// "SQLite" or "PostgreSQL": the parameter's part of the test's name.
std::string audit_store_kind_name(const ::testing::TestParamInfo<audit_store_kind>& info);

/// Both stores, for INSTANTIATE_TEST_SUITE_P(Stores, Suite, both_audit_stores(), audit_store_kind_name).
inline auto both_audit_stores() {
  return ::testing::Values(audit_store_kind::sqlite, audit_store_kind::postgresql);
}

class on_either_audit_store : public ::testing::WithParamInterface<audit_store_kind> {
 protected:
  bool pg() const { return GetParam() == audit_store_kind::postgresql; }
  /// PostgreSQL: a database of the test's own into url_, or the test skips (GTEST_SKIP from SetUp
  /// skips the body). SQLite: nothing.
  void open_test_database();

  std::string url_;  ///< PostgreSQL: the test's database; SQLite: empty
};

}  // namespace ivig::test
