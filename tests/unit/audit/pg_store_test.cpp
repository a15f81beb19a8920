// tests/unit/audit/pg_store_test.cpp: the audit store on a real PostgreSQL (tests/support/pg_test_server.hpp),
// one database per test.
//
// What SQLite's store tests assert, for PostgreSQL: a call's exact rows (with its chain), feedback matched,
// unmatched and deduplicated (across replicas' chains), the chain continuing across restarts, group
// commit from many threads, the failure policy when the database becomes unreachable (spool, unready,
// replay once on recovery), and what is PostgreSQL's own: one writer per chain (the advisory lock),
// UPDATE refused by the trigger function, every chain verified, a spooled record whose COMMIT reached
// the database replayed no second time.
#include <atomic>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "hooks/audit/chain.hpp"
#include "hooks/audit/pg_store.hpp"
#include "hooks/audit/pg_verify.hpp"
#include "hooks/audit/record_json.hpp"
#include "hooks/audit/spool.hpp"
#include "tests/support/pg_test_server.hpp"
#include "tests/unit/audit/audit_fixture.hpp"

namespace ivig::audit::test {
namespace {

using ivig::test::pg_count;
using ivig::test::pg_rows;
using ivig::test::pg_test_server;

class PgStore : public audit_test {
 protected:
  void SetUp() override {
    server_ = pg_test_server::get();
    if (server_ == nullptr) GTEST_SKIP() << pg_test_server::skip_reason();
    url_ = server_->database_for_current_test();
  }
  pg_audit_options pg_options(const std::string& chain_id = "r1") {
    pg_audit_options o;
    o.common = options();
    o.common.path = path(chain_id + ".db");  // names the spool only
    o.url = url_;
    o.chain_id = chain_id;
    return o;
  }
  pg_verify_result verify(const verify_options& options = {}) { return verify_pg_chains(url_, {}, options); }

  pg_test_server* server_ = nullptr;
  std::string url_;
};

TEST_F(PgStore, CallAppearsInEveryQueryTableWithItsChain) {
  pg_audit_store store(pg_options());
  const call_record call = sample_call("h1", "u1");
  ASSERT_TRUE(store.record_call(call));
  EXPECT_EQ(pg_rows(url_, "SELECT * FROM calls"),
            (std::vector<std::string>{"r1|1|2026-11-22T12:00:00Z|ivig-order-select|order-select|h1|Practitioner/"
                                      "example|p1|e1|200||2026.11.1|12.5"}));
  EXPECT_EQ(pg_rows(url_, "SELECT * FROM cards"),
            (std::vector<std::string>{"r1|1|u1|warning|Switch to a product without sorbitol|R3 R5|1"}));
  EXPECT_EQ(pg_rows(url_, "SELECT * FROM call_rules ORDER BY rule_id"),
            (std::vector<std::string>{"r1|1|R3|1", "r1|1|R5|1"}));
  const std::string payload = to_json(call);
  const std::string hash = chain_seal{}.seal(genesis_hash, "call", "2026-11-22T12:00:00Z", payload);
  EXPECT_EQ(pg_rows(url_, "SELECT chain_id, seq, kind, received_at, payload, prev_hash, hash FROM entries"),
            (std::vector<std::string>{"r1|1|call|2026-11-22T12:00:00Z|" + payload + "|" + genesis_hash + "|" + hash}));
  EXPECT_TRUE(store.ready());
  EXPECT_EQ(store.commits(), 1U);
  EXPECT_EQ(pg_rows(url_, "SELECT MAX(version) FROM schema_version"), (std::vector<std::string>{"4"}));
}

TEST_F(PgStore, FeedbackIsMatchedAcrossReplicasChainsAndDeduplicated) {
  pg_audit_store first(pg_options("r1"));
  pg_audit_store second(pg_options("r2"));
  ASSERT_TRUE(first.record_call(sample_call("h1", "u1")));
  // The feedback reaches the other replica: the card is matched in r1's rows, the item goes in r2's chain.
  EXPECT_EQ(second.record_feedback(sample_feedback("u1", "accepted")), feedback_result::recorded_matched);
  EXPECT_EQ(first.record_feedback(sample_feedback("u1", "accepted")), feedback_result::duplicate);
  EXPECT_EQ(second.record_feedback(sample_feedback("nope", "overridden")), feedback_result::recorded_unmatched);
  EXPECT_EQ(pg_rows(url_, "SELECT chain_id, seq, card_uuid, matched FROM feedback ORDER BY seq"),
            (std::vector<std::string>{"r2|1|u1|1", "r2|2|nope|0"}));
  const pg_verify_result verified = verify();
  ASSERT_TRUE(verified.ok) << verified.problem;
  ASSERT_EQ(verified.chains.size(), 2U);
  EXPECT_EQ(verified.chains[0].chain_id, "r1");
  EXPECT_EQ(verified.chains[0].result.head.seq, 1);
  EXPECT_EQ(verified.chains[1].chain_id, "r2");
  EXPECT_EQ(verified.chains[1].result.head.seq, 2);
}

TEST_F(PgStore, TheChainContinuesAcrossRestartsAndEachChainHasItsOwnSeqs) {
  {
    pg_audit_store store(pg_options("r1"));
    ASSERT_TRUE(store.record_call(sample_call("h1", "u1")));
    ASSERT_TRUE(store.record_call(sample_call("h2", "u2")));
  }
  pg_audit_store again(pg_options("r1"));
  pg_audit_store other(pg_options("r2"));
  ASSERT_TRUE(again.record_call(sample_call("h3", "u3")));
  ASSERT_TRUE(other.record_call(sample_call("h4", "u4")));
  EXPECT_EQ(pg_rows(url_, "SELECT chain_id, seq FROM entries ORDER BY id"),
            (std::vector<std::string>{"r1|1", "r1|2", "r1|3", "r2|1"}));
  EXPECT_EQ(pg_rows(url_,
                    "SELECT prev_hash = (SELECT hash FROM entries WHERE chain_id = 'r1' AND seq = 2) FROM "
                    "entries WHERE chain_id = 'r1' AND seq = 3"),
            (std::vector<std::string>{"t"}));
  EXPECT_TRUE(verify().ok);
}

TEST_F(PgStore, ASecondWriterOfTheSameChainIsRefused) {
  pg_audit_store store(pg_options("r1"));
  try {
    pg_audit_store twin(pg_options("r1"));
    FAIL() << "two writers of chain r1";
  } catch (const store_error& e) {
    EXPECT_NE(std::string(e.what()).find("the audit chain 'r1' is held by another ivig-cds process"), std::string::npos)
        << e.what();
  }
  EXPECT_TRUE(store.record_call(sample_call("h1", "u1")));
}

TEST_F(PgStore, UpdateIsRefusedByTheDatabase) {
  {
    pg_audit_store store(pg_options());
    ASSERT_TRUE(store.record_call(sample_call("h1", "u1")));
  }
  for (const char* table : {"entries", "calls", "cards", "call_rules"}) {
    EXPECT_THROW(ivig::test::pg_execute(url_, std::string("UPDATE ") + table + " SET seq = 9"), std::exception)
        << table;
  }
  EXPECT_EQ(pg_count(url_, "entries WHERE seq = 1"), 1);
}

TEST_F(PgStore, TamperingIsFoundInItsChain) {
  {
    pg_audit_store store(pg_options());
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(store.record_call(sample_call("h" + std::to_string(i), "u")));
  }
  ivig::test::pg_execute(url_, "DROP TRIGGER entries_append_only ON entries");
  ivig::test::pg_execute(url_, "UPDATE entries SET payload = replace(payload, 'h1', 'hX') WHERE seq = 2");
  const pg_verify_result verified = verify();
  EXPECT_FALSE(verified.ok);
  ASSERT_EQ(verified.chains.size(), 1U);
  EXPECT_EQ(verified.chains[0].result.first_bad_seq, 2);
  EXPECT_EQ(verified.chains[0].result.problem, "hash does not match the entry's contents");
}

TEST_F(PgStore, AKeyedDatabaseIsRefusedWithoutItsKey) {
  {
    pg_audit_options o = pg_options();
    o.common.chain_key = std::string(32, 'k');
    pg_audit_store store(o);
    ASSERT_TRUE(store.record_call(sample_call("h1", "u1")));
  }
  EXPECT_THROW(pg_audit_store(pg_options("r2")), store_error);
  EXPECT_FALSE(verify().ok);
  verify_options keyed;
  keyed.seal = chain_seal(std::string(32, 'k'));
  EXPECT_TRUE(verify(keyed).ok);
}

TEST_F(PgStore, EightThreadsOfFiftyAreAllCommittedInFewerTransactions) {
  pg_audit_store store(pg_options());
  std::vector<std::thread> threads;
  std::atomic<int> stored{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i)
        if (store.record_call(sample_call("t" + std::to_string(t) + "-" + std::to_string(i), "u"))) ++stored;
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(stored.load(), 400);
  EXPECT_EQ(pg_count(url_, "entries"), 400);
  EXPECT_LT(store.commits(), 400U);
  const pg_verify_result verified = verify();
  ASSERT_TRUE(verified.ok) << verified.problem;
  EXPECT_EQ(verified.chains[0].result.head.seq, 400);
}

TEST_F(PgStore, AnUnreachableDatabaseSpoolsAndTheRecordsAreReplayedOnceWhenItIsBack) {
  pg_audit_store store(pg_options());
  ASSERT_TRUE(store.record_call(sample_call("h1", "u1")));
  server_->set_reachable(url_, false);
  EXPECT_FALSE(store.record_call(sample_call("h2", "u2")));  // spooled
  EXPECT_FALSE(store.ready());
  EXPECT_EQ(store.record_feedback(sample_feedback("u1", "accepted")), feedback_result::recorded_unmatched);
  EXPECT_FALSE(store.record_call(sample_call("h3", "u3")));  // within the retry interval: spool only
  EXPECT_EQ(store.store_failures(), 1U);
  EXPECT_EQ(store.spooled_records(), 3U);
  server_->set_reachable(url_, true);
  advance(std::chrono::milliseconds(1500));
  EXPECT_TRUE(store.record_call(sample_call("h4", "u4")));
  EXPECT_TRUE(store.ready());
  EXPECT_EQ(store.replayed_records(), 3U);
  EXPECT_EQ(pg_rows(url_, "SELECT c.hook_instance FROM calls c ORDER BY c.seq"),
            (std::vector<std::string>{"h1", "h2", "h3", "h4"}));
  EXPECT_EQ(pg_rows(url_, "SELECT matched FROM feedback"), (std::vector<std::string>{"1"}));  // matched on replay
  EXPECT_EQ(pg_count(url_, "spool_replays"), 3);
  EXPECT_TRUE(verify().ok);
  const std::vector<std::string> log = log_lines();
  ASSERT_EQ(log.size(), 2U);
  EXPECT_NE(log[0].find("ivig-cds audit: store failing ("), std::string::npos) << log[0];
  EXPECT_EQ(log[1], "ivig-cds audit: store recovered; 3 spooled records replayed into the chain");
}

TEST_F(PgStore, ASpooledRecordWhoseCommitReachedTheDatabaseIsNotReplayedTwice) {
  // A connection lost during COMMIT: the transaction committed, the store could not know and spooled
  // the record with the seq and hash it was given. At the next start the chain holds that entry.
  const call_record call = sample_call("h1", "u1");
  std::string hash;
  {
    pg_audit_store store(pg_options());
    ASSERT_TRUE(store.record_call(call));
    hash = ivig::test::pg_query(url_, "SELECT hash FROM entries WHERE seq = 1");
  }
  spool_file(path("r1.db.spool"), {})
      .append({spool_line({"0123456789abcdef0123456789abcdef", "call", to_json(call), 1, hash})});
  pg_audit_store store(pg_options());
  EXPECT_EQ(pg_count(url_, "entries"), 1);
  EXPECT_EQ(pg_rows(url_, "SELECT spool_id, chain_id, seq FROM spool_replays"),
            (std::vector<std::string>{"0123456789abcdef0123456789abcdef|r1|1"}));
  EXPECT_TRUE(store.ready());
}

TEST(PgUrl, PasswordsAreNeverShownAndThePassfileIsGivenToLibpq) {
  EXPECT_EQ(pg_redacted_url("postgresql://audit:s3cret@db:5432/audit"), "postgresql://audit:***@db:5432/audit");
  EXPECT_EQ(pg_redacted_url("postgresql://audit@db/audit?password=s3cret&sslmode=require"),
            "postgresql://audit@db/audit?password=***&sslmode=require");
  EXPECT_EQ(pg_connection_string("postgresql://audit@db/audit", "/run/secrets/pg pass"),
            "postgresql://audit@db/audit?passfile=/run/secrets/pg%20pass");
  EXPECT_EQ(pg_connection_string("postgresql://audit@db/audit?sslmode=require", ""),
            "postgresql://audit@db/audit?sslmode=require");
}

}  // namespace
}  // namespace ivig::audit::test
