// tests/integration/replay_test.cpp: `ivig-cds replay` on calls the real binary answered and audited
// (docs/operations.md, "Knowledge rollout"), on a SQLite file and on a PostgreSQL database alike. The
// same knowledge changes nothing; an edited one shows each card that would change, per rule and per
// call; the audit keeps no access token.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <functional>

#include <rapidjson/document.h>
#include <rapidjson/writer.h>

#include "hooks/audit/audit_reader.hpp"
#include "hooks/audit/record_json.hpp"
#include "hooks/service/replay_input_codec.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/command_run.hpp"
#include "tests/support/either_audit_store.hpp"
#include "tests/support/fhir_builders.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/scratch_folder.hpp"
#include "tests/support/test_support.hpp"

using namespace ivig::test;

namespace {

/// The binary with `arguments`; stdout only (the service's log lines go to stderr).
run_result run(const std::string& arguments) {
  return run_command(std::string(IVIG_BINARY) + " " + arguments + " 2>/dev/null");
}

std::filesystem::path copy_of_knowledge(const std::filesystem::path& folder) {
  std::filesystem::create_directories(folder);
  for (const auto& file :
       std::filesystem::directory_iterator(std::filesystem::path(IVIG_SOURCE_DIR) / "rules/knowledge"))
    if (file.path().extension() == ".json") std::filesystem::copy_file(file.path(), folder / file.path().filename());
  return folder;
}

/// Edits rule `id` of the bundle in `folder` with `edit`.
void edit_rule(const std::filesystem::path& folder, const std::string& id,
               const std::function<void(rapidjson::Value&, rapidjson::Document::AllocatorType&)>& edit) {
  rapidjson::Document rules = parse(read_file(folder / "rules.json"));
  for (auto& rule : rules["rules"].GetArray())
    if (rule["id"].GetString() == id) edit(rule, rules.GetAllocator());
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> writer(out);
  rules.Accept(writer);
  write_file(folder / "rules.json", out.GetString());
}

/// The card of the call `hook_instance` whose rules begin with `rule_id`, as the audit has it.
ivig::audit::card_row card_of(ivig::audit::audit_reader& audit, const std::string& hook_instance,
                              const std::string& rule_id) {
  for (const auto& card : audit.show_hook_instance(hook_instance).cards)
    if (card.rule_ids == rule_id || card.rule_ids.starts_with(rule_id + " ")) return card;
  ADD_FAILURE() << "no card of " << rule_id << " in " << hook_instance;
  return {};
}

/// The service and `replay` on either store: the SQLite file `audit`, or chain r1 of a database of the
/// test's own (`audit` then names the spool).
class Replay : public ::testing::Test, public on_either_audit_store {
 protected:
  void SetUp() override { open_test_database(); }
  std::vector<std::string> service_arguments(const std::string& audit) const {
    if (url_.empty()) return {"--port", "0", "--audit-path", audit};
    return {"--port", "0", "--audit-path", audit, "--audit-url", url_, "--audit-chain-id", "r1"};
  }
  std::string log(const std::string& audit) const {
    return url_.empty() ? "--audit-path " + audit : "--audit-url " + url_;
  }
  /// How replay's header names the log.
  std::string log_name(const std::string& audit) const { return url_.empty() ? audit : url_; }
  std::unique_ptr<ivig::audit::audit_reader> reader(const std::string& audit) const {
    return url_.empty() ? ivig::audit::sqlite_reader(audit) : ivig::audit::pg_reader(url_, {});
  }
};

INSTANTIATE_TEST_SUITE_P(Stores, Replay, both_audit_stores(), audit_store_kind_name);

}  // namespace

TEST_P(Replay, TheSameKnowledgeChangesNothingAndAnEditedOneShowsEachChangedCardPerRule) {
  const scratch_folder scratch("replay");
  const std::string audit = (scratch.path() / "audit.sqlite3").string();
  {
    child_process service(IVIG_BINARY, service_arguments(audit));
    const std::string listening = service.wait_for_line("listening on 127.0.0.1:");
    ASSERT_FALSE(listening.empty());
    const auto colon = listening.rfind(':');
    const auto port = static_cast<unsigned short>(std::stoi(listening.substr(colon + 1)));
    // R4 (critical) and R3 (warning); then an order with little data, which carries an access token.
    EXPECT_EQ(http_request(port, "POST", "/cds-services/ivig-order-select",
                           two_card_request("5e1fa7a8-7c34-4a4c-9f55-0d7a1d3b4f01").json())
                  .status,
              200u);
    hook_request sparse = order_select_with(medication_request("ivig-1", privigen()), "ivig-1");
    sparse.hook_instance = "5e1fa7a8-7c34-4a4c-9f55-0d7a1d3b4f02";
    sparse.fhir_server = "https://ehr.example.org/fhir";
    sparse.access_token = "secret-access-token-4711";
    EXPECT_EQ(http_request(port, "POST", "/cds-services/ivig-order-select", sparse.json()).status, 200u);
    EXPECT_EQ(http_request(port, "POST", "/cds-services/nope", "{}").status, 404u);  // not answered 200: not replayed
    ::kill(service.pid(), SIGTERM);
    ASSERT_EQ(service.wait_exit(), 0);
  }
  const auto calls = reader(audit)->list_calls({});
  ASSERT_EQ(calls.size(), 3u);
  for (const std::string& payload : reader(audit)->show_hook_instance(calls[1].hook_instance).payloads) {
    // Stored deflated (replay_input_codec.hpp): the token must be absent from the text it inflates to.
    const std::string stored = ivig::audit::call_from_json(payload)->replay_input;
    EXPECT_TRUE(stored.starts_with(ivig::service::packed_replay_input_prefix)) << stored.substr(0, 40);
    const auto input = ivig::service::unpack_replay_input(stored, std::size_t{1} << 20);
    ASSERT_TRUE(input) << input.error();
    for (const std::string& text : {payload, *input}) {
      EXPECT_EQ(text.find("secret-access-token-4711"), std::string::npos);
      EXPECT_EQ(text.find("fhirAuthorization"), std::string::npos);
    }
    EXPECT_NE(input->find(R"("fhirServer":"https://ehr.example.org/fhir")"), std::string::npos);
  }

  const std::filesystem::path same = copy_of_knowledge(scratch.path() / "same");
  const std::string version = embedded_knowledge()->version;
  const std::string header = "ivig-cds replay: knowledge " + embedded_knowledge()->bundle + " " + version +
                             " on the calls received from the start to the end of " + log_name(audit) +
                             "\ncalls answered: 2; replayed: 2; without a replay input: 0; could not be run: 0\n";
  const run_result unchanged = run("replay --knowledge " + same.string() + " " + log(audit));
  EXPECT_EQ(unchanged.exit_code, 0);
  EXPECT_EQ(unchanged.output, header + "no card would change\n");

  // R4 looking for the wrong conditions: its card goes. (A rule's `severity` in rules.json does not
  // set the indicators of R3's card, which its own logic decides: raising it changes nothing.)
  const std::filesystem::path edited = copy_of_knowledge(scratch.path() / "edited");
  edit_rule(edited, "R3", [](rapidjson::Value& rule, auto&) { rule["severity"].SetString("critical"); });
  edit_rule(edited, "R4", [](rapidjson::Value& rule, auto&) {
    rule["valueSets"]["condition"].SetString("vs-hereditary-fructose-intolerance");
  });
  const auto r4 = card_of(*reader(audit), calls[0].hook_instance, "R4");
  ASSERT_EQ(r4.indicator, "critical");
  const run_result changed = run("replay --knowledge " + edited.string() + " " + log(audit));
  EXPECT_EQ(changed.exit_code, 3);
  EXPECT_EQ(changed.output, header +
                                "cards that would change: 1 in 1 call(s)\n\n"
                                "rules         added  removed  indicator changed\n"
                                "R4                0        1  -\n"
                                "\ncalls:\n"
                                "  " +
                                calls[0].received_at + " " + calls[0].hook_instance + "  removed R4 critical \"" +
                                r4.summary + "\"\n");

  // A period without those calls has nothing to replay.
  const run_result later =
      run("replay --knowledge " + edited.string() + " " + log(audit) + " --from 2999-01-01T00:00:00Z");
  EXPECT_EQ(later.exit_code, 0);
  EXPECT_NE(later.output.find("calls answered: 0; replayed: 0;"), std::string::npos) << later.output;
}

TEST_P(Replay, CallsRecordedWithoutTheirInputAreCountedNotReplayed) {
  const scratch_folder scratch("replay-off");
  const std::string audit = (scratch.path() / "audit.sqlite3").string();
  {
    std::vector<std::string> arguments = service_arguments(audit);
    arguments.insert(arguments.end(), {"--audit-replay-inputs", "false"});
    child_process service(IVIG_BINARY, arguments);
    const std::string listening = service.wait_for_line("listening on 127.0.0.1:");
    ASSERT_FALSE(listening.empty());
    const auto colon = listening.rfind(':');
    const auto port = static_cast<unsigned short>(std::stoi(listening.substr(colon + 1)));
    EXPECT_EQ(http_request(port, "POST", "/cds-services/ivig-order-select",
                           two_card_request("5e1fa7a8-7c34-4a4c-9f55-0d7a1d3b4f03").json())
                  .status,
              200u);
    ::kill(service.pid(), SIGTERM);
    ASSERT_EQ(service.wait_exit(), 0);
  }
  const std::filesystem::path same = copy_of_knowledge(scratch.path() / "same");
  const run_result result = run("replay --knowledge " + same.string() + " " + log(audit));
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_NE(result.output.find("calls answered: 1; replayed: 0; without a replay input: 1; could not be run: 0\n"
                               "no card would change\n"),
            std::string::npos)
      << result.output;
}
