// tests/unit/audit/queries_test.cpp: list, show, report and export on one small fixture, on each store.
//
// The fixture (SetUp) writes four calls and five feedback items through the real store, SQLite's or
// PostgreSQL's (either_store.hpp); outputs are compared whole, as the CLI prints them, and are the same
// for both but for the chain PostgreSQL's rows and AuditEvent ids name.
#include <algorithm>

#include <gtest/gtest.h>

#include "hooks/audit/audit_event_export.hpp"
#include "hooks/audit/queries.hpp"
#include "hooks/audit/record_json.hpp"
#include "hooks/audit/report.hpp"
#include "hooks/audit/sqlite_store.hpp"
#include "tests/unit/audit/either_store.hpp"

namespace ivig::audit::test {
namespace {

// seq 1  h1  2026-11-01  p1  Practitioner/a  cards uA (warning; R3 R5) and uB (info; R12)
// seq 2  h2  2026-11-02  p2  Practitioner/b  card uC (critical; R3), order-sign
// seq 3  --  2026-11-03  rejected with 400 invalid-request (no context)
// seq 4  h4  2026-12-05  p1  Practitioner/a  card uD (warning; R10)
// seq 5..9 feedback: uA overridden, then uA accepted later; uC overridden; zz (unknown) accepted; uD accepted.
class Queries : public either_store_test {
 protected:
  void SetUp() override {
    either_store_test::SetUp();
    if (IsSkipped()) return;
    const auto owned = open_store();
    spooling_store& store = *owned;
    call_record h1 = sample_call("h1", "uA", "2026-11-01T10:00:00Z");
    h1.user_id = "Practitioner/a";
    h1.cards.push_back({"uB", "info", "Infuse slowly at first", {"R12"}});
    h1.rules = {{"R1", false, {}}, {"R3", true, {}}, {"R5", true, {}}, {"R12", true, {}}};
    ASSERT_TRUE(store.record_call(h1));

    call_record h2 = sample_call("h2", "uC", "2026-11-02T10:00:00Z");
    h2.service_id = "ivig-order-sign";
    h2.hook = "order-sign";
    h2.user_id = "Practitioner/b";
    h2.patient = "p2";
    h2.cards = {{"uC", "critical", "Stop: anaphylaxis to IVIg", {"R3"}}};
    h2.rules = {{"R1", false, {}}, {"R3", true, {}}};
    ASSERT_TRUE(store.record_call(h2));

    call_record rejected;
    rejected.received_at = "2026-11-03T10:00:00Z";
    rejected.service_id = "ivig-order-select";
    rejected.http_status = 400;
    rejected.error_code = "invalid-request";
    ASSERT_TRUE(store.record_call(rejected));

    call_record h4 = sample_call("h4", "uD", "2026-12-05T10:00:00Z");
    h4.user_id = "Practitioner/a";
    h4.cards = {{"uD", "warning", "Check renal function", {"R10"}}};
    h4.rules = {{"R10", true, {}}};
    ASSERT_TRUE(store.record_call(h4));

    feedback_record overridden = sample_feedback("uA", "overridden", "2026-11-01T10:05:00Z");
    overridden.outcome_timestamp = "2026-11-01T10:04:00Z";
    feedback_record accepted = sample_feedback("uA", "accepted", "2026-11-01T10:09:00Z");
    accepted.outcome_timestamp = "2026-11-01T10:08:00Z";
    ASSERT_EQ(store.record_feedback(overridden), feedback_result::recorded_matched);
    ASSERT_EQ(store.record_feedback(accepted), feedback_result::recorded_matched);
    ASSERT_EQ(store.record_feedback(sample_feedback("uC", "overridden", "2026-11-02T10:05:00Z")),
              feedback_result::recorded_matched);
    ASSERT_EQ(store.record_feedback(sample_feedback("zz", "accepted", "2026-11-02T10:06:00Z")),
              feedback_result::recorded_unmatched);
    ASSERT_EQ(store.record_feedback(sample_feedback("uD", "accepted", "2026-12-05T10:05:00Z")),
              feedback_result::recorded_matched);
  }

  std::vector<std::int64_t> seqs(const call_filter& filter) {
    std::vector<std::int64_t> out;
    for (const call_row& row : reader()->list_calls(filter)) out.push_back(row.seq);
    return out;
  }
  /// An AuditEvent's id: the seq, with the chain on PostgreSQL.
  std::string event_id(int seq) const { return "ivig-cds-audit-" + (pg() ? chain() + "-" : "") + std::to_string(seq); }
};

using Report = Queries;
using Export = Queries;
using seq_list = std::vector<std::int64_t>;

TEST_P(Queries, ListWithoutFilterIsEveryCallInOrder) {
  const std::vector<call_row> calls = reader()->list_calls({});
  ASSERT_EQ(calls.size(), 4U);
  EXPECT_EQ(calls[1], (call_row{2, "2026-11-02T10:00:00Z", "ivig-order-sign", "order-sign", "h2", "Practitioner/b",
                                "p2", "e1", 200, "", "2026.11.1", 12.5, chain()}));
  EXPECT_EQ(calls[2], (call_row{3, "2026-11-03T10:00:00Z", "ivig-order-select", "", "", "", "", "", 400,
                                "invalid-request", "", 0, chain()}));
}

TEST_P(Queries, ListFiltersByPatientUserDateRuleAndIndicator) {
  EXPECT_EQ(seqs({.patient = "p1"}), (seq_list{1, 4}));
  EXPECT_EQ(seqs({.user_id = "Practitioner/b"}), (seq_list{2}));
  EXPECT_EQ(seqs({.from = "2026-11-02T00:00:00Z", .to = "2026-11-04T00:00:00Z"}), (seq_list{2, 3}));
  EXPECT_EQ(seqs({.from = "2026-11-02T10:00:00Z", .to = "2026-11-03T10:00:00Z"}), (seq_list{2}));  // [from, to)
  EXPECT_EQ(seqs({.rule_id = "R3"}), (seq_list{1, 2}));
  EXPECT_EQ(seqs({.rule_id = "R1"}), (seq_list{}));  // evaluated everywhere, fired nowhere
  EXPECT_EQ(seqs({.indicator = "warning"}), (seq_list{1, 4}));
  EXPECT_EQ(seqs({.patient = "p1", .to = "2026-12-01T00:00:00Z", .indicator = "warning"}), (seq_list{1}));
  EXPECT_EQ(seqs({.limit = 2}), (seq_list{1, 2}));
  EXPECT_EQ(seqs({.patient = "' OR 1 --"}), (seq_list{}));
}

TEST_P(Queries, ShowHookInstanceHasItsPayloadCardsAndFeedback) {
  const hook_instance_view view = reader()->show_hook_instance("h1");
  ASSERT_EQ(view.calls.size(), 1U);
  EXPECT_EQ(view.calls[0].seq, 1);
  ASSERT_EQ(view.payloads.size(), 1U);
  EXPECT_EQ(view.payloads[0], query("SELECT payload FROM entries WHERE seq = 1"));
  EXPECT_EQ(call_from_json(view.payloads[0])->cards.size(), 2U);
  EXPECT_EQ(view.cards,
            (std::vector<card_row>{{1, "uA", "warning", "Switch to a product without sorbitol", "R3 R5", chain()},
                                   {1, "uB", "info", "Infuse slowly at first", "R12", chain()}}));
  EXPECT_EQ(view.feedback,
            (std::vector<feedback_row>{
                {5, "2026-11-01T10:05:00Z", "uA", "overridden", "benefit-outweighs-risk", "discussed with the patient",
                 "2026-11-01T10:04:00Z", true, chain()},
                {6, "2026-11-01T10:09:00Z", "uA", "accepted", "", "", "2026-11-01T10:08:00Z", true, chain()}}));
}

TEST_P(Queries, ShowUnknownHookInstanceIsEmpty) {
  const hook_instance_view view = reader()->show_hook_instance("nope");
  EXPECT_TRUE(view.calls.empty());
  EXPECT_TRUE(view.cards.empty());
  EXPECT_TRUE(view.feedback.empty());
}

using QueriesOnSqlite = audit_test;

TEST_F(QueriesOnSqlite, MissingFileIsAnError) {
  EXPECT_THROW(list_calls(path("absent.db"), {}), store_error);
}

using QueriesOnPostgresql = either_store_test;

TEST_P(QueriesOnPostgresql, ADatabaseWithoutTheAuditSchemaIsAnError) {
  try {
    pg_reader(url_, {});
    FAIL() << "no error";
  } catch (const store_error& e) {
    EXPECT_EQ(std::string(e.what()), "audit store: " + url_ + " is not an audit log (no schema)");
  }
}

TEST_P(Report, CountsEachCardOnceByItsLatestFeedback) {
  const audit_report report = build_report(*reader(), "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z");
  EXPECT_EQ(report.by_rule, (std::vector<report_line>{{"R3", 2, 1, 1}, {"R5", 1, 1, 0}, {"R12", 1, 0, 0}}));
  EXPECT_EQ(report.by_indicator,
            (std::vector<report_line>{{"critical", 1, 0, 1}, {"warning", 1, 1, 0}, {"info", 1, 0, 0}}));
}

TEST_P(Report, OpenBoundsCoverEverything) {
  const audit_report report = build_report(*reader(), "", "");
  EXPECT_EQ(report.by_rule,
            (std::vector<report_line>{{"R3", 2, 1, 1}, {"R5", 1, 1, 0}, {"R10", 1, 1, 0}, {"R12", 1, 0, 0}}));
}

TEST_P(Report, TextTable) {
  EXPECT_EQ(report_table(build_report(*reader(), "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z")),
            "cards shown in calls received from 2026-11-01T00:00:00Z to 2026-12-01T00:00:00Z"
            " (each card by its latest feedback)\n"
            "\n"
            "rule        shown  accepted  overridden  acceptance  override\n"
            "R3              2         1           1       50.0%     50.0%\n"
            "R5              1         1           0      100.0%      0.0%\n"
            "R12             1         0           0        0.0%      0.0%\n"
            "\n"
            "indicator   shown  accepted  overridden  acceptance  override\n"
            "critical        1         0           1        0.0%    100.0%\n"
            "warning         1         1           0      100.0%      0.0%\n"
            "info            1         0           0        0.0%      0.0%\n");
}

TEST_P(Report, Csv) {
  EXPECT_EQ(report_csv(build_report(*reader(), "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z")),
            "group,key,shown,accepted,overridden,acceptance_rate,override_rate\n"
            "rule,R3,2,1,1,0.500,0.500\n"
            "rule,R5,1,1,0,1.000,0.000\n"
            "rule,R12,1,0,0,0.000,0.000\n"
            "indicator,critical,1,0,1,0.000,1.000\n"
            "indicator,warning,1,1,0,1.000,0.000\n"
            "indicator,info,1,0,0,0.000,0.000\n");
}

TEST(ReportFormat, CsvQuotesKeysThatNeedIt) {
  audit_report report;
  report.by_rule = {{"R,\"1\"", 1, 0, 0}};
  EXPECT_EQ(report_csv(report),
            "group,key,shown,accepted,overridden,acceptance_rate,override_rate\n"
            "rule,\"R,\"\"1\"\"\",1,0,0,0.000,0.000\n");
}

TEST_P(Export, AuditEventsOfAPeriodAsNdjson) {
  const std::string dcm = R"("system":"http://dicom.nema.org/resources/ontology/DCM")";
  const std::string entity_type = R"("system":"http://terminology.hl7.org/CodeSystem/audit-entity-type")";
  const std::string object_role = R"("system":"http://terminology.hl7.org/CodeSystem/object-role")";
  EXPECT_EQ(
      export_audit_events(*reader(), "2026-11-02T00:00:00Z", "2026-12-01T00:00:00Z"),
      // seq 2: a call with a user, a client, a patient, its hookInstance and one card
      R"({"resourceType":"AuditEvent","id":")" + event_id(2) +
          R"(",)"
          R"("type":{)" +
          dcm +
          R"(,"code":"110112","display":"Query"},)"
          R"("subtype":[{"system":"urn:ivig-cds:service","code":"ivig-order-sign"}],)"
          R"("action":"E","recorded":"2026-11-02T10:00:00Z","outcome":"0",)"
          R"("agent":[{"who":{"reference":"Practitioner/b"},"requestor":true},)"
          R"({"type":{"coding":[{)" +
          dcm +
          R"(,"code":"110150","display":"Application"}]},)"
          R"("who":{"identifier":{"system":"urn:ietf:rfc:3986","value":"https://ehr.example.org"}},"requestor":false}],)"
          R"("source":{"observer":{"display":"ivig-cds"}},)"
          R"("entity":[{"what":{"reference":"Patient/p2"},)"
          R"("type":{)" +
          entity_type +
          R"(,"code":"1","display":"Person"},)"
          R"("role":{)" +
          object_role +
          R"(,"code":"1","display":"Patient"}},)"
          R"({"what":{"identifier":{"system":"urn:ivig-cds:hook-instance","value":"h2"}},)"
          R"("type":{)" +
          entity_type +
          R"(,"code":"2","display":"System Object"},)"
          R"("role":{)" +
          object_role +
          R"(,"code":"24","display":"Query"},"name":"order-sign"},)"
          R"({"what":{"identifier":{"system":"urn:ivig-cds:card","value":"uC"}},)"
          R"("type":{)" +
          entity_type +
          R"(,"code":"2","display":"System Object"},)"
          R"("role":{)" +
          object_role +
          R"(,"code":"3","display":"Report"},)"
          R"("description":"Stop: anaphylaxis to IVIg",)"
          R"("detail":[{"type":"indicator","valueString":"critical"},{"type":"rules","valueString":"R3"}]}]})"
          "\n"
          // seq 3: a rejected call: outcome 4 with its code, no user, no entity
          R"({"resourceType":"AuditEvent","id":")" +
          event_id(3) +
          R"(",)"
          R"("type":{)" +
          dcm +
          R"(,"code":"110112","display":"Query"},)"
          R"("subtype":[{"system":"urn:ivig-cds:service","code":"ivig-order-select"}],)"
          R"("action":"E","recorded":"2026-11-03T10:00:00Z","outcome":"4","outcomeDesc":"invalid-request",)"
          R"("agent":[{"who":{"display":"unknown user"},"requestor":true}],)"
          R"("source":{"observer":{"display":"ivig-cds"}}})"
          "\n");
}

TEST_P(Export, KeyedPatientHashIsAnIdentifierNotAReference) {
  {
    const auto store = open_store();
    call_record call = sample_call("h9", "u9", "2027-01-01T00:00:00Z");
    call.patient = "hmac-sha256:00ff";
    call.http_status = 500;
    ASSERT_TRUE(store->record_call(call));
  }
  const std::string line = export_audit_events(*reader(), "2027-01-01T00:00:00Z", "");
  EXPECT_NE(line.find(R"("entity":[{"what":{"identifier":{"system":"urn:ivig-cds:audit-patient",)"
                      R"("value":"hmac-sha256:00ff"}},)"),
            std::string::npos);
  EXPECT_NE(line.find(R"("outcome":"8",)"), std::string::npos);
  EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1);
}

TEST_P(Export, EmptyPeriodIsEmpty) {
  EXPECT_EQ(export_audit_events(*reader(), "2030-01-01T00:00:00Z", "2031-01-01T00:00:00Z"), "");
}

using QueriesAcrossChains = Queries;  // PostgreSQL only: a SQLite file holds one chain

TEST_P(QueriesAcrossChains, RowsOfTwoChainsComeInArrivalOrderAndNameTheirChain) {
  {
    const auto other = open_store("r2");
    call_record call = sample_call("h1", "uZ", "2026-11-01T11:00:00Z");  // a hookInstance seen by both replicas
    ASSERT_TRUE(other->record_call(call));
  }
  const std::vector<call_row> calls = reader()->list_calls({.patient = "p1"});
  ASSERT_EQ(calls.size(), 3U);
  EXPECT_EQ(calls[0].chain_id + ":" + std::to_string(calls[0].seq), "r1:1");
  EXPECT_EQ(calls[1].chain_id + ":" + std::to_string(calls[1].seq), "r1:4");
  EXPECT_EQ(calls[2].chain_id + ":" + std::to_string(calls[2].seq), "r2:1");
  const hook_instance_view view = reader()->show_hook_instance("h1");
  ASSERT_EQ(view.calls.size(), 2U);
  EXPECT_EQ(view.calls[1].chain_id, "r2");
  EXPECT_EQ(view.cards.size(), 3U);
  EXPECT_EQ(view.cards[2], (card_row{1, "uZ", "warning", "Switch to a product without sorbitol", "R3 R5", "r2"}));
  const std::string exported = export_audit_events(*reader(), "2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z");
  EXPECT_NE(exported.find(R"("id":"ivig-cds-audit-r1-1",)"), std::string::npos) << exported;
  EXPECT_NE(exported.find(R"("id":"ivig-cds-audit-r2-1",)"), std::string::npos) << exported;
  EXPECT_EQ(std::count(exported.begin(), exported.end(), '\n'), 2);
}

INSTANTIATE_TEST_SUITE_P(Stores, Queries, ivig::test::both_audit_stores(), ivig::test::audit_store_kind_name);
INSTANTIATE_TEST_SUITE_P(Stores, Report, ivig::test::both_audit_stores(), ivig::test::audit_store_kind_name);
INSTANTIATE_TEST_SUITE_P(Stores, Export, ivig::test::both_audit_stores(), ivig::test::audit_store_kind_name);
INSTANTIATE_TEST_SUITE_P(Stores, QueriesAcrossChains, ::testing::Values(ivig::test::audit_store_kind::postgresql),
                         ivig::test::audit_store_kind_name);
INSTANTIATE_TEST_SUITE_P(Stores, QueriesOnPostgresql, ::testing::Values(ivig::test::audit_store_kind::postgresql),
                         ivig::test::audit_store_kind_name);

}  // namespace
}  // namespace ivig::audit::test
