// rules/engine/interaction_rules.hpp: R31–R32 (a treatment that removes or lowers IVIg, a prior
// serious reaction to IVIg).
#pragma once

#include "rules/engine/rule_unit.hpp"

namespace ivig::rules {

extern const rule_unit r31_treatment_lowering_ivig;
extern const rule_unit r32_prior_serious_reaction;

}  // namespace ivig::rules
