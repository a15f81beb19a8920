// rules/engine/infusion_plan.cpp: titration steps in mL/h with their times, and the load per dose.
#include "rules/engine/infusion_plan.hpp"

#include <algorithm>

#include "rules/engine/dose_plan.hpp"
#include "rules/engine/number_format.hpp"

namespace ivig::rules {
namespace {

/// The titration for the indication, else the one for every indication, else the product's most
/// conservative one (the lowest final rate), saying which.
const titration_schedule* choose_titration(const product& p, const std::string& indication, std::string& basis) {
  if (const titration_schedule* t = p.titration_for(indication)) {
    basis = t->indication == "all" ? "labelled for every indication" : "labelled for " + t->indication;
    return t;
  }
  const titration_schedule* lowest = nullptr;
  for (const titration_schedule& t : p.titrations)
    if (lowest == nullptr || t.steps.back().mg_per_kg_min < lowest->steps.back().mg_per_kg_min) lowest = &t;
  if (lowest != nullptr)
    basis = "the most conservative labelled titration (" + lowest->indication + "): " +
            (indication.empty() ? "the order gives no indication the service recognises"
                                : p.name + " is not labelled for " + indication);
  return lowest;
}

}  // namespace

std::optional<infusion_plan> plan_infusion(const product& p, const std::string& indication,
                                           double concentration_mg_per_ml, double weight_kg, double volume_ml,
                                           double ceiling_mg_per_kg_min, const std::string& ceiling_reason) {
  if (concentration_mg_per_ml <= 0 || weight_kg <= 0 || volume_ml <= 0) return std::nullopt;
  infusion_plan plan;
  plan.titration = choose_titration(p, indication, plan.basis);
  if (plan.titration == nullptr) return std::nullopt;
  plan.volume_ml = volume_ml;
  plan.ceiling_mg_per_kg_min = ceiling_mg_per_kg_min;
  plan.ceiling_reason = ceiling_reason;
  double remaining = volume_ml;
  const std::vector<titration_step>& steps = plan.titration->steps;
  for (std::size_t i = 0; i < steps.size() && remaining > 1e-9; ++i) {
    infusion_step step;
    step.held = ceiling_mg_per_kg_min > 0 && steps[i].mg_per_kg_min > ceiling_mg_per_kg_min + 1e-9;
    step.mg_per_kg_min = step.held ? ceiling_mg_per_kg_min : steps[i].mg_per_kg_min;
    step.ml_per_hour = ml_per_hour(step.mg_per_kg_min, concentration_mg_per_ml, weight_kg);
    const bool last = i + 1 == steps.size() || !steps[i].minutes;
    const double minutes_to_finish = remaining / step.ml_per_hour * 60.0;
    step.minutes = last ? minutes_to_finish : std::min(*steps[i].minutes, minutes_to_finish);
    step.ml = step.ml_per_hour * step.minutes / 60.0;
    remaining -= step.ml;
    plan.total_minutes += step.minutes;
    // A held step runs at the same rate as the next held ones: one row, not several identical ones.
    if (!plan.steps.empty() && plan.steps.back().held && step.held) {
      plan.steps.back().minutes += step.minutes;
      plan.steps.back().ml += step.ml;
    } else {
      plan.steps.push_back(step);
    }
    if (step.held) {
      // Everything after the first held step runs at the ceiling until the dose is in.
      if (remaining > 1e-9) {
        const double rest = remaining / step.ml_per_hour * 60.0;
        plan.steps.back().minutes += rest;
        plan.steps.back().ml += remaining;
        plan.total_minutes += rest;
        remaining = 0;
      }
      break;
    }
  }
  return plan;
}

std::vector<std::string> dose_load(const product& p, double volume_ml) {
  std::vector<std::string> lines;
  if (volume_ml <= 0) return lines;
  if (const std::optional<labelled_content>& na = p.sodium) {
    std::string line = "Sodium: " + na->describe();
    if (na->kind != "trace") {
      const std::string bound = na->kind == "max"         ? "≤ "
                                : na->kind == "less-than" ? "< "
                                : na->kind == "range-max" ? "up to "
                                                          : "about ";
      if (na->unit == "mg/mL")
        line += " → " + bound + format_rounded(na->value * volume_ml) + " mg per dose";
      else if (na->unit == "mmol/L")
        line += " → " + bound + format_fixed(na->value * volume_ml / 1000.0, 1) + " mmol per dose";
    }
    lines.push_back(line + " " + std::string(evidence_marker(na->evidence)));
  }
  for (const excipient& e : p.excipients) {
    if (!e.mg_per_ml) continue;
    lines.push_back(e.substance + ": " + format_rounded(*e.mg_per_ml) + " mg/mL → " +
                    format_fixed(*e.mg_per_ml * volume_ml / 1000.0, 1) + " g per dose " +
                    std::string(evidence_marker(e.evidence)));
  }
  if (const std::optional<labelled_content>& osm = p.osmolality)
    lines.push_back("Osmolality: " + osm->describe() + " " + std::string(evidence_marker(osm->evidence)));
  return lines;
}

}  // namespace ivig::rules
