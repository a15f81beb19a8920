// rules/engine/vaccine_rules.hpp: R22–R25, live vaccines and immune globulin (ivig-knowledge.md §3).
#pragma once

#include <optional>
#include <string>

#include "rules/engine/engine.hpp"

namespace ivig::rules {

/// How long measles- and varicella-containing vaccines must wait after this order's last dose.
struct vaccine_deferral {
  double course_g_per_kg = 0;
  int months = 0;
  fhir::time_point last_dose;
  fhir::time_point until;  ///< last dose + months (calendar months, clamped to the month's end)
  std::string basis;       ///< "course 2 g/kg > 1 g/kg → 11 months (CDC table; course banding is local policy)"
};

/// The deferral for an order, from R24's thresholds; nullopt when the course dose is unknown.
std::optional<vaccine_deferral> vaccine_deferral_for(const rule_context& context);

void run_r22_live_vaccine_before_ivig(const rule_context& context, evaluation& out);
void run_r23_live_vaccine_planned(const rule_context& context, evaluation& out);
void run_r24_vaccine_deferral_notice(const rule_context& context, evaluation& out);
void run_r25_unaffected_live_vaccines(const rule_context& context, evaluation& out);

}  // namespace ivig::rules
