// rules/engine/infusion_rules.hpp: R12–R14 (rates) and R20, R21, R26 (infusion safety).
#pragma once

#include "rules/engine/rule_unit.hpp"

namespace ivig::rules {

extern const rule_unit r12_rate_above_label_maximum;
extern const rule_unit r13_rate_above_at_risk_cap;
extern const rule_unit r14_initial_rate;
extern const rule_unit r20_hemolysis;
extern const rule_unit r21_volume_overload;
extern const rule_unit r26_duplicate_immune_globulin;

}  // namespace ivig::rules
