// tests/integration/metrics_test.cpp: GET /metrics after known calls, over real sockets.
//
// The real service and server on loopback, with the metrics wired as main() wires them (the
// transport's response callback, the audit sink decorator) and a metrics listener of its own; then
// the real binary with --metrics-port, for the wiring only main() does (build information, the
// transport's and the audit store's counters). Assertions are exact sample lines: a metric renamed,
// relabelled or counted twice fails. The service's clock is injected (scenario_now), so the cards
// are known; latencies are asserted by their counts and buckets, never their values, except where
// the clock is injected (a FHIR fetch's). A reload of the binary's knowledge folder is read back from
// /metrics: the new version alone in ivig_cds_knowledge_info, the added rule under its own id.
#include <gtest/gtest.h>

#include <unistd.h>
#include <algorithm>
#include <atomic>
#include <csignal>
#include <filesystem>
#include <functional>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <rapidjson/document.h>
#include <rapidjson/writer.h>

#include "hooks/audit/sqlite_store.hpp"
#include "hooks/metrics/metered_audit_sink.hpp"
#include "hooks/metrics/metered_fhir_client.hpp"
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
    // As hooks/app/metrics_wiring.cpp's observe_audit_writer wires them.
    options.on_queue_wait = [this](std::string_view kind, std::chrono::nanoseconds waited) {
      metrics_.observe_audit_queue_wait(kind, waited);
    };
    options.on_transaction = [this](bool committed, std::chrono::nanoseconds took) {
      metrics_.observe_audit_transaction(committed, took);
    };
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
           // The feedback request's two items, each taken from the queue once.
           R"(ivig_cds_audit_queue_wait_seconds_count{kind="feedback"} 2)",
           R"(ivig_cds_build_info{version="9.9.9-test"} 1)",
           "ivig_cds_knowledge_info{bundle=\"" + embedded_knowledge()->bundle + "\",version=\"" +
               embedded_knowledge()->version + "\"} 1",
       })
    EXPECT_TRUE(has_line(lines, line)) << "missing: " << line << "\n" << scraped.body;
  // Only these two cards, the warning once for each of its two rules: nothing else was counted.
  EXPECT_EQ(count_prefix(lines, "ivig_cds_cards_total{"), 3u) << scraped.body;
  EXPECT_EQ(count_prefix(lines, "ivig_cds_feedback_total{"), 3u) << scraped.body;
  // Every transaction committed (at least the call's and the feedback's; rejections may share one).
  EXPECT_EQ(count_prefix(lines, R"(ivig_cds_audit_commit_duration_seconds_count{outcome="committed"})"), 1u);
  EXPECT_EQ(count_prefix(lines, R"(ivig_cds_audit_commit_duration_seconds_count{outcome="failed"})"), 0u);
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

namespace {

/// The main listener's and the metrics listener's ports, from the binary's start lines.
std::pair<unsigned short, unsigned short> ports_of(child_process& server) {
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
  EXPECT_FALSE(metrics_line.empty()) << "no metrics listener";
  EXPECT_FALSE(listening.empty()) << "the server did not start";
  if (metrics_line.empty() || listening.empty()) return {0, 0};
  EXPECT_NE(metrics_line.find("metrics on 127.0.0.1:"), std::string::npos) << metrics_line;
  return {port_of(listening), port_of(metrics_line)};
}

}  // namespace

TEST(BinaryMetrics, TheMetricsListenerServesBuildKnowledgeTransportAndAuditSamples) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("ivig-metrics-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  child_process server(IVIG_BINARY,
                       {"--port", "0", "--metrics-port", "0", "--audit-path", (dir / "audit.sqlite3").string()});
  const auto [port, metrics_port] = ports_of(server);
  ASSERT_NE(port, 0u);

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

  // main() wires the store's timings: a rejected request is audited (its record taken from the queue
  // and committed in one transaction) before its 404 is sent.
  EXPECT_EQ(http_request(port, "GET", "/no-such-path").status, 404u);
  const std::vector<std::string> after = lines_of(http_request(metrics_port, "GET", "/metrics").body);
  for (const std::string& line : std::vector<std::string>{
           R"(ivig_cds_audit_queue_wait_seconds_count{kind="call"} 1)",
           R"(ivig_cds_audit_commit_duration_seconds_count{outcome="committed"} 1)",
       })
    EXPECT_TRUE(has_line(after, line)) << "missing: " << line;
  ::kill(server.pid(), SIGTERM);
  EXPECT_EQ(server.wait_exit(), 0);
  std::filesystem::remove_all(dir);
}

TEST(ServiceMetrics, TheAuditQueueWaitAndEachTransactionAreObservedApart) {
  const scratch_folder scratch("metrics-audit");
  metrics::service_metrics m(labels_of(*embedded_knowledge()));
  std::atomic<bool> fail_commit{false};
  audit::audit_options options;
  options.path = scratch.file("audit.sqlite3");
  options.log = [](std::string_view) {};
  options.idle_retry = std::chrono::milliseconds(0);  // no retry of its own: every transaction is a write's
  options.fail_at = [&fail_commit](std::string_view step) { return fail_commit && step == "commit"; };
  options.on_queue_wait = [&m](std::string_view kind, std::chrono::nanoseconds waited) {
    m.observe_audit_queue_wait(kind, waited);
  };
  options.on_transaction = [&m](bool committed, std::chrono::nanoseconds took) {
    m.observe_audit_transaction(committed, took);
  };
  {
    audit::sqlite_audit_store store(options);
    audit::call_record call;
    call.received_at = "2026-11-30T12:00:00Z";
    call.service_id = "ivig-order-select";
    EXPECT_TRUE(store.record_call(call));
    EXPECT_TRUE(store.record_call(call));
    audit::feedback_record item;
    item.received_at = "2026-11-30T12:01:00Z";
    item.service_id = "ivig-order-select";
    item.card_uuid = "00000000-0000-5000-8000-000000000001";
    item.outcome = "accepted";
    store.record_feedback(item);
    fail_commit = true;
    EXPECT_FALSE(store.record_call(call));  // the COMMIT fails: spooled
  }
  const std::vector<std::string> lines = lines_of(m.scrape());
  for (const std::string& line : std::vector<std::string>{
           // Each record once, whatever became of it; each transaction once, by its outcome.
           R"(ivig_cds_audit_queue_wait_seconds_count{kind="call"} 3)",
           R"(ivig_cds_audit_queue_wait_seconds_count{kind="feedback"} 1)",
           R"(ivig_cds_audit_commit_duration_seconds_count{outcome="committed"} 3)",
           R"(ivig_cds_audit_commit_duration_seconds_count{outcome="failed"} 1)",
           R"(ivig_cds_audit_commit_duration_seconds_bucket{outcome="failed",le="+Inf"} 1)",
           "# TYPE ivig_cds_audit_queue_wait_seconds histogram",
           "# TYPE ivig_cds_audit_commit_duration_seconds histogram",
       })
    EXPECT_TRUE(has_line(lines, line)) << "missing: " << line;
  // Sixteen bounds (from 100 microseconds) and +Inf.
  EXPECT_EQ(count_prefix(lines, R"(ivig_cds_audit_commit_duration_seconds_bucket{outcome="committed",)"), 17u);
  EXPECT_EQ(count_prefix(lines, R"(ivig_cds_audit_queue_wait_seconds_bucket{kind="call",)"), 17u);
  EXPECT_TRUE(has_line(lines, R"(ivig_cds_audit_queue_wait_seconds_bucket{kind="call",le="+Inf"} 3)"));
}

namespace {

/// Answers every GET at once with the failure the test sets (none: an empty searchset).
class answering_fhir_client final : public fhir::client::fhir_client {
 public:
  std::optional<std::string> refusal(std::string_view) const override { return std::nullopt; }
  void get(fhir::client::fetch_request request, std::function<void(fhir::client::fetch_result)> done) override {
    urls.push_back(request.url);
    fhir::client::fetch_result result;
    result.failure = next;
    if (next == fhir::client::fetch_failure::none) result.body = R"({"resourceType":"Bundle","type":"searchset"})";
    done(std::move(result));
  }
  fhir::client::fetch_failure next = fhir::client::fetch_failure::none;
  std::vector<std::string> urls;
};

}  // namespace

TEST(ServiceMetrics, EachFhirFetchIsTimedByItsOutcomeAndNeverByItsUrl) {
  metrics::service_metrics m(labels_of(*embedded_knowledge()));
  auto inner = std::make_shared<answering_fhir_client>();
  // Each GET takes 30 ms on this clock: asked once when it is sent and once when it is answered, it
  // moves 30 ms at each question.
  std::chrono::steady_clock::time_point clock{};
  metrics::metered_fhir_client client(inner, m, [&clock] { return clock += std::chrono::milliseconds(30); });
  const std::string url = "https://ehr.example.org/fhir/Observation?patient=patient-secret-42";
  fhir::client::fetch_result seen;
  client.get({url, "secret-token", 1024, {}}, [&seen](fhir::client::fetch_result r) { seen = std::move(r); });
  EXPECT_EQ(seen.failure, fhir::client::fetch_failure::none);
  EXPECT_EQ(seen.body, R"({"resourceType":"Bundle","type":"searchset"})");  // passed on unchanged
  inner->next = fhir::client::fetch_failure::timeout;
  client.get({url, "secret-token", 1024, {}}, [&seen](fhir::client::fetch_result r) { seen = std::move(r); });
  inner->next = fhir::client::fetch_failure::unauthorized;
  client.get({url, "secret-token", 1024, {}}, [&seen](fhir::client::fetch_result r) { seen = std::move(r); });
  EXPECT_EQ(seen.failure, fhir::client::fetch_failure::unauthorized);
  EXPECT_EQ(inner->urls, std::vector<std::string>(3, url));

  const std::vector<std::string> lines = lines_of(m.scrape());
  for (const std::string& line : std::vector<std::string>{
           R"(ivig_cds_fhir_fetch_duration_seconds_count{outcome="ok"} 1)",
           R"(ivig_cds_fhir_fetch_duration_seconds_bucket{outcome="ok",le="0.025"} 0)",
           R"(ivig_cds_fhir_fetch_duration_seconds_bucket{outcome="ok",le="0.05"} 1)",
           R"(ivig_cds_fhir_fetch_duration_seconds_count{outcome="timeout"} 1)",
           R"(ivig_cds_fhir_fetch_duration_seconds_count{outcome="unauthorized"} 1)",
       })
    EXPECT_TRUE(has_line(lines, line)) << "missing: " << line;
  EXPECT_EQ(count_prefix(lines, "ivig_cds_fhir_fetch_duration_seconds_count{"), 3u);
  for (const std::string& value : label_values(lines))
    for (const std::string_view secret : {"patient-secret-42", "secret-token", "ehr.example.org", "Observation"})
      EXPECT_EQ(value.find(secret), std::string::npos) << value;
  // Every failure has a word of its own in the closed list.
  for (int f = 0; f <= static_cast<int>(fhir::client::fetch_failure::refused); ++f)
    EXPECT_NE(metrics::fetch_outcome_label(static_cast<fhir::client::fetch_failure>(f)), "other") << f;
}

TEST(ServiceMetrics, AReloadNamesOnlyTheNewVersionAndCountsAnAddedRuleUnderItsOwnId) {
  const metrics::metrics_labels first = labels_of(*embedded_knowledge());
  metrics::service_metrics m(first);
  audit::call_record call;
  call.service_id = "ivig-order-select";
  call.cards.push_back({"u1", "warning", "summary", {"R99"}});
  m.observe_call(call);  // R99 is no rule of the knowledge loaded: other

  metrics::metrics_labels next = first;
  next.knowledge_version = "2026.12.0-reloaded";
  next.rule_ids.insert("R99");
  m.knowledge_loaded(next);
  call.cards[0].uuid = "u2";
  m.observe_call(call);
  const std::vector<std::string> lines = lines_of(m.scrape());
  for (const std::string& line : std::vector<std::string>{
           "ivig_cds_knowledge_info{bundle=\"" + first.knowledge_bundle + "\",version=\"2026.12.0-reloaded\"} 1",
           R"(ivig_cds_cards_total{indicator="warning",rule="other",service="ivig-order-select"} 1)",
           R"(ivig_cds_cards_total{indicator="warning",rule="R99",service="ivig-order-select"} 1)",
           // Every known rule has its failure count from the start, the added one from its reload.
           R"(ivig_cds_rule_failures_total{rule="R99"} 0)",
           R"(ivig_cds_rule_failures_total{rule="R1"} 0)",
       })
    EXPECT_TRUE(has_line(lines, line)) << "missing: " << line;
  // The previous version's sample is gone, not left at 1 beside the new one.
  EXPECT_EQ(count_prefix(lines, "ivig_cds_knowledge_info{"), 1u);
  EXPECT_EQ(count_prefix(lines, "ivig_cds_rule_failures_total{"), first.rule_ids.size() + 1);
}

namespace {

/// A copy of the bundle's files at `version`, with `extra_rule` (a planned copy of the last rule
/// under that id) when not empty.
void write_knowledge(const std::filesystem::path& folder, const std::string& version, const std::string& extra_rule) {
  std::filesystem::create_directories(folder);
  const std::filesystem::path source = std::filesystem::path(IVIG_SOURCE_DIR) / "rules/knowledge";
  for (const auto& file : std::filesystem::directory_iterator(source))
    if (file.path().extension() == ".json")
      std::filesystem::copy_file(file.path(), folder / file.path().filename(),
                                 std::filesystem::copy_options::overwrite_existing);
  const auto rewrite = [&folder](const char* name, const std::function<void(rapidjson::Document&)>& edit) {
    rapidjson::Document doc = parse(read_file(folder / name));
    edit(doc);
    rapidjson::StringBuffer out;
    rapidjson::Writer<rapidjson::StringBuffer> writer(out);
    doc.Accept(writer);
    write_file(folder / name, out.GetString());
  };
  rewrite("bundle.json", [&version](rapidjson::Document& bundle) {
    bundle["version"].SetString(version.c_str(), static_cast<rapidjson::SizeType>(version.size()),
                                bundle.GetAllocator());
  });
  if (extra_rule.empty()) return;
  rewrite("rules.json", [&extra_rule](rapidjson::Document& doc) {
    auto& alloc = doc.GetAllocator();
    rapidjson::Value& rules = doc["rules"];
    rapidjson::Value added(rules[rules.Size() - 1], alloc);
    added["id"].SetString(extra_rule.c_str(), static_cast<rapidjson::SizeType>(extra_rule.size()), alloc);
    added["status"].SetString("planned", alloc);
    rules.PushBack(added, alloc);
  });
}

}  // namespace

TEST(BinaryMetrics, AReloadedBundleIsNamedByItsVersionAndItsAddedRuleByItsId) {
  const scratch_folder scratch("metrics-reload");
  const std::filesystem::path knowledge = scratch.path() / "knowledge";
  write_knowledge(knowledge, "2026.11.2-a", "");
  child_process server(IVIG_BINARY,
                       {"--port", "0", "--metrics-port", "0", "--no-audit", "--knowledge-dir", knowledge.string()});
  const auto [port, metrics_port] = ports_of(server);
  ASSERT_NE(port, 0u);
  const std::string bundle = embedded_knowledge()->bundle;
  std::vector<std::string> lines = lines_of(http_request(metrics_port, "GET", "/metrics").body);
  EXPECT_TRUE(has_line(lines, "ivig_cds_knowledge_info{bundle=\"" + bundle + "\",version=\"2026.11.2-a\"} 1"));
  EXPECT_EQ(count_prefix(lines, R"(ivig_cds_rule_failures_total{rule="R99"})"), 0u);

  write_knowledge(knowledge, "2026.11.2-b", "R99");
  const http_result reloaded = http_request(port, "POST", "/admin/reload");
  ASSERT_EQ(reloaded.status, 200u) << reloaded.body;
  // The reload answers once the service serves the new version and the metrics know it.
  lines = lines_of(http_request(metrics_port, "GET", "/metrics").body);
  EXPECT_TRUE(has_line(lines, "ivig_cds_knowledge_info{bundle=\"" + bundle + "\",version=\"2026.11.2-b\"} 1"));
  EXPECT_EQ(count_prefix(lines, "ivig_cds_knowledge_info{"), 1u);
  EXPECT_TRUE(has_line(lines, R"(ivig_cds_rule_failures_total{rule="R99"} 0)"));
  ::kill(server.pid(), SIGTERM);
  EXPECT_EQ(server.wait_exit(), 0);
}

TEST(BinaryMetrics, EachFetchOfTheFallbackIsTimedByItsOutcome) {
  // Port 9 on loopback: nothing listens, so every fetch fails at once, connection refused.
  const std::string fhir_server = "http://127.0.0.1:9/fhir";
  child_process server(IVIG_BINARY, {"--port", "0", "--metrics-port", "0", "--no-audit", "--fhir-allow", fhir_server});
  const auto [port, metrics_port] = ports_of(server);
  ASSERT_NE(port, 0u);
  hook_request request = two_card_request("00000000-0000-4000-8000-0000000000f1");
  request.prefetch.clear();  // every key is then fetched
  request.fhir_server = fhir_server;
  request.access_token = "secret-token";
  const http_result call = http_request(port, "POST", "/cds-services/ivig-order-select", request.json());
  // Without the patient's record the call cannot be answered (412), once every fetch has failed.
  ASSERT_EQ(call.status, 412u) << call.body;
  const std::vector<std::string> lines = lines_of(http_request(metrics_port, "GET", "/metrics").body);
  const std::size_t keys = service::derive_prefetch_templates(*embedded_knowledge()).size();
  EXPECT_TRUE(has_line(
      lines, R"(ivig_cds_fhir_fetch_duration_seconds_count{outcome="connection_failed"} )" + std::to_string(keys)))
      << "expected one failed fetch per key (" << keys << ")";
  EXPECT_EQ(count_prefix(lines, "ivig_cds_fhir_fetch_duration_seconds_count{"), 1u);
  ::kill(server.pid(), SIGTERM);
  EXPECT_EQ(server.wait_exit(), 0);
}
