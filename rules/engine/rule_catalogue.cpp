// rules/engine/rule_catalogue.cpp: the explicit list of implemented rules and what each needs.
//
// The loader checks this list against rules/knowledge/rules.json in both directions (an active rule
// without an implementation, or an implementation without an active rule, fails --check-config), and
// checks that each rule supplies the value-set roles, threshold roles (in the stated unit) and params
// its implementation reads.
#include "rules/engine/engine.hpp"
#include "rules/engine/excipient_rules.hpp"
#include "rules/engine/hypersensitivity_rules.hpp"

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
  };
  return catalogue;
}

}  // namespace ivig::rules
