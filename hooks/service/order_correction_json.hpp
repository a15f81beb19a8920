// hooks/service/order_correction_json.hpp: a MedicationRequest with the engine's correction applied,
// as the whole resource an `update` action carries.
//
// The dose is written the R4 way the FHIR spec's own IVIg example uses: a doseAndRate entry typed
// `ordered` in g/kg and one typed `calculated` in g; a capped rate goes into the first entry as
// rateQuantity (mL/h for this patient when known, else mg/kg/min). Everything else in the order is
// kept as the clinician wrote it.
#pragma once

#include <string>

#include "fhir/model/json_view.hpp"
#include "rules/engine/finding.hpp"

namespace ivig::service {

std::string corrected_order_json(const fhir::json_value& order, const rules::order_correction& correction);

}  // namespace ivig::service
