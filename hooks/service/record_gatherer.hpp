// hooks/service/record_gatherer.hpp: building the PatientRecord for one call.
//
// Prefetch first: every template key is read in each of the states of spec-digest §3.3 (absent,
// null, a resource, a searchset Bundle possibly empty or paged, an OperationOutcome). Keys still
// missing afterwards go to a `missing_data_source`, the seam where fetching from the EHR's FHIR
// server plugs in (a later step); until then the default source records them as not provided, with
// words a clinician can read. Nothing here decides clinical meaning.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "fhir/model/patient_record.hpp"
#include "fhir/model/result.hpp"
#include "hooks/protocol/cds_request.hpp"
#include "hooks/service/prefetch_templates.hpp"

namespace ivig::service {

/// Supplies data for template keys the prefetch did not cover.
class missing_data_source {
 public:
  virtual ~missing_data_source() = default;
  /// Fills `record` for `key` and sets its status (provided, error, ...).
  virtual void supply(const protocol::cds_request& request, const prefetch_template& missing,
                      fhir::patient_record& record) = 0;
};

/// The default until FHIR fetching lands: records the key as not provided, saying why.
class unavailable_data_source final : public missing_data_source {
 public:
  void supply(const protocol::cds_request& request, const prefetch_template& missing,
              fhir::patient_record& record) override;
};

/// The record read from the prefetch, with `fallback` asked for every key it lacked; an error when
/// the prefetch contradicts the context (a Patient that is not context.patientId).
[[nodiscard]] result<fhir::patient_record, protocol::request_error> gather_record(
    const protocol::cds_request& request, const std::vector<prefetch_template>& templates,
    missing_data_source& fallback);

}  // namespace ivig::service
