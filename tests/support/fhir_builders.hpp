// tests/support/fhir_builders.hpp: small builders for FHIR resources and CDS Hooks requests.
//
// Scenario tests read like the rule they test: a patient, the conditions that matter, an IVIg
// order, a hook. Every builder returns JSON text.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace ivig::test {

inline constexpr const char* snomed = "http://snomed.info/sct";
inline constexpr const char* icd10cm = "http://hl7.org/fhir/sid/icd-10-cm";
inline constexpr const char* loinc = "http://loinc.org";
inline constexpr const char* rxnorm = "http://www.nlm.nih.gov/research/umls/rxnorm";
inline constexpr const char* ndc = "http://hl7.org/fhir/sid/ndc";

std::string json_string(const std::string& text);
std::string concept_of(const std::string& system, const std::string& code, const std::string& display,
                       const std::string& text = {});

/// A draft R4 MedicationRequest for 0.5 g/kg = 35 g (a 70 kg patient), once; `medication` is a
/// CodeableConcept's JSON. `route_iv` adds SNOMED 47625008.
std::string medication_request(const std::string& id, const std::string& medication, bool route_iv = true,
                               const std::string& patient_id = "example");

std::string condition(const std::string& id, const std::string& code_json, const std::string& clinical = "active",
                      const std::string& recorded = "2025-01-10");
std::string allergy(const std::string& id, const std::string& code_json, const std::string& criticality = {},
                    const std::string& reaction_severity = {}, const std::string& manifestation_json = {},
                    const std::string& clinical = "active");
/// An Observation with a value given as JSON members, e.g. "\"valueQuantity\": {...}".
std::string observation(const std::string& id, const std::string& code_json, const std::string& value_members,
                        const std::string& effective = "2026-10-01T09:00:00Z");
std::string quantity_value(double value, const std::string& unit, const std::string& comparator = {});
std::string body_weight(double kg, const std::string& effective = "2026-11-15T09:00:00Z");
std::string body_height(double cm, const std::string& effective = "2026-11-15T09:00:00Z");
/// `"reasonCode": [...]` with a non-MS indication given as text (the builders' orders carry it).
std::string indication();
std::string serum_creatinine(double mg_per_dl, const std::string& effective = "2026-11-15T09:00:00Z");
/// doseAndRate with an `ordered` g/kg entry and a `calculated` g entry (the FHIR spec's IVIg shape).
std::string dose_and_rate(double g_per_kg, double grams);
/// A draft IVIg MedicationRequest "ivig-1" of `medication` (a CodeableConcept) for `reason` (a
/// CodeableConcept): `g_per_kg` ordered, `grams` calculated, IV, once a day for `days` days.
std::string ivig_order_for(const std::string& medication, const std::string& reason, double g_per_kg, double grams,
                           int days = 1);

std::string bundle(const std::vector<std::string>& resources, const std::string& type = "searchset");
std::string patient(const std::string& id = "example", const std::string& gender = "female",
                    const std::string& birth_date = "1980-04-02");

/// A complete CDS Hooks request. `prefetch` maps keys to JSON values; by default every key the
/// service asks for is present and empty, so only what a test adds is "known".
struct hook_request {
  std::string hook = "order-select";
  std::string hook_instance = "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea";
  std::string patient_id = "example";
  std::vector<std::string> draft_orders;
  std::vector<std::string> selections;
  std::map<std::string, std::string> prefetch;
  std::string fhir_server;   ///< fhirServer; empty: not sent
  std::string access_token;  ///< fhirAuthorization's access_token; empty: no fhirAuthorization

  std::string json() const;
};

hook_request order_select_with(const std::string& order_json, const std::string& order_id);

/// A hookInstance for the n-th of many calls: "00000000-0000-4000-8000-" and n in 12 digits.
std::string numbered_uuid(long long n);
hook_request order_sign_with(const std::vector<std::string>& orders);

/// Puts `resources` into the prefetch key as a searchset Bundle.
void set_prefetch(hook_request& request, const std::string& key, const std::vector<std::string>& resources);

/// An order-select of Privigen for a 70 kg patient with hyperprolinemia (a critical R4 card) and IgA
/// deficiency (a warning R3 card with product suggestions), and nothing else to report.
hook_request two_card_request(const std::string& hook_instance);

/// Common products as CodeableConcepts.
std::string privigen();          ///< RxNorm BN 758996
std::string octagam_10();        ///< RxNorm SBD 1809502 (Octagam 10% 100 mL)
std::string flebogamma_5();      ///< RxNorm SBD 1809448
std::string gammagard_liquid();  ///< RxNorm SBD 1809671
std::string generic_ivig();      ///< RxNorm IN 5666 (needs an IV route)

}  // namespace ivig::test

namespace ivig::test {

/// An order-select request for `order_json` whose prefetch carries a whole Synthea record from
/// ../shared/fhir-data/synthea (`file_prefix` such as "Isaiah_Schaden"), split by resource type into
/// the service's prefetch keys. The patient id is the record's own.
hook_request synthea_request(const std::string& file_prefix, const std::string& medication);

}  // namespace ivig::test
