// bench/service_bench.cpp: service time of one order-select call, in process (no sockets).
//
// Baseline measured in the same run: parsing the same body with RapidJSON (the least any
// implementation must do). Report the service time as a ratio to that baseline; absolute numbers
// on shared CI machines are noise. Run with --benchmark_repetitions=10 --benchmark_report_aggregates_only=true
// and read the medians.
#include <benchmark/benchmark.h>

#include <rapidjson/document.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <sstream>

#include "hooks/audit/sqlite_store.hpp"
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
                                        service::service_options{64, [] { return test::scenario_now(); }, {}});
  return instance;
}

/// One order-select call, waiting for its reply (which the service sends once the audit record is
/// in the log, on the store's writer thread when the audit is on).
server::http_reply call_and_wait(service::ivig_service& service, const std::string& body) {
  std::promise<server::http_reply> replied;
  std::future<server::http_reply> reply = replied.get_future();
  service.call_service(
      server::caller{}, "ivig-order-select", body,
      server::reply_sink([&replied](server::http_reply r, bool) { replied.set_value(std::move(r)); }, {}));
  return reply.get();
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
    server::http_reply reply = call_and_wait(service_instance(), body);
    if (reply.status != 200) state.SkipWithError("unexpected status");
    benchmark::DoNotOptimize(reply.body.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}

void BM_OrderSelect_SmallRequest(benchmark::State& state) {
  const std::string& body = small_body();
  for (auto _ : state) {
    server::http_reply reply = call_and_wait(service_instance(), body);
    if (reply.status != 200) state.SkipWithError("unexpected status");
    benchmark::DoNotOptimize(reply.body.data());
  }
}

/// A service whose request caps (200 draft orders and selections by default) admit the sizes below.
service::ivig_service& uncapped_service() {
  static service::ivig_service instance = [] {
    service::service_options options{64, [] { return test::scenario_now(); }, {}};
    options.limits.draft_orders = options.limits.selections = 1 << 20;
    return service::ivig_service(test::embedded_knowledge(), std::move(options));
  }();
  return instance;
}

/// A hostile shape: N draft orders, every one selected. Cost must grow linearly with N (selections
/// are resolved through an index, not by scanning the Bundle once per selection). Above the default
/// caps: the index is what keeps a service with raised caps linear.
void BM_OrderSelect_ManySelections(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  test::hook_request request;
  for (std::size_t i = 0; i < n; ++i) {
    const std::string id = "o" + std::to_string(i);
    request.draft_orders.push_back(
        test::medication_request(id, test::concept_of(test::rxnorm, "161", "Acetaminophen"), false));
    request.selections.push_back("MedicationRequest/" + id);
  }
  const std::string body = request.json();
  for (auto _ : state) {
    server::http_reply reply = call_and_wait(uncapped_service(), body);
    if (reply.status != 200) state.SkipWithError("unexpected status");
    benchmark::DoNotOptimize(reply.body.data());
  }
  state.SetComplexityN(state.range(0));
}

/// The audit log's cost per call: the same small order-select with the SQLite store (WAL,
/// synchronous=FULL, group commit; durable before the reply) and with the audit turned off. Two
/// threads call at once, as the server's I/O threads do, so group commit can batch.
service::ivig_service& audited_service() {
  static const std::filesystem::path dir = std::filesystem::temp_directory_path() / "ivig-bench-audit";
  static std::shared_ptr<audit::sqlite_audit_store> store = [] {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    audit::audit_options options;
    options.path = (dir / "audit.sqlite3").string();
    return std::make_shared<audit::sqlite_audit_store>(options);
  }();
  static service::ivig_service instance(test::embedded_knowledge(),
                                        service::service_options{64, [] { return test::scenario_now(); }, {}}, store);
  return instance;
}

void BM_Audit_Off_SmallRequest(benchmark::State& state) {
  const std::string& body = small_body();
  for (auto _ : state) benchmark::DoNotOptimize(call_and_wait(service_instance(), body).body.data());
}

void BM_Audit_On_SmallRequest(benchmark::State& state) {
  const std::string& body = small_body();
  service::ivig_service& audited = audited_service();
  for (auto _ : state) benchmark::DoNotOptimize(call_and_wait(audited, body).body.data());
}

/// The bodies bench/load.sh sends over HTTP (bench/make_bodies.py), each measured in process with
/// its own baseline: the bare server's parse of that same body. `--bodies=DIR` registers a pair per
/// `*.json` file, so that "ratio to the parse limit" and "linear in prefetch size" can be read
/// without sockets (and profiled with callgrind: `--benchmark_filter=Call/small`).
void register_body_benchmarks(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  for (const std::filesystem::path& file : files) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    const auto body = std::make_shared<const std::string>(text.str());
    const std::string name = file.stem().string();
    benchmark::RegisterBenchmark(("BM_Baseline_Parse/" + name).c_str(), [body](benchmark::State& state) {
      for (auto _ : state) {
        rapidjson::Document doc;
        doc.Parse<rapidjson::kParseIterativeFlag>(body->data(), body->size());
        benchmark::DoNotOptimize(doc.IsObject());
      }
      state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body->size()));
    })->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("BM_Call/" + name).c_str(), [body](benchmark::State& state) {
      for (auto _ : state) {
        server::http_reply reply = call_and_wait(service_instance(), *body);
        if (reply.status != 200) state.SkipWithError("unexpected status");
        benchmark::DoNotOptimize(reply.body.data());
      }
      state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body->size()));
    })->Unit(benchmark::kMicrosecond);
  }
}

}  // namespace

BENCHMARK(BM_Audit_Off_SmallRequest)->Threads(2)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Audit_On_SmallRequest)->Threads(2)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_OrderSelect_ManySelections)
    ->RangeMultiplier(4)
    ->Range(256, 16384)
    ->Complexity()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Baseline_ParseSyntheaBody)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_OrderSelect_SyntheaRecord)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_OrderSelect_SmallRequest)->Unit(benchmark::kMicrosecond);

// `--write-body=FILE` writes the Synthea request body for bench/http_load.sh and exits.
// `--bodies=DIR` adds a baseline and a call benchmark per body of bench/make_bodies.py in DIR.
int main(int argc, char** argv) {
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg.rfind("--write-body=", 0) == 0) {
      ivig::test::write_file(std::string(arg.substr(13)), synthea_body());
      return 0;
    }
    if (arg.rfind("--bodies=", 0) == 0) {
      register_body_benchmarks(std::filesystem::path(arg.substr(9)));
      continue;
    }
    argv[kept++] = argv[i];
  }
  argc = kept;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
