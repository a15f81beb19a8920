// rules/engine/boxed_warning_rules.hpp: R8–R11, the boxed-warning and hyperviscosity risk factors.
#pragma once

#include "rules/engine/engine.hpp"

namespace ivig::rules {

void run_r8_renal_risk(const rule_context& context, evaluation& out);
void run_r9_no_recent_renal_function(const rule_context& context, evaluation& out);
void run_r10_thrombosis_risk(const rule_context& context, evaluation& out);
void run_r11_hyperviscosity(const rule_context& context, evaluation& out);

}  // namespace ivig::rules
