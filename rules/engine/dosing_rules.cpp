// rules/engine/dosing_rules.cpp: R15–R19, the weight-based dose checks (ivig-knowledge.md §4).
//
// The numbers (limits, windows, IBW coefficients, rounding step and tolerance) are read by the order
// facts (order_facts.hpp, facts.json), which also compute the dosing weight, the dose plan and the
// whole-vial totals; these checks compare the facts with the limits. A limit marked [U] is local
// policy: exceeding it is never critical (critical is kept for labelled maxima), and the card says
// the limit is local policy.
#include "rules/engine/dosing_rules.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "rules/engine/number_format.hpp"
#include "rules/engine/rule_support.hpp"

namespace ivig::rules {
namespace {

struct r16_inputs {
  const value_set& multiple_sclerosis;
  const threshold& maintenance_interval_min;
};

r16_inputs bind_r16(role_binder& b) {
  return {b.value_set_role("multipleSclerosis"), b.threshold_role("maintenanceIntervalMin", "d")};
}

/// Critical when the exceeded limit is sourced; a [U] limit gives a warning with a policy note.
severity over_limit_severity(const threshold& limit, finding& f, std::string_view what) {
  if (!limit.local_policy()) return severity::critical;
  f.policy_notes.push_back(policy_note(limit, what));
  return severity::warning;
}

void add_dose_lines(const rule_context& context, finding& f) {
  const dose_plan& dose = context.facts.dose;
  if (!dose.as_written.empty()) f.evidence.push_back("Order: " + dose.as_written);
  const dosing_weight& w = context.facts.weight;
  if (w.usable()) f.evidence.push_back("Dosing weight: " + format_fixed(w.kg, 1) + " kg (" + w.why + ")");
}

void check_r15(const no_inputs&, const rule_context& context, evaluation& out) {
  const dose_plan& dose = context.facts.dose;
  if (!dose.has_dose) {
    // A dose that is there but cannot be read is a finding on either hook; a dose not yet entered
    // is only a finding at signing (order-select often comes before the dose is set).
    if (context.stage == hook_stage::sign || dose.unreadable_fields) {
      finding f = start_finding(context, severity::warning,
                                "IVIg dose could not be interpreted: no dose quantity in the order");
      for (const std::string& p : dose.problems) f.evidence.push_back("Found: " + p);
      if (!dose.as_written.empty()) f.evidence.push_back("Order: " + dose.as_written);
      f.explanation =
          "The dose checks (per day, per course, dosing weight, rounding) could not run. Enter the dose "
          "as g/kg (ordered) with the calculated grams.";
      out.findings.push_back(std::move(f));
    } else {
      out.incomplete.push_back(incomplete(context, "no dose has been entered yet"));
    }
    return;
  }
  if (!dose.readable) {
    const bool only_weight_missing = dose.grams_per_dose && !context.facts.weight.usable();
    if (only_weight_missing) {
      out.incomplete.push_back(incomplete(context, "the dose is in grams and no usable weight is on file"));
      return;
    }
    finding f =
        start_finding(context, severity::warning, "IVIg dose could not be interpreted: check the dose and its unit");
    for (const std::string& p : dose.problems) f.evidence.push_back("Found: " + p);
    f.explanation =
        "The dose checks could not run on this order. Write the dose as g/kg or mg/kg (ordered) and "
        "grams or mg (calculated).";
    out.findings.push_back(std::move(f));
    return;
  }
  const double per_day = *dose.g_per_kg_per_day;
  const threshold& critical = *context.facts.limits.per_day_local;
  const threshold& warning = *context.facts.limits.per_day;
  if (per_day > critical.value) {
    finding f = start_finding(context, severity::warning, {});
    f.level = over_limit_severity(critical, f, "The per-day limit");
    f.summary =
        "IVIg dose " + format_rounded(per_day) + " g/kg/day exceeds " + format_rounded(critical.value) + " g/kg/day";
    add_dose_lines(context, f);
    out.findings.push_back(std::move(f));
  } else if (per_day > warning.value) {
    finding f = start_finding(
        context, severity::warning,
        "IVIg dose " + format_rounded(per_day) + " g/kg/day exceeds " + format_rounded(warning.value) + " g/kg/day");
    if (warning.local_policy()) f.policy_notes.push_back(policy_note(warning, "The per-day limit"));
    add_dose_lines(context, f);
    out.findings.push_back(std::move(f));
  }
}

void check_r16(const r16_inputs& in, const rule_context& context, evaluation& out) {
  const dose_plan& dose = context.facts.dose;
  if (!dose.readable) return;  // R15 reports an unreadable dose once
  const threshold& critical = *context.facts.limits.per_course;
  const threshold& window = *context.facts.limits.course_window;
  if (!dose.interval_days && dose.course_days <= window.value && *dose.g_per_kg_per_course > critical.value) {
    finding f = start_finding(context, severity::warning, {});
    f.level = over_limit_severity(critical, f, "The per-course limit");
    f.summary = "IVIg course " + format_rounded(*dose.g_per_kg_per_course) + " g/kg over " +
                format_rounded(dose.course_days) + (dose.course_days == 1 ? " day" : " days") + " exceeds " +
                format_rounded(critical.value) + " g/kg";
    if (window.local_policy()) f.policy_notes.push_back(policy_note(window, "The course window"));
    add_dose_lines(context, f);
    out.findings.push_back(std::move(f));
  }
  // The shortest maintenance interval is the MS regimens' (every 4 weeks or longer); replacement
  // therapy for immune deficiency is given more often, so the check applies to MS orders only.
  const value_set& ms = in.multiple_sclerosis;
  const bool for_ms =
      std::any_of(
          context.order.order->reasons.begin(), context.order.order->reasons.end(),
          [&](const fhir::codeable_concept& reason) { return match_concept(context.kb, ms, reason).has_value(); }) ||
      (context.order.order->reasons.empty() && !conditions_in(context, ms, status_filter::active_only).empty());
  const threshold& interval = in.maintenance_interval_min;
  if (for_ms && dose.interval_days && *dose.interval_days < interval.value) {
    finding f = start_finding(context, severity::warning,
                              "IVIg every " + format_rounded(*dose.interval_days) + " days is more often than every " +
                                  format_rounded(interval.value) + " days");
    if (interval.local_policy()) f.policy_notes.push_back(policy_note(interval, "The shortest maintenance interval"));
    add_dose_lines(context, f);
    out.findings.push_back(std::move(f));
  }
}

void check_r17(const no_inputs&, const rule_context& context, evaluation& out) {
  const dosing_weight& w = context.facts.weight;
  const dose_plan& dose = context.facts.dose;
  if (!w.usable() || !dose.ordered_g_per_kg || !context.facts.vials.on_dosing_weight) return;
  const double g_per_kg = *dose.ordered_g_per_kg;
  const vial_rounding& rounded = *context.facts.vials.on_dosing_weight;
  const double expected = rounded.requested_g;
  // A calculated dose agrees with the ordered g/kg on the dosing weight when it is within what
  // rounding to the product's vials can explain: one vial step, or the rounding tolerance.
  const double slack = std::max(rounded.step_g, context.facts.vials.tolerance->value * expected);
  auto matches = [&](double grams, double kg) { return std::fabs(grams - g_per_kg * kg) <= slack; };
  std::string summary;
  if (dose.calculated_grams) {
    const double calculated = *dose.calculated_grams;
    if (matches(calculated, w.kg)) return;
    if (w.adjusted_applies && w.weight && matches(calculated, w.weight->value))
      summary = "IVIg dose " + format_rounded(calculated) + " g is on actual weight: on adjusted weight it is " +
                format_rounded(rounded.rounded_g) + " g";
    else
      summary = "Calculated dose " + format_rounded(calculated) + " g does not match " + format_rounded(g_per_kg) +
                " g/kg × " + format_fixed(w.kg, 1) + " kg (" + format_rounded(rounded.rounded_g) + " g)";
  } else if (w.adjusted_applies) {
    summary = "Dose IVIg on adjusted weight " + format_fixed(w.kg, 1) + " kg: " + format_rounded(g_per_kg) +
              " g/kg = " + format_rounded(rounded.rounded_g) + " g";
  } else {
    return;  // a weight-based dose without grams is computed on the dosing weight by the worksheet
  }
  finding f = start_finding(context, severity::warning, std::move(summary));
  if (w.weight) f.evidence.push_back(w.weight->line);
  if (w.height) f.evidence.push_back(w.height->line);
  if (w.bmi && w.ibw_kg && w.adjusted_kg)
    f.evidence.push_back("BMI " + format_fixed(*w.bmi, 1) + (w.bmi_computed ? " (computed)" : " (recorded)") +
                         "; ideal body weight " + format_fixed(*w.ibw_kg, 1) + " kg (Devine); adjusted weight " +
                         format_fixed(*w.adjusted_kg, 1) + " kg");
  f.evidence.push_back("Dosing weight: " + format_fixed(w.kg, 1) + " kg (" + w.why + ")");
  if (!dose.as_written.empty()) f.evidence.push_back("Order: " + dose.as_written);
  order_correction c;
  c.g_per_kg = g_per_kg;
  c.grams = rounded.rounded_g;
  c.dose_recomputed = true;
  c.label = "Use " + format_rounded(rounded.rounded_g) + " g (" + format_rounded(g_per_kg) + " g/kg on " +
            format_fixed(w.kg, 1) + " kg)";
  c.description = "Sets the ordered dose to " + format_rounded(g_per_kg) + " g/kg and the calculated dose to " +
                  format_rounded(rounded.rounded_g) + " g (" + std::string(weight_basis_name(w.basis)) + " " +
                  format_fixed(w.kg, 1) + " kg" +
                  (rounded.combination.empty() ? std::string{} : ", vials " + rounded.combination) +
                  "); timing is unchanged";
  f.correction = std::move(c);
  out.findings.push_back(std::move(f));
}

void check_r18(const no_inputs&, const rule_context& context, evaluation& out) {
  const dosing_weight& w = context.facts.weight;
  if (w.problems.empty()) return;
  const std::string summary = !w.weight ? "No body weight on file: the weight-based IVIg dose cannot be checked"
                              : w.problems.front().size() < 100 ? "Check the weight: " + w.problems.front()
                                                                : "Check the weight and height used for the IVIg dose";
  finding f = start_finding(context, severity::warning, summary);
  f.evidence = w.problems;
  if (w.weight) f.evidence.push_back("Newest weight: " + w.weight->line);
  if (w.height) f.evidence.push_back("Newest height: " + w.height->line);
  f.policy_notes = w.policy_notes;
  out.findings.push_back(std::move(f));
}

void check_r19(const no_inputs&, const rule_context& context, evaluation& out) {
  const dose_plan& dose = context.facts.dose;
  if (!context.facts.vials.ordered) return;
  // R17's corrected dose is already rounded to whole vials: a second card would contradict it.
  if (found_earlier(out, r17_dosing_weight, context)) return;
  const vial_rounding& rounded = *context.facts.vials.ordered;
  const double requested = rounded.requested_g;
  if (std::fabs(rounded.rounded_g - requested) < 1e-9) return;
  const threshold& tolerance = *context.facts.vials.tolerance;
  const double change = rounded.change_fraction();
  const bool large = std::fabs(change) > tolerance.value;
  finding f = start_finding(context, severity::info,
                            large ? "Rounding " + format_rounded(requested) + " g to vials (" +
                                        format_rounded(rounded.rounded_g) + " g) changes the dose by " +
                                        format_fixed(change * 100, 0) + "%"
                                  : "Round the IVIg dose " + format_rounded(requested) + " g to " +
                                        format_rounded(rounded.rounded_g) + " g (whole vials)");
  f.evidence.push_back(
      "Requested " + format_rounded(requested) + " g; nearest whole-vial total " + format_rounded(rounded.rounded_g) +
      " g" +
      (rounded.combination.empty() ? " (step " + format_rounded(rounded.step_g) + " g)" : ": " + rounded.combination));
  if (rounded.vial_sizes_g.empty())
    f.evidence.push_back("The product's vial sizes are not known: rounded to the default step of " +
                         format_rounded(rounded.step_g) + " g");
  if (large && tolerance.local_policy()) f.policy_notes.push_back(policy_note(tolerance, "The rounding tolerance"));
  order_correction c;
  if (dose.ordered_g_per_kg) c.g_per_kg = *dose.ordered_g_per_kg;
  c.grams = rounded.rounded_g;
  c.label = "Round to " + format_rounded(rounded.rounded_g) + " g";
  c.description = "Sets the calculated dose to " + format_rounded(rounded.rounded_g) + " g" +
                  (rounded.combination.empty() ? std::string{} : " (" + rounded.combination + ")") +
                  "; the rest of the order is unchanged";
  f.correction = std::move(c);
  f.changes_order = true;
  out.findings.push_back(std::move(f));
}

}  // namespace

const rule_unit r15_dose_per_day = define_rule<no_inputs, &bind_nothing, &check_r15>("R15", __FILE__);
const rule_unit r16_dose_per_course = define_rule<r16_inputs, &bind_r16, &check_r16>("R16", __FILE__);
const rule_unit r17_dosing_weight = define_rule<no_inputs, &bind_nothing, &check_r17>("R17", __FILE__);
const rule_unit r18_weight_data = define_rule<no_inputs, &bind_nothing, &check_r18>("R18", __FILE__);
const rule_unit r19_vial_rounding = define_rule<no_inputs, &bind_nothing, &check_r19>("R19", __FILE__);

}  // namespace ivig::rules
