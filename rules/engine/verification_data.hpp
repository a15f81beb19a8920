// rules/engine/verification_data.hpp: what a pharmacist verifies an IVIg order against, gathered once
// per order for the worksheet: the newest renal, haematology and IgA results with their values and
// dates, the patient's allergies, and reactions recorded against immune globulin. Which codes mean
// what is knowledge (facts.json's verification-data entry).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "fhir/model/patient_record.hpp"
#include "rules/engine/knowledge.hpp"

namespace ivig::rules {

class role_binder;

struct verification_inputs {
  const value_set& creatinine;
  const value_set& egfr;
  const value_set& bun;
  const value_set& hemoglobin;
  const value_set& hematocrit;
  const value_set& iga;
  const value_set& anti_iga;
  const value_set& ig_substances;  ///< allergies to these are prior infusion reactions
};
verification_inputs bind_verification(role_binder& b);

/// The newest result of one test: its value as written and its date.
struct lab_reading {
  std::string value;  ///< "0.9 mg/dL", "Detected" (card Markdown: record words escaped)
  std::string date;   ///< "2026-11-15", or "" when the result has no date
};

struct verification_data {
  std::optional<lab_reading> creatinine, egfr, bun, hemoglobin, hematocrit, iga, anti_iga;
  std::vector<std::string> allergies;           ///< every active allergy, described (card Markdown)
  std::vector<std::string> infusion_reactions;  ///< allergies to immune globulin (any status), described
  bool allergies_sent = false;
};

verification_data gather_verification_data(const fhir::patient_record& record, const knowledge& kb,
                                           const verification_inputs& in);

}  // namespace ivig::rules
