// fhir/model/resources.hpp: read-only views of the FHIR resources the rules use.
//
// One reader per resource type, tolerant of R4, STU3 and DSTU2 shapes (status as a code string or
// a CodeableConcept; AllergyIntolerance.substance in DSTU2; MedicationOrder for MedicationRequest).
// Views point into the request's JSON document. Nothing here decides clinical meaning: "active"
// below is FHIR status semantics, not a clinical judgement.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "fhir/model/datatypes.hpp"
#include "fhir/model/fhir_time.hpp"

namespace ivig::fhir {

/// FHIR clinical/verification status reduced to what the rules need.
struct record_status {
  std::string_view clinical;      ///< e.g. "active", "resolved"; empty when not recorded
  std::string_view verification;  ///< e.g. "confirmed", "refuted", "entered-in-error"; may be empty

  /// Refuted or entered in error: the record must be ignored entirely.
  bool ruled_out() const;
  /// Not ruled out, and clinically active (or with no clinical status recorded).
  bool active() const;
};

struct patient {
  std::string_view id;
  std::string_view gender;
  std::optional<fhir_time> birth_date;
};

struct condition {
  std::string_view id;
  codeable_concept code;
  record_status status;
  std::optional<fhir_time> onset;
  std::optional<fhir_time> recorded;
  std::string_view note;  ///< first note text, if any
};

struct observation {
  std::string_view id;
  codeable_concept code;
  std::string_view status;
  std::optional<fhir_time> effective;
  std::optional<quantity> value_quantity;
  codeable_concept value_concept;
  std::string_view value_string;
  std::vector<codeable_concept> interpretations;
  std::optional<quantity> reference_low;
  std::optional<quantity> reference_high;

  /// Final, amended or corrected, or no status given: a result that may be used.
  bool usable() const;
};

struct allergy_reaction {
  codeable_concept substance;
  std::vector<codeable_concept> manifestations;
  std::string_view severity;  ///< "mild", "moderate", "severe" or empty
};

struct allergy_intolerance {
  std::string_view id;
  codeable_concept code;  ///< R4/STU3 `code`, DSTU2 `substance`
  record_status status;
  std::string_view criticality;  ///< "low", "high", "unable-to-assess" (DSTU2 "CRITH" reads as "high")
  std::vector<allergy_reaction> reactions;
  std::optional<fhir_time> recorded;
  std::string_view note;
};

struct medication {
  std::string_view id;
  codeable_concept code;
  std::vector<codeable_concept> ingredients;
};

/// A MedicationRequest (R4, STU3) or MedicationOrder (DSTU2).
struct medication_order {
  const json_value* json = nullptr;  ///< the whole resource, for building `update` actions
  std::string_view resource_type;
  std::string_view id;
  std::string_view status;
  std::string_view intent;
  codeable_concept medication_concept;
  std::string_view medication_reference;
  std::vector<codeable_concept> routes;
  std::vector<std::string_view> dosage_texts;
  std::vector<codeable_concept> reasons;
  std::optional<fhir_time> authored;
  /// priorPrescription (R4/STU3): the order this one renews or replaces ("MedicationRequest/x").
  std::string_view prior_prescription;
};

struct service_request {
  std::string_view id;
  codeable_concept code;
  std::string_view status;
};

struct immunization {
  std::string_view id;
  codeable_concept vaccine;
  std::string_view status;
  std::optional<fhir_time> occurrence;
};

/// A Procedure (R4, STU3, DSTU2): what was done, its status, and when (performedDateTime, or the
/// start of performedPeriod).
struct procedure {
  std::string_view id;
  codeable_concept code;
  std::string_view status;  ///< "preparation", "in-progress", "completed", "not-done", "entered-in-error", ...
  std::optional<fhir_time> performed;
};

std::string_view resource_type_of(const json_value& resource);
std::string_view resource_id_of(const json_value& resource);

patient read_patient(const json_value& resource);
condition read_condition(const json_value& resource);
observation read_observation(const json_value& resource);
allergy_intolerance read_allergy(const json_value& resource);
medication read_medication(const json_value& resource);
medication_order read_medication_order(const json_value& resource);
service_request read_service_request(const json_value& resource);
immunization read_immunization(const json_value& resource);
procedure read_procedure(const json_value& resource);

/// True for the resource types read as medication orders (MedicationRequest, MedicationOrder).
bool is_medication_order_type(std::string_view resource_type);

}  // namespace ivig::fhir
