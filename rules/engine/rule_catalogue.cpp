// rules/engine/rule_catalogue.cpp: the catalogue of rule units and its binding to the knowledge.
#include "rules/engine/rule_catalogue.hpp"

#include <algorithm>

#include "rules/engine/boxed_warning_rules.hpp"
#include "rules/engine/context_rules.hpp"
#include "rules/engine/dosing_rules.hpp"
#include "rules/engine/excipient_rules.hpp"
#include "rules/engine/hypersensitivity_rules.hpp"
#include "rules/engine/infusion_rules.hpp"
#include "rules/engine/interaction_rules.hpp"
#include "rules/engine/order_facts.hpp"
#include "rules/engine/vaccine_rules.hpp"

namespace ivig::rules {

const std::vector<const rule_unit*>& rule_catalogue() {
  // Order matters where a rule defers to an earlier one: R3 after R2 (R2 owns the full
  // contraindication), R19 after R17 (R17's corrected dose is already rounded), R13 after R8/R10
  // (it joins their card), R32 after R1 (it joins R1's card about reactions to immune globulin).
  static const std::vector<const rule_unit*> catalogue{
      &r1_ig_hypersensitivity,
      &r2_iga_deficiency_with_antibodies,
      &r3_iga_deficiency,
      &r4_hyperprolinemia_proline,
      &r5_fructose_intolerance_sorbitol,
      &r6_corn_allergy_maltose,
      &r7_maltose_glucose_meters,
      &r8_renal_risk,
      &r9_no_recent_renal_function,
      &r10_thrombosis_risk,
      &r11_hyperviscosity,
      &r12_rate_above_label_maximum,
      &r13_rate_above_at_risk_cap,
      &r14_initial_rate,
      &r15_dose_per_day,
      &r16_dose_per_course,
      &r17_dosing_weight,
      &r18_weight_data,
      &r19_vial_rounding,
      &r20_hemolysis,
      &r21_volume_overload,
      &r26_duplicate_immune_globulin,
      &r22_live_vaccine_before_ivig,
      &r23_live_vaccine_planned,
      &r24_vaccine_deferral_notice,
      &r25_unaffected_live_vaccines,
      &r27_pregnancy,
      &r28_cost_and_prior_authorisation,
      &r29_indication,
      &r30_infusion_reminders,
      &r31_treatment_lowering_ivig,
      &r32_prior_serious_reaction,
  };
  return catalogue;
}

result<void, std::string> bind_catalogue(knowledge& kb) {
  kb.active_rules.clear();
  for (const rule_unit* unit : rule_catalogue()) {
    const rule_definition* rule = kb.find_rule(unit->id);
    const std::string where = "rules.json: rule " + std::string(unit->id);
    if (rule == nullptr || rule->status != rule_status::active)
      return failure(where + ": the engine implements it (" + std::string(unit->implemented_in) +
                     "), but the catalogue does not list it as active");
    role_binder binder(rule->roles, where, unit->implemented_in);
    std::shared_ptr<const void> inputs = unit->bind(binder);
    if (std::string problem = binder.first_problem(); !problem.empty()) return failure(std::move(problem));
    kb.active_rules.push_back({rule, unit, std::move(inputs)});
  }
  for (const rule_definition& rule : kb.rules) {
    if (rule.status != rule_status::active) continue;
    const auto& units = rule_catalogue();
    if (std::none_of(units.begin(), units.end(), [&](const rule_unit* u) { return u->id == rule.id; }))
      return failure("rules.json: rule " + rule.id + " is active but the engine has no implementation of it");
  }
  return bind_order_facts(kb);
}

}  // namespace ivig::rules
