// hooks/service/lab_order_json.hpp: a laboratory order the engine proposes (rules::lab_order) as the
// FHIR R4 ServiceRequest of a CDS Hooks `create` action.
#pragma once

#include <string>
#include <string_view>

#include "rules/engine/finding.hpp"

namespace ivig::service {

/// A draft ServiceRequest for the test, for `patient_reference` ("Patient/123"), due from `from`
/// (occurrenceDateTime) or within [from, to] (occurrencePeriod), with `reason` as its note.
std::string lab_order_json(const rules::lab_order& lab, std::string_view patient_reference, std::string_view reason);

}  // namespace ivig::service
