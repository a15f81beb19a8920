// fhir/model/patient_record.cpp: dispatching resources into the record.
#include "fhir/model/patient_record.hpp"

namespace ivig::fhir {

const data_status& patient_record::status_of(std::string_view category) const {
  static const data_status never_mentioned{};
  const auto it = categories.find(category);
  return it == categories.end() ? never_mentioned : it->second;
}

void patient_record::set_status(std::string_view category, data_status status) {
  categories.insert_or_assign(std::string(category), std::move(status));
}

void patient_record::add_resource(const json_value& resource) {
  const std::string_view type = resource_type_of(resource);
  if (type == "Condition") {
    conditions.push_back(read_condition(resource));
  } else if (type == "Observation") {
    observations.push_back(read_observation(resource));
  } else if (type == "AllergyIntolerance") {
    allergies.push_back(read_allergy(resource));
  } else if (is_medication_order_type(type)) {
    medication_orders.push_back(read_medication_order(resource));
  } else if (type == "MedicationAdministration") {
    administrations.push_back(read_medication_administration(resource));
  } else if (type == "Immunization") {
    immunizations.push_back(read_immunization(resource));
  } else if (type == "Procedure") {
    procedures.push_back(read_procedure(resource));
  } else if (type == "Medication") {
    medications.push_back(read_medication(resource));
  } else if (type == "Patient") {
    if (!subject) subject = read_patient(resource);
  }
}

}  // namespace ivig::fhir
