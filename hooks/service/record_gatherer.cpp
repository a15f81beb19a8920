// hooks/service/record_gatherer.cpp: prefetch states -> PatientRecord statuses.
#include "hooks/service/record_gatherer.hpp"

#include "fhir/model/bundle.hpp"
#include "hooks/protocol/sent_text.hpp"

namespace ivig::service {

result<fhir::patient_record, protocol::request_error> gather_record(const protocol::cds_request& request,
                                                                    const std::vector<prefetch_template>& templates,
                                                                    std::string_view unfetched) {
  fhir::patient_record record;
  for (const prefetch_template& t : templates) {
    const fhir::json_value* value = request.prefetch == nullptr ? nullptr : fhir::member(request.prefetch, t.key);
    if (value == nullptr) {
      record.set_status(
          t.key, {fhir::data_state::not_provided,
                  "the EHR did not send " + t.what + " (prefetch '" + t.key + "')" + std::string(unfetched), false,
                  "not sent"});
      continue;
    }
    if (value->IsNull()) {  // the client has no data for this key: an answer, not a gap
      record.set_status(t.key, {fhir::data_state::provided, {}});
      continue;
    }
    if (!value->IsObject() || fhir::resource_type_of(*value).empty()) {
      record.set_status(t.key, {fhir::data_state::error, "the EHR sent something other than FHIR data for " + t.what,
                                false, "not FHIR data"});
      continue;
    }
    const std::string_view type = fhir::resource_type_of(*value);
    if (type == "OperationOutcome") {
      record.set_status(
          t.key, {fhir::data_state::error,
                  "the EHR could not provide " + t.what + " (" + fhir::summarize_operation_outcome(*value) + ")", false,
                  "operation outcome"});
      continue;
    }
    if (type == "Bundle") {
      const std::optional<std::string> outcome = fhir::for_each_search_result(
          *value, [&](const fhir::json_value& resource) { record.add_resource(resource); });
      if (fhir::has_next_page(*value)) {
        record.set_status(t.key, {fhir::data_state::incomplete,
                                  "only the first page of " + t.what + " was sent" +
                                      (unfetched.empty() ? "" : "; the further pages were not fetched"),
                                  false, "first page only"});
      } else if (outcome) {
        record.set_status(
            t.key, {fhir::data_state::error, "the search for " + t.what + " reported a problem (" + *outcome + ")",
                    false, "operation outcome"});
      } else {
        record.set_status(t.key, {fhir::data_state::provided, {}});
      }
      continue;
    }
    if (t.key == "patient" && type == "Patient" && fhir::resource_id_of(*value) != request.context.patient_id) {
      return failure(protocol::request_error{
          protocol::error_code::prefetch_patient_mismatch,
          "prefetch.patient is the Patient " + protocol::quoted_excerpt(fhir::resource_id_of(*value)) +
              " but context.patientId is " + protocol::quoted_excerpt(request.context.patient_id) + "."});
    }
    record.add_resource(*value);
    record.set_status(t.key, {fhir::data_state::provided, {}});
  }
  return record;
}

}  // namespace ivig::service
