// tests/fuzz/fuzz_dose_plan.cpp: dosage and quantity normalisation — a medication order (JSON) read by
// fhir::read_dosages, then planned by rules::plan_dose as an IVIg order, with no weight, an ordinary
// weight and the first identified product's concentration, so the g/kg and rate arithmetic all runs.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fhir/model/dosage.hpp"
#include "fhir/model/resources.hpp"
#include "hooks/protocol/json_body.hpp"
#include "rules/engine/dose_plan.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ivig;
  const auto& kb = fuzz::embedded_knowledge();
  auto parsed = protocol::parse_json_body(std::string_view(reinterpret_cast<const char*>(data), size), 64);
  if (!parsed) return 0;
  const fhir::json_value& order_json = *parsed;
  fhir::read_dosages(order_json);
  fhir::read_dosage(order_json);  // an input that is a dosageInstruction itself
  const fhir::medication_order order = fhir::read_medication_order(order_json);
  rules::ivig_order ivig{&order, {}, "fuzz"};
  for (const double weight_kg : {0.0, 70.0}) rules::plan_dose(ivig, weight_kg);
  if (!kb->products.empty()) {
    ivig.candidates.push_back(&kb->products.front());
    rules::plan_dose(ivig, 70.0);
  }
  return 0;
}
