// tests/unit/audit/record_json_test.cpp: the canonical text of records, the dedupe key, spool lines.
//
// The text compared here is what the hash chain seals: a change to it is a change to every hash, so
// these tests pin it exactly.
#include <gtest/gtest.h>

#include "hooks/audit/record_json.hpp"
#include "tests/unit/audit/audit_fixture.hpp"

namespace ivig::audit::test {
namespace {

TEST(RecordJson, CallIsEveryFieldInDeclarationOrder) {
  EXPECT_EQ(to_json(sample_call("h1", "u1")),
            R"({"received_at":"2026-11-22T12:00:00Z","service_id":"ivig-order-select","hook":"order-select",)"
            R"("hook_instance":"h1","user_id":"Practitioner/example","patient":"p1","encounter_id":"e1",)"
            R"x("orders":["MedicationRequest/1: Privigen, 0.5 g/kg (35 g)"],)x"
            R"("rules":[{"rule_id":"R1","fired":false},{"rule_id":"R3","fired":true},{"rule_id":"R5","fired":true}],)"
            R"("cards":[{"uuid":"u1","indicator":"warning","summary":"Switch to a product without sorbitol",)"
            R"("rule_ids":["R3","R5"]}],"knowledge_version":"2026.11.1",)"
            R"("data":[{"key":"patient","origin":"prefetch"},{"key":"allergies","origin":"missing"}],)"
            R"("service_ms":12.5,"http_status":200,"error_code":"","client_iss":"https://ehr.example.org",)"
            R"("client_tenant":"t1","client_jti":"j1"})");
}

TEST(RecordJson, CallReadsBackToTheSameText) {
  const std::string text = to_json(sample_call("h1", "u1"));
  const std::optional<call_record> call = call_from_json(text);
  ASSERT_TRUE(call);
  EXPECT_EQ(to_json(*call), text);
}

TEST(RecordJson, WorksheetsAreWrittenAfterTheCardsOnlyWhenThereAreAnyAndReadBack) {
  call_record call = sample_call("h1", "u1");
  const std::string without = to_json(call);
  EXPECT_EQ(without.find("worksheets"), std::string::npos);  // earlier records keep their text and hash
  call.worksheets = {"**Order:** Privigen\n\n| a | b |\n|---|---|\n| 1 | 2 |"};
  const std::string with = to_json(call);
  EXPECT_NE(
      with.find(R"(]}],"worksheets":["**Order:** Privigen\n\n| a | b |\n|---|---|\n| 1 | 2 |"],"knowledge_version")"),
      std::string::npos)
      << with;
  const std::optional<call_record> back = call_from_json(with);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->worksheets, call.worksheets);
  EXPECT_EQ(to_json(*back), with);
}

TEST(RecordJson, ADataItemsWhyIsWrittenOnlyWhenThereIsOneAndReadsBack) {
  call_record call = sample_call("h1", "u1");
  call.data = {{"patient", "fetched", ""}, {"conditions", "error", "timeout"}};
  const std::string text = to_json(call);
  EXPECT_NE(
      text.find(
          R"("data":[{"key":"patient","origin":"fetched"},{"key":"conditions","origin":"error","why":"timeout"}],)"),
      std::string::npos)
      << text;
  const std::optional<call_record> back = call_from_json(text);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->data[1].why, "timeout");
  EXPECT_EQ(to_json(*back), text);
}

TEST(RecordJson, AReplayInputIsWrittenLastOnlyWhenKeptAndReadsBack) {
  call_record call = sample_call("h1", "u1");
  const std::string without = to_json(call);
  EXPECT_EQ(without.find("replay_input"), std::string::npos);  // earlier records keep their text and hash
  call.replay_input = R"({"request":{"hook":"order-select"}})";
  const std::string with = to_json(call);
  EXPECT_EQ(with, without.substr(0, without.size() - 1) +
                      R"(,"replay_input":"{\"request\":{\"hook\":\"order-select\"}}"})");
  const std::optional<call_record> back = call_from_json(with);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->replay_input, call.replay_input);
  EXPECT_EQ(to_json(*back), with);
}

TEST(RecordJson, FeedbackIsEveryFieldInDeclarationOrderAndReadsBack) {
  const std::string text = to_json(sample_feedback("u1", "overridden"));
  EXPECT_EQ(text, R"({"received_at":"2026-11-22T12:05:00Z","service_id":"ivig-order-select","card_uuid":"u1",)"
                  R"("outcome":"overridden","accepted_suggestions":[],"override_system":"urn:ivig-cds:override",)"
                  R"("override_code":"benefit-outweighs-risk","override_display":"Benefit outweighs risk",)"
                  R"("user_comment":"discussed with the patient","outcome_timestamp":"2026-11-22T12:04:00Z"})");
  const std::optional<feedback_record> feedback = feedback_from_json(text);
  ASSERT_TRUE(feedback);
  EXPECT_EQ(to_json(*feedback), text);
}

TEST(RecordJson, NonFiniteServiceTimeIsWrittenAsZero) {
  call_record call = sample_call("h1", "u1");
  call.service_ms = std::numeric_limits<double>::infinity();
  EXPECT_NE(to_json(call).find(R"("service_ms":0.0,)"), std::string::npos);
}

TEST(RecordJson, MemberOfTheWrongTypeIsRejected) {
  EXPECT_FALSE(call_from_json(R"({"hook":1})"));
  EXPECT_FALSE(call_from_json(R"({"rules":[{"rule_id":"R1","fired":"yes"}]})"));
  EXPECT_FALSE(call_from_json(R"({"http_status":-1})"));
  EXPECT_FALSE(call_from_json(R"([])"));
  EXPECT_FALSE(call_from_json(R"({"hook":)"));
  EXPECT_FALSE(feedback_from_json(R"({"accepted_suggestions":"s1"})"));
  EXPECT_TRUE(call_from_json(R"({})"));  // an older build's payload with fewer members still reads
}

TEST(RecordJson, DedupeKeyIgnoresSuggestionOrderAndWhenTheItemArrived) {
  feedback_record a = sample_feedback("u1", "accepted");
  a.accepted_suggestions = {"s1", "s2"};
  feedback_record b = a;
  b.accepted_suggestions = {"s2", "s1"};
  b.received_at = "2026-11-23T00:00:00Z";
  b.override_display = "display text is not part of the key";
  EXPECT_EQ(feedback_dedupe_key(a), feedback_dedupe_key(b));
  EXPECT_EQ(feedback_dedupe_key(a).size(), 64U);

  for (auto change :
       {+[](feedback_record& f) { f.card_uuid = "u2"; }, +[](feedback_record& f) { f.outcome = "x"; },
        +[](feedback_record& f) { f.accepted_suggestions.push_back("s3"); },
        +[](feedback_record& f) { f.override_code = "c"; }, +[](feedback_record& f) { f.user_comment = "c"; },
        +[](feedback_record& f) { f.outcome_timestamp = "2026-11-22T12:04:01Z"; }}) {
    feedback_record c = a;
    change(c);
    EXPECT_NE(feedback_dedupe_key(a), feedback_dedupe_key(c));
  }
}

TEST(RecordJson, FieldBoundariesCannotBeForgedInTheDedupeKey) {
  feedback_record a = sample_feedback("u1", "overridden");
  feedback_record b = a;
  a.override_code = "a\",\"b";
  a.user_comment = "";
  b.override_code = "a";
  b.user_comment = "b";
  EXPECT_NE(feedback_dedupe_key(a), feedback_dedupe_key(b));
}

TEST(SpoolLine, CarriesIdKindAndTheRecordAsJson) {
  const std::string payload = to_json(sample_feedback("u1", "accepted"));
  const std::string line = spool_line({"id1", "feedback", payload});
  EXPECT_EQ(line, R"({"spool_id":"id1","kind":"feedback","record":)" + payload + "}");
  const std::optional<spool_entry> entry = parse_spool_line(line);
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->spool_id, "id1");
  EXPECT_EQ(entry->kind, "feedback");
  EXPECT_EQ(entry->payload, payload);
}

TEST(SpoolLine, CarriesTheSeqAndHashOfTheTransactionThatFailedToCommitIt) {
  const std::string payload = to_json(sample_call("h1", "u1"));
  const std::string line = spool_line({"id1", "call", payload, 12, "ab12"});
  EXPECT_EQ(line,
            R"({"spool_id":"id1","kind":"call","attempted_seq":12,"attempted_hash":"ab12","record":)" + payload + "}");
  const std::optional<spool_entry> entry = parse_spool_line(line);
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->attempted_seq, 12);
  EXPECT_EQ(entry->attempted_hash, "ab12");
  EXPECT_EQ(entry->payload, payload);
  // Written before: neither field.
  EXPECT_EQ(parse_spool_line(spool_line({"id1", "call", payload}))->attempted_seq, 0);
}

TEST(SpoolLine, AnAttemptedSeqNeedsItsHashAndAPositiveNumber) {
  const std::string record = to_json(sample_call("h1", "u1"));
  const auto line = [&](const std::string& fields) {
    return R"({"spool_id":"id1","kind":"call",)" + fields + R"("record":)" + record + "}";
  };
  EXPECT_TRUE(parse_spool_line(line(R"("attempted_seq":3,"attempted_hash":"ab",)")));
  EXPECT_FALSE(parse_spool_line(line(R"("attempted_seq":3,)")));
  EXPECT_FALSE(parse_spool_line(line(R"("attempted_hash":"ab",)")));
  EXPECT_FALSE(parse_spool_line(line(R"("attempted_seq":0,"attempted_hash":"ab",)")));
  EXPECT_FALSE(parse_spool_line(line(R"("attempted_seq":"3","attempted_hash":"ab",)")));
  EXPECT_FALSE(parse_spool_line(line(R"("attempted_seq":3,"attempted_hash":7,)")));
}

TEST(SpoolLine, TornOrForeignLinesAreNotRead) {
  const std::string line = spool_line({"id1", "call", to_json(sample_call("h1", "u1"))});
  EXPECT_FALSE(parse_spool_line(line.substr(0, line.size() - 1)));
  EXPECT_FALSE(parse_spool_line(R"({"spool_id":"id1","kind":"purge-anchor","record":{}})"));
  EXPECT_FALSE(parse_spool_line(R"({"spool_id":"id1","kind":"call","record":{"hook":1}})"));
  EXPECT_FALSE(parse_spool_line(R"({"kind":"call","record":{}})"));
  EXPECT_FALSE(parse_spool_line("hello"));
}

}  // namespace
}  // namespace ivig::audit::test
