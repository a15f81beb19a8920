// rules/engine/dosing_rules.hpp: R15–R19 (dose per day and course, dosing weight, weight data, rounding).
#pragma once

#include "rules/engine/rule_unit.hpp"

namespace ivig::rules {

extern const rule_unit r15_dose_per_day;
extern const rule_unit r16_dose_per_course;
extern const rule_unit r17_dosing_weight;
extern const rule_unit r18_weight_data;
extern const rule_unit r19_vial_rounding;

}  // namespace ivig::rules
