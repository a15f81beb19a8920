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
  const threshold& course_window;  ///< doses given this recently belong to the order's course
};

r16_inputs bind_r16(role_binder& b) {
  return {b.value_set_role("multipleSclerosis"), b.threshold_role("maintenanceIntervalMin", "d"),
          b.threshold_role("courseWindow", "d")};
}

void add_dose_lines(const rule_context& context, finding& f) {
  const dose_plan& dose = context.facts.dose;
  if (!dose.as_written.empty()) f.evidence.push_back("Order: " + dose.as_written);
  const dosing_weight& w = context.facts.weight;
  if (w.usable()) f.evidence.push_back("Dosing weight: " + format_fixed(w.kg, 1) + " kg (" + w.why + ")");
}

/// Cites a threshold's own sources on the card (a labelled maximum is cited from its label).
void cite_threshold(finding& f, const threshold& limit, const std::string& what) {
  for (const source* s : limit.sources) f.citations.push_back(citation{s, limit.evidence, what});
  if (!limit.sources.empty()) f.primary_source = limit.sources.front();
}

/// Every planned instruction of the order whose dose per kg is known: the first, then the others.
std::vector<const dose_plan*> readable_instructions(const dose_plan& dose) {
  std::vector<const dose_plan*> plans;
  if (dose.readable) plans.push_back(&dose);
  for (const dose_plan& other : dose.other_instructions)
    if (other.readable) plans.push_back(&other);
  return plans;
}

/// The instruction with the highest value of `field`, or null.
const dose_plan* highest(const std::vector<const dose_plan*>& plans, std::optional<double> dose_plan::*field) {
  const dose_plan* top = nullptr;
  for (const dose_plan* p : plans)
    if ((p->*field) && (top == nullptr || *(p->*field) > *(top->*field))) top = p;
  return top;
}

/// The label's dose for the order's indication, when it gives a maximum for `field` (per day or
/// per course): the order is then held to it instead of the local limit (docs/decisions.md).
const labelled_dose* labelled_limit(const rule_context& context, std::optional<double> labelled_dose::*field) {
  const labelled_dose* most_permissive = nullptr;
  for (const labelled_dose* d : context.facts.indication_doses)
    if ((d->*field) && (most_permissive == nullptr || *(d->*field) > *(most_permissive->*field))) most_permissive = d;
  return most_permissive;
}

std::string labelled_for(const rule_context& context, const labelled_dose& d) {
  const product* p = context.order.identified_product();
  return (p != nullptr ? p->name + "'s" : std::string("the")) + " labelled " +
         (d.region.empty() || d.region == "US" ? std::string() : d.region + " ") + "dose for " + d.indication;
}

void add_labelled_dose(const rule_context& context, finding& f, const labelled_dose& d) {
  f.evidence.push_back("Label (" + (d.region.empty() ? std::string("US") : d.region) + ") for " + d.indication +
                       ": " + d.text + " " + std::string(evidence_marker(d.evidence)));
  if (!context.facts.indication_match.empty()) f.evidence.push_back("Indication: " + context.facts.indication_match);
  for (const source* s : d.sources) f.citations.push_back(citation{s, d.evidence, d.indication + " dose: " + d.text});
  if (!d.sources.empty()) f.primary_source = d.sources.front();
  if (d.evidence == evidence_level::unconfirmed)
    f.policy_notes.push_back("This labelled dose is not confirmed in a retrieved label [U]; check the current label");
}

/// What the record says was given in this course already: immune globulin administrations within
/// the course window, in g/kg on the dosing weight.
struct course_so_far {
  double grams = 0;
  double g_per_kg = 0;
  long days_back = 0;  ///< how many days before today the earliest of them was given
  std::string since;   ///< its date
  std::vector<std::string> lines;
};

course_so_far given_in_course(const rule_context& context, const threshold& window) {
  course_so_far given;
  if (!context.facts.weight.usable()) return given;
  for (const ig_record& r : context.facts.history.records) {
    if (r.kind != ig_record_kind::administration || !r.when || !r.grams) continue;
    if (r.days_ago > static_cast<long>(window.value)) continue;
    given.grams += *r.grams;
    if (r.days_ago >= given.days_back) {
      given.days_back = r.days_ago;
      given.since = fhir::format_date(*r.when);
    }
    given.lines.push_back(r.line());
  }
  given.g_per_kg = given.grams / context.facts.weight.kg;
  return given;
}

void add_given_lines(finding& f, const course_so_far& given, const threshold& window) {
  if (given.lines.empty()) return;
  for (const std::string& line : given.lines) f.evidence.push_back(line);
  if (window.local_policy())
    f.policy_notes.push_back(policy_note(window, "Which doses given earlier count towards this course"));
}

void report_cannot_be_right(const rule_context& context, evaluation& out) {
  const implausible_dose& problem = *context.facts.implausible;
  finding f = start_finding(context, severity::critical, "IVIg dose cannot be right: " + problem.reason);
  if (!problem.as_written.empty()) f.evidence.push_back("Order: " + problem.as_written);
  f.explanation =
      "No IVIg regimen uses this dose: it is most likely an entry or unit error (mg written as g, a misplaced "
      "decimal, a timing that repeats too often). No other dose check was run on it. Correct the dose and its unit.";
  if (problem.bound != nullptr && problem.bound->local_policy())
    f.policy_notes.push_back(policy_note(*problem.bound, "The bound of a plausible dose"));
  out.findings.push_back(std::move(f));
}

void check_r15(const no_inputs&, const rule_context& context, evaluation& out) {
  const dose_plan& dose = context.facts.dose;
  if (context.facts.implausible) {
    report_cannot_be_right(context, out);
    return;
  }
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
  if (!dose.readable || dose.unreadable_fields) {
    const bool only_weight_missing = !dose.readable && dose.grams_per_dose && !context.facts.weight.usable();
    if (only_weight_missing) {
      out.incomplete.push_back(incomplete(context, "the dose is in grams and no usable weight is on file"));
      return;
    }
    // A second instruction that cannot be read is named even when the first one can.
    finding f =
        start_finding(context, severity::warning, "IVIg dose could not be interpreted: check the dose and its unit");
    for (const std::string& p : dose.problems) f.evidence.push_back("Found: " + p);
    f.explanation =
        "The dose checks could not run on all of this order. Write the dose as g/kg or mg/kg (ordered) and "
        "grams or mg (calculated).";
    out.findings.push_back(std::move(f));
    if (!dose.readable) return;
  }
  const dose_plan* top = highest(readable_instructions(dose), &dose_plan::g_per_kg_per_day);
  if (top == nullptr) return;
  const double per_day = *top->g_per_kg_per_day;
  const threshold& label_max = *context.facts.limits.per_day_label_max;
  const threshold& local = *context.facts.limits.per_day;
  if (context.facts.exceeds(per_day, label_max, top->doses_per_day)) {
    finding f = start_finding(context, severity::critical,
                              "IVIg dose " + format_compared(per_day, label_max.value) +
                                  " g/kg/day exceeds the highest labelled daily dose, " +
                                  format_number(label_max.value) + " g/kg/day");
    cite_threshold(f, label_max, "highest labelled single-day dose " + format_number(label_max.value) + " g/kg/day");
    f.explanation = "No IVIg label, for any indication, gives more than " + format_number(label_max.value) +
                    " g/kg in one day. " + label_max.rationale;
    add_dose_lines(context, f);
    out.findings.push_back(std::move(f));
  } else if (const labelled_dose* labelled = labelled_limit(context, &labelled_dose::per_day_max_g_per_kg)) {
    // The indication's labelled dose replaces the local limit, both ways: Kawasaki's 2 g/kg in one
    // day is within its label; GBS at 1 g/kg/day is above the 0.4 g/kg/day its label gives.
    const double max = *labelled->per_day_max_g_per_kg;
    if (!context.facts.exceeds(per_day, max, top->doses_per_day)) return;
    finding f = start_finding(context, severity::warning,
                              "IVIg dose " + format_compared(per_day, max) + " g/kg/day exceeds " +
                                  format_number(max) + " g/kg/day, " + labelled_for(context, *labelled));
    add_labelled_dose(context, f, *labelled);
    f.explanation = "Above the daily dose the label gives for this indication, and below the highest labelled daily "
                    "dose of any indication (" +
                    format_number(label_max.value) + " g/kg/day). Confirm the regimen.";
    add_dose_lines(context, f);
    out.findings.push_back(std::move(f));
  } else if (context.facts.exceeds(per_day, local, top->doses_per_day)) {
    finding f = start_finding(context, severity::warning,
                              "IVIg dose " + format_compared(per_day, local.value) + " g/kg/day exceeds " +
                                  format_number(local.value) + " g/kg/day, the local daily limit");
    cite_threshold(f, local, "daily limit " + format_number(local.value) + " g/kg/day");
    f.policy_notes.push_back("The " + format_number(local.value) +
                             " g/kg/day limit is the site's (Ontario's MS criteria, and no US label "
                             "states a higher daily dose); labels allow up to " +
                             format_number(label_max.value) +
                             " g/kg/day for some indications. Confirm the indication and the regimen.");
    add_dose_lines(context, f);
    out.findings.push_back(std::move(f));
  }
}

void check_r16(const r16_inputs& in, const rule_context& context, evaluation& out) {
  const dose_plan& dose = context.facts.dose;
  if (!dose.readable) return;  // R15 reports an unreadable dose once
  // Every course, whatever its length: the order's whole course (a maintenance order's course is one
  // administration), on each of its instructions.
  // A course of one day (or one maintenance administration) is R15's per-day check: one cause, one card.
  std::vector<const dose_plan*> courses;
  for (const dose_plan* plan : readable_instructions(dose))
    if (!plan->interval_days && plan->course_days > 1) courses.push_back(plan);
  const dose_plan* top = highest(courses, &dose_plan::g_per_kg_per_course);
  const threshold& label_max = *context.facts.limits.per_course_label_max;
  const threshold& local = *context.facts.limits.per_course;
  double doses = top != nullptr ? top->course_doses : 1;
  // Doses already given in this course (recorded within the course window) count towards it.
  const course_so_far given = given_in_course(context, in.course_window);
  std::optional<dose_plan> with_given;
  if (given.g_per_kg > 0) {
    const dose_plan* base = top != nullptr ? top : highest(readable_instructions(dose), &dose_plan::g_per_kg_per_day);
    if (base != nullptr && base->g_per_kg_per_course && !base->interval_days) {
      with_given = *base;
      with_given->g_per_kg_per_course = *base->g_per_kg_per_course + given.g_per_kg;
      with_given->course_days = base->course_days + static_cast<double>(given.days_back);
      top = &*with_given;
      doses = 0;  // the total is no longer a whole-vial rounding of this order alone: compare as written
    }
  }
  auto course_words = [&](const threshold& limit) {
    return "IVIg course " + format_compared(*top->g_per_kg_per_course, limit.value) + " g/kg over " +
           format_rounded(top->course_days) + (top->course_days == 1 ? " day" : " days") +
           (with_given ? " with the " + format_rounded(given.grams) + " g given since " + given.since : std::string{});
  };
  if (top != nullptr && context.facts.exceeds(*top->g_per_kg_per_course, label_max, doses)) {
    finding f = start_finding(
        context, severity::critical,
        course_words(label_max) + " exceeds the highest labelled course, " + format_number(label_max.value) + " g/kg");
    cite_threshold(f, label_max, "highest labelled course " + format_number(label_max.value) + " g/kg");
    f.explanation = "No IVIg label gives more than " + format_number(label_max.value) + " g/kg in one course. " +
                    label_max.rationale;
    add_dose_lines(context, f);
    add_given_lines(f, given, in.course_window);
    out.findings.push_back(std::move(f));
  } else if (const labelled_dose* labelled = labelled_limit(context, &labelled_dose::per_course_max_g_per_kg);
             top != nullptr && labelled != nullptr) {
    const double max = *labelled->per_course_max_g_per_kg;
    if (context.facts.exceeds(*top->g_per_kg_per_course, max, doses)) {
      finding f = start_finding(context, severity::warning,
                                "IVIg course " + format_compared(*top->g_per_kg_per_course, max) + " g/kg over " +
                                    format_rounded(top->course_days) + " days" +
                                    (with_given ? " with the " + format_rounded(given.grams) + " g given since " +
                                                      given.since
                                                : std::string{}) +
                                    " exceeds " + format_number(max) + " g/kg, " + labelled_for(context, *labelled));
      add_labelled_dose(context, f, *labelled);
      add_dose_lines(context, f);
      add_given_lines(f, given, in.course_window);
      out.findings.push_back(std::move(f));
    }
  } else if (top != nullptr && context.facts.exceeds(*top->g_per_kg_per_course, local, doses)) {
    finding f =
        start_finding(context, severity::warning,
                      course_words(local) + " exceeds " + format_number(local.value) + " g/kg, the local course limit");
    f.policy_notes.push_back(policy_note(local, "The course limit"));
    add_dose_lines(context, f);
    add_given_lines(f, given, in.course_window);
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
    return;
  }
  // The same interval from the history: the last dose given before this course's window, too recently.
  const ig_record* last = context.facts.history.last_course();
  if (for_ms && last != nullptr && last->given() && last->days_ago > static_cast<long>(in.course_window.value) &&
      last->days_ago < static_cast<long>(interval.value)) {
    finding f = start_finding(context, severity::warning,
                              "Last IVIg dose was " + std::to_string(last->days_ago) +
                                  " days ago: more often than every " + format_rounded(interval.value) + " days");
    f.evidence.push_back(last->line());
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
  severity level = severity::warning;
  const threshold* beyond_label = nullptr;
  if (dose.calculated_grams) {
    const double calculated = *dose.calculated_grams;
    if (matches(calculated, w.kg)) return;
    // What would be dispensed is the calculated grams: when they are beyond every labelled daily dose
    // or course for this patient, the mismatch is critical. Still one card: the cause is the grams.
    const double per_day = calculated / w.kg * dose.doses_per_day;
    const double per_course = calculated / w.kg * (dose.interval_days ? 1 : dose.course_doses);
    if (context.facts.exceeds(per_day, *context.facts.limits.per_day_label_max, dose.doses_per_day)) {
      level = severity::critical;
      beyond_label = context.facts.limits.per_day_label_max;
      summary = "Calculated " + format_rounded(calculated) + " g is " + format_compared(per_day, beyond_label->value) +
                " g/kg/day on " + format_fixed(w.kg, 1) + " kg, above any labelled daily dose; " +
                format_number(g_per_kg) + " g/kg is " + format_rounded(rounded.rounded_g) + " g";
    } else if (!dose.interval_days &&
               context.facts.exceeds(per_course, *context.facts.limits.per_course_label_max, dose.course_doses)) {
      level = severity::critical;
      beyond_label = context.facts.limits.per_course_label_max;
      summary = "Calculated " + format_rounded(calculated) + " g per dose makes a " +
                format_compared(per_course, beyond_label->value) + " g/kg course, above any labelled course; " +
                format_number(g_per_kg) + " g/kg is " + format_rounded(rounded.rounded_g) + " g";
    } else if (w.adjusted_applies && w.weight && matches(calculated, w.weight->value))
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
  finding f = start_finding(context, level, std::move(summary));
  if (beyond_label != nullptr) {
    cite_threshold(f, *beyond_label, beyond_label->description);
    f.evidence.push_back("Labelled maximum: " + format_number(beyond_label->value) + " " + beyond_label->unit + " " +
                         std::string(evidence_marker(beyond_label->evidence)));
  }
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
