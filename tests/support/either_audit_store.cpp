// tests/support/either_audit_store.cpp: the PostgreSQL case's database, or its skip.
#include "tests/support/either_audit_store.hpp"

#include "tests/support/pg_test_server.hpp"

namespace ivig::test {

std::string audit_store_kind_name(const ::testing::TestParamInfo<audit_store_kind>& info) {
  return info.param == audit_store_kind::postgresql ? "PostgreSQL" : "SQLite";
}

void on_either_audit_store::open_test_database() {
  if (!pg()) return;
  pg_test_server* server = pg_test_server::get();
  if (server == nullptr) GTEST_SKIP() << pg_test_server::skip_reason();
  url_ = server->database_for_current_test();
}

}  // namespace ivig::test
