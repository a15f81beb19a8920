// hooks/service/worksheet.cpp: the worksheet's tables.
#include "hooks/service/worksheet.hpp"

#include <cmath>
#include <cstdio>

#include "hooks/protocol/uuid.hpp"
#include "rules/engine/dosing_rules.hpp"
#include "rules/engine/number_format.hpp"

namespace ivig::service {
namespace {

std::string num(double value, int decimals = 2) {
  return rules::format_trimmed(value, decimals);
}

std::string opt(const std::optional<double>& value, const char* unit, int decimals = 2) {
  return value ? num(*value, decimals) + (unit[0] != '\0' ? std::string(" ") + unit : "") : "—";
}

std::string limit(const rules::threshold* t, const char* unit, const char* kind) {
  if (t == nullptr) return "—";
  return "≤ " + num(t->value) + " " + unit + " " + kind +
         (t->local_policy() ? " (local policy [U])" : " " + std::string(rules::evidence_marker(t->evidence)));
}

void weight_table(std::string& md, const rules::dosing_weight& w) {
  md += "**Weight**\n\n| measure | value | measured |\n|---|---|---|\n";
  auto row = [&](const char* name, const std::optional<rules::measurement>& m, const char* unit) {
    if (m)
      md += std::string("| ") + name + " | " + num(m->value, 1) + " " + unit + " | " +
            m->line.substr(m->line.find(" on ") + 4) + " |\n";
    else
      md += std::string("| ") + name + " | missing | — |\n";
  };
  row("Actual weight", w.weight, "kg");
  row("Height", w.height, "cm");
  md += "| BMI | " + opt(w.bmi, "kg/m²", 1) + (w.bmi && w.bmi_computed ? " (computed)" : "") + " | |\n";
  md += "| Ideal body weight (Devine) | " + opt(w.ibw_kg, "kg", 1) + " | |\n";
  md += "| Adjusted weight | " + opt(w.adjusted_kg, "kg", 1) + " | |\n";
  if (w.pre_pregnancy_weight) row("Pre-pregnancy weight", w.pre_pregnancy_weight, "kg");
  md += "| **Dosing weight** | **" + (w.usable() ? num(w.kg, 1) + " kg" : std::string("none usable")) + "** | " +
        (w.why.empty() ? std::string(rules::weight_basis_name(w.basis)) : w.why) + " |\n\n";
}

void dose_table(std::string& md, const rules::dose_plan& d, const rules::dose_limits& limits) {
  md += "**Dose** (as written: " + (d.as_written.empty() ? std::string("no dose") : d.as_written) + ")\n\n";
  md += "| | per dose | per day | per course |\n|---|---|---|---|\n";
  md += "| g/kg | " + opt(d.g_per_kg_per_dose, "") + " | " + opt(d.g_per_kg_per_day, "") + " | " +
        opt(d.g_per_kg_per_course, "") + " |\n";
  md += "| g | " + opt(d.grams_per_dose, "") + " | " + opt(d.grams_per_day, "") + " | " + opt(d.grams_per_course, "") +
        " |\n";
  md += "| limit | | " + limit(limits.per_day, "g/kg/day", "local") + "; " +
        limit(limits.per_day_label_max, "g/kg/day", "labelled maximum") + " | " +
        limit(limits.per_course, "g/kg", "local") + "; " +
        limit(limits.per_course_label_max, "g/kg", "labelled maximum") + " |\n\n";
  md += "Course: " + std::to_string(d.course_doses) + " dose(s), " + num(d.doses_per_day) + " per day over " +
        num(d.course_days) + " day(s)";
  if (d.interval_days) md += "; repeated every " + num(*d.interval_days) + " days";
  md += ".\n\n";
}

}  // namespace

protocol::card worksheet_card(std::string_view hook_instance, const checked_order& checked,
                              const rules::knowledge& kb) {
  const rules::ivig_order& order = *checked.order;
  const rules::order_facts& facts = checked.facts;
  const rules::dose_plan& d = facts.dose;
  const rules::product* p = order.identified_product();
  protocol::card c;
  c.uuid = protocol::uuid_v5(std::string(hook_instance) + "|worksheet|" + order.reference());
  c.indicator = "info";
  c.summary = "IVIg verification worksheet: " + order.product_description() +
              (d.grams_per_dose ? ", " + num(*d.grams_per_dose, 1) + " g per dose" : std::string{}) +
              (d.g_per_kg_per_dose && facts.weight.usable()
                   ? " (" + num(*d.g_per_kg_per_dose) + " g/kg on " + num(facts.weight.kg, 1) + " kg)"
                   : std::string{});

  std::string md = "**Order:** " + order.product_description() + " (" + order.reference() + ")";
  if (p != nullptr && p->concentration_mg_per_ml)
    md += ", " + num(p->concentration_mg_per_ml->value / 10.0) + "% (" + num(p->concentration_mg_per_ml->value) +
          " mg/mL)";
  md += "\n\n";
  weight_table(md, facts.weight);
  dose_table(md, d, facts.limits);

  // Vials, waste and volume.
  if (const std::optional<rules::vial_rounding>& r = facts.vials.ordered) {
    const double requested = r->requested_g;
    const double up = r->covering_g;
    md += "**Vials:** " + num(requested) + " g requested; nearest whole-vial total " + num(r->rounded_g) + " g" +
          (r->combination.empty() ? " (default step " + num(r->step_g) + " g; vial sizes unknown)"
                                  : " = " + r->combination) +
          "; to give exactly " + num(requested) + " g open " + num(up) + " g, waste " + num(up - requested) + " g.\n\n";
  }
  if (const std::optional<rules::infusion_volume>& v = facts.volume)
    md += "**Volume:** " + num(std::round(v->ml_per_dose), 0) + " mL per dose, " + num(std::round(v->ml_per_day), 0) +
          " mL per day.\n\n";

  // Rate plan.
  md += "**Rate plan** (on the dosing weight";
  md += facts.weight.usable() ? " " + num(facts.weight.kg, 1) + " kg)" : "; none usable)";
  md += "\n\n| step | mg/kg/min | mL/h |\n|---|---|---|\n";
  auto rate_row = [&](const std::string& name, double mg_per_kg_min) {
    const std::optional<double> ml = facts.ml_per_hour(mg_per_kg_min);
    md += "| " + name + " | " + num(mg_per_kg_min) + " | " + (ml ? num(*ml, 0) : std::string("—")) + " |\n";
  };
  const rules::rate_limits& rates = facts.rates;
  if (rates.label_start != nullptr) rate_row("Start (label)", rates.label_start->value);
  if (rates.label_maximum != nullptr && rates.label_maximum->rate.value > 0)
    rate_row("Maximum (label; " + rates.maximum_basis + ")", rates.label_maximum->rate.value);
  if (facts.risk.any() && rates.at_risk.mg_per_kg_min > 0)
    rate_row(
        std::string("Cap at renal/thrombosis risk") + (rates.at_risk.labelled != nullptr ? "" : " (local policy [U])"),
        rates.at_risk.mg_per_kg_min);
  if (d.rate_mg_per_kg_min) rate_row("Ordered (" + d.rate_as_written + ")", *d.rate_mg_per_kg_min);
  md +=
      "\nStep up from the start rate to the maximum at the intervals the product label gives (the steps are not in the "
      "knowledge base).\n\n";

  // Cost on what is dispensed: the whole-vial total per dose, times the doses of the course.
  if (const std::optional<rules::cost_estimate>& cost = facts.cost)
    md += "**Estimated cost:** " + num(cost->grams) + " g (" + std::to_string(cost->doses) + " × " +
          num(cost->grams_per_dose) + " g in whole vials) × $" + num(cost->price_per_gram->value) + "/g = $" +
          num(cost->usd, 0) +
          (cost->price_per_gram->local_policy() ? " (the price per gram is local policy [U])" : "") + ".\n\n";

  // The live-vaccine deferral (R24's card says the same at signing).
  if (const std::optional<rules::vaccine_deferral>& deferral = facts.deferral)
    md += "**Vaccines:** Defer measles-, mumps-, rubella- and varicella-containing vaccines until " +
          fhir::format_date(deferral->until) + " (Deferral: " + deferral->basis + " after the last IVIg dose on " +
          fhir::format_date(deferral->last_dose) + ").\n\n";

  // The data each check used, and what was missing.
  md += "**Data used**\n\n";
  if (facts.weight.weight) md += "- Weight: " + facts.weight.weight->line + "\n";
  if (facts.weight.height) md += "- Height: " + facts.weight.height->line + "\n";
  for (const std::string& line : facts.risk.renal) md += "- Renal risk: " + line + "\n";
  for (const std::string& line : facts.risk.thrombosis) md += "- Thrombosis risk: " + line + "\n";
  if (!facts.risk.any()) md += "- Renal and thrombosis risk factors: none found in the data provided\n";
  for (const std::string& problem : facts.weight.problems) md += "- Problem: " + problem + "\n";
  for (const std::string& problem : d.problems) md += "- Problem: " + problem + "\n";
  for (const rules::incomplete_check& check : checked.result.incomplete)
    md += "- Not checked: " + check.rule_id + " " + check.check + ": " + check.reason + "\n";
  md += "\nKnowledge " + kb.version + ".";
  c.detail = std::move(md);
  c.source.label = std::string(worksheet_card_source);
  c.knowledge_version = kb.version;
  // The dose checks whose numbers the worksheet shows in full.
  c.rule_ids = {std::string(rules::r15_dose_per_day.id), std::string(rules::r16_dose_per_course.id),
                std::string(rules::r17_dosing_weight.id), std::string(rules::r19_vial_rounding.id)};
  return c;
}

}  // namespace ivig::service
