// rules/engine/excipient_rules.hpp: R4–R7 (product excipients against the patient's conditions).
#pragma once

#include "rules/engine/engine.hpp"

namespace ivig::rules {

void run_r4_hyperprolinemia_proline(const rule_context& context, evaluation& out);
void run_r5_fructose_intolerance_sorbitol(const rule_context& context, evaluation& out);
void run_r6_corn_allergy_maltose(const rule_context& context, evaluation& out);
void run_r7_maltose_glucose_meters(const rule_context& context, evaluation& out);

}  // namespace ivig::rules
