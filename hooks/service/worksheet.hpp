// hooks/service/worksheet.hpp: the pharmacist's verification worksheet (order-sign), one info card
// per IVIg order, as GitHub-flavoured markdown tables: product, weights and the one used, the dose
// per dose/day/course against the limits, vials and waste, volume, the rate plan in mg/kg/min and
// mL/h, the estimated cost, and the data every check used with its age, or that it was missing.
#pragma once

#include <string_view>

#include "hooks/protocol/card.hpp"
#include "hooks/service/card_builder.hpp"

namespace ivig::service {

protocol::card worksheet_card(std::string_view hook_instance, const checked_order& checked, const rules::knowledge& kb);

}  // namespace ivig::service
