// hooks/service/worksheet.cpp: the pharmacist's verification worksheet, one card per IVIg order at
// signing. Everything a pharmacist checks, from the order facts, on one card without opening the
// chart: indication and label, the patient's results, allergies and last course, dose, vials,
// titration in mL/h, preparation, what each dose carries, cost, and every check not done. Short lines
// and small tables, for the narrow card panel of an EHR (docs/cards.md, "The worksheet").
#include "hooks/service/worksheet.hpp"

#include <cctype>
#include <cmath>
#include <cstdio>

#include "fhir/model/markdown_text.hpp"
#include "hooks/protocol/uuid.hpp"
#include "rules/engine/dosing_rules.hpp"
#include "rules/engine/infusion_rules.hpp"
#include "rules/engine/number_format.hpp"

namespace ivig::service {
namespace {

std::string num(double value, int decimals = 2) {
  return rules::format_trimmed(value, decimals);
}

std::string opt(const std::optional<double>& value, const char* unit, int decimals = 2) {
  return value ? num(*value, decimals) + (unit[0] != '\0' ? std::string(" ") + unit : "") : "—";
}

std::string marker(rules::evidence_level level) {
  return std::string(rules::evidence_marker(level));
}

std::string limit(const rules::threshold* t, const char* unit, const char* kind) {
  if (t == nullptr) return "—";
  return "≤ " + num(t->value) + " " + unit + " " + kind +
         (t->local_policy() ? " (local policy [U])" : " " + marker(t->evidence));
}

/// "2 h 10 min", "45 min".
std::string duration(double minutes) {
  const long total = std::lround(minutes);
  if (total < 60) return std::to_string(total) + " min";
  return std::to_string(total / 60) + " h" + (total % 60 == 0 ? "" : " " + std::to_string(total % 60) + " min");
}

bool has_finding(const checked_order& checked, std::string_view rule_id) {
  for (const rules::finding& f : checked.result.findings)
    if (f.rule_id == rule_id) return true;
  return false;
}

void order_section(std::string& md, const checked_order& checked) {
  const rules::ivig_order& order = *checked.order;
  const rules::order_facts& facts = checked.facts;
  const rules::product* p = order.identified_product();
  md += "**Order:** " + order.product_description();
  // The concentration, unless the product's name already says it ("Octagam 10%").
  if (p != nullptr && p->concentration_mg_per_ml)
    md += (p->name.find('%') == std::string::npos ? " " + num(p->concentration_mg_per_ml->value / 10.0) + "%" : "") +
          " (" + num(p->concentration_mg_per_ml->value) + " mg/mL)";
  md += ", " + fhir::markdown_text(order.reference()) + "\n\n";

  md += "**Indication:** ";
  if (facts.indication.empty()) {
    md += "none the service recognises in the order's reasonCode";
  } else {
    md += facts.indication + " (" + facts.indication_match + ")";
    if (p != nullptr)
      md += p->labelled_for(facts.indication)  ? ": " + p->name + " is labelled for it"
            : p->indications_known()           ? ": " + p->name + " is not labelled for it (off-label)"
                                               : ": the knowledge does not list " + p->name + "'s labelled indications";
  }
  md += "\n\n";

  md += "**Prior authorisation:** ";
  const std::optional<fhir::coverage_information> coverage =
      order.order != nullptr && order.order->json != nullptr ? fhir::read_coverage_information(*order.order->json)
                                                             : std::nullopt;
  if (!coverage) {
    md += "not stated on the order";
  } else {
    // The payer's words on the order: escaped (fhir/model/markdown_text.hpp).
    md += "coverage " +
          (coverage->covered.empty() ? std::string("not stated") : fhir::markdown_text(coverage->covered)) +
          "; prior authorisation " +
          (coverage->pa_needed.empty() ? std::string("not stated") : fhir::markdown_text(coverage->pa_needed));
    if (!coverage->satisfied_pa_id.empty()) md += " (" + fhir::markdown_text(coverage->satisfied_pa_id) + ")";
    if (!coverage->date.empty()) md += ", " + fhir::markdown_text(coverage->date);
    md += " (payer's coverage information on the order)";
  }
  md += "\n\n";

  if (p != nullptr) {
    md += "**Label:** ";
    if (!p->label) {
      md += "not verified against a label [U]";
    } else {
      md += p->label->title + ", " +
            (p->label->revised.empty() ? std::string("revision date not found") : "revised " + p->label->revised) +
            " " + marker(p->label->evidence);
    }
    md += "\n\n";
  }
}

void lab_row(std::string& md, const char* name, const std::optional<rules::lab_reading>& reading,
             const std::string& note = {}) {
  md += std::string("| ") + name + " | " + (reading ? reading->value : std::string("none on file")) + " | " +
        (reading ? reading->date : std::string()) + (note.empty() ? "" : (reading ? "; " : "") + note) + " |\n";
}

void patient_section(std::string& md, const checked_order& checked) {
  const rules::order_facts& facts = checked.facts;
  static const rules::verification_data not_gathered{};  // the worksheet is made at signing, where it is
  const rules::verification_data& v = facts.verification ? *facts.verification : not_gathered;
  const rules::product* p = checked.order->identified_product();
  md += "**Patient**\n\n| check | result | date |\n|---|---|---|\n";
  lab_row(md, "Serum IgA", v.iga);
  lab_row(md, "Anti-IgA", v.anti_iga);
  md += "| Product IgA | " +
        (p != nullptr && p->iga ? p->iga->describe() + " " + marker(p->iga->evidence) : std::string("not known")) +
        " | |\n";
  lab_row(md, "Creatinine", v.creatinine);
  lab_row(md, "eGFR", v.egfr);
  lab_row(md, "BUN", v.bun);
  // Haemoglobin is needed before and after a high-dose course (R20's card says when).
  const std::string hb_note = has_finding(checked, rules::r20_hemolysis.id) ? "needed before and after (R20)" : "";
  lab_row(md, "Haemoglobin", v.hemoglobin, hb_note);
  lab_row(md, "Haematocrit", v.hematocrit);
  md += "\n";
  md += "**Risk factors:** ";
  if (!facts.risk.any()) md += "renal and thrombosis: none found in the data provided";
  for (const std::string& line : facts.risk.renal) md += "\n- Renal: " + line;
  for (const std::string& line : facts.risk.thrombosis) md += "\n- Thrombosis: " + line;
  md += "\n\n**Allergies:** ";
  if (!v.allergies_sent)
    md += "not sent by the EHR";
  else if (v.allergies.empty())
    md += "none recorded";
  for (const std::string& line : v.allergies) md += "\n- " + line;
  md += "\n\n**Earlier reactions to immune globulin:** ";
  if (v.infusion_reactions.empty()) md += v.allergies_sent ? "none recorded" : "not known (allergies not sent)";
  for (const std::string& line : v.infusion_reactions) md += "\n- " + line;
  md += "\n\n";
}

void history_section(std::string& md, const checked_order& checked) {
  const rules::ig_history& history = checked.facts.history;
  md += "**Last immune globulin course:** ";
  const rules::ig_record* last = history.last_course();
  if (last == nullptr) {
    md += history.complete ? "none on file: a first infusion" : "not known (the EHR did not send the history)";
  } else {
    md += last->line();
    for (const std::string& note : last->notes) md += "\n- Note: " + note;
  }
  for (const rules::ig_record& r : history.records)
    if (r.kind == rules::ig_record_kind::current_order) md += "\n- Also current: " + r.line();
  md += "\n\n";
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

void dose_section(std::string& md, const rules::order_facts& facts) {
  const rules::dose_plan& d = facts.dose;
  const rules::dose_limits& limits = facts.limits;
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
  if (facts.indication_doses.empty()) {
    md += "Labelled dose for the indication: none on file for this product";
    md += facts.indication.empty() ? "" : " and " + facts.indication;
    md += "; the local limits above apply.\n\n";
  }
  for (const rules::labelled_dose* labelled : facts.indication_doses)
    md += "Labelled dose for " + labelled->indication + " (" + (labelled->region.empty() ? "US" : labelled->region) +
          "): " + labelled->text + " " + marker(labelled->evidence) + "\n\n";
}

void vials_and_volume(std::string& md, const rules::order_facts& facts) {
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
}

void rate_section(std::string& md, const rules::order_facts& facts) {
  md += "**Rate limits** (on the dosing weight";
  md += facts.weight.usable() ? " " + num(facts.weight.kg, 1) + " kg)" : "; none usable)";
  md += "\n\n| | mg/kg/min | mL/h |\n|---|---|---|\n";
  auto rate_row = [&](const std::string& name, double mg_per_kg_min) {
    const std::optional<double> ml = facts.ml_per_hour(mg_per_kg_min);
    md += "| " + name + " | " + num(mg_per_kg_min) + " | " + (ml ? num(*ml, 0) : std::string("—")) + " |\n";
  };
  const rules::rate_limits& rates = facts.rates;
  if (rates.label_start != nullptr) rate_row("Start (label)", rates.label_start->value);
  if (rates.label_maximum != nullptr && rates.label_maximum->rate.value > 0)
    rate_row("Maximum (label; " + rates.maximum_basis + ")", rates.label_maximum->rate.value);
  if (facts.risk.any() && rates.at_risk.mg_per_kg_min > 0)
    rate_row(std::string("Cap at renal/thrombosis risk") +
                 (rates.at_risk.labelled != nullptr && rates.at_risk.labelled->evidence != rules::evidence_level::unconfirmed
                      ? ""
                      : " (local policy [U])"),
             rates.at_risk.mg_per_kg_min);
  if (facts.dose.rate_mg_per_kg_min)
    rate_row("Ordered (" + facts.dose.rate_as_written + ")", *facts.dose.rate_mg_per_kg_min);
  md += "\n";

  const std::optional<rules::infusion_plan>& plan = facts.infusion;
  if (!plan) {
    md += "**Titration:** not computed (the label's steps are not in the knowledge for this product, or the "
          "product, weight or volume is unknown); step up from the start rate as the label says.\n\n";
    return;
  }
  md += "**Titration** for one dose (" + plan->basis + " " + marker(plan->titration->evidence) + ")\n\n";
  md += "| step | mg/kg/min | mL/h | time |\n|---|---|---|---|\n";
  for (std::size_t i = 0; i < plan->steps.size(); ++i) {
    const rules::infusion_step& s = plan->steps[i];
    md += "| " + std::to_string(i + 1) + " | " + num(s.mg_per_kg_min) + (s.held ? " (held)" : "") + " | " +
          num(std::floor(s.ml_per_hour + 1e-6), 0) + " | " + duration(s.minutes) + " |\n";
  }
  md += "\nTotal: " + num(std::round(plan->volume_ml), 0) + " mL in about " + duration(plan->total_minutes) + ".";
  if (plan->ceiling_mg_per_kg_min > 0)
    md += " No step above " + num(plan->ceiling_mg_per_kg_min) + " mg/kg/min (" + plan->ceiling_reason + ").";
  md += "\n\n";
}

void preparation_section(std::string& md, const rules::product* p, const std::vector<std::string>& load) {
  if (p != nullptr) {
    md += "**Preparation**";
    if (p->administration.empty()) md += ": nothing on file for " + p->name + "; see the label";
    for (const rules::handling_statement& h : p->administration)
      md += "\n- " + std::string(1, static_cast<char>(std::toupper(static_cast<unsigned char>(h.topic[0])))) +
            h.topic.substr(1) + ": " + h.text + " " + marker(h.fact.evidence);
    md += "\n\n";
  }
  if (!load.empty()) {
    md += "**Each dose also carries**";
    for (const std::string& line : load) md += "\n- " + line;
    md += "\n\n";
  }
}

void cost_and_vaccines(std::string& md, const rules::order_facts& facts) {
  // Cost on what is dispensed: the whole-vial total per dose, times the doses of the course.
  if (const std::optional<rules::cost_estimate>& cost = facts.cost)
    md += "**Estimated cost:** " + num(cost->grams) + " g (" + std::to_string(cost->doses) + " × " +
          num(cost->grams_per_dose) + " g in whole vials) × $" + num(cost->price_per_gram->value) + "/g = $" +
          num(cost->usd, 0) +
          (cost->price_per_gram->local_policy() ? " (the price per gram is local policy [U])" : "") + ".\n\n";
  if (const std::optional<rules::vaccine_deferral>& deferral = facts.deferral)
    md += "**Vaccines:** Defer measles-, mumps-, rubella- and varicella-containing vaccines until " +
          fhir::format_date(deferral->until) + " (Deferral: " + deferral->basis + " after the last IVIg dose on " +
          fhir::format_date(deferral->last_dose) + ").\n\n";
}

void not_done_section(std::string& md, const checked_order& checked) {
  const rules::order_facts& facts = checked.facts;
  md += "**Checks not done and problems**";
  std::size_t lines = 0;
  for (const std::string& problem : facts.weight.problems) md += "\n- Problem: " + problem, ++lines;
  for (const std::string& problem : facts.dose.problems) md += "\n- Problem: " + problem, ++lines;
  for (const rules::incomplete_check& check : checked.result.incomplete)
    md += "\n- Not checked: " + check.rule_id + " " + check.check + ": " + check.reason, ++lines;
  if (lines == 0) md += ": none";
  md += "\n\n";
}

}  // namespace

protocol::card worksheet_card(std::string_view hook_instance, const checked_order& checked,
                              const rules::knowledge& kb) {
  const rules::ivig_order& order = *checked.order;
  const rules::order_facts& facts = checked.facts;
  const rules::dose_plan& d = facts.dose;
  protocol::card c;
  c.uuid = protocol::uuid_v5(std::string(hook_instance) + "|worksheet|" + order.reference());
  c.indicator = "info";
  c.summary = "IVIg verification worksheet: " + order.product_description() +
              (d.grams_per_dose ? ", " + num(*d.grams_per_dose, 1) + " g per dose" : std::string{}) +
              (d.g_per_kg_per_dose && facts.weight.usable()
                   ? " (" + num(*d.g_per_kg_per_dose) + " g/kg on " + num(facts.weight.kg, 1) + " kg)"
                   : std::string{});

  std::string md;
  order_section(md, checked);
  patient_section(md, checked);
  history_section(md, checked);
  weight_table(md, facts.weight);
  dose_section(md, facts);
  vials_and_volume(md, facts);
  rate_section(md, facts);
  preparation_section(md, order.identified_product(), facts.load);
  cost_and_vaccines(md, facts);
  not_done_section(md, checked);
  md += "Knowledge " + kb.version + ".";
  c.detail = std::move(md);
  c.source.label = std::string(worksheet_card_source);
  c.knowledge_version = kb.version;
  // The dose checks whose numbers the worksheet shows in full.
  c.rule_ids = {std::string(rules::r15_dose_per_day.id), std::string(rules::r16_dose_per_course.id),
                std::string(rules::r17_dosing_weight.id), std::string(rules::r19_vial_rounding.id)};
  return c;
}

}  // namespace ivig::service
