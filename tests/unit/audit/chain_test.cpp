// tests/unit/audit/chain_test.cpp: verification of the hash chain and tampering; the retention purge
// on both stores is purge_test.cpp's.
//
// Tampering is done as an attacker would: drop the append-only trigger, then UPDATE or DELETE rows;
// each test asserts the exact seq and problem the verifier reports.
#include <gtest/gtest.h>

#include "hooks/audit/chain_verify.hpp"
#include "hooks/audit/sqlite_store.hpp"
#include "tests/unit/audit/audit_fixture.hpp"

namespace ivig::audit::test {
namespace {

using Chain = audit_test;
using PurgeOnSqlite = audit_test;

void tamper_one_byte(const std::string& path, int seq) {
  drop_guards(path);
  execute(path,
          "UPDATE entries SET payload = replace(payload, 'Practitioner/example', 'Practitioner/exampl3') "
          "WHERE seq = " +
              std::to_string(seq));
}

TEST_F(Chain, VerifiesCallsAndFeedback) {
  {
    sqlite_audit_store store(options());
    ASSERT_TRUE(store.record_call(sample_call("h1", "u1")));
    ASSERT_EQ(store.record_feedback(sample_feedback("u1", "accepted")), feedback_result::recorded_matched);
    ASSERT_TRUE(store.record_call(sample_call("h2", "u2")));
  }
  const verify_result result = verify_chain(path());
  EXPECT_TRUE(result.ok);
  EXPECT_EQ(result.entries, 3);
  EXPECT_EQ(result.first_bad_seq, 0);
  EXPECT_EQ(result.problem, "");
}

TEST_F(Chain, EmptyLogVerifies) {
  { sqlite_audit_store store(options()); }
  const verify_result result = verify_chain(path());
  EXPECT_TRUE(result.ok);
  EXPECT_EQ(result.entries, 0);
}

TEST_F(Chain, OneTamperedPayloadByteIsReportedAtItsSeq) {
  record_days(options(), 4);
  tamper_one_byte(path(), 3);
  const verify_result result = verify_chain(path());
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.first_bad_seq, 3);
  EXPECT_EQ(result.entries, 2);
  EXPECT_EQ(result.problem, "hash does not match the entry's contents");
}

TEST_F(Chain, RehashedTamperingIsCaughtByTheNextLink) {
  record_days(options(), 4);
  drop_guards(path());
  // A careful attacker also recomputes the entry's own hash; the next entry still links to the old one.
  const std::string received = query(path(), "SELECT received_at FROM entries WHERE seq = 2");
  const std::string prev = query(path(), "SELECT prev_hash FROM entries WHERE seq = 2");
  const std::string payload = "{}";
  execute(path(), "UPDATE entries SET payload = '{}', hash = '" + entry_hash(prev, "call", received, payload) +
                      "' WHERE seq = 2");
  const verify_result result = verify_chain(path());
  EXPECT_EQ(result.first_bad_seq, 3);
  EXPECT_EQ(result.problem, "prev_hash does not link to seq 2");
}

TEST_F(Chain, DeletedEntryIsReportedAtTheEntryAfterIt) {
  record_days(options(), 4);
  execute(path(), "DELETE FROM entries WHERE seq = 2");
  const verify_result result = verify_chain(path());
  EXPECT_EQ(result.first_bad_seq, 3);
  EXPECT_EQ(result.problem, "prev_hash does not link to seq 1");
}

TEST_F(Chain, DeletedFirstEntryIsReported) {
  record_days(options(), 2);
  execute(path(), "DELETE FROM entries WHERE seq = 1");
  const verify_result result = verify_chain(path());
  EXPECT_EQ(result.first_bad_seq, 2);
  EXPECT_EQ(result.problem, "the first entry does not start the chain (genesis or purge anchor)");
}

TEST_F(Chain, MissingFileIsAProblemNotACrash) {
  const verify_result result = verify_chain(path("absent.db"));
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.first_bad_seq, 0);
  EXPECT_EQ(result.problem, "audit store: cannot open " + path("absent.db") + ": unable to open database file");
}

TEST_F(PurgeOnSqlite, MissingFileIsAnError) {
  EXPECT_THROW(purge_before(path("absent.db"), day(1)), store_error);
}

}  // namespace
}  // namespace ivig::audit::test
