// hooks/service/worksheet.hpp: the pharmacist's verification worksheet (order-sign), one info card
// per IVIg order, as GitHub-flavoured markdown with a few small tables: indication and label, prior
// authorisation, the patient's results (IgA, anti-IgA, renal, haemoglobin), allergies and earlier
// reactions, the last immune globulin course, weights, the dose against the labelled and local
// limits, vials and waste, volume, the titration in mL/h with its total time, preparation, what each
// dose carries (sodium, sugars, osmolality), the cost, the vaccine deferral and every check not done.
// worksheet_text() gives the same worksheet as plain text for the pharmacy record (audit show).
#pragma once

#include <string>
#include <string_view>

#include "hooks/protocol/card.hpp"
#include "hooks/service/card_builder.hpp"

namespace ivig::service {

protocol::card worksheet_card(std::string_view hook_instance, const checked_order& checked, const rules::knowledge& kb);

/// The worksheet's markdown as plain text: no emphasis markers, tables as aligned columns.
std::string worksheet_text(std::string_view markdown);

}  // namespace ivig::service
