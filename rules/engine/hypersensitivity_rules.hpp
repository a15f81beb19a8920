// rules/engine/hypersensitivity_rules.hpp: R1–R3 (immune globulin hypersensitivity, IgA deficiency).
#pragma once

#include "rules/engine/engine.hpp"

namespace ivig::rules {

void run_r1_ig_hypersensitivity(const rule_context& context, evaluation& out);
void run_r2_iga_deficiency_with_antibodies(const rule_context& context, evaluation& out);
void run_r3_iga_deficiency(const rule_context& context, evaluation& out);

}  // namespace ivig::rules
