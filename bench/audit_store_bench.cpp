// bench/audit_store_bench.cpp: the audit cost per call, through each store: records per second and the
// time one record takes to be committed (record_call, blocking, as the service's completion waits).
//
// The same call record (one card, three rules fired of thirty, an order-select's size without replay
// input) goes to the SQLite store (a file under the temporary folder, power-loss durability: one fsync
// per batch) and to the PostgreSQL store (synchronous_commit on) in the same run, at 1 and 8 submitting
// threads, so that PG/SQLite can be read as a ratio. The argument is the size in KiB of the replay
// input as the store receives it (the service packs it first: hooks/service/replay_input_codec.hpp),
// so that its cost reads as a ratio to 0 (none, as with --audit-replay-inputs false): 2 is a small
// order-select's, 48 a Synthea patient's 364 KB prefetch deflated, 256 that prefetch as text (how
// inputs were stored before they were packed). PostgreSQL: IVIG_TEST_PG_URL when set (a server of
// the run), else one started like the tests' (tests/support/pg_test_server.hpp); without PostgreSQL
// installed its benchmarks are skipped. Figures and how to read them: docs/performance.md.
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <filesystem>
#include <memory>

#include "hooks/audit/pg_store.hpp"
#include "hooks/audit/sqlite_store.hpp"
#include "tests/support/pg_test_server.hpp"

namespace {

using namespace ivig::audit;

call_record bench_call() {
  call_record call;
  call.received_at = "2026-11-22T12:00:00Z";
  call.service_id = "ivig-order-select";
  call.hook = "order-select";
  call.hook_instance = "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea";
  call.user_id = "Practitioner/example";
  call.patient = "p1";
  call.encounter_id = "e1";
  call.orders = {"MedicationRequest/1: Privigen, 0.5 g/kg (35 g)"};
  for (int r = 1; r <= 30; ++r) call.rules.push_back({"R" + std::to_string(r), r == 3 || r == 5 || r == 8, {}});
  call.cards = {
      {"1f0e6c1a-0000-5000-8000-000000000001", "warning", "Switch to a product without sorbitol", {"R3", "R5"}}};
  call.knowledge_version = "2026.11.7";
  call.data = {{"patient", "prefetch"}, {"conditions", "prefetch"}, {"observations", "prefetch"}};
  call.service_ms = 1.5;
  return call;
}

std::unique_ptr<audit_sink> sqlite_store;
std::unique_ptr<audit_sink> pg_store;
std::string skip_pg;

void record(benchmark::State& state, audit_sink* store) {
  if (store == nullptr) {
    state.SkipWithError(skip_pg.c_str());
    return;
  }
  call_record call = bench_call();
  // FHIR-like JSON of the given size: it is stored as a string member of the chained payload, so its
  // quotes are escaped on the way in, as a real input's are.
  const std::size_t replay_bytes = static_cast<std::size_t>(state.range(0)) * 1024;
  while (call.replay_input.size() < replay_bytes)
    call.replay_input +=
        R"({"resourceType":"Observation","status":"final","valueQuantity":{"value":72.5,"unit":"kg"}},)";
  call.replay_input.resize(replay_bytes);
  for (auto _ : state) {
    if (!store->record_call(call)) state.SkipWithError("the store failed");
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_AuditStore_Sqlite(benchmark::State& state) {
  record(state, sqlite_store.get());
}
void BM_AuditStore_Postgres(benchmark::State& state) {
  record(state, pg_store.get());
}

/// Every replay-input size (KiB as stored) at 1 and 8 submitting threads, for both stores alike.
void sizes_and_threads(benchmark::internal::Benchmark* b) {
  for (const int kib : {0, 2, 48, 256}) b->Arg(kib);
  b->Threads(1)->Threads(8)->UseRealTime()->Unit(benchmark::kMicrosecond);
}

BENCHMARK(BM_AuditStore_Sqlite)->Apply(sizes_and_threads);
BENCHMARK(BM_AuditStore_Postgres)->Apply(sizes_and_threads);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("ivig-audit-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  audit_options options;
  options.path = (dir / "audit.sqlite3").string();
  sqlite_store = std::make_unique<sqlite_audit_store>(options);
  if (ivig::test::pg_test_server* server = ivig::test::pg_test_server::get()) {
    pg_audit_options pg;
    pg.common.path = (dir / "pg").string();
    pg.url = server->create_database("audit_store_bench");
    pg.chain_id = "bench";
    pg_store = std::make_unique<pg_audit_store>(pg);
  } else {
    skip_pg = "no PostgreSQL: " + ivig::test::pg_test_server::skip_reason();
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  sqlite_store.reset();
  pg_store.reset();
  std::filesystem::remove_all(dir);
  return 0;
}
