// bench/feedback_bench.cpp: a feedback post's service time against its number of items (issue 14,
// "bounded work per request"); part of service_bench.
//
// N items (10, 100, 500: the default --max-feedback-items, and 10,000 with the cap raised to it),
// each an "accepted" outcome for a card this process never issued (recorded unmatched), written to a
// real SQLite audit log at the default durability. The items of one post share one transaction, so
// the time per item (the "per_item" counter) should stay flat or fall as N grows; the security review
// once saw 100,000 items take 36 s, each written durably on its own. Every iteration sends fresh card
// ids: a repeated id is a duplicate, a cheaper path. docs/performance.md, "Work per request".
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <future>
#include <memory>
#include <string>

#include "hooks/audit/sqlite_store.hpp"
#include "hooks/service/ivig_service.hpp"
#include "tests/support/test_support.hpp"

namespace {

using namespace ivig;

/// The service in front of a real audit log in a folder of its own, removed at exit.
class feedback_bench_service {
 public:
  feedback_bench_service()
      : dir_(std::filesystem::temp_directory_path() / ("ivig-feedback-bench-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    audit::audit_options audit;
    audit.path = (dir_ / "audit.sqlite3").string();
    audit.log = [](std::string_view) {};
    store_ = std::make_shared<audit::sqlite_audit_store>(audit);
    service::service_options options{64, [] { return test::scenario_now(); }, {}};
    options.limits.feedback_items = 10000;
    service_ = std::make_unique<service::ivig_service>(test::embedded_knowledge(), options, store_);
  }
  ~feedback_bench_service() {
    service_.reset();
    store_.reset();  // drains the writer before the folder goes
    std::filesystem::remove_all(dir_);
  }
  feedback_bench_service(const feedback_bench_service&) = delete;
  feedback_bench_service& operator=(const feedback_bench_service&) = delete;

  server::http_reply post(std::string body) {
    std::promise<server::http_reply> replied;
    std::future<server::http_reply> reply = replied.get_future();
    service_->feedback(
        server::caller{}, "ivig-order-select", std::move(body),
        server::reply_sink([&replied](server::http_reply r, bool) { replied.set_value(std::move(r)); }, {}));
    return reply.get();
  }

 private:
  std::filesystem::path dir_;
  std::shared_ptr<audit::sqlite_audit_store> store_;
  std::unique_ptr<service::ivig_service> service_;
};

feedback_bench_service& feedback_service() {
  static feedback_bench_service instance;
  return instance;
}

/// `n` accepted outcomes for cards bench-card-<next>…, never sent before in this process.
std::string feedback_body(std::size_t n, std::uint64_t& next_card) {
  std::string body = R"({"feedback":[)";
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0) body += ',';
    body += R"({"card":"bench-card-)" + std::to_string(next_card++) +
            R"(","outcome":"accepted","acceptedSuggestions":[{"id":"s1"}],"outcomeTimestamp":"2026-11-22T10:05:31Z"})";
  }
  return body + "]}";
}

void BM_Feedback_Items(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  static std::uint64_t next_card = 0;
  const std::string expected =
      R"({"recorded":)" + std::to_string(n) + R"(,"duplicates":0,"unmatched":)" + std::to_string(n) + "}";
  for (auto _ : state) {
    state.PauseTiming();
    std::string body = feedback_body(n, next_card);
    state.ResumeTiming();
    const server::http_reply reply = feedback_service().post(std::move(body));
    if (reply.status != 200 || reply.body != expected) {
      state.SkipWithError(("HTTP " + std::to_string(reply.status) + ": " + reply.body.substr(0, 300)).c_str());
      break;
    }
  }
  // Seconds per item (inverted rate): it should stay flat, or fall as one transaction carries more.
  state.counters["per_item"] = benchmark::Counter(
      static_cast<double>(n), benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

}  // namespace

// Real time: the work is the audit writer's, on its own thread.
BENCHMARK(BM_Feedback_Items)->Arg(10)->Arg(100)->Arg(500)->Arg(10000)->UseRealTime()->Unit(benchmark::kMillisecond);
