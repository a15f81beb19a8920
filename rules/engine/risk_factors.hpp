// rules/engine/risk_factors.hpp: the renal and thrombosis risk factors that lower the safe rate.
//
// The boxed warnings name them (age over 65, renal insufficiency, diabetes, thrombosis history,
// thrombophilia, cardiovascular risk, …); their codes and thresholds come from R13's roles. R13
// uses them to cap the rate; the worksheet lists them. The full risk-factor cards (R8, R10) build on
// the same finder.
#pragma once

#include <string>
#include <vector>

#include "fhir/model/patient_record.hpp"
#include "rules/engine/knowledge.hpp"

namespace ivig::rules {

struct risk_profile {
  std::vector<std::string> renal;       ///< evidence lines
  std::vector<std::string> thrombosis;  ///< evidence lines
  std::vector<std::string> policy_notes;
  bool any() const { return !renal.empty() || !thrombosis.empty(); }
};

risk_profile find_risk_factors(const fhir::patient_record& record, const knowledge& kb, fhir::time_point now);

}  // namespace ivig::rules
