// rules/engine/risk_factors.hpp: the renal and thrombosis risk factors that lower the safe rate.
//
// The boxed warnings name them (age over 65, renal insufficiency, diabetes, thrombosis history,
// thrombophilia, cardiovascular risk, …); their codes and thresholds come from facts.json's
// risk-factors entry. R13 uses them to cap the rate; the worksheet lists them. The full boxed-warning
// cards (R8, R10) look for every factor the labels name, with their own roles.
#pragma once

#include <string>
#include <vector>

#include "fhir/model/patient_record.hpp"
#include "rules/engine/knowledge.hpp"

namespace ivig::rules {

/// What the at-risk finder reads from the knowledge (facts.json "risk-factors").
struct risk_factor_inputs {
  const value_set& renal_disease;
  const value_set& diabetes;
  const value_set& thrombosis_risk;
  const value_set& egfr;
  const threshold& risk_age;        ///< a: older than this is a risk factor
  const threshold& egfr_threshold;  ///< mL/min/{1.73_m2}: below it is a risk factor
};

struct risk_profile {
  std::vector<std::string> renal;       ///< evidence lines
  std::vector<std::string> thrombosis;  ///< evidence lines
  std::vector<std::string> policy_notes;
  bool any() const { return !renal.empty() || !thrombosis.empty(); }
};

risk_profile find_risk_factors(const fhir::patient_record& record, const knowledge& kb, const risk_factor_inputs& in,
                               fhir::time_point now);

}  // namespace ivig::rules
