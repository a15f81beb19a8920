// rules/engine/boxed_warning_rules.hpp: R8–R11 (renal and thrombosis boxed warnings, renal labs,
// hyperviscosity).
#pragma once

#include "rules/engine/rule_unit.hpp"

namespace ivig::rules {

extern const rule_unit r8_renal_risk;
extern const rule_unit r9_no_recent_renal_function;
extern const rule_unit r10_thrombosis_risk;
extern const rule_unit r11_hyperviscosity;

}  // namespace ivig::rules
