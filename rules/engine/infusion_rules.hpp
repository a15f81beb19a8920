// rules/engine/infusion_rules.hpp: R12–R14 (rates) and R20, R21, R26 (infusion safety).
#pragma once

#include "rules/engine/engine.hpp"

namespace ivig::rules {

void run_r12_rate_above_label_maximum(const rule_context& context, evaluation& out);
void run_r13_rate_above_at_risk_cap(const rule_context& context, evaluation& out);
void run_r14_initial_rate(const rule_context& context, evaluation& out);
void run_r20_hemolysis(const rule_context& context, evaluation& out);
void run_r21_volume_overload(const rule_context& context, evaluation& out);
void run_r26_duplicate_immune_globulin(const rule_context& context, evaluation& out);

}  // namespace ivig::rules
