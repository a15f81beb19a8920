// rules/engine/dosing_rules.hpp: R15–R19 (dose per day and course, dosing weight, weight data, rounding).
#pragma once

#include "rules/engine/engine.hpp"

namespace ivig::rules {

void run_r15_dose_per_day(const rule_context& context, evaluation& out);
void run_r16_dose_per_course(const rule_context& context, evaluation& out);
void run_r17_dosing_weight(const rule_context& context, evaluation& out);
void run_r18_weight_data(const rule_context& context, evaluation& out);
void run_r19_vial_rounding(const rule_context& context, evaluation& out);

}  // namespace ivig::rules
