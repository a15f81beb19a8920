// bench/work_per_request_bench.cpp: an order-sign's service time against its number of draft
// orders (issue 14, "bounded work per request"); part of service_bench.
//
// N draft IVIg orders (N = 10, 100, 200: the default --max-draft-orders), every one checked: dose,
// rate and history rules, one worksheet card per order and one R26 card for the session. The time
// per order (the "per_order" counter) should stay roughly constant as N grows; R26 once listed every
// other order on every order's card, which made it grow with N. docs/performance.md, "Work per
// request", gives the ratios.
#include <benchmark/benchmark.h>

#include <future>
#include <string>
#include <utility>

#include "hooks/service/ivig_service.hpp"
#include "tests/support/fhir_builders.hpp"
#include "tests/support/test_support.hpp"

namespace {

using namespace ivig;

service::ivig_service& sign_service() {
  static service::ivig_service instance(test::embedded_knowledge(),
                                        service::service_options{64, [] { return test::scenario_now(); }, {}});
  return instance;
}

/// An order-sign of `n` draft Privigen orders (0.4 g/kg, 28 g, once, for CIDP) for a 70 kg patient.
std::string sign_body(std::size_t n) {
  std::vector<std::string> orders;
  const std::string cidp = R"({"text":"Chronic inflammatory demyelinating polyneuropathy"})";
  const std::string one = test::ivig_order_for(test::privigen(), cidp, 0.4, 28);
  for (std::size_t i = 0; i < n; ++i) {
    std::string order = one;
    order.replace(order.find("\"ivig-1\""), 8, "\"ivig-" + std::to_string(i + 1) + "\"");
    orders.push_back(std::move(order));
  }
  test::hook_request request = test::order_sign_with(orders);
  test::set_prefetch(request, "observations", {test::body_weight(70), test::body_height(170)});
  return request.json();
}

server::http_reply sign_and_wait(const std::string& body) {
  std::promise<server::http_reply> replied;
  std::future<server::http_reply> reply = replied.get_future();
  sign_service().call_service(
      server::caller{}, "ivig-order-sign", body,
      server::reply_sink([&replied](server::http_reply r, bool) { replied.set_value(std::move(r)); }, {}));
  return reply.get();
}

void BM_OrderSign_DraftOrders(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const std::string body = sign_body(n);
  std::size_t response_bytes = 0;
  for (auto _ : state) {
    server::http_reply reply = sign_and_wait(body);
    if (reply.status != 200) {
      state.SkipWithError(("HTTP " + std::to_string(reply.status) + ": " + reply.body.substr(0, 300)).c_str());
      break;
    }
    response_bytes = reply.body.size();
    benchmark::DoNotOptimize(reply.body.data());
  }
  // Seconds per order (inverted rate), and the answer's bytes per order: both should stay flat.
  state.counters["per_order"] = benchmark::Counter(
      static_cast<double>(n), benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
  state.counters["bytes_per_order"] = static_cast<double>(response_bytes) / static_cast<double>(n);
  state.SetComplexityN(state.range(0));
}

}  // namespace

BENCHMARK(BM_OrderSign_DraftOrders)->Arg(10)->Arg(100)->Arg(200)->Complexity()->Unit(benchmark::kMillisecond);
