// rules/engine/excipient_rules.hpp: R4–R7 (excipient contraindications and glucose-meter interference).
#pragma once

#include "rules/engine/rule_unit.hpp"

namespace ivig::rules {

extern const rule_unit r4_hyperprolinemia_proline;
extern const rule_unit r5_fructose_intolerance_sorbitol;
extern const rule_unit r6_corn_allergy_maltose;
extern const rule_unit r7_maltose_glucose_meters;

}  // namespace ivig::rules
