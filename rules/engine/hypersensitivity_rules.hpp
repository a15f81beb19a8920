// rules/engine/hypersensitivity_rules.hpp: R1–R3 (immune globulin hypersensitivity, IgA deficiency).
#pragma once

#include "rules/engine/rule_unit.hpp"

namespace ivig::rules {

extern const rule_unit r1_ig_hypersensitivity;
extern const rule_unit r2_iga_deficiency_with_antibodies;
extern const rule_unit r3_iga_deficiency;

}  // namespace ivig::rules
