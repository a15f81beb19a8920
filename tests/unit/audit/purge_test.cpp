// tests/unit/audit/purge_test.cpp: the retention purge on each store (either_store.hpp), and what is
// PostgreSQL's own: every chain purged with its own anchor, a replica appending while the purge runs,
// and the triggers that let only the purge delete.
//
// Tampering is done as an attacker would: drop the append-only triggers, then UPDATE or DELETE rows;
// each test asserts the exact seq and problem the verifier reports.
#include <atomic>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "hooks/audit/pg_purge.hpp"
#include "hooks/audit/pg_store.hpp"
#include "hooks/audit/pg_verify.hpp"
#include "tests/support/pg_test_server.hpp"
#include "tests/unit/audit/either_store.hpp"

namespace ivig::audit::test {
namespace {

using Purge = either_store_test;
using strings = std::vector<std::string>;

TEST_P(Purge, KeepsTheRestVerifiable) {
  record_days(5);
  const std::string hash2 = query("SELECT hash FROM entries WHERE seq = 2");
  const purge_result purged = purge(day(3));
  EXPECT_EQ(purged.purged, 2);
  EXPECT_EQ(purged.last_purged_seq, 2);
  EXPECT_EQ(purged.last_purged_hash, hash2);

  EXPECT_EQ(rows("SELECT seq, kind, received_at, payload, prev_hash FROM entries WHERE seq = 2"),
            (strings{"2|purge-anchor|" + day(3) + R"(|{"horizon":")" + day(3) +
                     R"(","last_purged_seq":2,"last_purged_hash":")" + hash2 +
                     R"(","purged":2,"purged_total":2,"head_seq":5}|)" + hash2}));
  EXPECT_EQ(rows("SELECT seq FROM entries ORDER BY seq"), (strings{"2", "3", "4", "5"}));
  EXPECT_EQ(rows("SELECT DISTINCT seq FROM calls ORDER BY seq"), (strings{"3", "4", "5"}));
  EXPECT_EQ(rows("SELECT DISTINCT seq FROM cards ORDER BY seq"), (strings{"3", "4", "5"}));
  EXPECT_EQ(rows("SELECT DISTINCT seq FROM call_rules ORDER BY seq"), (strings{"3", "4", "5"}));
  const verify_result result = verify();
  EXPECT_TRUE(result.ok) << result.problem;
  EXPECT_EQ(result.entries, 4);

  // The store keeps appending after a purge, and the whole verifies.
  record_days(1);
  const verify_result after = verify();
  EXPECT_TRUE(after.ok) << after.problem;
  EXPECT_EQ(after.entries, 5);
}

TEST_P(Purge, TamperingAfterTheAnchorIsStillDetected) {
  record_days(5);
  purge(day(3));
  drop_guards();
  execute(
      "UPDATE entries SET payload = replace(payload, 'Practitioner/example', 'Practitioner/exampl3') WHERE seq = 4");
  const verify_result result = verify();
  EXPECT_EQ(result.first_bad_seq, 4);
  EXPECT_EQ(result.entries, 2);
  EXPECT_EQ(result.problem, "hash does not match the entry's contents");
}

TEST_P(Purge, TamperedAnchorIsDetected) {
  record_days(5);
  purge(day(3));
  drop_guards();
  execute("UPDATE entries SET payload = replace(payload, '\"purged\":2', '\"purged\":1') WHERE seq = 2");
  const verify_result result = verify();
  EXPECT_EQ(result.first_bad_seq, 2);
  EXPECT_EQ(result.problem, "hash does not match the entry's contents");
}

TEST_P(Purge, RemovedEntryAfterTheAnchorIsDetected) {
  record_days(5);
  purge(day(3));
  drop_guards();
  execute("DELETE FROM entries WHERE seq = 3");
  const verify_result result = verify();
  EXPECT_EQ(result.first_bad_seq, 4);
  EXPECT_EQ(result.problem, "prev_hash does not link to seq 2");
}

TEST_P(Purge, NothingOldEnoughPurgesNothing) {
  record_days(3);
  const purge_result purged = purge(day(1));
  EXPECT_EQ(purged.purged, 0);
  EXPECT_EQ(count("entries"), 3);
  EXPECT_EQ(count("entries WHERE kind = 'purge-anchor'"), 0);
}

TEST_P(Purge, SameHorizonTwiceLeavesOneAnchor) {
  record_days(4);
  EXPECT_EQ(purge(day(3)).purged, 2);
  EXPECT_EQ(purge(day(3)).purged, 0);
  EXPECT_EQ(rows("SELECT seq, kind FROM entries ORDER BY seq"), (strings{"2|purge-anchor", "3|call", "4|call"}));
}

TEST_P(Purge, LaterPurgeReplacesTheAnchorAndKeepsTheTotal) {
  record_days(5);
  const std::string hash4 = query("SELECT hash FROM entries WHERE seq = 4");
  purge(day(3));
  const purge_result second = purge(day(5));
  EXPECT_EQ(second.purged, 2);
  EXPECT_EQ(second.last_purged_seq, 4);
  EXPECT_EQ(second.last_purged_hash, hash4);
  EXPECT_EQ(rows("SELECT seq, kind FROM entries ORDER BY seq"), (strings{"4|purge-anchor", "5|call"}));
  EXPECT_NE(query("SELECT payload FROM entries WHERE seq = 4").find(R"("purged":2,"purged_total":4,"head_seq":5})"),
            std::string::npos);
  const verify_result result = verify();
  EXPECT_TRUE(result.ok) << result.problem;
  EXPECT_EQ(result.entries, 2);
}

TEST_P(Purge, EverythingPurgedThenNewRecordsStillChain) {
  record_days(3);
  const std::string hash3 = query("SELECT hash FROM entries WHERE seq = 3");
  EXPECT_EQ(purge(day(9)).purged, 3);
  ASSERT_TRUE(open_store()->record_call(sample_call("h9", "u9", day(9))));
  EXPECT_EQ(query("SELECT prev_hash FROM entries WHERE seq = 4"), hash3);
  const verify_result result = verify();
  EXPECT_TRUE(result.ok) << result.problem;
  EXPECT_EQ(result.entries, 2);
}

TEST_P(Purge, CutsOnlyAPrefixWhenAnOldRecordFollowsANewOne) {
  {
    const auto store = open_store();
    ASSERT_TRUE(store->record_call(sample_call("h1", "u1", day(1))));
    ASSERT_TRUE(store->record_call(sample_call("h5", "u5", day(5))));
    ASSERT_TRUE(store->record_call(sample_call("h2", "u2", day(2))));  // as a spool replay appends it
  }
  EXPECT_EQ(purge(day(3)).purged, 1);
  EXPECT_EQ(rows("SELECT seq, kind FROM entries ORDER BY seq"), (strings{"1|purge-anchor", "2|call", "3|call"}));
  EXPECT_TRUE(verify().ok);
}

TEST_P(Purge, FeedbackRowsGoWithTheirEntries) {
  {
    const auto store = open_store();
    ASSERT_TRUE(store->record_call(sample_call("h1", "u1", day(1))));
    ASSERT_EQ(store->record_feedback(sample_feedback("u1", "accepted", day(2))), feedback_result::recorded_matched);
    ASSERT_TRUE(store->record_call(sample_call("h4", "u4", day(4))));
  }
  EXPECT_EQ(purge(day(3)).purged, 2);
  EXPECT_EQ(count("feedback"), 0);
  EXPECT_EQ(count("calls"), 1);
}

TEST_P(Purge, WhileTheStoreRunsItKeepsAppendingToAVerifiableChain) {
  const auto store = open_store();
  for (int d = 1; d <= 3; ++d)
    ASSERT_TRUE(store->record_call(sample_call("h" + std::to_string(d), "u" + std::to_string(d), day(d))));
  EXPECT_EQ(purge(day(9)).purged, 3);  // everything, the head included
  ASSERT_TRUE(store->record_call(sample_call("h9", "u9", day(9))));
  EXPECT_EQ(rows("SELECT seq, kind FROM entries ORDER BY seq"), (strings{"3|purge-anchor", "4|call"}));
  const verify_result result = verify();
  EXPECT_TRUE(result.ok) << result.problem;
  EXPECT_EQ(result.entries, 2);
}

INSTANTIATE_TEST_SUITE_P(Stores, Purge, ivig::test::both_audit_stores(), ivig::test::audit_store_kind_name);

using PurgeOnPostgresql = either_store_test;

TEST_P(PurgeOnPostgresql, EveryChainGetsItsOwnAnchorAndEveryChainVerifies) {
  record_days(5, "r1");
  record_days(2, "r2");
  record_days(1, "r3");  // nothing before the horizon: untouched
  const pg_purge_result purged = purge_pg_chains(url_, {}, day(3));
  ASSERT_EQ(purged.chains.size(), 3U);
  EXPECT_EQ(purged.purged, 2 + 2 + 1);
  EXPECT_EQ(purged.chains[0].chain_id + " " + std::to_string(purged.chains[0].result.purged), "r1 2");
  EXPECT_EQ(purged.chains[1].chain_id + " " + std::to_string(purged.chains[1].result.purged), "r2 2");
  EXPECT_EQ(purged.chains[2].chain_id + " " + std::to_string(purged.chains[2].result.purged), "r3 1");
  EXPECT_EQ(
      rows("SELECT chain_id, seq, kind FROM entries ORDER BY chain_id, seq"),
      (strings{"r1|2|purge-anchor", "r1|3|call", "r1|4|call", "r1|5|call", "r2|2|purge-anchor", "r3|1|purge-anchor"}));
  EXPECT_EQ(rows("SELECT chain_id, COUNT(*) FROM calls GROUP BY chain_id ORDER BY chain_id"), (strings{"r1|3"}));
  const pg_verify_result verified = verify_pg_chains(url_, {}, {});
  EXPECT_TRUE(verified.ok) << verified.problem;
  ASSERT_EQ(verified.chains.size(), 3U);
  EXPECT_EQ(verified.chains[0].result.entries, 4);
  EXPECT_EQ(verified.chains[1].result.entries, 1);
  EXPECT_EQ(verified.chains[2].result.entries, 1);
  // Each replica goes on from its own anchor.
  ASSERT_TRUE(open_store("r2")->record_call(sample_call("h9", "u9", day(9))));
  EXPECT_EQ(query("SELECT seq FROM entries WHERE chain_id = 'r2' AND kind = 'call'"), "3");
  EXPECT_TRUE(verify_pg_chains(url_, {}, {}).ok);
}

// The replica has read its head and is writing its batch when the purge runs (the store's fault hook
// runs it at the batch's first INSERT, on the replica's own thread, so the order is fixed): the
// purge cuts the whole chain, head included, and the replica's entry, committed after it, links to the
// hash the anchor stands in for.
TEST_P(PurgeOnPostgresql, AReplicaAppendingWhileThePurgeRunsKeepsAVerifiableChain) {
  std::atomic<bool> armed{false};
  pg_purge_result during;
  pg_audit_options o;
  o.common = options();
  o.common.path = path("r1.db");
  o.url = url_;
  o.chain_id = "r1";
  o.common.fail_at = [&](std::string_view step) {
    if (step == "insert" && armed.exchange(false)) during = purge_pg_chains(url_, {}, day(9));
    return false;
  };
  pg_audit_store store(std::move(o));
  for (int d = 1; d <= 3; ++d)
    ASSERT_TRUE(store.record_call(sample_call("h" + std::to_string(d), "u" + std::to_string(d), day(d))));
  const std::string hash3 = query("SELECT hash FROM entries WHERE seq = 3");
  armed = true;
  ASSERT_TRUE(store.record_call(sample_call("h4", "u4", day(4))));
  ASSERT_EQ(during.chains.size(), 1U);
  EXPECT_EQ(during.chains[0].result.purged, 3);
  EXPECT_EQ(during.chains[0].result.last_purged_seq, 3);
  EXPECT_TRUE(store.ready());
  EXPECT_EQ(rows("SELECT seq, kind, prev_hash FROM entries ORDER BY seq"),
            (strings{"3|purge-anchor|" + hash3, "4|call|" + hash3}));
  ASSERT_TRUE(store.record_call(sample_call("h5", "u5", day(5))));
  const pg_verify_result verified = verify_pg_chains(url_, {}, {});
  EXPECT_TRUE(verified.ok) << verified.problem;
  ASSERT_EQ(verified.chains.size(), 1U);
  EXPECT_EQ(verified.chains[0].result.entries, 3);
  EXPECT_EQ(verified.chains[0].result.head.seq, 5);
}

TEST_P(PurgeOnPostgresql, OnlyThePurgeDeletesAndOnlyItsChainsPrefix) {
  record_days(3, "r1");
  record_days(1, "r2");
  const std::string refused =
      "audit tables are append-only: only ivig-cds audit purge deletes, and only a chain's "
      "oldest entries";
  const auto refusal = [&](const std::string& sql) {
    try {
      ivig::test::pg_execute(url_, sql);
      return std::string("done");
    } catch (const std::exception& e) {
      const std::string what = e.what();
      return what.find(refused) != std::string::npos ? std::string("refused") : what;
    }
  };
  for (const char* table : {"entries", "calls", "cards", "call_rules"}) {
    SCOPED_TRACE(table);
    EXPECT_EQ(refusal(std::string("DELETE FROM ") + table), "refused");
    // The purge's settings name one chain and its cut: another chain's rows, or rows past the cut, stay.
    EXPECT_EQ(refusal(std::string("BEGIN; SELECT set_config('ivig.audit_purge_chain', 'r1', true), "
                                  "set_config('ivig.audit_purge_through', '1', true); DELETE FROM ") +
                      table + " WHERE chain_id = 'r2'; COMMIT"),
              "refused");
    EXPECT_EQ(refusal(std::string("BEGIN; SELECT set_config('ivig.audit_purge_chain', 'r1', true), "
                                  "set_config('ivig.audit_purge_through', '1', true); DELETE FROM ") +
                      table + " WHERE seq = 2; COMMIT"),
              "refused");
    EXPECT_NE(refusal(std::string("TRUNCATE ") + table).find("audit tables are append-only"), std::string::npos);
    EXPECT_NE(refusal(std::string("UPDATE ") + table + " SET seq = 9").find("audit tables are append-only"),
              std::string::npos);
  }
  EXPECT_EQ(refusal("DELETE FROM feedback"), "done");  // no rows: nothing for the trigger to refuse
  // The settings are the transaction's: once it ends, the same session's DELETE is refused again.
  {
    pqxx::connection session(url_);
    pqxx::nontransaction tx(session);
    tx.exec(
        "SELECT set_config('ivig.audit_purge_chain', 'r1', true), set_config('ivig.audit_purge_through', '9', true)");
    EXPECT_THROW(tx.exec0("DELETE FROM entries WHERE chain_id = 'r1'"), pqxx::sql_error);
  }
  EXPECT_EQ(count("entries"), 4);
  EXPECT_EQ(count("calls"), 4);
  EXPECT_EQ(count("cards"), 4);
  EXPECT_EQ(count("call_rules"), 8);
  EXPECT_TRUE(verify_pg_chains(url_, {}, {}).ok);
}

TEST_P(PurgeOnPostgresql, AKeyedDatabaseIsPurgedOnlyWithItsKey) {
  {
    pg_audit_options o;
    o.common = options();
    o.common.path = path("r1.db");
    o.common.chain_key = std::string(32, 'k');
    o.url = url_;
    o.chain_id = "r1";
    pg_audit_store store(std::move(o));
    for (int d = 1; d <= 3; ++d)
      ASSERT_TRUE(store.record_call(sample_call("h" + std::to_string(d), "u" + std::to_string(d), day(d))));
  }
  EXPECT_THROW(purge_pg_chains(url_, {}, day(3)), store_error);
  EXPECT_EQ(count("entries WHERE kind = 'purge-anchor'"), 0);
  const chain_seal key(std::string(32, 'k'));
  EXPECT_EQ(purge_pg_chains(url_, {}, day(3), key).purged, 2);
  verify_options with_key;
  with_key.seal = key;
  const pg_verify_result verified = verify_pg_chains(url_, {}, with_key);
  EXPECT_TRUE(verified.ok) << verified.problem;
}

TEST_P(PurgeOnPostgresql, ADatabaseWithoutTheAuditSchemaIsAnError) {
  try {
    purge_pg_chains(url_, {}, day(3));
    FAIL() << "no error";
  } catch (const store_error& e) {
    EXPECT_EQ(std::string(e.what()), "audit store: " + url_ + " is not an audit log (no schema)");
  }
}

INSTANTIATE_TEST_SUITE_P(Stores, PurgeOnPostgresql, ::testing::Values(ivig::test::audit_store_kind::postgresql),
                         ivig::test::audit_store_kind_name);

}  // namespace
}  // namespace ivig::audit::test
