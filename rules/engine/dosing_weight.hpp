// rules/engine/dosing_weight.hpp: the body measurements and the weight a dose is calculated on.
//
// Reads the newest body weight, height and BMI, judges them (missing, older than the recency window,
// implausible, a sudden change), and chooses the dosing weight by the configured policy: Devine ideal
// body weight (IBW) and adjusted weight IBW + factor × (actual − IBW) when BMI is over the threshold
// (Ontario rule), actual weight when it is below IBW, pre-pregnancy weight when pregnant or postpartum.
// Every number comes from the knowledge (facts.json's dosing-weight entry); this file holds the arithmetic.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "fhir/model/patient_record.hpp"
#include "rules/engine/knowledge.hpp"

namespace ivig::rules {

/// What the dosing-weight computation reads from the knowledge (facts.json "dosing-weight").
struct dosing_weight_inputs {
  const value_set& weight;
  const value_set& height;
  const value_set& bmi;
  const value_set& pregnancy;
  const value_set& postpartum;
  const value_set& replacement_therapy;      ///< PID/SID indications: dosed on actual weight
  const threshold& bmi_threshold;            ///< kg/m2: adjusted weight above it
  const threshold& over_ibw_fraction;        ///< 1: adjusted weight above this fraction of IBW …
  const threshold& over_ibw_enabled;         ///< 1: … only when this site option is 1
  const threshold& adjusted_factor;          ///< 1: IBW + factor × (actual − IBW)
  const threshold& ibw_male_base;            ///< kg
  const threshold& ibw_female_base;          ///< kg
  const threshold& ibw_kg_per_inch;          ///< kg/[in_i]
  const threshold& ibw_base_height;          ///< in
  const threshold& recency;                  ///< d
  const threshold& change_fraction;          ///< 1
  const threshold& change_window;            ///< d
  const threshold &weight_min, &weight_max;  ///< kg
  const threshold &height_min, &height_max;  ///< cm
  const threshold& postpartum_window;        ///< d
};

struct measurement {
  double value = 0;  ///< kg, cm or kg/m2
  fhir::time_point at;
  long age_days = 0;
  std::string line;  ///< "Body weight 82 kg on 2026-11-01 (21 days ago)"
};

enum class weight_basis { actual, adjusted, pre_pregnancy, none };
std::string_view weight_basis_name(weight_basis basis);

struct dosing_weight {
  std::optional<measurement> weight;  ///< newest usable body weight, in kg
  std::optional<measurement> previous_weight;
  std::optional<measurement> height;  ///< newest usable height, in cm
  std::optional<double> bmi;          ///< recorded or computed
  bool bmi_computed = false;
  std::optional<double> ibw_kg;
  std::optional<double> adjusted_kg;
  bool adjusted_applies = false;  ///< the policy asks for adjusted weight (BMI over threshold)
  std::optional<measurement> pre_pregnancy_weight;
  bool pregnant_or_postpartum = false;
  std::string pregnancy_line;

  weight_basis basis = weight_basis::none;
  double kg = 0;    ///< the dosing weight (0 when none is usable)
  std::string why;  ///< why this basis, in words

  /// Problems with the data (R18): missing, stale, implausible, sudden change, no pre-pregnancy weight.
  std::vector<std::string> problems;
  std::vector<std::string> policy_notes;

  bool usable() const { return kg > 0; }
};

/// `indications` are the order's reasonCodes (empty when it gives none: then the patient's active
/// conditions say whether this is replacement therapy).
dosing_weight compute_dosing_weight(const fhir::patient_record& record, const knowledge& kb,
                                    const dosing_weight_inputs& in,
                                    const std::vector<fhir::codeable_concept>& indications, fhir::time_point now);

/// Devine IBW in kg for a height in cm, with the knowledge's coefficients; nullopt for a sex other
/// than male or female (the formula has no other branch).
std::optional<double> devine_ibw(const dosing_weight_inputs& in, std::string_view gender, double height_cm);

}  // namespace ivig::rules
