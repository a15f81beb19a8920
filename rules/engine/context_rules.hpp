// rules/engine/context_rules.hpp: R27–R30, information for the ordering clinician and pharmacist.
#pragma once

#include "rules/engine/engine.hpp"

namespace ivig::rules {

void run_r27_pregnancy(const rule_context& context, evaluation& out);
void run_r28_cost_and_prior_authorisation(const rule_context& context, evaluation& out);
void run_r29_indication(const rule_context& context, evaluation& out);
void run_r30_infusion_reminders(const rule_context& context, evaluation& out);

}  // namespace ivig::rules
