// tests/integration/audit_cli_test.cpp: `ivig-cds audit …` on a log the real service wrote, on a SQLite
// file (--audit-path) and on a PostgreSQL database (--audit-url) with the same expected outputs, and
// what is PostgreSQL's own: list, export and purge across several replicas' chains.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <csignal>
#include <filesystem>
#include <fstream>

#include "hooks/audit/chain_verify.hpp"
#include "hooks/audit/pg_store.hpp"
#include "hooks/audit/pg_verify.hpp"
#include "hooks/audit/sqlite_db.hpp"
#include "hooks/audit/sqlite_store.hpp"
#include "hooks/service/worksheet.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/command_run.hpp"
#include "tests/support/either_audit_store.hpp"
#include "tests/support/fhir_builders.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/pg_test_server.hpp"
#include "tests/support/scratch_folder.hpp"
#include "tests/support/test_support.hpp"

using namespace ivig::test;

namespace {

run_result run(const std::string& arguments) {
  // The text log format: a refusal to serve is compared as the operator reads it.
  return run_command(std::string(IVIG_BINARY) + " --log-format text " + arguments + " 2>&1");
}

/// Writes `key` to `path` with `mode` (0600 unless told).
std::string write_key(const std::string& path, const std::string& key, mode_t mode = 0600) {
  std::ofstream(path) << key << "\n";
  ::chmod(path.c_str(), mode);
  return path;
}

/// A log of `calls` calls received a minute apart, sealed with `chain_key` (empty: plain SHA-256).
void write_log(const std::string& path, int calls, const std::string& chain_key = {}) {
  ivig::audit::audit_options options;
  options.path = path;
  options.chain_key = chain_key;
  ivig::audit::sqlite_audit_store store(options);
  for (int i = 1; i <= calls; ++i) {
    ivig::audit::call_record call;
    call.received_at = "2026-11-22T12:0" + std::to_string(i) + ":00Z";
    call.service_id = "ivig-order-select";
    call.hook = "order-select";
    call.hook_instance = "00000000-0000-4000-8000-00000000000" + std::to_string(i);
    call.http_status = 200;
    ASSERT_TRUE(store.record_call(call));
  }
}

std::string head_of(const std::string& path, const std::string& chain_key = {}) {
  ivig::audit::verify_options options;
  options.seal = ivig::audit::chain_seal(chain_key);
  return ivig::audit::head_line(ivig::audit::verify_chain(path, options).head);
}

const std::string plain_verified =
    " entries, sealed with sha256 (unkeyed: finds accidents, not an insider who can write the file)\n";

}  // namespace

/// The same commands on either store: `log` is "--audit-path FILE" or "--audit-url URL".
class AuditCliOnEitherStore : public ::testing::Test, public on_either_audit_store {
 protected:
  void SetUp() override { open_test_database(); }
  std::shared_ptr<ivig::audit::audit_sink> open_store(const std::string& path) {
    ivig::audit::audit_options options;
    options.path = path;
    if (!pg()) return std::make_shared<ivig::audit::sqlite_audit_store>(options);
    ivig::audit::pg_audit_options o;
    o.common = options;
    o.url = url_;
    o.chain_id = "r1";
    return std::make_shared<ivig::audit::pg_audit_store>(std::move(o));
  }
  std::string log(const std::string& path) const { return pg() ? "--audit-url " + url_ : "--audit-path " + path; }
};

INSTANTIATE_TEST_SUITE_P(Stores, AuditCliOnEitherStore, both_audit_stores(), audit_store_kind_name);

TEST_P(AuditCliOnEitherStore, ListShowReportExportPurgeAndVerify) {
  const scratch_folder dir("audit-cli");
  const std::string db = dir.file("audit.sqlite3");
  std::string card_uuid;
  {
    auto store = open_store(db);
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
  const run_result list = run("audit list --rule R4 " + log(db));
  EXPECT_EQ(list.exit_code, 0) << list.output;
  EXPECT_NE(list.output.find("2026-11-22T12:00:00Z  ivig-order-select  200  00000000-0000-4000-8000-00000000c011  "
                             "Practitioner/example  example"),
            std::string::npos)
      << list.output;
  const run_result show = run("audit show 00000000-0000-4000-8000-00000000c011 " + log(db));
  EXPECT_EQ(show.exit_code, 0) << show.output;
  EXPECT_NE(show.output.find("card " + card_uuid + " critical [R4]"), std::string::npos) << show.output;
  // The comment's escape sequence, newline and C1 control are printed as escapes, not obeyed: no
  // terminal control reaches the operator's screen and no line can be forged.
  EXPECT_NE(show.output.find("feedback " + card_uuid + " overridden \"known\\x1b[2J\\x0aFORGED LINE\\u009b\""),
            std::string::npos)
      << show.output;
  EXPECT_EQ(show.output.find('\x1b'), std::string::npos);
  EXPECT_EQ(show.output.find("\nFORGED"), std::string::npos);
  const run_result report = run("audit report --csv " + log(db));
  EXPECT_EQ(report.exit_code, 0) << report.output;
  EXPECT_NE(report.output.find("R4"), std::string::npos) << report.output;
  const run_result exported = run("audit export " + log(db));
  EXPECT_EQ(exported.exit_code, 0) << exported.output;
  EXPECT_NE(exported.output.find("\"resourceType\":\"AuditEvent\""), std::string::npos) << exported.output;
  // The call and its feedback were both received at the fixed clock time: both go.
  const run_result purge = run("audit purge --before 2026-11-22T12:00:30Z " + log(db));
  EXPECT_EQ(purge.exit_code, 0) << purge.output;
  // PostgreSQL names each chain's part first; the total line is the same.
  EXPECT_EQ(purge.output, std::string(pg() ? "chain r1 purged 2 entries (purge anchor at seq 2)\n" : "") +
                              "ivig-cds: purged 2 entries received before 2026-11-22T12:00:30Z\n");
  const run_result verify = run("audit verify " + log(db));
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  EXPECT_NE(verify.output.find(pg() ? "ivig-cds: audit chains verify: 1 chains, 1 entries, sealed with sha256\n"
                                    : "ivig-cds: audit chain verifies: 1 entries, sealed with sha256"),
            std::string::npos)
      << verify.output;
}

/// Chain `chain_id` of the database at `url`: `calls` calls received a minute apart, hookInstance
/// 00000000-0000-4000-8000-0000000<chain digit><i>.
void write_pg_chain(const std::string& url, const std::string& chain_id, int calls, const std::string& spool) {
  ivig::audit::pg_audit_options o;
  o.common.path = spool;
  o.url = url;
  o.chain_id = chain_id;
  ivig::audit::pg_audit_store store(std::move(o));
  for (int i = 1; i <= calls; ++i) {
    ivig::audit::call_record call;
    call.received_at = "2026-11-22T12:0" + std::to_string(i) + ":00Z";
    call.service_id = "ivig-order-select";
    call.hook = "order-select";
    call.hook_instance = "00000000-0000-4000-8000-0000000" + chain_id.substr(1) + "000" + std::to_string(i);
    call.http_status = 200;
    ASSERT_TRUE(store.record_call(call));
  }
}

std::string list_line(const std::string& received_at, const std::string& hook_instance) {
  return received_at + "  ivig-order-select  200  " + hook_instance + "      knowledge \n";
}

// Two replicas' chains: list and export take both, in arrival order, and export's ids name the chain;
// one purge cuts each chain at its own point with its own anchor, and `audit verify` passes on both.
TEST(AuditCliOnPostgresql, ListExportAndPurgeTakeEveryChainAndEveryChainStillVerifies) {
  pg_test_server* server = pg_test_server::get();
  if (server == nullptr) GTEST_SKIP() << pg_test_server::skip_reason();
  const std::string url = server->database_for_current_test();
  const scratch_folder folder("audit-cli-pg");
  write_pg_chain(url, "r1", 3, folder.file("r1"));
  write_pg_chain(url, "r2", 2, folder.file("r2"));

  const run_result listed = run("audit list --audit-url " + url);
  EXPECT_EQ(listed.exit_code, 0) << listed.output;
  EXPECT_EQ(listed.output, list_line("2026-11-22T12:01:00Z", "00000000-0000-4000-8000-000000010001") +
                               list_line("2026-11-22T12:02:00Z", "00000000-0000-4000-8000-000000010002") +
                               list_line("2026-11-22T12:03:00Z", "00000000-0000-4000-8000-000000010003") +
                               list_line("2026-11-22T12:01:00Z", "00000000-0000-4000-8000-000000020001") +
                               list_line("2026-11-22T12:02:00Z", "00000000-0000-4000-8000-000000020002"));
  const run_result exported = run("audit export --from 2026-11-22T12:02:00Z --audit-url " + url);
  EXPECT_EQ(exported.exit_code, 0) << exported.output;
  std::vector<std::string> ids;
  for (std::size_t at = exported.output.find(R"("id":")"); at != std::string::npos;
       at = exported.output.find(R"("id":")", at + 1))
    ids.push_back(exported.output.substr(at + 6, exported.output.find('"', at + 6) - at - 6));
  EXPECT_EQ(ids, (std::vector<std::string>{"ivig-cds-audit-r1-2", "ivig-cds-audit-r1-3", "ivig-cds-audit-r2-2"}));

  const run_result purged = run("audit purge --before 2026-11-22T12:02:30Z --audit-url " + url);
  EXPECT_EQ(purged.exit_code, 0) << purged.output;
  EXPECT_EQ(purged.output,
            "chain r1 purged 2 entries (purge anchor at seq 2)\n"
            "chain r2 purged 2 entries (purge anchor at seq 2)\n"
            "ivig-cds: purged 4 entries received before 2026-11-22T12:02:30Z\n");
  const ivig::audit::pg_verify_result heads = ivig::audit::verify_pg_chains(url, {}, {});
  ASSERT_EQ(heads.chains.size(), 2U);
  const run_result verified = run("audit verify --audit-url " + url);
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
  EXPECT_EQ(verified.output, "chain r1 " + ivig::audit::head_line(heads.chains[0].result.head) + "\n" + "chain r2 " +
                                 ivig::audit::head_line(heads.chains[1].result.head) + "\n" +
                                 "ivig-cds: audit chains verify: 2 chains, 3 entries, sealed with sha256\n");
  EXPECT_EQ(heads.chains[0].result.head.seq, 3);
  EXPECT_EQ(heads.chains[1].result.head.seq, 2);
  const run_result after = run("audit list --audit-url " + url);
  EXPECT_EQ(after.output, list_line("2026-11-22T12:03:00Z", "00000000-0000-4000-8000-000000010003"));
  // The same horizon again finds nothing more to purge in either chain.
  const run_result again = run("audit purge --before 2026-11-22T12:02:30Z --audit-url " + url);
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(again.output,
            "chain r1 purged 0 entries\nchain r2 purged 0 entries\n"
            "ivig-cds: purged 0 entries received before 2026-11-22T12:02:30Z\n");
}

TEST(AuditCliOnPostgresql, AnUnreachableDatabaseIsExitOneWithTheRedactedUrl) {
  const run_result listed = run("audit list --audit-url postgresql://auditor:secret@127.0.0.1:1/audit");
  EXPECT_EQ(listed.exit_code, 1) << listed.output;
  EXPECT_EQ(listed.output.rfind("ivig-cds: audit list: audit store: postgresql://auditor:***@127.0.0.1:1/audit: ", 0),
            0U)
      << listed.output;
  EXPECT_EQ(listed.output.find("secret"), std::string::npos);
  const run_result purged = run("audit purge --before 2026-11-22T12:02:30Z --audit-url postgresql://127.0.0.1:1/a");
  EXPECT_EQ(purged.exit_code, 1) << purged.output;
  EXPECT_EQ(purged.output.rfind("ivig-cds: audit purge: audit store: postgresql://127.0.0.1:1/a: ", 0), 0U)
      << purged.output;
}

// A keyed database is purged only with its key, as a keyed file is.
TEST(AuditCliOnPostgresql, AKeyedDatabaseIsPurgedOnlyWithItsKeyFile) {
  pg_test_server* server = pg_test_server::get();
  if (server == nullptr) GTEST_SKIP() << pg_test_server::skip_reason();
  const std::string url = server->database_for_current_test();
  const scratch_folder dir("audit-keyed-pg");
  const std::string key = "5b0e4c1f9a7d3e2b8c6a4f1d0e9b7c5a3f2e1d0c";
  const std::string key_file = write_key(dir.file("chain.key"), key);
  {
    ivig::audit::pg_audit_options o;
    o.common.path = dir.file("r1");
    o.common.chain_key = key;
    o.url = url;
    o.chain_id = "r1";
    ivig::audit::pg_audit_store store(std::move(o));
    for (int i = 1; i <= 3; ++i) {
      ivig::audit::call_record call;
      call.received_at = "2026-11-22T12:0" + std::to_string(i) + ":00Z";
      call.service_id = "ivig-order-select";
      call.http_status = 200;
      ASSERT_TRUE(store.record_call(call));
    }
  }
  const std::string key_id = ivig::audit::chain_key_id(key);
  const run_result without = run("audit purge --before 2026-11-22T12:02:30Z --audit-url " + url);
  EXPECT_EQ(without.exit_code, 1);
  EXPECT_EQ(without.output, "ivig-cds: audit purge: audit store: " + url + " has a keyed chain (hmac-sha256, key id " +
                                key_id + "): give its key with --audit-chain-key-file\n");
  const run_result purged =
      run("audit purge --before 2026-11-22T12:02:30Z --audit-chain-key-file " + key_file + " --audit-url " + url);
  EXPECT_EQ(purged.exit_code, 0) << purged.output;
  EXPECT_EQ(purged.output,
            "chain r1 purged 2 entries (purge anchor at seq 2)\n"
            "ivig-cds: purged 2 entries received before 2026-11-22T12:02:30Z\n");
  const run_result verified = run("audit verify --audit-chain-key-file " + key_file + " --audit-url " + url);
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
  EXPECT_NE(verified.output.find("ivig-cds: audit chains verify: 1 chains, 2 entries, sealed with hmac-sha256\n"),
            std::string::npos)
      << verified.output;
}

// The pharmacy record: `audit show --worksheet` prints the worksheets a signing recorded, as text,
// exactly the worksheet card the clinician saw; a call without one says so and exits 1. On either store.
TEST_P(AuditCliOnEitherStore, ShowWorksheetPrintsTheSigningWorksheetAsTextForThePharmacyRecord) {
  const scratch_folder dir("audit-worksheet");
  const std::string db = dir.file("audit.sqlite3");
  std::string worksheet_markdown;
  {
    auto store = open_store(db);
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
  const run_result shown = run("audit show 00000000-0000-4000-8000-00000000519a --worksheet " + log(db));
  EXPECT_EQ(shown.exit_code, 0) << shown.output;
  EXPECT_EQ(shown.output,
            "IVIg verification worksheet, order-sign 2026-11-22T12:00:00Z, hookInstance "
            "00000000-0000-4000-8000-00000000519a, patient "
            "example\n\n" +
                ivig::service::worksheet_text(worksheet_markdown));
  EXPECT_NE(shown.output.find("Dosing weight               70 kg"), std::string::npos) << shown.output;
  EXPECT_EQ(shown.output.find("**"), std::string::npos);
  EXPECT_EQ(shown.output.find("|---"), std::string::npos);

  const run_result none = run("audit show 00000000-0000-4000-8000-000000005e1e --worksheet " + log(db));
  EXPECT_EQ(none.exit_code, 1) << none.output;
  EXPECT_EQ(none.output,
            "ivig-cds: the calls of hookInstance 00000000-0000-4000-8000-000000005e1e recorded no worksheet "
            "(worksheets are made at order-sign)\n");
}

// The head `audit verify` prints, and `--expect-head` with it after the newest rows were deleted.
TEST(AuditCli, VerifyPrintsTheHeadAndFailsWhenTheExpectedHeadWasCutOff) {
  const scratch_folder dir("audit-head");
  const std::string db = dir.file("audit.sqlite3");
  write_log(db, 3);
  const std::string head = head_of(db);  // "head seq=3 hash=<64 hex>"
  ASSERT_EQ(head.rfind("head seq=3 hash=", 0), 0u) << head;
  const std::string hash = head.substr(head.find("hash=") + 5);

  const run_result verified = run("audit verify --audit-path " + db);
  EXPECT_EQ(verified.exit_code, 0);
  EXPECT_EQ(verified.output, "ivig-cds: audit chain verifies: 3" + plain_verified + head + "\n");

  const run_result found = run("audit verify --expect-head 3:" + hash + " --audit-path " + db);
  EXPECT_EQ(found.exit_code, 0);
  EXPECT_EQ(found.output,
            "ivig-cds: audit chain verifies: 3" + plain_verified + head + "\nivig-cds: expected head seq 3 found\n");

  {  // someone with write access deletes the newest row and its query row
    ivig::audit::database file(db, ivig::audit::database::open_mode::existing);
    file.exec("DELETE FROM entries WHERE seq = 3; DELETE FROM calls WHERE seq = 3");
  }
  EXPECT_EQ(run("audit verify --audit-path " + db).exit_code, 0);  // alone, nothing shows
  const run_result cut = run("audit verify --expect-head 3:" + hash + " --audit-path " + db);
  EXPECT_EQ(cut.exit_code, 1);
  EXPECT_EQ(cut.output, "ivig-cds: audit chain does not hold the expected head 3:" + hash +
                            ": the chain ends at seq 2, before seq 3: entries were removed from its end (or the file "
                            "was replaced by an older copy)\n");

  const run_result malformed = run("audit verify --expect-head 3 --audit-path " + db);
  EXPECT_EQ(malformed.exit_code, 2);
  EXPECT_EQ(malformed.output,
            "ivig-cds: audit verify --expect-head: '3' is not SEQ:HASH (a seq and 64 lower-case hex digits, as the "
            "head line gives them)\n");
}

// A keyed log is verified and purged only with its key file; a key file others can read is refused.
TEST(AuditCli, AKeyedLogIsVerifiedAndPurgedOnlyWithItsKeyFile) {
  const scratch_folder dir("audit-keyed");
  const std::string db = dir.file("audit.sqlite3");
  const std::string key = "5b0e4c1f9a7d3e2b8c6a4f1d0e9b7c5a3f2e1d0c";
  const std::string key_file = write_key(dir.file("chain.key"), key);
  write_log(db, 3, key);
  const std::string key_id = ivig::audit::chain_key_id(key);

  const run_result verified = run("audit verify --audit-chain-key-file " + key_file + " --audit-path " + db);
  EXPECT_EQ(verified.exit_code, 0);
  EXPECT_EQ(verified.output, "ivig-cds: audit chain verifies: 3 entries, sealed with hmac-sha256 (key id " + key_id +
                                 ")\n" + head_of(db, key) + "\n");

  const run_result without = run("audit verify --audit-path " + db);
  EXPECT_EQ(without.exit_code, 1);
  EXPECT_EQ(without.output, "ivig-cds: audit chain cannot be verified: audit store: " + db +
                                " has a keyed chain (hmac-sha256, key id " + key_id +
                                "): give its key with --audit-chain-key-file\n");

  const std::string other = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c";
  const std::string other_file = write_key(dir.file("other.key"), other);
  const run_result wrong = run("audit verify --audit-chain-key-file " + other_file + " --audit-path " + db);
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_EQ(wrong.output, "ivig-cds: audit chain cannot be verified: audit store: " + db +
                              " has a chain keyed with key id " + key_id + ", not with the given key (key id " +
                              ivig::audit::chain_key_id(other) + ")\n");

  const std::string readable = write_key(dir.file("readable.key"), key, 0640);
  const run_result exposed = run("audit verify --audit-chain-key-file " + readable + " --audit-path " + db);
  EXPECT_EQ(exposed.exit_code, 2);
  EXPECT_EQ(exposed.output, "ivig-cds: --audit-chain-key-file: " + readable +
                                ": readable or writable by group or other (mode 0640); make it owner-only: chmod 600 " +
                                readable + "\n");
  const std::string short_key = write_key(dir.file("short.key"), "too short");
  const run_result shorter = run("audit verify --audit-chain-key-file " + short_key + " --audit-path " + db);
  EXPECT_EQ(shorter.exit_code, 2);
  EXPECT_EQ(shorter.output, "ivig-cds: --audit-chain-key-file: " + short_key +
                                ": holds 9 bytes; a key needs at least 32 (e.g. openssl rand -hex 32 > " + short_key +
                                ")\n");

  EXPECT_EQ(run("audit purge --before 2026-11-22T12:02:30Z --audit-path " + db).exit_code, 1);
  const run_result purged =
      run("audit purge --before 2026-11-22T12:02:30Z --audit-chain-key-file " + key_file + " --audit-path " + db);
  EXPECT_EQ(purged.exit_code, 0) << purged.output;
  EXPECT_EQ(purged.output, "ivig-cds: purged 2 entries received before 2026-11-22T12:02:30Z\n");
  EXPECT_EQ(run("audit verify --audit-chain-key-file " + key_file + " --audit-path " + db).exit_code, 0);
}

// The service refuses to start on a keyed log without its key, and refuses a key file others can read.
TEST(AuditCli, TheServiceRefusesAKeyedLogWithoutItsKeyAndAnExposedKeyFile) {
  const scratch_folder dir("audit-refused");
  const std::string db = dir.file("audit.sqlite3");
  const std::string key = "5b0e4c1f9a7d3e2b8c6a4f1d0e9b7c5a3f2e1d0c";
  write_log(db, 1, key);
  const run_result without = run("--port 0 --audit-path " + db);
  EXPECT_EQ(without.exit_code, 1);
  EXPECT_EQ(without.output, "ivig-cds: the audit log cannot be opened: audit store: " + db +
                                " has a keyed chain (hmac-sha256, key id " + ivig::audit::chain_key_id(key) +
                                "): give its key with --audit-chain-key-file\n");
  const std::string readable = write_key(dir.file("chain.key"), key, 0604);
  const run_result exposed = run("--check-config --audit-chain-key-file " + readable);
  EXPECT_EQ(exposed.exit_code, 1);
  EXPECT_EQ(exposed.output, "ivig-cds: --audit-chain-key-file: " + readable +
                                ": readable or writable by group or other (mode 0604); make it owner-only: chmod 600 " +
                                readable + "\n");
}

// The running service logs the head at start and at stop, in the form `audit verify` prints it.
TEST(AuditCli, TheServiceLogsTheHeadThatVerifyPrints) {
  const scratch_folder dir("audit-head-log");
  const std::string db = dir.file("audit.sqlite3");
  const std::string key_file = write_key(dir.file("chain.key"), "5b0e4c1f9a7d3e2b8c6a4f1d0e9b7c5a3f2e1d0c");
  child_process server(IVIG_BINARY, {"--log-format", "text", "--port", "0", "--audit-path", db,
                                     "--audit-chain-key-file", key_file, "--audit-head-log-seconds", "300"});
  EXPECT_EQ(server.wait_for_line("ivig-cds audit: head"),
            "ivig-cds audit: head seq=0 hash=" + ivig::audit::genesis_hash);
  const std::string line = server.wait_for_line("listening on");
  ASSERT_FALSE(line.empty()) << "the server did not start";
  const auto port = static_cast<unsigned short>(std::stoi(line.substr(line.rfind(':') + 1)));
  hook_request request = order_select_with(medication_request("ivig-1", privigen()), "ivig-1");
  request.hook_instance = "00000000-0000-4000-8000-0000000000e1";
  ASSERT_EQ(http_request(port, "POST", "/cds-services/ivig-order-select", request.json()).status, 200u);
  ::kill(server.pid(), SIGTERM);
  const std::string last = server.wait_for_line("ivig-cds audit: head");
  EXPECT_EQ(server.wait_exit(), 0);
  const run_result verified = run("audit verify --audit-chain-key-file " + key_file + " --audit-path " + db);
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
  EXPECT_EQ(last, "ivig-cds audit: head seq=1 hash=" + verified.output.substr(verified.output.find("hash=") + 5, 64));
}
