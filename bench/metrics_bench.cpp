// bench/metrics_bench.cpp: the cost of the Prometheus metrics per call, against the same call without.
//
// The same small order-select as BM_OrderSelect_SmallRequest, in process, with the audit sink null in
// both: once plain (BM_Metrics_Off_SmallRequest) and once with what main() wires when --metrics-port
// is given (BM_Metrics_On_SmallRequest): the audit sink decorator, which counts the call, its cards and
// its prefetch keys, and the transport's observation of the response. Read the medians as a ratio in
// the same run (docs/performance.md, "Metrics"). BM_Metrics_Scrape is the cost of one GET /metrics body.
#include <benchmark/benchmark.h>

#include <future>
#include <memory>
#include <string>

#include "hooks/metrics/metered_audit_sink.hpp"
#include "hooks/metrics/service_metrics.hpp"
#include "hooks/service/ivig_service.hpp"
#include "hooks/service/prefetch_templates.hpp"
#include "tests/support/fhir_builders.hpp"
#include "tests/support/test_support.hpp"

namespace {

using namespace ivig;

const std::string& body() {
  static const std::string text = [] {
    auto request = test::order_select_with(test::medication_request("m1", test::octagam_10()), "m1");
    test::set_prefetch(request, "conditions",
                       {test::condition("c1", test::concept_of(test::snomed, "44054006", "Diabetes mellitus type 2"))});
    return request.json();
  }();
  return text;
}

metrics::service_metrics& the_metrics() {
  static metrics::service_metrics instance([] {
    const auto kb = test::embedded_knowledge();
    metrics::metrics_labels labels;
    labels.version = "bench";
    labels.knowledge_bundle = kb->bundle;
    labels.knowledge_version = kb->version;
    for (const std::string& id : service::ivig_service::service_ids()) labels.service_ids.insert(id);
    for (const auto& rule : kb->rules) labels.rule_ids.insert(rule.id);
    for (const auto& t : service::derive_prefetch_templates(*kb)) labels.prefetch_keys.insert(t.key);
    return labels;
  }());
  return instance;
}

service::ivig_service& plain_service() {
  static service::ivig_service instance(test::embedded_knowledge(),
                                        service::service_options{64, [] { return test::scenario_now(); }, {}});
  return instance;
}

service::ivig_service& metered_service() {
  static service::ivig_service instance(
      test::embedded_knowledge(), service::service_options{64, [] { return test::scenario_now(); }, {}},
      std::make_shared<metrics::metered_audit_sink>(std::make_shared<audit::null_audit_sink>(), the_metrics()));
  return instance;
}

server::http_reply call_and_wait(service::ivig_service& service) {
  std::promise<server::http_reply> replied;
  std::future<server::http_reply> reply = replied.get_future();
  service.call_service(
      server::caller{}, "ivig-order-select", body(),
      server::reply_sink([&replied](server::http_reply r, bool) { replied.set_value(std::move(r)); }, {}));
  return reply.get();
}

void BM_Metrics_Off_SmallRequest(benchmark::State& state) {
  for (auto _ : state) {
    server::http_reply reply = call_and_wait(plain_service());
    if (reply.status != 200) state.SkipWithError("unexpected status");
    benchmark::DoNotOptimize(reply.body.data());
  }
}

void BM_Metrics_On_SmallRequest(benchmark::State& state) {
  metrics::service_metrics& m = the_metrics();
  for (auto _ : state) {
    server::http_reply reply = call_and_wait(metered_service());
    if (reply.status != 200) state.SkipWithError("unexpected status");
    m.observe_request("/cds-services/{id}", "POST", reply.status, std::chrono::microseconds(250));
    benchmark::DoNotOptimize(reply.body.data());
  }
}

void BM_Metrics_Scrape(benchmark::State& state) {
  metrics::service_metrics& m = the_metrics();
  call_and_wait(metered_service());  // at least one of every family the calls fill
  for (auto _ : state) benchmark::DoNotOptimize(m.scrape().size());
}

}  // namespace

BENCHMARK(BM_Metrics_Off_SmallRequest)->Threads(2)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Metrics_On_SmallRequest)->Threads(2)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Metrics_Scrape)->Unit(benchmark::kMicrosecond);
