// tests/unit/audit/store_test.cpp: what one call or feedback item leaves in the file.
//
// Rows are read back from a connection of the test's own and compared whole, column by column.
#include <filesystem>

#include <gtest/gtest.h>

#include "hooks/audit/chain_verify.hpp"
#include "hooks/audit/record_json.hpp"
#include "hooks/audit/sqlite_store.hpp"
#include "tests/unit/audit/audit_fixture.hpp"

namespace ivig::audit::test {
namespace {

using Store = audit_test;
using Feedback = audit_test;

TEST_F(Store, CallAppearsInEveryQueryTableWithItsValues) {
  sqlite_audit_store store(options());
  const call_record call = sample_call("h1", "u1");
  ASSERT_TRUE(store.record_call(call));

  EXPECT_EQ(rows(path(), "SELECT * FROM calls"),
            (std::vector<std::string>{"1|2026-11-22T12:00:00Z|ivig-order-select|order-select|h1|Practitioner/"
                                      "example|p1|e1|200||2026.11.1|12.5"}));
  EXPECT_EQ(rows(path(), "SELECT * FROM cards"),
            (std::vector<std::string>{"1|u1|warning|Switch to a product without sorbitol|R3 R5"}));
  EXPECT_EQ(rows(path(), "SELECT * FROM call_rules ORDER BY rowid"),
            (std::vector<std::string>{"1|R3|1", "1|R5|1"}));  // R1 did not fire: in the payload only
  const std::string payload = to_json(call);
  const std::string hash = entry_hash(genesis_hash, "call", "2026-11-22T12:00:00Z", payload);
  EXPECT_EQ(rows(path(), "SELECT * FROM entries"),
            (std::vector<std::string>{"1|call|2026-11-22T12:00:00Z|" + payload + "|" + genesis_hash + "|" + hash}));
  EXPECT_TRUE(store.ready());
  EXPECT_EQ(store.commits(), 1U);
  EXPECT_EQ(store.spooled_records(), 0U);
  EXPECT_EQ(store.store_failures(), 0U);
}

TEST_F(Store, ARuleThatFailedGetsAQueryRowAndOneThatRanQuietlyDoesNot) {
  sqlite_audit_store store(options());
  call_record call = sample_call("h1", "u1");
  call.rules = {{"R1", false, {}}, {"R2", false, "internal error on MedicationRequest/1"}, {"R3", true, {}}};
  ASSERT_TRUE(store.record_call(call));
  EXPECT_EQ(rows(path(), "SELECT * FROM call_rules ORDER BY rowid"), (std::vector<std::string>{"1|R2|0", "1|R3|1"}));
  EXPECT_EQ(rows(path(), "SELECT payload FROM entries"), (std::vector<std::string>{to_json(call)}));
}

TEST_F(Store, CheckpointsAfterBatchesKeepTheWalBounded) {
  // 300 calls of about ten WAL frames each: without checkpoints the WAL would hold 3000 frames (12 MB
  // at 4 KB). Checkpointing past 50 frames after each batch restarts it, so it never grows far past
  // the threshold plus one batch.
  audit_options o = options();
  o.checkpoint_frames = 50;
  sqlite_audit_store store(o);
  for (int i = 0; i < 300; ++i)
    ASSERT_TRUE(store.record_call(sample_call("h" + std::to_string(i), "u" + std::to_string(i))));
  EXPECT_GE(store.checkpoints(), 20U);
  EXPECT_LT(std::filesystem::file_size(path() + "-wal"), 1024U * 1024U);
  EXPECT_EQ(count(path(), "calls"), 300);
}

TEST_F(Store, TheLogAndItsWalAreReadableByTheServiceUserOnly) {
  sqlite_audit_store store(options());
  ASSERT_TRUE(store.record_call(sample_call("h1", "u1")));
  for (const std::string& file : {path(), path() + "-wal"}) {
    const auto permissions = std::filesystem::status(file).permissions();
    EXPECT_EQ(permissions & std::filesystem::perms::all,
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write)
        << file;
  }
}

TEST_F(Store, RejectedCallIsRecordedWithItsStatusAndCodeOnly) {
  sqlite_audit_store store(options());
  call_record rejected;
  rejected.received_at = "2026-11-22T12:00:00Z";
  rejected.service_id = "ivig-order-select";
  rejected.http_status = 400;
  rejected.error_code = "invalid-request";
  ASSERT_TRUE(store.record_call(rejected));
  EXPECT_EQ(rows(path(), "SELECT * FROM calls"),
            (std::vector<std::string>{"1|2026-11-22T12:00:00Z|ivig-order-select||||||400|invalid-request||0.0"}));
  EXPECT_EQ(count(path(), "cards"), 0);
  EXPECT_EQ(count(path(), "call_rules"), 0);
}

TEST_F(Store, RecordIsReadableFromAnotherConnectionWhenRecordCallReturns) {
  sqlite_audit_store store(options());
  for (int i = 1; i <= 3; ++i) {
    ASSERT_TRUE(store.record_call(sample_call("h" + std::to_string(i), "u" + std::to_string(i))));
    EXPECT_EQ(count(path(), "calls"), i);  // the store is still open: committed, not merely buffered
  }
}

TEST_F(Store, SecondCallLinksToTheFirst) {
  sqlite_audit_store store(options());
  ASSERT_TRUE(store.record_call(sample_call("h1", "u1")));
  ASSERT_TRUE(store.record_call(sample_call("h2", "u2")));
  EXPECT_EQ(query(path(), "SELECT prev_hash FROM entries WHERE seq = 2"),
            query(path(), "SELECT hash FROM entries WHERE seq = 1"));
}

TEST_F(Store, ReopenedStoreContinuesTheChain) {
  { sqlite_audit_store(options()).record_call(sample_call("h1", "u1")); }
  { sqlite_audit_store(options()).record_call(sample_call("h2", "u2")); }
  const verify_result result = verify_chain(path());
  EXPECT_TRUE(result.ok) << result.problem;
  EXPECT_EQ(result.entries, 2);
}

// CDS Hooks 2.0 requirement 148 (feedback endpoint); issue 5: "unknown card uuid kept and marked unmatched".
TEST_F(Feedback, OnACardTheServiceShowedIsMatched) {
  sqlite_audit_store store(options());
  ASSERT_TRUE(store.record_call(sample_call("h1", "u1")));
  EXPECT_EQ(store.record_feedback(sample_feedback("u1", "overridden")), feedback_result::recorded_matched);
  EXPECT_EQ(rows(path(),
                 "SELECT seq, card_uuid, outcome, override_code, user_comment, outcome_timestamp, matched "
                 "FROM feedback"),
            (std::vector<std::string>{
                "2|u1|overridden|benefit-outweighs-risk|discussed with the patient|2026-11-22T12:04:00Z|1"}));
  EXPECT_EQ(query(path(), "SELECT dedupe_key FROM feedback"), feedback_dedupe_key(sample_feedback("u1", "overridden")));
  EXPECT_EQ(rows(path(), "SELECT kind, received_at FROM entries WHERE seq = 2"),
            (std::vector<std::string>{"feedback|2026-11-22T12:05:00Z"}));
}

TEST_F(Feedback, OnAnUnknownCardIsKeptUnmatched) {
  sqlite_audit_store store(options());
  EXPECT_EQ(store.record_feedback(sample_feedback("nobody-showed-this", "accepted")),
            feedback_result::recorded_unmatched);
  EXPECT_EQ(rows(path(), "SELECT seq, card_uuid, outcome, matched FROM feedback"),
            (std::vector<std::string>{"1|nobody-showed-this|accepted|0"}));
}

TEST_F(Feedback, RepeatedItemIsIdempotent) {
  sqlite_audit_store store(options());
  ASSERT_TRUE(store.record_call(sample_call("h1", "u1")));
  feedback_record item = sample_feedback("u1", "accepted");
  EXPECT_EQ(store.record_feedback(item), feedback_result::recorded_matched);
  item.received_at = "2026-11-22T12:06:00Z";  // the client sent it again later
  EXPECT_EQ(store.record_feedback(item), feedback_result::duplicate);
  EXPECT_EQ(count(path(), "feedback"), 1);
  EXPECT_EQ(count(path(), "entries"), 2);
}

TEST_F(Feedback, SameCardWithAnotherOutcomeIsANewItem) {
  sqlite_audit_store store(options());
  ASSERT_TRUE(store.record_call(sample_call("h1", "u1")));
  EXPECT_EQ(store.record_feedback(sample_feedback("u1", "accepted")), feedback_result::recorded_matched);
  EXPECT_EQ(store.record_feedback(sample_feedback("u1", "overridden")), feedback_result::recorded_matched);
  EXPECT_EQ(count(path(), "feedback"), 2);
}

}  // namespace
}  // namespace ivig::audit::test
