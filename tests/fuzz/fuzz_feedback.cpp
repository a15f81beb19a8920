// tests/fuzz/fuzz_feedback.cpp: the feedback reader — read_feedback on a parsed body, then the same
// body through ivig_service::feedback (null audit sink), which must answer 200 or a precise 4xx.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "hooks/protocol/feedback.hpp"
#include "hooks/protocol/json_body.hpp"
#include "hooks/service/ivig_service.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ivig;
  std::string body(reinterpret_cast<const char*>(data), size);
  if (auto parsed = protocol::parse_json_body(body, 64)) (void)protocol::read_feedback(*parsed);
  static service::ivig_service service(fuzz::embedded_knowledge(),
                                       service::service_options{64, fuzz::fixed_now, {}, [](std::string_view) {}});
  server::http_reply reply;
  bool replied = false;
  service.feedback(server::caller{}, "ivig-order-select", std::move(body),
                   server::reply_sink(
                       [&](server::http_reply r, bool) {
                         reply = std::move(r);
                         replied = true;
                       },
                       [] {
                         return server::http_reply{500, "dropped", "text/plain", {}};
                       }));
  if (!replied || reply.status >= 500) {
    std::fprintf(stderr, "status %u: %s\n", reply.status, reply.body.c_str());
    std::abort();
  }
  return 0;
}
