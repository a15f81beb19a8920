// bench/service_bench.cpp: service time of one order-select call, in process (no sockets).
//
// Baseline measured in the same run: parsing the same body with RapidJSON (the least any
// implementation must do). Report the service time as a ratio to that baseline; absolute numbers
// on shared CI machines are noise. Run with --benchmark_repetitions=10 --benchmark_report_aggregates_only=true
// and read the medians.
#include <benchmark/benchmark.h>

#include <rapidjson/document.h>

#include "hooks/service/ivig_service.hpp"
#include "tests/support/fhir_builders.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/test_support.hpp"

namespace {

using namespace ivig;

const std::string& synthea_body() {
  static const std::string body = test::synthea_request("Isaiah_Schaden", test::octagam_10()).json();
  return body;
}

const std::string& small_body() {
  static const std::string body = [] {
    auto request = test::order_select_with(test::medication_request("m1", test::octagam_10()), "m1");
    test::set_prefetch(request, "conditions",
                       {test::condition("c1", test::concept_of(test::snomed, "44054006", "Diabetes mellitus type 2"))});
    return request.json();
  }();
  return body;
}

service::ivig_service& service_instance() {
  static service::ivig_service instance(test::embedded_knowledge(),
                                        service::service_options{64, [] { return test::scenario_now(); }});
  return instance;
}

void BM_Baseline_ParseSyntheaBody(benchmark::State& state) {
  const std::string& body = synthea_body();
  for (auto _ : state) {
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseIterativeFlag>(body.data(), body.size());
    benchmark::DoNotOptimize(doc.IsObject());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}

void BM_OrderSelect_SyntheaRecord(benchmark::State& state) {
  const std::string& body = synthea_body();
  for (auto _ : state) {
    server::http_reply reply = service_instance().call_service("ivig-order-select", body);
    if (reply.status != 200) state.SkipWithError("unexpected status");
    benchmark::DoNotOptimize(reply.body.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}

void BM_OrderSelect_SmallRequest(benchmark::State& state) {
  const std::string& body = small_body();
  for (auto _ : state) {
    server::http_reply reply = service_instance().call_service("ivig-order-select", body);
    if (reply.status != 200) state.SkipWithError("unexpected status");
    benchmark::DoNotOptimize(reply.body.data());
  }
}

}  // namespace

BENCHMARK(BM_Baseline_ParseSyntheaBody)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_OrderSelect_SyntheaRecord)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_OrderSelect_SmallRequest)->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
