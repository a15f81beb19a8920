// rules/engine/dosing_weight.cpp: measurements, their plausibility, IBW, adjusted and dosing weight.
#include "rules/engine/dosing_weight.hpp"

#include <cmath>
#include <cstdio>

#include "fhir/model/markdown_text.hpp"
#include "rules/engine/number_format.hpp"
#include "rules/engine/record_queries.hpp"

namespace ivig::rules {
namespace {

// Unit conversions are notation, not clinical knowledge (UCUM definitions).
constexpr double kg_per_pound = 0.45359237;
constexpr double cm_per_inch = 2.54;

std::optional<double> to_kg(double value, std::string_view unit) {
  if (unit == "kg") return value;
  if (unit == "[lb_av]" || unit == "lb" || unit == "lbs" || unit == "[lb_us]") return value * kg_per_pound;
  if (unit == "g") return value / 1000.0;
  return std::nullopt;
}

std::optional<double> to_cm(double value, std::string_view unit) {
  if (unit == "cm") return value;
  if (unit == "[in_i]" || unit == "in" || unit == "[in_us]") return value * cm_per_inch;
  if (unit == "m") return value * 100.0;
  if (unit == "mm") return value / 10.0;
  return std::nullopt;
}

/// The newest observations of `set` converted by `convert`, newest first; unreadable units are
/// reported as problems rather than dropped silently.
std::vector<measurement> measurements(const fhir::patient_record& record, const knowledge& kb, const value_set& set,
                                      std::optional<double> (*convert)(double, std::string_view), std::string_view what,
                                      std::string_view unit_name, fhir::time_point now,
                                      std::vector<std::string>& problems) {
  std::vector<measurement> out;
  for (const auto& found : observations_in(record, kb, set)) {
    const fhir::observation& o = *found.resource;
    if (!o.value_quantity || !o.effective) continue;
    const std::optional<double> value = convert(o.value_quantity->value, o.value_quantity->effective_unit());
    if (!value) {
      problems.push_back(std::string(what) + " on " + fhir::format_date(o.effective->at) +
                         " is in a unit the service " + "cannot read (" +
                         fhir::markdown_text(o.value_quantity->effective_unit()) + ")");
      continue;
    }
    measurement m;
    m.value = *value;
    m.at = o.effective->at;
    m.age_days = fhir::days_between(m.at, now);
    if (m.age_days < 0) {
      problems.push_back(std::string(what) + " dated " + fhir::format_date(m.at) +
                         " is in the future: it was not used");
      continue;
    }
    m.line = std::string(what) + " " + format_fixed(*value, 1) + " " + std::string(unit_name) + " on " +
             fhir::format_date(m.at) + " (" + std::to_string(m.age_days) + " days ago)";
    out.push_back(std::move(m));
  }
  return out;
}

/// BMI for a reason text: one decimal, or two when one would print the threshold itself ("30.0 is over 30").
std::string bmi_text(double bmi, double threshold) {
  return bmi != threshold && std::fabs(bmi - threshold) < 0.05 ? format_fixed(bmi, 2) : format_fixed(bmi, 1);
}

}  // namespace

std::string_view weight_basis_name(weight_basis basis) {
  switch (basis) {
    case weight_basis::actual:
      return "actual weight";
    case weight_basis::adjusted:
      return "adjusted weight";
    case weight_basis::pre_pregnancy:
      return "pre-pregnancy weight";
    case weight_basis::none:
      return "no usable weight";
  }
  return "no usable weight";
}

std::optional<double> devine_ibw(const dosing_weight_inputs& in, std::string_view gender, double height_cm) {
  double base = 0;
  if (gender == "male")
    base = in.ibw_male_base.value;
  else if (gender == "female")
    base = in.ibw_female_base.value;
  else
    return std::nullopt;
  const double inches = height_cm / cm_per_inch;
  // Devine is defined from its base height up (Ontario applies the calculator from 152.4 cm): below
  // it the formula gives meaningless, even negative, weights, so there is no IBW and actual weight is used.
  if (inches < in.ibw_base_height.value) return std::nullopt;
  return base + in.ibw_kg_per_inch.value * (inches - in.ibw_base_height.value);
}

dosing_weight compute_dosing_weight(const fhir::patient_record& record, const knowledge& kb,
                                    const dosing_weight_inputs& in,
                                    const std::vector<fhir::codeable_concept>& indications, fhir::time_point now) {
  dosing_weight result;
  std::vector<measurement> weights =
      measurements(record, kb, in.weight, &to_kg, "Body weight", "kg", now, result.problems);
  std::vector<measurement> heights = measurements(record, kb, in.height, &to_cm, "Height", "cm", now, result.problems);
  const double recency = in.recency.value;

  // Plausibility: a value outside the bounds is most likely a unit error; it is reported, not used.
  auto plausible = [&](std::vector<measurement>& list, double low, double high, std::string_view what) {
    std::vector<measurement> kept;
    for (measurement& m : list) {
      if (m.value < low || m.value > high) {
        result.problems.push_back(m.line + " is implausible (outside " + format_fixed(low, 0) + "–" +
                                  format_fixed(high, 0) + "): " + "check its unit; it was not used");
        result.policy_notes.push_back(policy_note(what == "weight" ? in.weight_max : in.height_max,
                                                  std::string("The upper bound of a plausible ") + std::string(what)));
        continue;
      }
      kept.push_back(std::move(m));
    }
    list = std::move(kept);
  };
  plausible(weights, in.weight_min.value, in.weight_max.value, "weight");
  plausible(heights, in.height_min.value, in.height_max.value, "height");

  if (!weights.empty()) {
    result.weight = weights.front();
    if (weights.size() > 1) result.previous_weight = weights[1];
  }
  if (!heights.empty()) result.height = heights.front();

  if (!result.weight) {
    result.problems.push_back("No body weight is on file: the dose per kg cannot be checked");
  } else if (result.weight->age_days > static_cast<long>(recency)) {
    result.problems.push_back(result.weight->line + " is older than " + format_fixed(recency, 0) + " days");
    result.policy_notes.push_back(policy_note(in.recency, "How recent a weight must be"));
  }
  if (!result.height)
    result.problems.push_back("No height is on file: ideal and adjusted body weight cannot be computed");

  // A sudden change between the two newest weights suggests a unit or entry error.
  if (result.weight && result.previous_weight &&
      fhir::days_between(result.previous_weight->at, result.weight->at) <= static_cast<long>(in.change_window.value)) {
    const double change =
        std::fabs(result.weight->value - result.previous_weight->value) / result.previous_weight->value;
    if (change > in.change_fraction.value) {
      result.problems.push_back("Body weight changed by " + format_fixed(change * 100, 0) + "% between " +
                                fhir::format_date(result.previous_weight->at) + " (" +
                                format_fixed(result.previous_weight->value, 1) + " kg) and " +
                                fhir::format_date(result.weight->at) + " (" + format_fixed(result.weight->value, 1) +
                                " kg): confirm the newest weight");
      result.policy_notes.push_back(policy_note(in.change_fraction, "Counting a weight change as sudden"));
    }
  }

  // BMI: recorded (newest) or computed from weight and height.
  const auto bmis = observations_in(record, kb, in.bmi);
  for (const auto& found : bmis) {
    if (found.resource->value_quantity) {
      result.bmi = found.resource->value_quantity->value;
      break;
    }
  }
  if (result.weight && result.height) {
    const double meters = result.height->value / 100.0;
    if (!result.bmi) {
      result.bmi = result.weight->value / (meters * meters);
      result.bmi_computed = true;
    }
    const std::string_view gender = record.subject ? record.subject->gender : std::string_view{};
    result.ibw_kg = devine_ibw(in, gender, result.height->value);
    const double base_cm = in.ibw_base_height.value * cm_per_inch;
    if (!result.ibw_kg && result.height->value < base_cm)
      result.policy_notes.push_back("Ideal and adjusted body weight are not computed below " +
                                    format_fixed(base_cm, 1) +
                                    " cm, the Devine formula's base height: actual weight is used");
    else if (!result.ibw_kg)
      result.problems.push_back(
          "The patient's sex is not recorded as male or female: the Devine ideal body weight "
          "has no formula for it, so actual weight is used");
  }

  // Pregnancy or postpartum: pre-pregnancy weight, the newest weight before the pregnancy began.
  const long postpartum_days = static_cast<long>(in.postpartum_window.value);
  std::optional<fhir::time_point> pregnancy_start;
  for (const auto& found : conditions_in(record, kb, in.pregnancy, status_filter::active_only)) {
    result.pregnant_or_postpartum = true;
    result.pregnancy_line = describe(found);
    if (found.resource->onset) pregnancy_start = found.resource->onset->at;
  }
  for (const auto& found : conditions_in(record, kb, in.postpartum, status_filter::any_not_refuted)) {
    const auto& when = found.resource->onset ? found.resource->onset : found.resource->recorded;
    if (when && fhir::days_between(when->at, now) <= postpartum_days) {
      result.pregnant_or_postpartum = true;
      result.pregnancy_line = describe(found);
    }
  }
  if (result.pregnant_or_postpartum) {
    if (pregnancy_start)
      for (const measurement& m : weights)
        if (m.at < *pregnancy_start) {
          result.pre_pregnancy_weight = m;
          break;
        }
    if (!result.pre_pregnancy_weight)
      result.problems.push_back("Pregnant or postpartum (" + result.pregnancy_line +
                                ") and no pre-pregnancy weight is on file: dose on the pre-pregnancy weight");
  }

  // Choose the dosing weight.
  if (result.pre_pregnancy_weight) {
    result.basis = weight_basis::pre_pregnancy;
    result.kg = result.pre_pregnancy_weight->value;
    result.why = "pregnant or postpartum: the pre-pregnancy weight is used";
    return result;
  }
  if (!result.weight) return result;
  result.basis = weight_basis::actual;
  result.kg = result.weight->value;
  result.why = "actual weight";
  if (result.ibw_kg && result.bmi) {
    const double factor = in.adjusted_factor.value;
    result.adjusted_kg = *result.ibw_kg + factor * (result.weight->value - *result.ibw_kg);
    const double bmi_threshold = in.bmi_threshold.value;
    const double over_ibw = in.over_ibw_fraction.value;
    // The 120%-of-IBW trigger is a site option, off unless the site turns it on (Ontario's
    // criterion is BMI alone): applied by default it moved ordinary adults to adjusted weight.
    const bool over_ibw_on = in.over_ibw_enabled.value >= 1;
    const bool heavy_for_height = over_ibw_on && result.weight->value > over_ibw * *result.ibw_kg;
    // Primary and secondary immunodeficiency are dosed on actual weight and titrated to IgG levels.
    std::optional<concept_match> replacement;
    for (const fhir::codeable_concept& reason : indications)
      if (!replacement) replacement = match_concept(kb, in.replacement_therapy, reason);
    if (!replacement && indications.empty())
      if (const auto found = conditions_in(record, kb, in.replacement_therapy, status_filter::active_only);
          !found.empty())
        replacement = found.front().match;
    if (replacement && (*result.bmi > bmi_threshold || heavy_for_height)) {
      result.why =
          "immunodeficiency (" + replacement->describe() +
          "): replacement therapy is dosed on actual weight and titrated to IgG levels, not on adjusted weight";
    } else if (*result.bmi > bmi_threshold || heavy_for_height) {
      if (result.weight->value < *result.ibw_kg) {
        result.why = "actual weight is below ideal body weight, so actual weight is used";
      } else {
        result.adjusted_applies = true;
        result.basis = weight_basis::adjusted;
        result.kg = *result.adjusted_kg;
        result.why = (*result.bmi > bmi_threshold
                          ? "BMI " + bmi_text(*result.bmi, bmi_threshold) + " is over " + format_fixed(bmi_threshold, 0)
                          : "actual weight is over " + format_fixed(over_ibw * 100, 0) + "% of ideal body weight") +
                     ": adjusted weight = IBW + " + format_fixed(factor, 1) + " × (actual − IBW)";
      }
    } else {
      result.why =
          "BMI " + bmi_text(*result.bmi, bmi_threshold) + " is not over " + format_fixed(bmi_threshold, 0) +
          (over_ibw_on ? " and weight is not over " + format_fixed(over_ibw * 100, 0) + "% of ideal body weight"
                       : std::string{}) +
          ": actual weight";
    }
  }
  return result;
}

}  // namespace ivig::rules
