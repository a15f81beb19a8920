// tests/unit/audit/chain_test.cpp: verification of the hash chain, tampering, and the retention purge.
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
using Purge = audit_test;

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

TEST_F(Purge, KeepsTheRestVerifiable) {
  record_days(options(), 5);
  const std::string hash2 = query(path(), "SELECT hash FROM entries WHERE seq = 2");
  const purge_result purged = purge_before(path(), day(3));
  EXPECT_EQ(purged.purged, 2);
  EXPECT_EQ(purged.last_purged_seq, 2);
  EXPECT_EQ(purged.last_purged_hash, hash2);

  EXPECT_EQ(rows(path(), "SELECT seq, kind, received_at, payload, prev_hash FROM entries WHERE seq = 2"),
            (std::vector<std::string>{"2|purge-anchor|" + day(3) + R"(|{"horizon":")" + day(3) +
                                      R"(","last_purged_seq":2,"last_purged_hash":")" + hash2 +
                                      R"(","purged":2,"purged_total":2,"head_seq":5}|)" + hash2}));
  EXPECT_EQ(rows(path(), "SELECT seq FROM entries ORDER BY seq"), (std::vector<std::string>{"2", "3", "4", "5"}));
  EXPECT_EQ(rows(path(), "SELECT DISTINCT seq FROM calls ORDER BY seq"), (std::vector<std::string>{"3", "4", "5"}));
  EXPECT_EQ(rows(path(), "SELECT DISTINCT seq FROM cards ORDER BY seq"), (std::vector<std::string>{"3", "4", "5"}));
  EXPECT_EQ(rows(path(), "SELECT DISTINCT seq FROM call_rules ORDER BY seq"),
            (std::vector<std::string>{"3", "4", "5"}));
  const verify_result result = verify_chain(path());
  EXPECT_TRUE(result.ok) << result.problem;
  EXPECT_EQ(result.entries, 4);

  // The store keeps appending after a purge, and the whole verifies.
  record_days(options(), 1);
  const verify_result after = verify_chain(path());
  EXPECT_TRUE(after.ok) << after.problem;
  EXPECT_EQ(after.entries, 5);
}

TEST_F(Purge, TamperingAfterTheAnchorIsStillDetected) {
  record_days(options(), 5);
  purge_before(path(), day(3));
  tamper_one_byte(path(), 4);
  const verify_result result = verify_chain(path());
  EXPECT_EQ(result.first_bad_seq, 4);
  EXPECT_EQ(result.entries, 2);
  EXPECT_EQ(result.problem, "hash does not match the entry's contents");
}

TEST_F(Purge, TamperedAnchorIsDetected) {
  record_days(options(), 5);
  purge_before(path(), day(3));
  drop_guards(path());
  execute(path(), "UPDATE entries SET payload = replace(payload, '\"purged\":2', '\"purged\":1') WHERE seq = 2");
  const verify_result result = verify_chain(path());
  EXPECT_EQ(result.first_bad_seq, 2);
  EXPECT_EQ(result.problem, "hash does not match the entry's contents");
}

TEST_F(Purge, RemovedEntryAfterTheAnchorIsDetected) {
  record_days(options(), 5);
  purge_before(path(), day(3));
  execute(path(), "DELETE FROM entries WHERE seq = 3");
  const verify_result result = verify_chain(path());
  EXPECT_EQ(result.first_bad_seq, 4);
  EXPECT_EQ(result.problem, "prev_hash does not link to seq 2");
}

TEST_F(Purge, NothingOldEnoughPurgesNothing) {
  record_days(options(), 3);
  const purge_result purged = purge_before(path(), day(1));
  EXPECT_EQ(purged.purged, 0);
  EXPECT_EQ(count(path(), "entries"), 3);
  EXPECT_EQ(count(path(), "entries WHERE kind = 'purge-anchor'"), 0);
}

TEST_F(Purge, SameHorizonTwiceLeavesOneAnchor) {
  record_days(options(), 4);
  EXPECT_EQ(purge_before(path(), day(3)).purged, 2);
  EXPECT_EQ(purge_before(path(), day(3)).purged, 0);
  EXPECT_EQ(rows(path(), "SELECT seq, kind FROM entries ORDER BY seq"),
            (std::vector<std::string>{"2|purge-anchor", "3|call", "4|call"}));
}

TEST_F(Purge, LaterPurgeReplacesTheAnchorAndKeepsTheTotal) {
  record_days(options(), 5);
  const std::string hash4 = query(path(), "SELECT hash FROM entries WHERE seq = 4");
  purge_before(path(), day(3));
  const purge_result second = purge_before(path(), day(5));
  EXPECT_EQ(second.purged, 2);
  EXPECT_EQ(second.last_purged_seq, 4);
  EXPECT_EQ(second.last_purged_hash, hash4);
  EXPECT_EQ(rows(path(), "SELECT seq, kind FROM entries ORDER BY seq"),
            (std::vector<std::string>{"4|purge-anchor", "5|call"}));
  EXPECT_NE(
      query(path(), "SELECT payload FROM entries WHERE seq = 4").find(R"("purged":2,"purged_total":4,"head_seq":5})"),
      std::string::npos);
  const verify_result result = verify_chain(path());
  EXPECT_TRUE(result.ok) << result.problem;
  EXPECT_EQ(result.entries, 2);
}

TEST_F(Purge, EverythingPurgedThenNewRecordsStillChain) {
  record_days(options(), 3);
  const std::string hash3 = query(path(), "SELECT hash FROM entries WHERE seq = 3");
  EXPECT_EQ(purge_before(path(), day(9)).purged, 3);
  {
    sqlite_audit_store store(options());
    ASSERT_TRUE(store.record_call(sample_call("h9", "u9", day(9))));
  }
  EXPECT_EQ(query(path(), "SELECT prev_hash FROM entries WHERE seq = 4"), hash3);
  const verify_result result = verify_chain(path());
  EXPECT_TRUE(result.ok) << result.problem;
  EXPECT_EQ(result.entries, 2);
}

TEST_F(Purge, CutsOnlyAPrefixWhenAnOldRecordFollowsANewOne) {
  {
    sqlite_audit_store store(options());
    ASSERT_TRUE(store.record_call(sample_call("h1", "u1", day(1))));
    ASSERT_TRUE(store.record_call(sample_call("h5", "u5", day(5))));
    ASSERT_TRUE(store.record_call(sample_call("h2", "u2", day(2))));  // as a spool replay appends it
  }
  EXPECT_EQ(purge_before(path(), day(3)).purged, 1);
  EXPECT_EQ(rows(path(), "SELECT seq, kind FROM entries ORDER BY seq"),
            (std::vector<std::string>{"1|purge-anchor", "2|call", "3|call"}));
  EXPECT_TRUE(verify_chain(path()).ok);
}

TEST_F(Purge, FeedbackRowsGoWithTheirEntries) {
  {
    sqlite_audit_store store(options());
    ASSERT_TRUE(store.record_call(sample_call("h1", "u1", day(1))));
    ASSERT_EQ(store.record_feedback(sample_feedback("u1", "accepted", day(2))), feedback_result::recorded_matched);
    ASSERT_TRUE(store.record_call(sample_call("h4", "u4", day(4))));
  }
  EXPECT_EQ(purge_before(path(), day(3)).purged, 2);
  EXPECT_EQ(count(path(), "feedback"), 0);
  EXPECT_EQ(count(path(), "calls"), 1);
}

TEST_F(Purge, WhileTheStoreRunsItKeepsAppendingToAVerifiableChain) {
  sqlite_audit_store store(options());
  for (int d = 1; d <= 3; ++d)
    ASSERT_TRUE(store.record_call(sample_call("h" + std::to_string(d), "u" + std::to_string(d), day(d))));
  EXPECT_EQ(purge_before(path(), day(9)).purged, 3);  // everything, the head included
  ASSERT_TRUE(store.record_call(sample_call("h9", "u9", day(9))));
  EXPECT_EQ(rows(path(), "SELECT seq, kind FROM entries ORDER BY seq"),
            (std::vector<std::string>{"3|purge-anchor", "4|call"}));
  const verify_result result = verify_chain(path());
  EXPECT_TRUE(result.ok) << result.problem;
  EXPECT_EQ(result.entries, 2);
}

TEST_F(Purge, MissingFileIsAnError) {
  EXPECT_THROW(purge_before(path("absent.db"), day(1)), store_error);
}

}  // namespace
}  // namespace ivig::audit::test
