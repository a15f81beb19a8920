// rules/engine/verification_data.cpp: gathering the worksheet's results and allergies.
#include "rules/engine/verification_data.hpp"

#include "fhir/model/markdown_text.hpp"
#include "rules/engine/number_format.hpp"
#include "rules/engine/record_queries.hpp"
#include "rules/engine/rule_unit.hpp"

namespace ivig::rules {
namespace {

std::optional<lab_reading> newest(const fhir::patient_record& record, const knowledge& kb, const value_set& set) {
  const auto found = observations_in(record, kb, set);
  if (found.empty()) return std::nullopt;
  const fhir::observation& o = *found.front().resource;
  lab_reading reading;
  if (o.value_quantity)
    reading.value = quantity_text(*o.value_quantity, format_trimmed(o.value_quantity->value, 2));
  else if (!o.value_concept.empty())
    reading.value = fhir::markdown_text(o.value_concept.label());
  else
    reading.value = fhir::markdown_text(o.value_string);
  if (o.effective) reading.date = fhir::format_date(o.effective->at);
  return reading;
}

}  // namespace

verification_inputs bind_verification(role_binder& b) {
  return {b.value_set_role("creatinine"), b.value_set_role("egfr"),       b.value_set_role("bun"),
          b.value_set_role("hemoglobin"), b.value_set_role("hematocrit"), b.value_set_role("iga"),
          b.value_set_role("antiIga"),    b.value_set_role("igSubstances")};
}

verification_data gather_verification_data(const fhir::patient_record& record, const knowledge& kb,
                                           const verification_inputs& in) {
  verification_data data;
  data.creatinine = newest(record, kb, in.creatinine);
  data.egfr = newest(record, kb, in.egfr);
  data.bun = newest(record, kb, in.bun);
  data.hemoglobin = newest(record, kb, in.hemoglobin);
  data.hematocrit = newest(record, kb, in.hematocrit);
  data.iga = newest(record, kb, in.iga);
  data.anti_iga = newest(record, kb, in.anti_iga);
  data.allergies_sent = record.status_of("allergies").complete();
  for (const fhir::allergy_intolerance& a : record.allergies) {
    if (!a.status.active()) continue;
    std::string line = fhir::markdown_text(a.code.label());
    if (!a.criticality.empty()) line += ", criticality " + fhir::markdown_text(a.criticality);
    data.allergies.push_back(std::move(line));
  }
  for (const auto& found : allergies_in(record, kb, in.ig_substances, status_filter::any_not_refuted))
    data.infusion_reactions.push_back(describe(found));
  return data;
}

}  // namespace ivig::rules
