// tests/integration/metrics_test.cpp: GET /metrics after known calls, over real sockets.
//
// The real service and server on loopback, with the metrics wired as main() wires them (the
// transport's response callback, the audit sink decorator) and a metrics listener of its own; then
// the real binary with --metrics-port, for the wiring only main() does (build information, the
// transport's and the audit store's counters). Assertions are exact sample lines: a metric renamed,
// relabelled or counted twice fails. The service's clock is injected (scenario_now), so the cards
// are known; latencies are asserted by their counts and buckets, never their values.
#include <gtest/gtest.h>

#include <unistd.h>
#include <algorithm>
#include <atomic>
#include <csignal>
#include <filesystem>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "hooks/audit/sqlite_store.hpp"
#include "hooks/metrics/metered_audit_sink.hpp"
#include "hooks/metrics/service_metrics.hpp"
#include "hooks/server/http_server.hpp"
#include "hooks/service/prefetch_templates.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/fhir_builders.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/scratch_folder.hpp"
#include "tests/support/test_support.hpp"

using namespace ivig;
using namespace ivig::test;

namespace {

metrics::metrics_labels labels_of(const rules::knowledge& kb) {
  metrics::metrics_labels labels;
  labels.version = "9.9.9-test";
  labels.knowledge_bundle = kb.bundle;
  labels.knowledge_version = kb.version;
  for (const std::string& id : service::ivig_service::service_ids()) labels.service_ids.insert(id);
  for (const auto& rule : kb.rules) labels.rule_ids.insert(rule.id);
  for (const auto& t : service::derive_prefetch_templates(kb)) labels.prefetch_keys.insert(t.key);
  return labels;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

bool has_line(const std::vector<std::string>& lines, const std::string& line) {
  return std::find(lines.begin(), lines.end(), line) != lines.end();
}

std::size_t count_prefix(const std::vector<std::string>& lines, const std::string& prefix) {
  return static_cast<std::size_t>(
      std::count_if(lines.begin(), lines.end(), [&](const std::string& l) { return l.starts_with(prefix); }));
}

/// Every label value of every sample line.
std::vector<std::string> label_values(const std::vector<std::string>& lines) {
  std::vector<std::string> values;
  const std::regex label(R"re(([a-z_]+)="([^"]*)")re");
  for (const std::string& line : lines) {
    if (line.starts_with("#")) continue;
    for (auto it = std::sregex_iterator(line.begin(), line.end(), label); it != std::sregex_iterator(); ++it)
      values.push_back((*it)[2]);
  }
  return values;
}

/// The service behind the real server with its metrics wired and a real SQLite audit log (so that
/// feedback is matched to its cards), and a metrics listener.
class MetricsOverHttp : public ::testing::Test {
 protected:
  MetricsOverHttp() : metrics_(labels_of(*embedded_knowledge())) {
    audit::audit_options options;
    options.path = scratch_.file("audit.sqlite3");
    options.log = [](std::string_view) {};
    store_ = std::make_shared<audit::sqlite_audit_store>(options);
    server::server_config config;
    config.on_response = [this](const server::response_observation& r) {
      metrics_.observe_request(r.route, r.method, r.status, r.duration);
    };
    service_ = std::make_unique<running_service>(scenario_now(), config,
                                                 std::make_shared<metrics::metered_audit_sink>(store_, metrics_));
    server::server_config scrape;
    scrape.address = "127.0.0.1";
    scrape.port = 0;
    scrape.threads = 1;
    scrape.worker_threads = 0;
    scrape.kind = server::listener_kind::metrics;
    scrape.metrics = [this] {
      server::http_reply reply;
      reply.body = metrics_.scrape();
      reply.content_type = std::string(metrics::exposition_content_type);
      return reply;
    };
    metrics_server_ = std::make_unique<server::http_server>(scrape, service_->service());
    metrics_port_ = metrics_server_->start();
  }

  scratch_folder scratch_{"metrics"};
  metrics::service_metrics metrics_;  // before the store: audit completions may run while it closes
  std::shared_ptr<audit::sqlite_audit_store> store_;
  std::unique_ptr<running_service> service_;
  std::unique_ptr<server::http_server> metrics_server_;
  unsigned short metrics_port_ = 0;
};

}  // namespace

TEST_F(MetricsOverHttp, KnownCallsAreCountedByRouteStatusRuleIndicatorAndOutcome) {
  const std::string hook_instance = "00000000-0000-4000-8000-0000000000d1";
  const http_result call = service_->post("ivig-order-select", two_card_request(hook_instance).json());
  ASSERT_EQ(call.status, 200u) << call.body;
  const auto doc = parse(call.body);
  ASSERT_EQ(doc["cards"].Size(), 2u);
  const std::string critical = doc["cards"][0]["uuid"].GetString();  // R4
  const std::string warning = doc["cards"][1]["uuid"].GetString();   // R3, joined by R2 (no anti-IgA result)
  const std::string suggestion = doc["cards"][1]["suggestions"][0]["uuid"].GetString();
  const std::string feedback = R"({"feedback":[{"card":")" + warning +
                               R"(","outcome":"accepted","acceptedSuggestions":[{"id":")" + suggestion +
                               R"("}],"outcomeTimestamp":"2026-11-22T12:01:00Z"},{"card":")" + critical +
                               R"(","outcome":"overridden","outcomeTimestamp":"2026-11-22T12:02:00Z"}]})";
  const http_result fed = http_request(service_->port(), "POST", "/cds-services/ivig-order-select/feedback", feedback);
  ASSERT_EQ(fed.status, 200u) << fed.body;
  // Rejected: not JSON (415); a path no route matches, with a token and a patient-like id in it (404).
  EXPECT_EQ(http_request(service_->port(), "POST", "/cds-services/ivig-order-select", "{}", "text/plain").status, 415u);
  EXPECT_EQ(http_request(service_->port(), "GET", "/Patient/patient-secret-42", {}, "application/json",
                         "eyJ.secret-token.sig")
                .status,
            404u);

  const http_result scraped = http_request(metrics_port_, "GET", "/metrics");
  ASSERT_EQ(scraped.status, 200u);
  EXPECT_EQ(scraped.headers.at("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  const std::vector<std::string> lines = lines_of(scraped.body);
  for (const std::string& line : std::vector<std::string>{
           R"(ivig_cds_requests_total{method="POST",route="/cds-services/{id}",status="200"} 1)",
           R"(ivig_cds_requests_total{method="POST",route="/cds-services/{id}/feedback",status="200"} 1)",
           R"(ivig_cds_requests_total{method="POST",route="/cds-services/{id}",status="415"} 1)",
           R"(ivig_cds_requests_total{method="GET",route="other",status="404"} 1)",
           R"(ivig_cds_request_duration_seconds_count{route="/cds-services/{id}"} 2)",
           R"(ivig_cds_service_calls_total{service="ivig-order-select",status="200"} 1)",
           R"(ivig_cds_service_call_duration_seconds_count{service="ivig-order-select"} 1)",
           R"(ivig_cds_cards_total{indicator="critical",rule="R4",service="ivig-order-select"} 1)",
           R"(ivig_cds_cards_total{indicator="warning",rule="R2",service="ivig-order-select"} 1)",
           R"(ivig_cds_cards_total{indicator="warning",rule="R3",service="ivig-order-select"} 1)",
           R"(ivig_cds_feedback_total{outcome="accepted",result="matched",rule="R2",service="ivig-order-select"} 1)",
           R"(ivig_cds_feedback_total{outcome="accepted",result="matched",rule="R3",service="ivig-order-select"} 1)",
           R"(ivig_cds_feedback_total{outcome="overridden",result="matched",rule="R4",service="ivig-order-select"} 1)",
           R"(ivig_cds_audit_write_duration_seconds_count{kind="feedback"} 1)",
           R"(ivig_cds_build_info{version="9.9.9-test"} 1)",
           "ivig_cds_knowledge_info{bundle=\"" + embedded_knowledge()->bundle + "\",version=\"" +
               embedded_knowledge()->version + "\"} 1",
       })
    EXPECT_TRUE(has_line(lines, line)) << "missing: " << line << "\n" << scraped.body;
  // Only these two cards, the warning once for each of its two rules: nothing else was counted.
  EXPECT_EQ(count_prefix(lines, "ivig_cds_cards_total{"), 3u) << scraped.body;
  EXPECT_EQ(count_prefix(lines, "ivig_cds_feedback_total{"), 3u) << scraped.body;
  // Thirteen bounds and +Inf for each route's latency.
  EXPECT_EQ(count_prefix(lines, R"(ivig_cds_request_duration_seconds_bucket{route="/cds-services/{id}",)"), 14u);
  EXPECT_TRUE(has_line(lines, R"(ivig_cds_request_duration_seconds_bucket{route="/cds-services/{id}",le="+Inf"} 2)"))
      << scraped.body;
  // Every prefetch key of the call counted once, by where its data came from.
  EXPECT_EQ(count_prefix(lines, R"(ivig_cds_prefetch_data_total{)"),
            service::derive_prefetch_templates(*embedded_knowledge()).size())
      << scraped.body;

  // Nothing a client chose, and nothing about the patient, is a label value.
  const std::vector<std::string> values = label_values(lines);
  for (const std::string& secret : {hook_instance, critical, warning, suggestion, std::string("patient-secret-42"),
                                    std::string("secret-token"), std::string("example"), std::string("Patient")})
    for (const std::string& value : values) EXPECT_EQ(value.find(secret), std::string::npos) << value;
}

TEST_F(MetricsOverHttp, TheMetricsListenerServesOnlyGetMetricsAndTheMainListenerNone) {
  EXPECT_EQ(http_request(metrics_port_, "GET", "/cds-services").status, 404u);
  EXPECT_EQ(http_request(metrics_port_, "GET", "/healthz").status, 404u);
  EXPECT_EQ(http_request(metrics_port_, "POST", "/metrics", "{}").status, 405u);
  EXPECT_EQ(http_request(service_->port(), "GET", "/metrics").status, 404u);
  // The main listener's 404 for /metrics is counted like any unmatched path; nothing on the metrics
  // listener is counted (it is not observed).
  const std::vector<std::string> lines = lines_of(http_request(metrics_port_, "GET", "/metrics").body);
  EXPECT_TRUE(has_line(lines, R"(ivig_cds_requests_total{method="GET",route="other",status="404"} 1)"));
  EXPECT_EQ(count_prefix(lines, "ivig_cds_requests_total{"), 1u);
}

TEST(ServiceMetrics, LabelsOutsideTheKnownSetsAreCountedAsOther) {
  metrics::service_metrics m(labels_of(*embedded_knowledge()));
  audit::call_record call;
  call.service_id = "ivig-order-select";
  call.cards.push_back({"u1", "urgent", "summary text", {"R99-not-a-rule"}});
  call.data.push_back({"someone's-key", "somewhere", "free text reason"});
  m.observe_call(call);
  audit::call_record unknown_service = call;
  unknown_service.service_id = "made-up-service";
  m.observe_call(unknown_service);  // not counted: a request to no service is counted by route only
  m.observe_request("/cds-services/{id}", "BREW", 404, std::chrono::milliseconds(2));
  const std::vector<std::string> lines = lines_of(m.scrape());
  EXPECT_TRUE(has_line(lines, R"(ivig_cds_cards_total{indicator="other",rule="other",service="ivig-order-select"} 1)"));
  EXPECT_TRUE(
      has_line(lines, R"(ivig_cds_prefetch_data_total{key="other",origin="other",service="ivig-order-select"} 1)"));
  EXPECT_TRUE(has_line(lines, R"(ivig_cds_service_calls_total{service="ivig-order-select",status="200"} 1)"));
  EXPECT_EQ(count_prefix(lines, "ivig_cds_service_calls_total{"), 1u);
  EXPECT_TRUE(has_line(lines, R"(ivig_cds_requests_total{method="other",route="/cds-services/{id}",status="404"} 1)"));
}

TEST(ServiceMetrics, FeedbackForACardNotSeenIsCountedUnderRuleUnknown) {
  metrics::service_metrics m(labels_of(*embedded_knowledge()));
  audit::feedback_record item;
  item.service_id = "ivig-order-sign";
  item.card_uuid = "00000000-0000-5000-8000-000000000000";
  item.outcome = "overridden";
  m.observe_feedback({item}, {audit::feedback_result::recorded_unmatched});
  EXPECT_TRUE(has_line(
      lines_of(m.scrape()),
      R"(ivig_cds_feedback_total{outcome="overridden",result="unmatched",rule="unknown",service="ivig-order-sign"} 1)"));
}

TEST(ServiceMetrics, SampledCountersAreReadAtEachScrapeAsOneFamilyPerName) {
  metrics::service_metrics m(labels_of(*embedded_knowledge()));
  std::atomic<std::uint64_t> expired{3};
  m.add_sampled("ivig_cds_jwt_refusals_total", "Callers refused, by reason",
                metrics::service_metrics::sample_kind::counter, {{"reason", "token-expired"}},
                [&expired] { return static_cast<double>(expired.load()); });
  m.add_sampled("ivig_cds_jwt_refusals_total", "ignored: the first help is the family's",
                metrics::service_metrics::sample_kind::counter, {{"reason", "signature-invalid"}}, [] { return 0.0; });
  m.add_sampled("ivig_cds_audit_queue_depth", "Audit records waiting", metrics::service_metrics::sample_kind::gauge, {},
                [] { return 7.0; });
  std::vector<std::string> lines = lines_of(m.scrape());
  EXPECT_TRUE(has_line(lines, R"(ivig_cds_jwt_refusals_total{reason="token-expired"} 3)"));
  EXPECT_TRUE(has_line(lines, R"(ivig_cds_jwt_refusals_total{reason="signature-invalid"} 0)"));
  EXPECT_TRUE(has_line(lines, "# TYPE ivig_cds_jwt_refusals_total counter"));
  EXPECT_EQ(count_prefix(lines, "# HELP ivig_cds_jwt_refusals_total "), 1u);
  EXPECT_TRUE(has_line(lines, "# TYPE ivig_cds_audit_queue_depth gauge"));
  EXPECT_TRUE(has_line(lines, "ivig_cds_audit_queue_depth 7"));
  expired = 4;
  lines = lines_of(m.scrape());
  EXPECT_TRUE(has_line(lines, R"(ivig_cds_jwt_refusals_total{reason="token-expired"} 4)"));
}

TEST(BinaryMetrics, TheMetricsListenerServesBuildKnowledgeTransportAndAuditSamples) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("ivig-metrics-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  child_process server(IVIG_BINARY,
                       {"--port", "0", "--metrics-port", "0", "--audit-path", (dir / "audit.sqlite3").string()});
  const auto port_of = [](const std::string& line) {
    const std::size_t colon = line.rfind(':');
    return static_cast<unsigned short>(std::stoi(line.substr(colon + 1, line.find(' ', colon) - colon - 1)));
  };
  // Both listeners log "listening on"; main()'s own lines name the metrics listener ("metrics on")
  // and the service's ("with knowledge"), in whichever order the log writes them.
  std::string metrics_line, listening;
  for (std::string line = server.read_line(); !line.empty(); line = server.read_line()) {
    if (line.find("metrics on") != std::string::npos) metrics_line = line;
    if (line.find("listening on") != std::string::npos && line.find("with knowledge") != std::string::npos)
      listening = line;
    if (!metrics_line.empty() && !listening.empty()) break;  // no more lines come until it stops
  }
  ASSERT_FALSE(metrics_line.empty()) << "no metrics listener";
  ASSERT_FALSE(listening.empty()) << "the server did not start";
  EXPECT_NE(metrics_line.find("metrics on 127.0.0.1:"), std::string::npos) << metrics_line;
  const unsigned short port = port_of(listening), metrics_port = port_of(metrics_line);

  EXPECT_EQ(http_request(port, "GET", "/healthz").status, 200u);
  const http_result scraped = http_request(metrics_port, "GET", "/metrics");
  ASSERT_EQ(scraped.status, 200u);
  const std::vector<std::string> lines = lines_of(scraped.body);
  for (const std::string& line : std::vector<std::string>{
           R"(ivig_cds_requests_total{method="GET",route="/healthz",status="200"} 1)",
           std::string("ivig_cds_transport_requests_total 1"),
           std::string("ivig_cds_transport_responses_2xx_total 1"),
           std::string("ivig_cds_audit_queue_depth 0"),
           std::string("ivig_cds_audit_ready 1"),
           std::string("ivig_cds_audit_spool_bytes 0"),
           std::string("ivig_cds_audit_lost_records_total 0"),
           "ivig_cds_knowledge_info{bundle=\"" + embedded_knowledge()->bundle + "\",version=\"" +
               embedded_knowledge()->version + "\"} 1",
       })
    EXPECT_TRUE(has_line(lines, line)) << "missing: " << line << "\n" << scraped.body;
  EXPECT_EQ(count_prefix(lines, "ivig_cds_build_info{"), 1u) << scraped.body;
  // No issuers: no authenticator, so no JWT samples.
  EXPECT_EQ(count_prefix(lines, "ivig_cds_jwt_"), 0u);
  ::kill(server.pid(), SIGTERM);
  EXPECT_EQ(server.wait_exit(), 0);
  std::filesystem::remove_all(dir);
}
