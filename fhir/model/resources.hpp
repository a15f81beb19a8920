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

/// A MedicationAdministration (R4, STU3): an infusion that was given, the history R14, R16 and R26
/// and the worksheet read (earlier immune globulin courses).
struct medication_administration {
  std::string_view id;
  std::string_view status;  ///< "completed", "in-progress", "not-done", "stopped", "entered-in-error", …
  codeable_concept medication_concept;
  std::string_view medication_reference;
  std::optional<fhir_time> effective;  ///< effectiveDateTime, else effectivePeriod.start (DSTU3 effective[x] too)
  std::optional<quantity> dose;        ///< dosage.dose
  std::optional<quantity> rate;        ///< dosage.rateQuantity
  std::string_view dosage_text;
  std::string_view request;  ///< the order it fulfils ("MedicationRequest/x")
  std::vector<std::string_view> notes;  ///< how it was tolerated, premedication, as recorded
};

/// The payer's answer an EHR puts on the order (Da Vinci CRD `coverage-information` extension,
/// http://hl7.org/fhir/us/davinci-crd/StructureDefinition/ext-coverage-information): whether the
/// order is covered and whether prior authorisation is needed or satisfied.
struct coverage_information {
  std::string_view covered;    ///< "covered", "not-covered", "conditional"
  std::string_view pa_needed;  ///< "auth-needed", "no-auth", "satisfied", "performpa", "conditional"
  std::string_view satisfied_pa_id;
  std::string_view date;
};
/// The order's coverage information, the first one given; nullopt when it carries none.
std::optional<coverage_information> read_coverage_information(const json_value& order);

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
medication_administration read_medication_administration(const json_value& resource);

}  // namespace ivig::fhir
