// tests/integration/audit_cli_test.cpp: `ivig-cds audit …` on a log the real service wrote.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <array>
#include <cstdio>
#include <filesystem>

#include "hooks/audit/sqlite_store.hpp"
#include "hooks/service/worksheet.hpp"
#include "tests/support/fhir_builders.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/test_support.hpp"

using namespace ivig::test;

namespace {

struct run_result {
  int exit_code = -1;
  std::string output;
};

run_result run(const std::string& arguments) {
  const std::string command = std::string(IVIG_BINARY) + " " + arguments + " 2>&1";
  run_result result;
  FILE* pipe = popen(command.c_str(), "r");
  std::array<char, 4096> buffer{};
  while (fgets(buffer.data(), buffer.size(), pipe) != nullptr) result.output += buffer.data();
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

}  // namespace

TEST(AuditCli, ListShowReportExportPurgeAndVerify) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("ivig-audit-cli-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string db = (dir / "audit.sqlite3").string();
  std::string card_uuid;
  {
    ivig::audit::audit_options options;
    options.path = db;
    auto store = std::make_shared<ivig::audit::sqlite_audit_store>(options);
    running_service server(scenario_now(), ivig::server::server_config{}, store);
    hook_request r = order_select_with(medication_request("ivig-1", privigen()), "ivig-1");
    r.hook_instance = "00000000-0000-4000-8000-00000000c011";
    set_prefetch(r, "conditions", {condition("c1", concept_of("urn:local", "HP1", "Hyperprolinemia type I"))});
    set_prefetch(
        r, "observations",
        {body_weight(70), body_height(170), serum_creatinine(0.9),
         observation("iga", concept_of(loinc, "2458-8", "IgA"), quantity_value(180, "mg/dL"), "2026-09-01T08:00:00Z")});
    const auto doc = parse(server.post("ivig-order-select", r.json()).body);
    ASSERT_EQ(doc["cards"].Size(), 1u);
    card_uuid = doc["cards"][0]["uuid"].GetString();
    const std::string feedback =
        R"({"feedback":[{"card":")" + card_uuid +
        R"(","outcome":"overridden","overrideReason":{"userComment":"known\u001b[2J\nFORGED LINE\u009b"},)"
        R"("outcomeTimestamp":"2026-11-22T12:01:00Z"}]})";
    ASSERT_EQ(http_request(server.port(), "POST", "/cds-services/ivig-order-select/feedback", feedback).status, 200u);
  }
  const run_result list = run("audit list --rule R4 --audit-path " + db);
  EXPECT_EQ(list.exit_code, 0) << list.output;
  EXPECT_NE(list.output.find("2026-11-22T12:00:00Z  ivig-order-select  200  00000000-0000-4000-8000-00000000c011  "
                             "Practitioner/example  example"),
            std::string::npos)
      << list.output;
  const run_result show = run("audit show 00000000-0000-4000-8000-00000000c011 --audit-path " + db);
  EXPECT_EQ(show.exit_code, 0) << show.output;
  EXPECT_NE(show.output.find("card " + card_uuid + " critical [R4]"), std::string::npos) << show.output;
  // The comment's escape sequence, newline and C1 control are printed as escapes, not obeyed: no
  // terminal control reaches the operator's screen and no line can be forged.
  EXPECT_NE(show.output.find("feedback " + card_uuid + " overridden \"known\\x1b[2J\\x0aFORGED LINE\\u009b\""),
            std::string::npos)
      << show.output;
  EXPECT_EQ(show.output.find('\x1b'), std::string::npos);
  EXPECT_EQ(show.output.find("\nFORGED"), std::string::npos);
  const run_result report = run("audit report --csv --audit-path " + db);
  EXPECT_EQ(report.exit_code, 0) << report.output;
  EXPECT_NE(report.output.find("R4"), std::string::npos) << report.output;
  const run_result exported = run("audit export --audit-path " + db);
  EXPECT_EQ(exported.exit_code, 0) << exported.output;
  EXPECT_NE(exported.output.find("\"resourceType\":\"AuditEvent\""), std::string::npos) << exported.output;
  // The call and its feedback were both received at the fixed clock time: both go.
  const run_result purge = run("audit purge --before 2026-11-22T12:00:30Z --audit-path " + db);
  EXPECT_EQ(purge.exit_code, 0) << purge.output;
  EXPECT_EQ(purge.output, "ivig-cds: purged 2 entries received before 2026-11-22T12:00:30Z\n");
  const run_result verify = run("audit verify --audit-path " + db);
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  EXPECT_NE(verify.output.find("audit chain verifies"), std::string::npos) << verify.output;
  std::filesystem::remove_all(dir);
}

// The pharmacy record: `audit show --worksheet` prints the worksheets a signing recorded, as text,
// exactly the worksheet card the clinician saw; a call without one says so and exits 1.
TEST(AuditCli, ShowWorksheetPrintsTheSigningWorksheetAsTextForThePharmacyRecord) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("ivig-audit-worksheet-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string db = (dir / "audit.sqlite3").string();
  std::string worksheet_markdown;
  {
    ivig::audit::audit_options options;
    options.path = db;
    auto store = std::make_shared<ivig::audit::sqlite_audit_store>(options);
    running_service server(scenario_now(), ivig::server::server_config{}, store);
    hook_request sign = order_sign_with({medication_request("ivig-1", privigen())});
    sign.hook_instance = "00000000-0000-4000-8000-00000000519a";
    set_prefetch(sign, "observations", {body_weight(70), body_height(170), serum_creatinine(0.9)});
    const auto doc = parse(server.post("ivig-order-sign", sign.json()).body);
    for (const auto& card : doc["cards"].GetArray())
      if (std::string(card["summary"].GetString()).rfind("IVIg verification worksheet", 0) == 0)
        worksheet_markdown = card["detail"].GetString();
    ASSERT_FALSE(worksheet_markdown.empty());
    hook_request select = order_select_with(medication_request("ivig-1", privigen()), "ivig-1");
    select.hook_instance = "00000000-0000-4000-8000-000000005e1e";
    ASSERT_EQ(server.post("ivig-order-select", select.json()).status, 200u);
  }
  const run_result shown = run("audit show 00000000-0000-4000-8000-00000000519a --worksheet --audit-path " + db);
  EXPECT_EQ(shown.exit_code, 0) << shown.output;
  EXPECT_EQ(shown.output,
            "IVIg verification worksheet, order-sign 2026-11-22T12:00:00Z, hookInstance "
            "00000000-0000-4000-8000-00000000519a, patient "
            "example\n\n" +
                ivig::service::worksheet_text(worksheet_markdown));
  EXPECT_NE(shown.output.find("Dosing weight               70 kg"), std::string::npos) << shown.output;
  EXPECT_EQ(shown.output.find("**"), std::string::npos);
  EXPECT_EQ(shown.output.find("|---"), std::string::npos);

  const run_result none = run("audit show 00000000-0000-4000-8000-000000005e1e --worksheet --audit-path " + db);
  EXPECT_EQ(none.exit_code, 1) << none.output;
  EXPECT_EQ(none.output,
            "ivig-cds: the calls of hookInstance 00000000-0000-4000-8000-000000005e1e recorded no worksheet "
            "(worksheets are made at order-sign)\n");
  std::filesystem::remove_all(dir);
}
