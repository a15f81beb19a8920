// tests/unit/audit/either_store.cpp: the two stores behind either_store_test.
#include "tests/unit/audit/either_store.hpp"

#include "hooks/audit/pg_purge.hpp"
#include "hooks/audit/pg_store.hpp"
#include "hooks/audit/pg_verify.hpp"
#include "hooks/audit/sqlite_store.hpp"
#include "tests/support/pg_test_server.hpp"

namespace ivig::audit::test {

std::unique_ptr<spooling_store> either_store_test::open_store(const std::string& chain_id) {
  if (!pg()) return std::make_unique<sqlite_audit_store>(options());
  pg_audit_options o;
  o.common = options();
  o.common.path = path(chain_id + ".db");  // names the spool only
  o.url = url_;
  o.chain_id = chain_id;
  return std::make_unique<pg_audit_store>(std::move(o));
}

void either_store_test::record_days(int days, const std::string& chain_id) {
  const auto store = open_store(chain_id);
  for (int d = 1; d <= days; ++d)
    ASSERT_TRUE(store->record_call(sample_call("h" + std::to_string(d), "u" + std::to_string(d), day(d))));
}

std::unique_ptr<audit_reader> either_store_test::reader() {
  return pg() ? pg_reader(url_, {}) : sqlite_reader(path());
}

purge_result either_store_test::purge(const std::string& before) {
  if (!pg()) return purge_before(path(), before);
  for (const pg_chain_purge& chain : purge_pg_chains(url_, {}, before).chains)
    if (chain.chain_id == "r1") return chain.result;
  return {};
}

verify_result either_store_test::verify() {
  if (!pg()) return verify_chain(path());
  const pg_verify_result all = verify_pg_chains(url_, {}, {});
  for (const pg_chain_verification& chain : all.chains)
    if (chain.chain_id == "r1" || !chain.result.ok) return chain.result;
  verify_result none;
  none.problem = all.problem.empty() ? "no chain r1" : all.problem;
  return none;
}

std::vector<std::string> either_store_test::rows(const std::string& sql) {
  return pg() ? ivig::test::pg_rows(url_, sql) : test::rows(path(), sql);
}

std::string either_store_test::query(const std::string& sql) {
  return pg() ? ivig::test::pg_query(url_, sql) : test::query(path(), sql);
}

std::int64_t either_store_test::count(const std::string& table_and_condition) {
  return pg() ? ivig::test::pg_count(url_, table_and_condition) : test::count(path(), table_and_condition);
}

void either_store_test::execute(const std::string& sql) {
  if (pg()) {
    ivig::test::pg_execute(url_, sql);
  } else {
    test::execute(path(), sql);
  }
}

void either_store_test::drop_guards() {
  if (!pg()) return test::drop_guards(path());
  ivig::test::pg_execute(url_,
                         "DROP TRIGGER entries_append_only ON entries; DROP TRIGGER entries_purge_only ON entries");
}

}  // namespace ivig::audit::test
