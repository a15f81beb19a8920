// rules/engine/vaccine_rules.hpp: R22–R25, live vaccines and immune globulin (ivig-knowledge.md §3).
// The deferral itself (until when) is an order fact (order_facts.hpp), shared with the worksheet.
#pragma once

#include "rules/engine/rule_unit.hpp"

namespace ivig::rules {

extern const rule_unit r22_live_vaccine_before_ivig;
extern const rule_unit r23_live_vaccine_planned;
extern const rule_unit r24_vaccine_deferral_notice;
extern const rule_unit r25_unaffected_live_vaccines;

}  // namespace ivig::rules
