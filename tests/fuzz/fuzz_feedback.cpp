// tests/fuzz/fuzz_feedback.cpp: the feedback reader — read_feedback on a parsed body, then the same
// body through ivig_service::feedback (null audit sink), which must answer 200 or a precise 4xx.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "hooks/protocol/feedback.hpp"
#include "hooks/protocol/json_body.hpp"
#include "hooks/service/ivig_service.hpp"
#include "tests/fuzz/answered_call.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ivig;
  std::string body(reinterpret_cast<const char*>(data), size);
  if (auto parsed = protocol::parse_json_body(body, 64)) (void)protocol::read_feedback(*parsed);
  static service::ivig_service service(fuzz::embedded_knowledge(),
                                       service::service_options{64, fuzz::fixed_now, {}, [](std::string_view) {}});
  fuzz::expect_answered_below_500([&](server::reply_sink sink) {
    service.feedback(server::caller{}, "ivig-order-select", std::move(body), std::move(sink));
  });
  return 0;
}
