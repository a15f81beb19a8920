// rules/engine/risk_factors.cpp: finding renal and thrombosis risk factors in the record.
#include "rules/engine/risk_factors.hpp"

#include <cstdio>

#include "rules/engine/record_queries.hpp"

namespace ivig::rules {

risk_profile find_risk_factors(const fhir::patient_record& record, const knowledge& kb, const risk_factor_inputs& in,
                               fhir::time_point now) {
  risk_profile risk;
  if (record.subject && record.subject->birth_date) {
    const long years = fhir::days_between(record.subject->birth_date->at, now) * 400 / 146097;  // Gregorian mean year
    const threshold& age = in.risk_age;
    if (years > static_cast<long>(age.value)) {
      const std::string line =
          "Age " + std::to_string(years) + " (over " + std::to_string(static_cast<long>(age.value)) + ")";
      risk.renal.push_back(line);
      risk.thrombosis.push_back(line);
    }
  }
  for (const auto& found : conditions_in(record, kb, in.renal_disease, status_filter::active_only))
    risk.renal.push_back(describe(found));
  for (const auto& found : conditions_in(record, kb, in.diabetes, status_filter::active_only))
    risk.renal.push_back(describe(found));
  for (const auto& found : conditions_in(record, kb, in.thrombosis_risk, status_filter::any_not_refuted))
    risk.thrombosis.push_back(describe(found));
  const threshold& egfr_threshold = in.egfr_threshold;
  for (const auto& found : observations_in(record, kb, in.egfr)) {
    const fhir::observation& o = *found.resource;
    if (!o.value_quantity) continue;
    if (o.value_quantity->value < egfr_threshold.value) {
      risk.renal.push_back(describe(found) + " (below " + std::to_string(static_cast<long>(egfr_threshold.value)) +
                           ")");
      risk.policy_notes.push_back(policy_note(egfr_threshold, "Counting an eGFR as reduced"));
    }
    break;  // the newest result decides
  }
  return risk;
}

}  // namespace ivig::rules
