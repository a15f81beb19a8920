// rules/engine/infusion_rules.cpp: infusion-rate limits (ivig-knowledge.md §2, §2.4, §4.5) and the
// infusion-safety checks for haemolysis, volume overload and duplicate immune globulin (§1.5, §7).
//
// Rates are compared in mg/kg/min on the dosing weight (the labels do not say which weight; the
// knowledge base's default is the dose's weight). The limits that apply (label start, the product's
// highest labelled maximum across indications, the at-risk cap) are order facts (order_facts.hpp);
// the card names the indication of the maximum.
#include "rules/engine/infusion_rules.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <utility>

#include "fhir/model/dosage.hpp"
#include "rules/engine/boxed_warning_rules.hpp"
#include "rules/engine/number_format.hpp"
#include "rules/engine/rule_support.hpp"

namespace ivig::rules {
namespace {

struct r20_inputs {
  const value_set& hemoglobin;
  const value_set& hematocrit;
  const value_set& abo_group;
  const threshold& course_dose;
  const threshold& hb_after_min;
  const threshold& hb_after_max;
};

r20_inputs bind_r20(role_binder& b) {
  return {b.value_set_role("hemoglobin"),      b.value_set_role("hematocrit"),
          b.value_set_role("aboGroup"),        b.threshold_role("courseDose", "g/kg"),
          b.threshold_role("hbAfterMin", "h"), b.threshold_role("hbAfterMax", "h")};
}

struct r21_inputs {
  const value_set& heart_failure;
};

r21_inputs bind_r21(role_binder& b) {
  return {b.value_set_role("heartFailure")};
}

struct r26_inputs {
  const threshold& window;
};

r26_inputs bind_r26(role_binder& b) {
  return {b.threshold_role("window", "d")};
}

void add_rate_lines(const rule_context& context, finding& f) {
  const dose_plan& dose = context.facts.dose;
  if (!dose.rate_as_written.empty())
    f.evidence.push_back("Ordered rate: " + dose.rate_as_written + " = " + format_rounded(*dose.rate_mg_per_kg_min) +
                         " mg/kg/min");
  if (context.facts.weight.usable())
    f.evidence.push_back("On the dosing weight " + format_rounded(context.facts.weight.kg) + " kg (" +
                         context.facts.weight.why + ")");
}

void cite(finding& f, const sourced_value& value, const std::string& what) {
  for (const source* s : value.sources) f.citations.push_back(citation{s, value.evidence, what});
  if (f.primary_source == nullptr && !value.sources.empty()) f.primary_source = value.sources.front();
}

/// The repeat interval of an order's first timed dosage: doses per period and the period in days.
std::optional<std::pair<int, double>> repeat_interval(const fhir::medication_order& o) {
  if (o.json == nullptr) return std::nullopt;
  for (const fhir::dosage_reading& dosage : fhir::read_dosages(*o.json))
    if (dosage.timing && dosage.timing->period_days)
      return std::make_pair(dosage.timing->frequency.value_or(1), *dosage.timing->period_days);
  return std::nullopt;
}

bool refers_to(std::string_view reference, const fhir::medication_order& o) {
  const std::string local = std::string(o.resource_type) + "/" + std::string(o.id);
  return reference == local || (reference.size() > local.size() && reference.ends_with(local) &&
                                reference[reference.size() - local.size() - 1] == '/');
}

/// R26's "same regimen" (docs/decisions.md): the order being checked renews `existing` when it names
/// it as its priorPrescription, or when `existing` is active with a repeat interval and the new order
/// is the same identified product with the same repeat interval. The next dose of a maintenance
/// regimen is then its renewal, not a duplicate.
bool renews(const rule_context& context, const fhir::medication_order& existing, const product* existing_product) {
  const fhir::medication_order* order = context.order.order;
  if (order == nullptr) return false;
  if (!order->prior_prescription.empty() && refers_to(order->prior_prescription, existing)) return true;
  if (existing.status != "active") return false;
  const product* ordered = context.order.identified_product();
  if (ordered == nullptr || ordered != existing_product) return false;
  const auto before = repeat_interval(existing);
  const auto now = repeat_interval(*order);
  return before && now && before->first == now->first && std::abs(before->second - now->second) < 1e-6;
}

void check_r12(const no_inputs&, const rule_context& context, evaluation& out) {
  const dose_plan& dose = context.facts.dose;
  const product* p = context.order.identified_product();
  if (!dose.rate_mg_per_kg_min) {
    if (context.stage == hook_stage::sign && dose.rate_as_written.empty())
      out.incomplete.push_back(incomplete(context, "the order gives no infusion rate"));
    return;
  }
  const indication_rate* max = context.facts.rates.label_maximum;
  if (max == nullptr) {
    out.incomplete.push_back(incomplete(context, p == nullptr
                                                     ? "the product is not identified, so its maximum rate is unknown"
                                                     : "no labelled maximum rate is on file for " + p->name));
    return;
  }
  if (*dose.rate_mg_per_kg_min <= max->rate.value + 1e-9) return;
  // Critical above the maximum labelled for the order's indication, or above every labelled maximum;
  // above only the most conservative one (indication unknown or off-label) it is a warning.
  const rate_limits& rates = context.facts.rates;
  const bool beyond_every_label =
      rates.highest_maximum != nullptr && *dose.rate_mg_per_kg_min > rates.highest_maximum->rate.value + 1e-9;
  const bool critical =
      max->rate.evidence != evidence_level::unconfirmed && (!rates.maximum_is_conservative || beyond_every_label);
  finding f = start_finding(
      context, critical ? severity::critical : severity::warning,
      "Rate " + format_compared(*dose.rate_mg_per_kg_min, max->rate.value) + " mg/kg/min exceeds " + p->name +
          (rates.maximum_is_conservative && !beyond_every_label ? "'s most conservative labelled maximum "
                                                                : "'s labelled maximum ") +
          format_number(max->rate.value) + " mg/kg/min");
  add_rate_lines(context, f);
  f.evidence.push_back(p->name + " maximum rate: " + format_rounded(max->rate.value) + " mg/kg/min, " +
                       context.facts.rates.maximum_basis + " " + std::string(evidence_marker(max->rate.evidence)));
  if (!context.facts.indication_match.empty()) f.evidence.push_back("Indication: " + context.facts.indication_match);
  cite(f, max->rate, p->name + " maximum infusion rate " + format_rounded(max->rate.value) + " mg/kg/min");
  out.findings.push_back(std::move(f));
}

void check_r13(const no_inputs&, const rule_context& context, evaluation& out) {
  const dose_plan& dose = context.facts.dose;
  const risk_profile& risk = context.facts.risk;
  if (!dose.rate_mg_per_kg_min || !risk.any()) return;
  const product* p = context.order.identified_product();
  const at_risk_cap& at_risk = context.facts.rates.at_risk;
  const double cap = at_risk.mg_per_kg_min;
  if (*dose.rate_mg_per_kg_min <= cap + 1e-9) return;
  finding f = start_finding(context, severity::warning,
                            "Rate " + format_rounded(*dose.rate_mg_per_kg_min) + " mg/kg/min exceeds the " +
                                format_rounded(cap) + " mg/kg/min cap for patients at renal or thrombosis risk");
  add_rate_lines(context, f);
  for (const std::string& line : risk.renal) f.evidence.push_back("Renal risk: " + line);
  for (const std::string& line : risk.thrombosis) f.evidence.push_back("Thrombosis risk: " + line);
  f.policy_notes = risk.policy_notes;
  if (at_risk.labelled != nullptr && at_risk.labelled->evidence == evidence_level::unconfirmed)
    // The product's row gives a cap its label does not state (Bivigam: "minimum practicable rate").
    f.policy_notes.push_back(p->name + "'s cap of " + format_rounded(cap) +
                             " mg/kg/min at renal or thrombosis risk is local policy [U], not a labelled figure: " +
                             at_risk.labelled->detail);
  else if (at_risk.labelled != nullptr)
    cite(f, *at_risk.labelled,
         p->name + " rate cap at renal or thromboembolic risk " + format_rounded(cap) + " mg/kg/min");
  else
    f.policy_notes.push_back(policy_note(*at_risk.policy, "The at-risk rate cap for a product without a labelled cap"));
  order_correction c;
  c.max_rate_mg_per_kg_min = cap;
  if (const std::optional<double> ml = context.facts.ml_per_hour(cap)) c.max_rate_ml_per_hour = std::floor(*ml);
  // Only the top is capped: the titration keeps the label's start rate, or the ordered first step
  // when that is lower (clinical review 2026-11 §6: one flat rate at the cap skipped the start).
  std::optional<double> start;
  if (p != nullptr && p->initial_rate) start = p->initial_rate->value;
  if (dose.initial_rate_mg_per_kg_min && (!start || *dose.initial_rate_mg_per_kg_min < *start))
    start = dose.initial_rate_mg_per_kg_min;
  std::string from;
  if (start && *start < cap - 1e-9) {
    const std::optional<double> ml = context.facts.ml_per_hour(*start);
    // 1e-6: a start written in mL/h converts back to the same whole number, not one below it.
    const std::optional<double> start_ml = ml ? std::optional<double>(std::floor(*ml + 1e-6)) : std::nullopt;
    if (!c.max_rate_ml_per_hour || (start_ml && *start_ml > 0)) {
      c.min_rate_mg_per_kg_min = *start;
      if (c.max_rate_ml_per_hour) c.min_rate_ml_per_hour = start_ml;
      const bool label_start = p != nullptr && p->initial_rate && *start >= p->initial_rate->value - 1e-9;
      from = "; the titration still starts at " + format_rounded(*start) + " mg/kg/min" +
             (c.min_rate_ml_per_hour ? " (" + format_rounded(*c.min_rate_ml_per_hour) + " mL/h)" : std::string{}) +
             (label_start ? ", the label's start rate" : ", the ordered start");
    }
  }
  c.label = "Cap the rate at " + format_rounded(cap) + " mg/kg/min" +
            (c.max_rate_ml_per_hour ? " (" + format_rounded(*c.max_rate_ml_per_hour) + " mL/h)" : std::string{});
  c.description = "Caps the infusion rate at " + format_rounded(cap) + " mg/kg/min" +
                  (c.max_rate_ml_per_hour ? " (" + format_rounded(*c.max_rate_ml_per_hour) + " mL/h for this patient)"
                                          : std::string{}) +
                  from;
  f.correction = std::move(c);
  // The boxed-warning card says the rate exceeds the cap; R13 adds the fix.
  f.joins = {std::string(r8_renal_risk.id), std::string(r10_thrombosis_risk.id)};
  out.findings.push_back(std::move(f));
}

void check_r14(const no_inputs&, const rule_context& context, evaluation& out) {
  const dose_plan& dose = context.facts.dose;
  const product* p = context.order.identified_product();
  if (!dose.initial_rate_mg_per_kg_min || p == nullptr || !p->initial_rate) return;
  const ig_history& history = context.facts.history;
  if (*dose.initial_rate_mg_per_kg_min <= p->initial_rate->value + 1e-9) return;
  const std::vector<const product*> earlier = history.products();
  const bool switched = !earlier.empty() && std::find(earlier.begin(), earlier.end(), p) == earlier.end();
  // No earlier immune globulin on file is a first infusion only when the EHR sent the history.
  if (!history.any_intravenous() && !history.complete) {
    out.incomplete.push_back(
        incomplete(context,
                   "the EHR did not send the earlier immune globulin (medicationHistory, administrations), so "
                   "whether this is a first infusion is not known"));
    return;
  }
  const bool first = !history.any_intravenous();
  if (!first && !switched) return;
  finding f = start_finding(context, severity::warning,
                            std::string(first ? "First IVIg infusion" : "Product switch") + ": start " + p->name +
                                " at " + format_rounded(p->initial_rate->value) + " mg/kg/min, not " +
                                format_rounded(*dose.initial_rate_mg_per_kg_min));
  add_rate_lines(context, f);
  if (first) f.evidence.push_back("No earlier immune globulin order or administration is on file");
  for (const ig_record& r : history.records)
    if (r.intravenous) f.evidence.push_back(r.line());
  cite(f, *p->initial_rate,
       p->name + " initial infusion rate " + format_rounded(p->initial_rate->value) + " mg/kg/min");
  out.findings.push_back(std::move(f));
}

void check_r20(const r20_inputs& in, const rule_context& context, evaluation& out) {
  const dose_plan& dose = context.facts.dose;
  const threshold& course_dose = in.course_dose;
  if (!dose.g_per_kg_per_course || *dose.g_per_kg_per_course < course_dose.value - 1e-9) return;
  const threshold& after_min = in.hb_after_min;
  const threshold& after_max = in.hb_after_max;
  finding f = start_finding(context, severity::warning,
                            "High-dose IVIg (" + format_rounded(*dose.g_per_kg_per_course) +
                                " g/kg course): check haemoglobin before and " + format_rounded(after_min.value) + "–" +
                                format_rounded(after_max.value) + " h after");
  f.evidence.push_back("Course: " + format_rounded(*dose.g_per_kg_per_course) + " g/kg (" + dose.as_written + ")");
  for (const value_set* set : {&in.abo_group, &in.hemoglobin, &in.hematocrit}) {
    const auto found = observations_in(context, *set);
    if (!found.empty()) f.evidence.push_back(describe(found.front()));
  }
  // The monitoring the label asks for, as orders the clinician accepts in one click: haemoglobin
  // (the hemoglobin role's first code) at baseline and in the window after the last dose.
  if (!in.hemoglobin.codes.empty()) {
    const code_entry& hb = in.hemoglobin.codes.front();
    const auto hours = [](double h) { return std::chrono::seconds{static_cast<long>(h * 3600)}; };
    f.lab_orders.push_back({hb.system, hb.code, hb.display, "before the infusion", context.now, std::nullopt});
    f.lab_orders.push_back(
        {hb.system, hb.code, hb.display,
         format_rounded(after_min.value) + "–" + format_rounded(after_max.value) + " h after the last dose",
         context.facts.last_dose + hours(after_min.value), context.facts.last_dose + hours(after_max.value)});
  }
  out.findings.push_back(std::move(f));
}

void check_r21(const r21_inputs& in, const rule_context& context, evaluation& out) {
  const auto failure = conditions_in(context, in.heart_failure, status_filter::active_only);
  if (failure.empty()) return;
  const dose_plan& dose = context.facts.dose;
  std::string volume;
  if (const std::optional<infusion_volume>& infused = context.facts.volume) {
    volume = format_rounded(std::round(infused->ml_per_dose)) + " mL per infusion";
    if (dose.doses_per_day > 1) volume += " (" + format_rounded(std::round(infused->ml_per_day)) + " mL per day)";
  }
  finding f =
      start_finding(context, severity::warning,
                    volume.empty() ? "Heart failure: IVIg adds volume; use the minimum practicable rate"
                                   : "Heart failure: IVIg infuses " + volume + "; use the minimum practicable rate");
  for (const auto& found : failure) f.evidence.push_back(describe(found));
  if (volume.empty())
    f.evidence.push_back("The infusion volume could not be computed (dose in grams or product concentration unknown)");
  out.findings.push_back(std::move(f));
}

/// R26: what counts as another order or a recent dose. A current order counts unless this order
/// renews it; an ended order, an infusion given or an immunization record counts within the window.
bool counts_as_duplicate(const rule_context& context, const ig_record& r, const threshold& window) {
  if (r.kind == ig_record_kind::current_order) return !renews(context, *r.order, r.identified);
  return r.when && r.days_ago <= static_cast<long>(window.value);
}

void check_r26(const r26_inputs& in, const rule_context& context, evaluation& out) {
  // One R26 card per session (one cause, one card; docs/decisions.md, Issue 14): the first checked
  // order's card lists the recent doses and the session's other orders; the other orders of the call
  // add none of their own, which would repeat the same records and make the answer quadratic in the
  // number of orders.
  const std::vector<const fhir::medication_order*>& checked = context.session.checked_orders;
  if (!checked.empty() && checked.front() != context.order.order) return;
  const threshold& window = in.window;
  std::vector<std::string> lines;
  for (const ig_record& r : context.facts.history.records)
    if (counts_as_duplicate(context, r, window)) lines.push_back(r.line());
  // Immune globulin by any route: an IV and a subcutaneous order for the same period are duplicates too.
  const value_set& substances = context.kb.fact_inputs->history.ig_substances;
  for (const fhir::medication_order* other : context.session.medication_orders) {
    if (other == context.order.order) continue;
    if (const auto match = match_concept(context.kb, substances, other->medication_concept))
      lines.push_back("Also in this ordering session: " + match->describe() + " (" +
                      reference_text(other->resource_type, other->id) + ")");
  }
  if (lines.empty()) return;
  finding f = start_finding(context, severity::warning,
                            "Another immune globulin order or recent dose is on file: check for duplication");
  f.evidence = std::move(lines);
  if (window.local_policy()) f.policy_notes.push_back(policy_note(window, "How recent an earlier dose counts"));
  out.findings.push_back(std::move(f));
}

}  // namespace

const rule_unit r12_rate_above_label_maximum = define_rule<no_inputs, &bind_nothing, &check_r12>("R12", __FILE__);
const rule_unit r13_rate_above_at_risk_cap = define_rule<no_inputs, &bind_nothing, &check_r13>("R13", __FILE__);
const rule_unit r14_initial_rate = define_rule<no_inputs, &bind_nothing, &check_r14>("R14", __FILE__);
const rule_unit r20_hemolysis = define_rule<r20_inputs, &bind_r20, &check_r20>("R20", __FILE__);
const rule_unit r21_volume_overload = define_rule<r21_inputs, &bind_r21, &check_r21>("R21", __FILE__);
const rule_unit r26_duplicate_immune_globulin = define_rule<r26_inputs, &bind_r26, &check_r26>("R26", __FILE__);

}  // namespace ivig::rules
