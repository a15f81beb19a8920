// hooks/service/record_gatherer.hpp: building the PatientRecord for one call.
//
// Prefetch first: every template key is read in each of the states of spec-digest §3.3 (absent,
// null, a resource, a searchset Bundle possibly empty or paged, an OperationOutcome). Keys still
// missing afterwards are recorded as not provided, with words a clinician can read; the service then
// fetches them from the EHR's FHIR server when it can (record_fetcher.hpp), which replaces those
// words with the outcome. Nothing here decides clinical meaning.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "fhir/model/patient_record.hpp"
#include "fhir/model/result.hpp"
#include "hooks/protocol/cds_request.hpp"
#include "hooks/service/prefetch_templates.hpp"

namespace ivig::service {

/// The record read from the prefetch; a key it lacks is not provided, and its words end with
/// `unfetched`, which says why the FHIR server will not be asked (" and gave no FHIR server to
/// query"), or is empty when it will be. An error when the prefetch contradicts the context (a
/// Patient that is not context.patientId).
[[nodiscard]] result<fhir::patient_record, protocol::request_error> gather_record(
    const protocol::cds_request& request, const std::vector<prefetch_template>& templates,
    std::string_view unfetched);

}  // namespace ivig::service
