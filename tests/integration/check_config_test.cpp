// tests/integration/check_config_test.cpp: `ivig-cds --check-config` on the real binary.
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/support/command_run.hpp"
#include "tests/support/scratch_folder.hpp"
#include "tests/support/test_support.hpp"

using namespace ivig::test;

namespace {

run_result run_binary(const std::string& arguments) {
  // The text log format: these tests read what an operator reads (logging_test.cpp checks the JSON).
  return run_command(std::string(IVIG_BINARY) + " --log-format text " + arguments + " 2>&1");
}

std::filesystem::path broken_knowledge_copy(const std::string& name) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("ivig-kb-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::copy(source_dir() / "rules/knowledge", dir);
  return dir;
}

}  // namespace

TEST(CheckConfig, EmbeddedDefaultsAreValid) {
  const run_result r = run_binary("--check-config");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.rfind("ivig-cds: configuration ok: knowledge ivig-knowledge " + embedded_knowledge()->version, 0),
            0u)
      << r.output;
  EXPECT_NE(r.output.find("32 rules, 32 active"), std::string::npos) << r.output;
}

TEST(CheckConfig, SaysWhetherItFetchesFromFhirServers) {
  EXPECT_NE(run_binary("--check-config").output.find("; no FHIR fetching (no --fhir-allow);"), std::string::npos);
  const run_result r = run_binary("--check-config --fhir-allow https://ehr.example.org/fhir/r4");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("; fetches what the prefetch lacks from 1 allowed FHIR server base(s);"), std::string::npos)
      << r.output;
}

TEST(CheckConfig, RefusesAPlainHttpFhirServerOtherThanLoopback) {
  const run_result r = run_binary("--check-config --fhir-allow http://ehr.example.org/fhir");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.output,
            "ivig-cds: --fhir-allow http://ehr.example.org/fhir: must be an https URL (http only to loopback, or with "
            "--fhir-allow-plain-http)\n");
  EXPECT_EQ(run_binary("--check-config --fhir-allow http://127.0.0.1:8081/fhir").exit_code, 0);
}

TEST(CheckConfig, RejectsABrokenKnowledgeFolderWithAPreciseMessage) {
  const auto dir = broken_knowledge_copy("broken");
  std::string rules = read_file(dir / "rules.json");
  const std::string from = "\"vs-hyperprolinemia\"";  // first named by R3 (its lower-IgA switches)
  rules.replace(rules.find(from), from.size(), "\"vs-missing\"");
  write_file(dir / "rules.json", rules);
  const run_result r = run_binary("--check-config --knowledge-dir " + dir.string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.output,
            "ivig-cds: knowledge bundle rejected: rules.json: rules[2] (R3).valueSets: names unknown value set "
            "'vs-missing'\n");
  std::filesystem::remove_all(dir);
}

TEST(CheckConfig, RejectsOutOfRangeOptions) {
  const run_result r = run_binary("--check-config --threads 0");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--threads"), std::string::npos) << r.output;
}

/// A folder with an issuers file (one EHR, the spec example's JWK Set) and a patient-id key file
/// (owner-only, 40 bytes), as a site deploys them.
struct site_files {
  scratch_folder folder{"site"};
  const std::filesystem::path& dir = folder.path();
  site_files() {
    std::filesystem::copy_file(shared_dir() / "cds-hooks/examples/spec201-24-example.json", dir / "ehr-jwks.json");
    write_file(dir / "issuers.json", R"({"issuers":[{"iss":"https://ehr.example.org","jwks_file":"ehr-jwks.json",)"
                                     R"("fhir_servers":["https://ehr.example.org/fhir/R4"]}]})");
    for (const char* key : {"patient.key", "chain.key"}) {
      write_file(dir / key, std::string(40, key[0]));
      std::filesystem::permissions(dir / key, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    }
  }
  std::string path(const std::string& name) const { return folder.file(name); }
};

TEST(CheckConfig, ReadsAConfigFile) {
  const site_files site;
  const auto path = site.dir / "ivig-cds.ini";
  write_file(path, "port = 9123\nlisten = 0.0.0.0\nissuers-file = " + site.path("issuers.json") +
                       "\npublic-url = https://cds.example.org\naudit-patient-key-file = " + site.path("patient.key") +
                       "\naudit-chain-key-file = " + site.path("chain.key") + "\n");
  const run_result r = run_binary("--check-config --config " + path.string());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("; callers authenticated by JWT from 1 issuer(s); would listen on 0.0.0.0:9123"),
            std::string::npos)
      << r.output;
}

TEST(CheckConfig, OnLoopbackWithoutIssuersSaysAuthenticationIsOff) {
  const run_result r = run_binary("--check-config");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("; caller authentication OFF; would listen on 127.0.0.1:8080"), std::string::npos)
      << r.output;
}

TEST(CheckConfig, SaysWhereTheMetricsListenerWouldBeAndThatThereIsNoneByDefault) {
  EXPECT_NE(run_binary("--check-config").output.find("; no metrics listener; "), std::string::npos);
  const run_result r = run_binary("--check-config --metrics-listen 0.0.0.0 --metrics-port 9464");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("; metrics (GET /metrics) on 0.0.0.0:9464; "), std::string::npos) << r.output;
  EXPECT_NE(run_binary("--check-config --metrics-port 70000").exit_code, 0);
}

TEST(CheckConfig, ServiceCallsRunOnWorkerThreadsByDefault) {
  // Worker threads keep the I/O threads free for health probes while heavy calls run
  // (docs/reliability.md); the binary's effective default, as the shipped config file sets it too.
  const run_result r = run_binary("--check-config");
  EXPECT_NE(r.output.find("; would listen on 127.0.0.1:8080 with 2 I/O thread(s) and 2 worker thread(s)\n"),
            std::string::npos)
      << r.output;
  const run_result shipped =
      run_binary("--check-config --config " + (source_dir() / "deploy/ivig-cds.ini").string() + " --audit-path " +
                 (std::filesystem::temp_directory_path() / "a.sqlite3").string());
  EXPECT_NE(shipped.output.find(" with 2 I/O thread(s) and 2 worker thread(s)\n"), std::string::npos) << shipped.output;
  const run_result off = run_binary("--check-config --worker-threads 0");
  EXPECT_NE(off.output.find(" with 2 I/O thread(s) and 0 worker thread(s)\n"), std::string::npos) << off.output;
}

TEST(CheckConfig, RefusesAnExposedListenerWithoutIssuers) {
  const run_result r = run_binary("--check-config --listen 0.0.0.0");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_EQ(r.output,
            "ivig-cds: --listen 0.0.0.0 is not a loopback address, and no --issuers-file registers who may call: "
            "every host that can reach it could read patient data. Register the EHR's issuer (docs/security.md), "
            "or give --allow-unauthenticated for a closed test network.\n");
}

TEST(CheckConfig, AnExposedListenerNeedsTheAuditKeysEvenWhenUnauthenticatedIsAllowed) {
  const run_result r = run_binary("--check-config --listen 0.0.0.0 --allow-unauthenticated");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_EQ(r.output,
            "ivig-cds: --listen 0.0.0.0 is not a loopback address: the audit log must then record patients as "
            "keyed hashes (--audit-patient-key-file, docs/audit.md).\n");
  const site_files site;
  const std::string exposed =
      "--check-config --listen 0.0.0.0 --allow-unauthenticated --audit-patient-key-file " + site.path("patient.key");
  const run_result unsealed = run_binary(exposed);
  EXPECT_EQ(unsealed.exit_code, 1) << unsealed.output;
  EXPECT_EQ(unsealed.output,
            "ivig-cds: --listen 0.0.0.0 is not a loopback address: the audit log's chain must then be keyed, so that "
            "whoever can write its file cannot rewrite it unnoticed (--audit-chain-key-file, docs/audit.md).\n");
  const run_result keyed = run_binary(exposed + " --audit-chain-key-file " + site.path("chain.key"));
  EXPECT_EQ(keyed.exit_code, 0) << keyed.output;
}

TEST(CheckConfig, RefusesAnIssuersFileWithAMisspeltMember) {
  const site_files site;
  write_file(site.dir / "issuers.json",
             R"({"issuers":[{"iss":"https://ehr.example.org","jwks_file":"ehr-jwks.json","tenant":"a"}]})");
  const run_result r = run_binary("--check-config --issuers-file " + site.path("issuers.json") +
                                  " --public-url https://cds.example.org");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_EQ(r.output, "ivig-cds: --issuers-file " + site.path("issuers.json") +
                          ": issuer https://ehr.example.org: unknown member \"tenant\"\n");
}

TEST(CheckConfig, IssuersNeedThePublicUrlThatTheirTokensNameAsAudience) {
  const site_files site;
  const run_result r = run_binary("--check-config --issuers-file " + site.path("issuers.json"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_EQ(r.output, "ivig-cds: --issuers-file " + site.path("issuers.json") +
                          ": no public URL: the audience of a token cannot be checked (--public-url)\n");
}

TEST(CheckConfig, AcceptsTheSitesAntiIgaTestCodesFromFlagsAndFile) {
  const run_result flags = run_binary(
      "--check-config --anti-iga-test-code 'http://lab.example.org/codes|AIGA' --anti-iga-test-code 'urn:lab|B'");
  EXPECT_EQ(flags.exit_code, 0) << flags.output;
  EXPECT_NE(flags.output.find("; 2 site codes; "), std::string::npos) << flags.output;
  const auto path = std::filesystem::temp_directory_path() / ("ivig-config-iga-" + std::to_string(::getpid()) + ".ini");
  write_file(path, "anti-iga-test-code = [\"http://lab.example.org/codes|AIGA\", \"urn:lab|B\"]\n");
  const run_result file = run_binary("--check-config --config " + path.string());
  EXPECT_EQ(file.exit_code, 0) << file.output;
  EXPECT_NE(file.output.find("; 2 site codes; "), std::string::npos) << file.output;
  std::filesystem::remove(path);
  const run_result none = run_binary("--check-config");
  EXPECT_NE(none.output.find("; 0 site codes; "), std::string::npos) << none.output;
}

TEST(CheckConfig, RejectsAnAntiIgaTestCodeWithoutASystem) {
  const run_result r = run_binary("--check-config --anti-iga-test-code AIGA");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--anti-iga-test-code: 'AIGA' must be system|code (one bar, no comma or space)"),
            std::string::npos)
      << r.output;
}
