// fhir/model/resources.cpp: the lenient resource readers.
#include "fhir/model/resources.hpp"

namespace ivig::fhir {
namespace {

/// A status that R4 gives as a CodeableConcept and STU3/DSTU2 as a code string.
std::string_view read_status_code(const json_value* value) {
  if (value == nullptr) return {};
  if (value->IsString()) return as_string(value);
  const codeable_concept concept_read = read_codeable_concept(value);
  for (const coding& c : concept_read.codings)
    if (!c.code.empty()) return c.code;
  return concept_read.text;
}

std::optional<fhir_time> time_member(const json_value& object, std::string_view key) {
  const std::string_view text = string_member(object, key);
  if (text.empty()) return std::nullopt;
  return parse_fhir_time(text);
}

/// The start of the Period in `key` (a Period counts from its start); null when absent.
std::optional<fhir_time> period_start(const json_value& resource, std::string_view key) {
  const json_value* period = member(resource, key);
  return period == nullptr ? std::nullopt : time_member(*period, "start");
}

std::string_view first_note(const json_value& resource) {
  std::string_view text;
  for_each_element(member(resource, "note"), [&](const json_value& note) {
    if (text.empty()) text = string_member(note, "text");
  });
  return text;
}

}  // namespace

bool record_status::ruled_out() const {
  return verification == "refuted" || verification == "entered-in-error" || clinical == "entered-in-error" ||
         clinical == "refuted";
}

bool record_status::active() const {
  if (ruled_out()) return false;
  return clinical.empty() || clinical == "active" || clinical == "recurrence" || clinical == "relapse";
}

bool observation::usable() const {
  return status.empty() || status == "final" || status == "amended" || status == "corrected" || status == "preliminary";
}

std::string_view resource_type_of(const json_value& resource) {
  return string_member(resource, "resourceType");
}
std::string_view resource_id_of(const json_value& resource) {
  return string_member(resource, "id");
}

bool is_medication_order_type(std::string_view resource_type) {
  return resource_type == "MedicationRequest" || resource_type == "MedicationOrder";
}

patient read_patient(const json_value& resource) {
  patient out;
  out.id = resource_id_of(resource);
  out.gender = string_member(resource, "gender");
  out.birth_date = time_member(resource, "birthDate");
  return out;
}

condition read_condition(const json_value& resource) {
  condition out;
  out.id = resource_id_of(resource);
  out.code = read_codeable_concept(member(resource, "code"));
  out.status.clinical = read_status_code(member(resource, "clinicalStatus"));
  out.status.verification = read_status_code(member(resource, "verificationStatus"));
  out.onset = time_member(resource, "onsetDateTime");
  if (!out.onset) out.onset = time_member(resource, "onsetDate");
  out.recorded = time_member(resource, "recordedDate");
  if (!out.recorded) out.recorded = time_member(resource, "assertedDate");
  if (!out.recorded) out.recorded = time_member(resource, "dateRecorded");
  out.note = first_note(resource);
  return out;
}

observation read_observation(const json_value& resource) {
  observation out;
  out.id = resource_id_of(resource);
  out.code = read_codeable_concept(member(resource, "code"));
  out.status = string_member(resource, "status");
  out.effective = time_member(resource, "effectiveDateTime");
  if (!out.effective) out.effective = time_member(resource, "effectiveInstant");
  if (!out.effective) out.effective = period_start(resource, "effectivePeriod");
  if (!out.effective) out.effective = time_member(resource, "issued");
  out.value_quantity = read_quantity(member(resource, "valueQuantity"));
  out.value_concept = read_codeable_concept(member(resource, "valueCodeableConcept"));
  out.value_string = string_member(resource, "valueString");
  read_codeable_concepts(member(resource, "interpretation"), out.interpretations);
  for_each_element(member(resource, "referenceRange"), [&](const json_value& range) {
    if (!out.reference_low) out.reference_low = read_quantity(member(range, "low"));
    if (!out.reference_high) out.reference_high = read_quantity(member(range, "high"));
  });
  return out;
}

allergy_intolerance read_allergy(const json_value& resource) {
  allergy_intolerance out;
  out.id = resource_id_of(resource);
  out.code = read_codeable_concept(member(resource, "code"));
  if (out.code.empty()) out.code = read_codeable_concept(member(resource, "substance"));  // DSTU2
  out.status.clinical = read_status_code(member(resource, "clinicalStatus"));
  out.status.verification = read_status_code(member(resource, "verificationStatus"));
  if (out.status.clinical.empty() && out.status.verification.empty()) {
    // DSTU2 folds both into one `status` code (active, resolved, refuted, entered-in-error, ...).
    const std::string_view dstu2 = string_member(resource, "status");
    if (dstu2 == "refuted" || dstu2 == "entered-in-error")
      out.status.verification = dstu2;
    else
      out.status.clinical = dstu2 == "confirmed" || dstu2 == "unconfirmed" ? std::string_view{"active"} : dstu2;
  }
  const std::string_view criticality = string_member(resource, "criticality");
  out.criticality = criticality == "CRITH"   ? std::string_view{"high"}
                    : criticality == "CRITL" ? std::string_view{"low"}
                                             : criticality;
  for_each_element(member(resource, "reaction"), [&](const json_value& reaction) {
    allergy_reaction read;
    read.substance = read_codeable_concept(member(reaction, "substance"));
    read_codeable_concepts(member(reaction, "manifestation"), read.manifestations);
    read.severity = string_member(reaction, "severity");
    out.reactions.push_back(std::move(read));
  });
  out.recorded = time_member(resource, "recordedDate");
  if (!out.recorded) out.recorded = time_member(resource, "assertedDate");
  if (!out.recorded) out.recorded = time_member(resource, "onsetDateTime");
  out.note = first_note(resource);
  return out;
}

medication read_medication(const json_value& resource) {
  medication out;
  out.id = resource_id_of(resource);
  out.code = read_codeable_concept(member(resource, "code"));
  for_each_element(member(resource, "ingredient"), [&](const json_value& ingredient) {
    codeable_concept item = read_codeable_concept(member(ingredient, "itemCodeableConcept"));
    if (!item.empty()) out.ingredients.push_back(std::move(item));
  });
  return out;
}

medication_order read_medication_order(const json_value& resource) {
  medication_order out;
  out.json = &resource;
  out.resource_type = resource_type_of(resource);
  out.id = resource_id_of(resource);
  out.status = string_member(resource, "status");
  out.intent = string_member(resource, "intent");
  out.medication_concept = read_codeable_concept(member(resource, "medicationCodeableConcept"));
  out.medication_reference = read_reference(member(resource, "medicationReference"));
  // R5-style CodeableReference (`medication: {concept, reference}`), sent by some newer clients.
  if (const json_value* codeable_reference = member(resource, "medication");
      codeable_reference != nullptr && out.medication_concept.empty() && out.medication_reference.empty()) {
    out.medication_concept = read_codeable_concept(member(codeable_reference, "concept"));
    out.medication_reference = read_reference(member(codeable_reference, "reference"));
  }
  for_each_element(member(resource, "dosageInstruction"), [&](const json_value& dosage) {
    codeable_concept route = read_codeable_concept(member(dosage, "route"));
    if (!route.empty()) out.routes.push_back(std::move(route));
    const std::string_view text = string_member(dosage, "text");
    if (!text.empty()) out.dosage_texts.push_back(text);
  });
  read_codeable_concepts(member(resource, "reasonCode"), out.reasons);
  out.prior_prescription = read_reference(member(resource, "priorPrescription"));
  const std::string_view authored = string_member(resource, "authoredOn");
  const std::string_view written = string_member(resource, "dateWritten");
  if (!authored.empty())
    out.authored = parse_fhir_time(authored);
  else if (!written.empty())
    out.authored = parse_fhir_time(written);
  return out;
}

medication_administration read_medication_administration(const json_value& resource) {
  medication_administration out;
  out.id = resource_id_of(resource);
  out.status = string_member(resource, "status");
  out.medication_concept = read_codeable_concept(member(resource, "medicationCodeableConcept"));
  out.medication_reference = read_reference(member(resource, "medicationReference"));
  out.effective = time_member(resource, "effectiveDateTime");
  if (!out.effective) out.effective = period_start(resource, "effectivePeriod");
  if (const json_value* dosage = member(resource, "dosage")) {
    out.dose = read_quantity(member(*dosage, "dose"));
    out.rate = read_quantity(member(*dosage, "rateQuantity"));
    out.dosage_text = string_member(*dosage, "text");
  }
  out.request = read_reference(member(resource, "request"));
  for_each_element(member(resource, "note"), [&](const json_value& note) {
    const std::string_view text = string_member(note, "text");
    if (!text.empty()) out.notes.push_back(text);
  });
  return out;
}

std::optional<coverage_information> read_coverage_information(const json_value& order) {
  std::optional<coverage_information> found;
  for_each_element(member(order, "extension"), [&](const json_value& extension) {
    if (found || !string_member(extension, "url").ends_with("/StructureDefinition/ext-coverage-information")) return;
    coverage_information info;
    for_each_element(member(extension, "extension"), [&](const json_value& part) {
      const std::string_view url = string_member(part, "url");
      const std::string_view code = string_member(part, "valueCode");
      if (url == "covered") info.covered = code;
      if (url == "pa-needed") info.pa_needed = code;
      if (url == "satisfied-pa-id") info.satisfied_pa_id = string_member(part, "valueString");
      if (url == "date") info.date = string_member(part, "valueDate");
    });
    found = info;
  });
  return found;
}

service_request read_service_request(const json_value& resource) {
  service_request out;
  out.id = resource_id_of(resource);
  out.code = read_codeable_concept(member(resource, "code"));
  out.status = string_member(resource, "status");
  return out;
}

immunization read_immunization(const json_value& resource) {
  immunization out;
  out.id = resource_id_of(resource);
  out.vaccine = read_codeable_concept(member(resource, "vaccineCode"));
  out.status = string_member(resource, "status");
  out.occurrence = time_member(resource, "occurrenceDateTime");
  if (!out.occurrence) out.occurrence = time_member(resource, "date");  // STU3/DSTU2
  return out;
}

procedure read_procedure(const json_value& resource) {
  procedure out;
  out.id = resource_id_of(resource);
  out.code = read_codeable_concept(member(resource, "code"));
  out.status = string_member(resource, "status");
  out.performed = time_member(resource, "performedDateTime");
  // A period counts from its start: the exchange began then, and a course may still be under way.
  if (!out.performed) out.performed = period_start(resource, "performedPeriod");
  return out;
}

}  // namespace ivig::fhir
