// tests/fuzz/fuzz_cds_request.cpp: the request body reader — parse_json_body, then read_cds_request
// for both hooks. Any outcome is fine except a crash, a sanitizer report or an exception.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "hooks/protocol/cds_request.hpp"
#include "hooks/protocol/json_body.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ivig::protocol;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  json_nesting_depth(body, 64);
  auto parsed = parse_json_body(body, 64);
  if (!parsed) return 0;
  for (const hook_kind hook : {hook_kind::order_select, hook_kind::order_sign}) {
    auto request = read_cds_request(*parsed, hook);
    if (request) request->context.draft_index.find("MedicationRequest/m1");
  }
  return 0;
}
