// tests/fuzz/fuzz_fhir_record.cpp: FHIR resources and Bundles as a prefetch — the record is gathered
// as the service gathers it (gather_record with the templates derived from the knowledge), then every
// resource view is read from every resource it holds, whatever its type.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fhir/model/bundle.hpp"
#include "fhir/model/dosage.hpp"
#include "fhir/model/resources.hpp"
#include "hooks/protocol/cds_request.hpp"
#include "hooks/protocol/json_body.hpp"
#include "hooks/service/prefetch_templates.hpp"
#include "hooks/service/record_gatherer.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace {

using namespace ivig;

/// Every view, on any resource: the views are lenient and must cope with a resource of another type.
void read_every_view(const fhir::json_value& resource) {
  fhir::resource_type_of(resource);
  fhir::resource_id_of(resource);
  fhir::read_patient(resource);
  fhir::read_condition(resource);
  fhir::read_observation(resource);
  fhir::read_allergy(resource);
  fhir::read_medication(resource);
  fhir::read_medication_order(resource);
  fhir::read_service_request(resource);
  fhir::read_immunization(resource);
  fhir::read_procedure(resource);
  fhir::read_medication_administration(resource);
  fhir::read_coverage_information(resource);
  fhir::read_dosages(resource);
  fhir::summarize_operation_outcome(resource);
  fhir::operation_outcome_has_error(resource);
  fhir::next_page_url(resource);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::vector<service::prefetch_template> templates =
      service::derive_prefetch_templates(*fuzz::embedded_knowledge());
  // The input is a whole request (the seeds are), or its prefetch members alone are what matters.
  auto parsed = protocol::parse_json_body(std::string_view(reinterpret_cast<const char*>(data), size), 64);
  if (!parsed) return 0;
  protocol::cds_request request;
  request.context.patient_id = "p1";
  const fhir::json_value& root = *parsed;
  const auto prefetch = root.FindMember("prefetch");
  request.prefetch = prefetch != root.MemberEnd() && prefetch->value.IsObject() ? &prefetch->value : &root;
  // gather_record reads each resource by its type (patient_record::add_resource) ...
  auto record = service::gather_record(request, templates, "");
  if (record) record->status_of("conditions");
  // ... and here every view reads every resource, of whatever type.
  for (auto member = request.prefetch->MemberBegin(); member != request.prefetch->MemberEnd(); ++member) {
    read_every_view(member->value);
    fhir::for_each_bundle_resource(member->value, [](const fhir::json_value& r) { read_every_view(r); });
  }
  return 0;
}
