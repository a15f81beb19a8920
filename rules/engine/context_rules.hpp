// rules/engine/context_rules.hpp: R27–R30 (pregnancy, cost and prior authorisation, indication,
// infusion reminders).
#pragma once

#include "rules/engine/rule_unit.hpp"

namespace ivig::rules {

extern const rule_unit r27_pregnancy;
extern const rule_unit r28_cost_and_prior_authorisation;
extern const rule_unit r29_indication;
extern const rule_unit r30_infusion_reminders;

}  // namespace ivig::rules
