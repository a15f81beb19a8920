// rules/engine/rule_catalogue.cpp: the explicit list of implemented rules and what each needs.
//
// The loader checks this list against rules/knowledge/rules.json in both directions (an active rule
// without an implementation, or an implementation without an active rule, fails --check-config), and
// checks that each rule supplies the value-set roles, threshold roles (in the stated unit) and params
// its implementation reads.
#include "rules/engine/dosing_rules.hpp"
#include "rules/engine/engine.hpp"
#include "rules/engine/excipient_rules.hpp"
#include "rules/engine/hypersensitivity_rules.hpp"
#include "rules/engine/infusion_rules.hpp"

namespace ivig::rules {

const std::vector<rule_implementation>& implemented_rules() {
  static const std::vector<rule_implementation> catalogue{
      {"R1",
       {"igSubstances", "anaphylaxisManifestations", "anaphylaxisConditions"},
       {},
       {},
       &run_r1_ig_hypersensitivity},
      {"R2",
       {"igaDeficiency", "antiIgaTests", "igSubstances", "anaphylaxisConditions", "bloodProductReactions",
        "positiveResults", "negativeResults"},
       {},
       {},
       &run_r2_iga_deficiency_with_antibodies},
      {"R3",
       {"igaDeficiency", "antiIgaTests", "serumIgaTests", "positiveResults", "negativeResults"},
       {{"igaDeficiencyLevel", "mg/dL"}},
       {},
       &run_r3_iga_deficiency},
      {"R4", {"condition"}, {}, {"excipient"}, &run_r4_hyperprolinemia_proline},
      {"R5", {"condition"}, {}, {"excipient"}, &run_r5_fructose_intolerance_sorbitol},
      {"R6", {"allergy"}, {}, {"excipient"}, &run_r6_corn_allergy_maltose},
      {"R7",
       {"diabetes", "glucoseTests"},
       {{"glucoseMonitoringWindow", "d"}},
       {"excipient"},
       &run_r7_maltose_glucose_meters},
      {"R12", {}, {}, {}, &run_r12_rate_above_label_maximum},
      {"R13",
       {"renalDisease", "thrombosisRisk", "diabetes", "egfr"},
       {{"atRiskCapDefault", "mg/kg/min"}, {"riskAge", "a"}, {"egfrThreshold", "mL/min/{1.73_m2}"}},
       {},
       &run_r13_rate_above_at_risk_cap},
      {"R14", {"igSubstances", "igAdministration"}, {}, {}, &run_r14_initial_rate},
      {"R15", {}, {{"warning", "g/kg/d"}, {"critical", "g/kg/d"}}, {}, &run_r15_dose_per_day},
      {"R16",
       {"multipleSclerosis"},
       {{"critical", "g/kg"}, {"courseWindow", "d"}, {"maintenanceIntervalMin", "d"}},
       {},
       &run_r16_dose_per_course},
      {"R17",
       {"weight", "height", "bmi"},
       {{"bmiThreshold", "kg/m2"},
        {"overIbwFraction", "1"},
        {"adjustedFactor", "1"},
        {"ibwMaleBase", "kg"},
        {"ibwFemaleBase", "kg"},
        {"ibwKgPerInch", "kg/[in_i]"},
        {"ibwBaseHeight", "in"}},
       {},
       &run_r17_dosing_weight},
      {"R18",
       {"weight", "height", "pregnancy", "postpartum"},
       {{"recency", "d"},
        {"changeFraction", "1"},
        {"changeWindow", "d"},
        {"weightMin", "kg"},
        {"weightMax", "kg"},
        {"heightMin", "cm"},
        {"heightMax", "cm"},
        {"postpartumWindow", "d"}},
       {},
       &run_r18_weight_data},
      {"R19", {}, {{"tolerance", "1"}, {"defaultStep", "g"}}, {}, &run_r19_vial_rounding},
      {"R20",
       {"hemoglobin", "hematocrit", "aboGroup"},
       {{"courseDose", "g/kg"}, {"hbAfterMin", "h"}, {"hbAfterMax", "h"}},
       {},
       &run_r20_hemolysis},
      {"R21", {"heartFailure"}, {}, {}, &run_r21_volume_overload},
      {"R26", {"igSubstances", "igAdministration"}, {{"window", "d"}}, {}, &run_r26_duplicate_immune_globulin},
  };
  return catalogue;
}

}  // namespace ivig::rules
