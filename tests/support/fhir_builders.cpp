// tests/support/fhir_builders.cpp: JSON text builders for test requests.
#include "tests/support/fhir_builders.hpp"

#include <algorithm>
#include <cstdio>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "tests/support/record_shift.hpp"

namespace ivig::test {

std::string json_string(const std::string& text) {
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> w(out);
  w.String(text.c_str(), static_cast<rapidjson::SizeType>(text.size()));
  return out.GetString();
}

std::string concept_of(const std::string& system, const std::string& code, const std::string& display,
                       const std::string& text) {
  std::string json = R"({"coding":[{"system":)" + json_string(system) + R"(,"code":)" + json_string(code);
  if (!display.empty()) json += R"(,"display":)" + json_string(display);
  json += "}]";
  if (!text.empty()) json += R"(,"text":)" + json_string(text);
  return json + "}";
}

std::string indication() {
  return R"("reasonCode":[{"text":"Chronic inflammatory demyelinating polyneuropathy"}])";
}

std::string serum_creatinine(double mg_per_dl, const std::string& effective) {
  return observation("creatinine-" + effective.substr(0, 10),
                     concept_of(loinc, "2160-0", "Creatinine [Mass/volume] in Serum or Plasma"),
                     quantity_value(mg_per_dl, "mg/dL"), effective);
}

std::string ivig_order_for(const std::string& medication, const std::string& reason, double g_per_kg, double grams,
                           int days) {
  return R"({"resourceType":"MedicationRequest","id":"ivig-1","status":"draft","intent":"order",)"
         R"("medicationCodeableConcept":)" +
         medication + R"(,"subject":{"reference":"Patient/example"},"reasonCode":[)" + reason +
         R"(],"dosageInstruction":[{"route":)" + concept_of(snomed, "47625008", "Intravenous route") +
         R"(,"doseAndRate":)" + dose_and_rate(g_per_kg, grams) + R"(,"timing":{"repeat":{"count":)" +
         std::to_string(days) + R"(,"frequency":1,"period":1,"periodUnit":"d"}}}]})";
}

std::string dose_and_rate(double g_per_kg, double grams) {
  char buffer[640];
  std::snprintf(
      buffer, sizeof buffer,
      R"([{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/dose-rate-type","code":"ordered"}]},)"
      R"("doseQuantity":{"value":%g,"unit":"g/kg","system":"http://unitsofmeasure.org","code":"g/kg"}},)"
      R"({"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/dose-rate-type","code":"calculated"}]},)"
      R"("doseQuantity":{"value":%g,"unit":"g","system":"http://unitsofmeasure.org","code":"g"}}])",
      g_per_kg, grams);
  return buffer;
}

std::string medication_request(const std::string& id, const std::string& medication, bool route_iv,
                               const std::string& patient_id) {
  std::string dosage = R"({"text":"0.5 g/kg IV once","doseAndRate":)" + dose_and_rate(0.5, 35);
  if (route_iv) dosage += R"(,"route":)" + concept_of("http://snomed.info/sct", "47625008", "Intravenous route");
  dosage += "}";
  return R"({"resourceType":"MedicationRequest","id":)" + json_string(id) +
         R"(,"status":"draft","intent":"order","medicationCodeableConcept":)" + medication +
         R"(,"subject":{"reference":"Patient/)" + patient_id + R"("},"authoredOn":"2026-11-22",)" + indication() +
         R"(,"dosageInstruction":[)" + dosage + "]}";
}

std::string condition(const std::string& id, const std::string& code_json, const std::string& clinical,
                      const std::string& recorded) {
  return R"({"resourceType":"Condition","id":)" + json_string(id) +
         R"(,"clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":)" +
         json_string(clinical) + R"(}]},"code":)" + code_json +
         R"(,"subject":{"reference":"Patient/example"},"recordedDate":)" + json_string(recorded) + "}";
}

std::string allergy(const std::string& id, const std::string& code_json, const std::string& criticality,
                    const std::string& reaction_severity, const std::string& manifestation_json,
                    const std::string& clinical) {
  std::string json =
      R"({"resourceType":"AllergyIntolerance","id":)" + json_string(id) +
      R"(,"clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical","code":)" +
      json_string(clinical) + R"(}]},"code":)" + code_json +
      R"(,"patient":{"reference":"Patient/example"},"recordedDate":"2024-03-05")";
  if (!criticality.empty()) json += R"(,"criticality":)" + json_string(criticality);
  if (!reaction_severity.empty() || !manifestation_json.empty()) {
    json += R"(,"reaction":[{)";
    if (!manifestation_json.empty()) json += R"("manifestation":[)" + manifestation_json + "]";
    if (!reaction_severity.empty())
      json += std::string(manifestation_json.empty() ? "" : ",") + R"("severity":)" + json_string(reaction_severity);
    json += "}]";
  }
  return json + "}";
}

std::string observation(const std::string& id, const std::string& code_json, const std::string& value_members,
                        const std::string& effective) {
  std::string json = R"({"resourceType":"Observation","id":)" + json_string(id) + R"(,"status":"final","code":)" +
                     code_json + R"(,"subject":{"reference":"Patient/example"},"effectiveDateTime":)" +
                     json_string(effective);
  if (!value_members.empty()) json += "," + value_members;
  return json + "}";
}

std::string body_weight(double kg, const std::string& effective) {
  return observation("weight-" + effective.substr(0, 10), concept_of(loinc, "29463-7", "Body weight"),
                     quantity_value(kg, "kg"), effective);
}

std::string body_height(double cm, const std::string& effective) {
  return observation("height-" + effective.substr(0, 10), concept_of(loinc, "8302-2", "Body height"),
                     quantity_value(cm, "cm"), effective);
}

std::string quantity_value(double value, const std::string& unit, const std::string& comparator) {
  char number[32];
  std::snprintf(number, sizeof number, "%g", value);
  std::string json = R"("valueQuantity":{"value":)" + std::string(number);
  if (!comparator.empty()) json += R"(,"comparator":)" + json_string(comparator);
  return json + R"(,"unit":)" + json_string(unit) + R"(,"system":"http://unitsofmeasure.org","code":)" +
         json_string(unit) + "}";
}

std::string bundle(const std::vector<std::string>& resources, const std::string& type) {
  std::string json = R"({"resourceType":"Bundle","type":)" + json_string(type) + R"(,"entry":[)";
  for (std::size_t i = 0; i < resources.size(); ++i)
    json += (i ? "," : "") + std::string(R"({"resource":)") + resources[i] + "}";
  return json + "]}";
}

std::string patient(const std::string& id, const std::string& gender, const std::string& birth_date) {
  return R"({"resourceType":"Patient","id":)" + json_string(id) + R"(,"gender":)" + json_string(gender) +
         R"(,"birthDate":)" + json_string(birth_date) + "}";
}

std::string hook_request::json() const {
  std::string out = R"({"hook":)" + json_string(hook) + R"(,"hookInstance":)" + json_string(hook_instance) +
                    R"(,"context":{"userId":"Practitioner/example","patientId":)" + json_string(patient_id);
  if (hook == "order-select") {
    out += R"(,"selections":[)";
    for (std::size_t i = 0; i < selections.size(); ++i) out += (i ? "," : "") + json_string(selections[i]);
    out += "]";
  }
  out += R"(,"draftOrders":)" + bundle(draft_orders, "collection") + "}";
  if (!fhir_server.empty()) out += R"(,"fhirServer":)" + json_string(fhir_server);
  if (!access_token.empty())
    out += R"(,"fhirAuthorization":{"access_token":)" + json_string(access_token) +
           R"(,"token_type":"Bearer","expires_in":300,"scope":"patient/*.read","subject":"ivig-cds"})";
  if (!prefetch.empty()) {
    out += R"(,"prefetch":{)";
    bool first = true;
    for (const auto& [key, value] : prefetch) {
      out += (first ? "" : ",") + json_string(key) + ":" + value;
      first = false;
    }
    out += "}";
  }
  return out + "}";
}

namespace {
std::map<std::string, std::string> empty_prefetch() {
  return {{"patient", patient()},
          {"conditions", bundle({})},
          {"observations", bundle({})},
          {"allergies", bundle({})},
          {"immunizations", bundle({})},
          {"medications", bundle({})},
          {"medicationHistory", bundle({})},
          {"administrations", bundle({})},
          {"procedures", bundle({})}};
}
}  // namespace

std::string numbered_uuid(long long n) {
  std::string digits = std::to_string(n);
  return "00000000-0000-4000-8000-" + std::string(12 - std::min<std::size_t>(12, digits.size()), '0') + digits;
}

hook_request order_select_with(const std::string& order_json, const std::string& order_id) {
  hook_request r;
  r.draft_orders = {order_json};
  r.selections = {"MedicationRequest/" + order_id};
  r.prefetch = empty_prefetch();
  return r;
}

hook_request order_sign_with(const std::vector<std::string>& orders) {
  hook_request r;
  r.hook = "order-sign";
  r.draft_orders = orders;
  r.prefetch = empty_prefetch();
  return r;
}

void set_prefetch(hook_request& request, const std::string& key, const std::vector<std::string>& resources) {
  request.prefetch[key] = bundle(resources);
}

std::string privigen() {
  return concept_of(rxnorm, "758996", "Privigen");
}
std::string octagam_10() {
  return concept_of(rxnorm, "1809502", "100 ML Octagam 10% Injection");
}
std::string flebogamma_5() {
  return concept_of(rxnorm, "1809448", "50 ML Flebogamma 5% DIF Injection");
}
std::string gammagard_liquid() {
  return concept_of(rxnorm, "1809671", "200 ML immunoglobulin G, human 100 MG/ML Injection [Gammagard]");
}
std::string generic_ivig() {
  return concept_of(rxnorm, "5666", "immunoglobulin G");
}

hook_request synthea_request(const std::string& file_prefix, const std::string& medication) {
  return synthea_request_from_record(read_synthea_record(file_prefix), medication);
}

hook_request two_card_request(const std::string& hook_instance) {
  hook_request r = order_select_with(medication_request("ivig-1", privigen()), "ivig-1");
  r.hook_instance = hook_instance;
  set_prefetch(r, "conditions",
               {condition("c1", concept_of("urn:local", "HP1", "Hyperprolinemia type I")),
                condition("c2", concept_of(icd10cm, "D80.2", "Selective deficiency of immunoglobulin A [IgA]"))});
  set_prefetch(
      r, "observations",
      {body_weight(70), body_height(170), serum_creatinine(0.9),
       observation("iga", concept_of(loinc, "2458-8", "IgA"), quantity_value(180, "mg/dL"), "2026-09-01T08:00:00Z")});
  return r;
}

}  // namespace ivig::test
