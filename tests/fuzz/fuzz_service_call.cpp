// tests/fuzz/fuzz_service_call.cpp: the whole evaluation from a request body, in process and without
// sockets, as bench/service_bench.cpp calls it: ivig_service::call_service with the embedded knowledge,
// the null audit sink and no FHIR client. The first byte picks the hook. A 5xx is a finding: every
// body a client can send must get cards or a precise 4xx.
#include <cstddef>
#include <cstdint>
#include <string>

#include "hooks/service/ivig_service.hpp"
#include "tests/fuzz/answered_call.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ivig;
  if (size == 0) return 0;
  static service::ivig_service service(fuzz::embedded_knowledge(),
                                       service::service_options{64, fuzz::fixed_now, {}, [](std::string_view) {}});
  const char* service_id = data[0] % 2 == 0 ? "ivig-order-select" : "ivig-order-sign";
  std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
  // The null audit sink completes at once, so the reply is in before call_service returns.
  fuzz::expect_answered_below_500([&](server::reply_sink sink) {
    service.call_service(server::caller{}, service_id, std::move(body), std::move(sink));
  });
  return 0;
}
