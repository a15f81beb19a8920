// tests/integration/fhir_fallback_test.cpp: what the prefetch lacks is fetched from the EHR's FHIR
// server (issue 12): a real FHIR server (tests/fhir-server, Medplum over the Synthea records) for
// the data, and the fault server (tests/support/fault_fhir_server.hpp) for every way one fails.
//
// The reference answer is the one an EHR's full prefetch gets: the prefetch is built by running the
// service's own discovery templates against the same FHIR server, as an EHR does.
#include <dirent.h>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "fhir/client/cpprest_fhir_client.hpp"
#include "hooks/audit/sqlite_store.hpp"
#include "tests/support/fault_fhir_server.hpp"
#include "tests/support/fhir_builders.hpp"
#include "tests/support/fhir_test_server.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/test_support.hpp"
#include "tests/support/tls_fhir_server.hpp"

using namespace ivig::test;
using ivig::fhir::client::client_options;
using ivig::fhir::client::cpprest_fhir_client;
using ivig::service::fetch_limits;

namespace {

unsigned short port_of(const std::string& base) {
  const auto colon = base.rfind(':');
  return static_cast<unsigned short>(std::stoi(base.substr(colon + 1)));
}

std::string path_of(const std::string& base) {
  const auto slash = base.find('/', base.find("//") + 2);
  return slash == std::string::npos ? "" : base.substr(slash);
}

std::shared_ptr<cpprest_fhir_client> client_for(const std::string& allowed_base) {
  client_options options;
  options.policy.allowed_bases = {allowed_base};
  return std::make_shared<cpprest_fhir_client>(options);
}

/// Limits for the Medplum server, which takes up to a few hundred milliseconds a search: the
/// default 400 ms deadline is for production EHRs, not for it.
fetch_limits roomy_limits() {
  fetch_limits limits;
  // Generous: reading Isaiah page by page takes 13 s alone on the 2-core machines, and CI runs it
  // beside the other suites; these tests are about what is read, not how fast.
  limits.deadline = std::chrono::milliseconds(120000);
  limits.max_pages = 1000;
  return limits;
}

/// The prefetch an EHR would send: each discovery template run against the test FHIR server.
std::map<std::string, std::string> prefetch_from_server(const running_service& service, const std::string& patient_id) {
  const http_result discovery = service.get("/cds-services");
  rapidjson::Document doc;
  doc.Parse(discovery.body.c_str());
  std::map<std::string, std::string> prefetch;
  const std::string& base = test_fhir_server();
  for (const auto& entry : doc["services"][0]["prefetch"].GetObject()) {
    std::string query = entry.value.GetString();
    const std::string token = "{{context.patientId}}";
    query.replace(query.find(token), token.size(), patient_id);
    std::string target = path_of(base) + "/";
    for (char c : query) target += c == '|' ? std::string("%7C") : std::string(1, c);
    if (query.find('?') != std::string::npos) target += "&_count=1000";
    const http_result answer = http_request(port_of(base), "GET", target, {}, {}, test_fhir_token);
    EXPECT_EQ(answer.status, 200u) << target << ": " << answer.body;
    prefetch[entry.name.GetString()] = answer.body;
  }
  return prefetch;
}

hook_request isaiah_order() {
  hook_request request = order_select_with(medication_request("ivig-1", privigen(), true, isaiah_patient_id), "ivig-1");
  request.patient_id = isaiah_patient_id;
  return request;
}

/// The reference: the answer to Isaiah's order with the prefetch an EHR would send.
http_result answer_to_full_prefetch(const running_service& service,
                                    const std::map<std::string, std::string>& prefetch) {
  hook_request prefetched = isaiah_order();
  prefetched.prefetch = prefetch;
  return service.post("ivig-order-select", prefetched.json());
}

hook_request fetching(hook_request request, const std::string& server, const std::string& token = test_fhir_token) {
  request.fhir_server = server;
  request.access_token = token;
  return request;
}

/// Where two bodies part, with some context: the bodies themselves are too long to print.
std::string first_difference(const std::string& a, const std::string& b) {
  std::size_t at = 0;
  while (at < a.size() && at < b.size() && a[at] == b[at]) ++at;
  const std::size_t from = at > 300 ? at - 300 : 0;
  return "fetched: …" + a.substr(from, 600) + "\nprefetched: …" + b.substr(from, 600);
}

/// Each card's indicator and summary, one line each.
std::vector<std::string> card_summaries(const std::string& body) {
  rapidjson::Document doc;
  doc.Parse(body.c_str());
  std::vector<std::string> lines;
  for (const auto& card : doc["cards"].GetArray())
    lines.push_back(std::string(card["indicator"].GetString()) + " " + card["summary"].GetString());
  return lines;
}

int open_descriptors() {
  int count = 0;
  if (DIR* dir = opendir("/proc/self/fd")) {
    while (readdir(dir) != nullptr) ++count;
    closedir(dir);
  }
  return count;
}

}  // namespace

TEST(FhirFallback, NoPrefetchGetsTheSameCardsAsAFullPrefetch) {
  running_service service(scenario_now(), client_for(test_fhir_server()), roomy_limits());
  const http_result reference = answer_to_full_prefetch(service, prefetch_from_server(service, isaiah_patient_id));
  ASSERT_EQ(reference.status, 200u) << reference.body;

  hook_request bare = fetching(isaiah_order(), test_fhir_server());
  bare.prefetch.clear();
  const http_result fetched = service.post("ivig-order-select", bare.json());
  ASSERT_EQ(fetched.status, 200u) << fetched.body;
  EXPECT_TRUE(fetched.body == reference.body) << first_difference(fetched.body, reference.body);
  EXPECT_NE(reference.body.find("Renal boxed warning"), std::string::npos) << "the record's risk factors came";
}

TEST(FhirFallback, DiscoverySaysWhatHappensWhenThePrefetchIsPartial) {
  running_service service(scenario_now(), client_for(test_fhir_server()), fetch_limits{});
  const http_result discovery = service.get("/cds-services");
  EXPECT_NE(discovery.body.find("A key not provided, or answered with an OperationOutcome, and the further pages of a "
                                "paged one, are fetched from fhirServer with fhirAuthorization's access token, when "
                                "fhirServer is one this deployment is allowed to query (otherwise the call is answered "
                                "400), all within 400 ms; whatever is still missing is reported on a card as a check "
                                "that could not be completed, and a Patient that cannot be read is answered 412."),
            std::string::npos)
      << discovery.body;
}

TEST(FhirFallback, APartialPrefetchIsCompletedFromTheServer) {
  running_service service(scenario_now(), client_for(test_fhir_server()), roomy_limits());
  const auto full = prefetch_from_server(service, isaiah_patient_id);
  const http_result reference = answer_to_full_prefetch(service, full);

  hook_request partial = fetching(isaiah_order(), test_fhir_server());
  partial.prefetch = {{"patient", full.at("patient")}, {"conditions", full.at("conditions")}};
  const http_result fetched = service.post("ivig-order-select", partial.json());
  ASSERT_EQ(fetched.status, 200u) << fetched.body;
  EXPECT_TRUE(fetched.body == reference.body) << first_difference(fetched.body, reference.body);
}

TEST(FhirFallback, APagedPrefetchIsReadToItsLastPage) {
  running_service service(scenario_now(), client_for(test_fhir_server()), roomy_limits());
  const auto full = prefetch_from_server(service, isaiah_patient_id);
  const http_result reference = answer_to_full_prefetch(service, full);

  // The EHR sent only the first page of the conditions, with its next link.
  const std::string& base = test_fhir_server();
  const http_result first_page =
      http_request(port_of(base), "GET", path_of(base) + "/Condition?patient=" + isaiah_patient_id + "&_count=5", {},
                   {}, test_fhir_token);
  ASSERT_NE(first_page.body.find(R"("relation":"next")"), std::string::npos) << first_page.body.substr(0, 500);
  hook_request paged = fetching(isaiah_order(), test_fhir_server());
  paged.prefetch = full;
  paged.prefetch["conditions"] = first_page.body;
  const http_result fetched = service.post("ivig-order-select", paged.json());
  ASSERT_EQ(fetched.status, 200u) << fetched.body;
  EXPECT_TRUE(fetched.body == reference.body) << first_difference(fetched.body, reference.body);
}

TEST(FhirFallback, AKeyHoldingAnOperationOutcomeIsFetchedAgain) {
  running_service service(scenario_now(), client_for(test_fhir_server()), roomy_limits());
  const auto full = prefetch_from_server(service, isaiah_patient_id);
  const http_result reference = answer_to_full_prefetch(service, full);

  hook_request with_outcome = fetching(isaiah_order(), test_fhir_server());
  with_outcome.prefetch = full;
  with_outcome.prefetch["observations"] =
      R"({"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"timeout","diagnostics":"EHR timed out"}]})";
  const http_result fetched = service.post("ivig-order-select", with_outcome.json());
  ASSERT_EQ(fetched.status, 200u) << fetched.body;
  EXPECT_TRUE(fetched.body == reference.body) << first_difference(fetched.body, reference.body);
}

TEST(FhirFallback, SearchesAreReadPageByPageThroughNextLinks) {
  fetch_limits small_pages = roomy_limits();
  small_pages.page_size = 10;  // Isaiah's conditions and observations take several pages
  running_service service(scenario_now(), client_for(test_fhir_server()), small_pages);
  const http_result reference = answer_to_full_prefetch(service, prefetch_from_server(service, isaiah_patient_id));

  hook_request bare = fetching(isaiah_order(), test_fhir_server());
  bare.prefetch.clear();
  const http_result fetched = service.post("ivig-order-select", bare.json());
  ASSERT_EQ(fetched.status, 200u) << fetched.body;
  EXPECT_TRUE(fetched.body == reference.body) << first_difference(fetched.body, reference.body);
}

TEST(FhirFallback, ThePageLimitLeavesDataIncompleteAndTheCardSaysSo) {
  fetch_limits two_pages = roomy_limits();
  two_pages.page_size = 3;
  two_pages.max_pages = 2;
  running_service service(scenario_now(), client_for(test_fhir_server()), two_pages);
  hook_request bare = fetching(isaiah_order(), test_fhir_server());
  bare.prefetch.clear();
  const http_result fetched = service.post("ivig-order-select", bare.json());
  ASSERT_EQ(fetched.status, 200u) << fetched.body;
  EXPECT_NE(fetched.body.find("only the first 2 pages of conditions were read from the EHR's FHIR server (this "
                              "service's page limit)"),
            std::string::npos)
      << fetched.body;
}

TEST(FhirFallback, TheCallsByteBudgetBoundsWhatIsRead) {
  fetch_limits small_budget = roomy_limits();
  small_budget.max_bytes_per_call = 16 * 1024;  // less than Isaiah's observations alone
  running_service service(scenario_now(), client_for(test_fhir_server()), small_budget);
  hook_request bare = fetching(isaiah_order(), test_fhir_server());
  bare.prefetch.clear();
  const http_result fetched = service.post("ivig-order-select", bare.json());
  ASSERT_EQ(fetched.status, 200u) << fetched.body.substr(0, 2000);
  EXPECT_NE(fetched.body.find("could not provide laboratory results and vital signs: its answer was larger than this "
                              "service accepts"),
            std::string::npos)
      << fetched.body.substr(0, 4000);
}

TEST(FhirFallback, AMedicationTheOrderReferencesIsReadFromTheServer) {
  running_service service(scenario_now(), client_for(test_fhir_server()), roomy_limits());
  const auto full = prefetch_from_server(service, isaiah_patient_id);
  hook_request coded = fetching(isaiah_order(), test_fhir_server());
  coded.prefetch = full;
  const http_result reference = service.post("ivig-order-select", coded.json());

  std::string order = medication_request("ivig-1", privigen(), true, isaiah_patient_id);
  const std::string coded_field = R"("medicationCodeableConcept":)" + privigen();
  order.replace(order.find(coded_field), coded_field.size(),
                R"("medicationReference":{"reference":"Medication/privigen-fixture"})");
  hook_request referenced = fetching(order_select_with(order, "ivig-1"), test_fhir_server());
  referenced.patient_id = isaiah_patient_id;
  referenced.prefetch = full;
  const http_result fetched = service.post("ivig-order-select", referenced.json());
  ASSERT_EQ(fetched.status, 200u) << fetched.body;
  // The same cards, card for card; only the order each suggestion echoes differs (it names its
  // medication by reference).
  EXPECT_EQ(card_summaries(fetched.body), card_summaries(reference.body));
  EXPECT_NE(fetched.body.find("**Order:** Privigen (MedicationRequest/ivig-1)"), std::string::npos);
}

TEST(FhirFallback, AWrongTokenMeansNoPatientAnd412) {
  running_service service(scenario_now(), client_for(test_fhir_server()), roomy_limits());
  hook_request bare = fetching(isaiah_order(), test_fhir_server(), "not-the-token");
  bare.prefetch.clear();
  const http_result result = service.post("ivig-order-select", bare.json());
  EXPECT_EQ(result.status, 412u);
  EXPECT_EQ(
      result.body,
      R"({"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"processing","details":{"coding":[{"system":"urn:ivig-cds:error","code":"patient-unavailable","display":"The patient could not be read from the prefetch or the FHIR server."}]},"diagnostics":"The prefetch has no Patient and reading it from fhirServer failed: the EHR's FHIR server could not provide patient demographics: it did not accept the access token (HTTP 401)."}]})");
}

TEST(FhirFallback, AFhirServerOffTheAllowlistIsRefusedWith400) {
  running_service service(scenario_now(), client_for("https://ehr.example.org/fhir"), roomy_limits());
  hook_request bare = fetching(isaiah_order(), test_fhir_server());
  bare.prefetch.clear();
  const http_result result = service.post("ivig-order-select", bare.json());
  EXPECT_EQ(result.status, 400u);
  EXPECT_EQ(
      result.body,
      R"({"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"security","details":{"coding":[{"system":"urn:ivig-cds:error","code":"fhir-server-refused","display":"fhirServer is not a FHIR server this service may query."}]},"diagnostics":"The prefetch lacks data and fhirServer may not be queried: it is not under a FHIR server base URL this service is allowed to query (--fhir-allow)."}]})");
}

TEST(FhirFallback, AMetadataAddressIsRefusedEvenWithAnAllowlist) {
  running_service service(scenario_now(), client_for(test_fhir_server()), roomy_limits());
  hook_request bare = fetching(isaiah_order(), "http://169.254.169.254/latest");
  bare.prefetch.clear();
  const http_result result = service.post("ivig-order-select", bare.json());
  EXPECT_EQ(result.status, 400u);
  EXPECT_NE(result.body.find("plain http is allowed only to loopback addresses"), std::string::npos) << result.body;
}

TEST(FhirFallback, TheTokenReachesTheServerButNoLogLineAndNoAuditRow) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("ivig-fhir-token-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  ivig::audit::audit_options audit_options;
  audit_options.path = (dir / "audit.sqlite3").string();
  auto store = std::make_shared<ivig::audit::sqlite_audit_store>(audit_options);
  std::mutex log_mutex;
  std::vector<std::string> log;
  {
    running_service service(scenario_now(), client_for(test_fhir_server()), roomy_limits(), store,
                            [&](std::string_view line) {
                              const std::lock_guard lock(log_mutex);
                              log.emplace_back(line);
                            });
    hook_request bare = fetching(isaiah_order(), test_fhir_server());
    bare.prefetch.clear();
    const http_result result = service.post("ivig-order-select", bare.json());
    ASSERT_EQ(result.status, 200u) << result.body;  // the server requires the token: it was sent
  }
  store.reset();  // closes the log: everything is in the file
  for (const std::string& line : log) EXPECT_EQ(line.find(test_fhir_token), std::string::npos) << line;
  for (const char* suffix : {"", "-wal"}) {
    std::ifstream file(audit_options.path + suffix, std::ios::binary);
    std::stringstream bytes;
    bytes << file.rdbuf();
    EXPECT_EQ(bytes.str().find(test_fhir_token), std::string::npos) << suffix;
    // Where the data came from is in the record (the closed store has checkpointed into the file).
    if (std::string(suffix).empty()) {
      EXPECT_NE(bytes.str().find(R"({"key":"conditions","origin":"fetched"})"), std::string::npos);
    }
  }
  std::filesystem::remove_all(dir);
}

namespace {

struct fault_case {
  const char* fault;
  unsigned status;
  const char* words;  ///< what the response says about it
  /// The fault is a server that never finishes answering: the call's deadline is what ends it.
  bool stalls = false;
};

std::ostream& operator<<(std::ostream& out, const fault_case& c) {
  return out << c.fault;
}

class FaultyServer : public ::testing::TestWithParam<fault_case> {
 protected:
  static void SetUpTestSuite() { faults_ = std::make_unique<fault_fhir_server>(); }
  static void TearDownTestSuite() { faults_.reset(); }
  static std::unique_ptr<fault_fhir_server> faults_;
};
std::unique_ptr<fault_fhir_server> FaultyServer::faults_;

/// Short where the deadline is what is tested (a stalling server); generous where the fault answers
/// at once, so that a loaded machine cannot turn an answered fault into a timeout.
constexpr auto stall_deadline = std::chrono::milliseconds(300);
constexpr auto answer_deadline = std::chrono::milliseconds(10'000);

}  // namespace

TEST_P(FaultyServer, TheCallAnswersWithinTheDeadlineAndSaysWhy) {
  const fault_case& c = GetParam();
  fetch_limits limits;
  limits.deadline = c.stalls ? stall_deadline : answer_deadline;
  limits.max_bytes_per_fetch = 1024 * 1024;
  running_service service(scenario_now(), client_for("http://127.0.0.1:" + std::to_string(faults_->port())), limits);
  hook_request bare =
      fetching(order_select_with(medication_request("ivig-1", privigen()), "ivig-1"), faults_->base(c.fault));
  bare.prefetch.clear();
  const auto started = std::chrono::steady_clock::now();
  const http_result result = service.post("ivig-order-select", bare.json());
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(result.status, c.status) << result.body;
  EXPECT_NE(result.body.find(c.words), std::string::npos) << result.body.substr(0, 2000);
  // The deadline, plus the rest of the call and a loaded machine's scheduling.
  if (c.stalls) {
    EXPECT_LT(took, stall_deadline + std::chrono::milliseconds(1500));
  }
}

INSTANTIATE_TEST_SUITE_P(
    EveryFault, FaultyServer,
    ::testing::Values(
        fault_case{"slow", 200, "could not provide conditions: it did not answer within the time limit", true},
        fault_case{"drip", 200, "could not provide conditions: it did not answer within the time limit", true},
        fault_case{"401", 200, "could not provide conditions: it did not accept the access token (HTTP 401)"},
        fault_case{"403", 200, "could not provide conditions: it refused access (HTTP 403)"},
        fault_case{"404", 200, "could not provide conditions: it answered 'not found' (HTTP 404)"},
        fault_case{"500", 200, "could not provide conditions: it failed (HTTP 500)"},
        fault_case{"outcome", 200, "could not provide conditions (error/processing: the search failed)"},
        fault_case{"malformed", 200, "could not provide conditions: its answer was not valid JSON"},
        fault_case{"html", 200, "could not provide conditions: its answer was not FHIR JSON"},
        fault_case{"wrong-type", 200, "could not provide conditions: its answer was not FHIR JSON"},
        fault_case{"huge", 200, "could not provide conditions: its answer was larger than this service accepts"},
        fault_case{"reset", 200, "could not provide conditions: it could not be reached"},
        fault_case{"endless", 200, "only the first 10 pages of conditions were read from the EHR's FHIR server"},
        fault_case{"redirect", 200, "could not provide conditions: it answered HTTP 302"},
        fault_case{"patient-slow", 412,
                   "reading it from fhirServer failed: the EHR's FHIR server could not provide "
                   "patient demographics: it did not answer within the time limit",
                   true},
        fault_case{"patient-404", 412,
                   "reading it from fhirServer failed: the EHR's FHIR server could not provide "
                   "patient demographics: it answered 'not found' (HTTP 404)"}),
    [](const ::testing::TestParamInfo<fault_case>& param) {
      std::string name = param.param.fault;
      for (char& ch : name)
        if (ch == '-') ch = '_';
      return "fault_" + name;
    });

TEST(FaultyServerResources, SlowServersLeaveNoDescriptorsBehind) {
  fault_fhir_server faults;
  fetch_limits limits;
  limits.deadline = std::chrono::milliseconds(100);
  running_service service(scenario_now(), client_for("http://127.0.0.1:" + std::to_string(faults.port())), limits);
  hook_request bare =
      fetching(order_select_with(medication_request("ivig-1", privigen()), "ivig-1"), faults.base("slow"));
  // The Patient prefetched: the deadline is short because it is what ends the slow fetches, and a
  // loaded machine must not turn the Patient's read, which answers at once, into a timeout and a 412.
  bare.prefetch = {{"patient", bare.prefetch.at("patient")}};
  ASSERT_EQ(service.post("ivig-order-select", bare.json()).status, 200u);
  const int after_one = open_descriptors();
  for (int i = 0; i < 10; ++i) ASSERT_EQ(service.post("ivig-order-select", bare.json()).status, 200u);
  // Every slow connection was cancelled at its deadline: ten more calls hold no more descriptors
  // than one did (a few for connections the client keeps for reuse, and, on a loaded machine, the
  // last call's cancelled sockets whose close the client's thread has not run yet). A leak holds
  // one per call: ten.
  EXPECT_LE(open_descriptors(), after_one + 6);
}

TEST(FaultyServerResources, ResourcesOfAnotherPatientAreDroppedAndLogged) {
  fault_fhir_server faults;
  std::mutex log_mutex;
  std::vector<std::string> log;
  fetch_limits limits;
  limits.deadline = std::chrono::milliseconds(2000);
  running_service service(scenario_now(), client_for("http://127.0.0.1:" + std::to_string(faults.port())), limits,
                          nullptr, [&](std::string_view line) {
                            const std::lock_guard lock(log_mutex);
                            log.emplace_back(line);
                          });
  hook_request bare =
      fetching(order_select_with(medication_request("ivig-1", privigen()), "ivig-1"), faults.base("other-patient"));
  bare.prefetch.clear();
  const http_result result = service.post("ivig-order-select", bare.json());
  ASSERT_EQ(result.status, 200u) << result.body;
  // The other patient's condition (SNOMED 38341003, hypertension) must not count as this patient's.
  EXPECT_EQ(result.body.find("ypertension"), std::string::npos) << result.body;
  const std::lock_guard lock(log_mutex);
  ASSERT_FALSE(log.empty());
  EXPECT_NE(log.back().find("naming a patient other than the call's; they were dropped"), std::string::npos)
      << log.back();
}

TEST(FhirFallbackTls, AnHttpsServerIsTrustedOnlyThroughTheConfiguredCaFile) {
  tls_fhir_server server;
  hook_request bare = fetching(order_select_with(medication_request("ivig-1", privigen()), "ivig-1"), server.base());
  bare.prefetch.clear();
  fetch_limits limits;
  limits.deadline = std::chrono::milliseconds(3000);

  // The system's CA store does not know the test certificate: the handshake fails, and the Patient
  // with it.
  client_options untrusting;
  untrusting.policy.allowed_bases = {server.base()};
  running_service strict(scenario_now(), std::make_shared<cpprest_fhir_client>(untrusting), limits);
  const http_result refused = strict.post("ivig-order-select", bare.json());
  EXPECT_EQ(refused.status, 412u);
  EXPECT_NE(refused.body.find("could not provide patient demographics: it could not be reached"), std::string::npos)
      << refused.body;

  client_options trusting = untrusting;
  trusting.ca_file = server.certificate_file();
  running_service trusted(scenario_now(), std::make_shared<cpprest_fhir_client>(trusting), limits);
  const http_result answered = trusted.post("ivig-order-select", bare.json());
  EXPECT_EQ(answered.status, 200u) << answered.body;
  EXPECT_EQ(answered.body.find("could not be reached"), std::string::npos) << answered.body;
}
