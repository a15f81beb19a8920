// rules/engine/dose_plan.cpp: dose and rate arithmetic for one IVIg order.
#include "rules/engine/dose_plan.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "fhir/model/markdown_text.hpp"
#include "rules/engine/number_format.hpp"

namespace ivig::rules {
namespace {

// The units and texts below are the order's words: escaped where they enter the Markdown of the
// evidence lines and the worksheet (fhir/model/markdown_text.hpp).
std::string dose_text(const fhir::dose_value& dose) {
  return format_number(dose.value) + " " + fhir::markdown_text(dose.unit);
}

std::optional<double> concentration_of(const ivig_order& order) {
  std::optional<double> common;
  for (const product* p : order.candidates) {
    if (!p->concentration_mg_per_ml) return std::nullopt;
    if (common && *common != p->concentration_mg_per_ml->value) return std::nullopt;
    common = p->concentration_mg_per_ml->value;
  }
  return common;
}

/// A rate in mg/kg/min, or nullopt (with the reason added to `problems`).
std::optional<double> to_mg_per_kg_min(const fhir::rate_value& rate, std::optional<double> concentration,
                                       double weight_kg, std::vector<std::string>& problems) {
  switch (rate.kind) {
    case fhir::rate_kind::mg_per_kg_per_min:
      return rate.value;
    case fhir::rate_kind::ml_per_kg_per_hour:
      if (!concentration) break;
      return rate.value * *concentration / 60.0;
    case fhir::rate_kind::ml_per_hour:
      if (!concentration) break;
      if (weight_kg <= 0) {
        problems.push_back("the rate " + format_number(rate.value) + " " + fhir::markdown_text(rate.unit) +
                           " cannot be converted to mg/kg/min without a weight");
        return std::nullopt;
      }
      return rate.value * *concentration / (60.0 * weight_kg);
  }
  problems.push_back("the rate " + format_number(rate.value) + " " + fhir::markdown_text(rate.unit) +
                     " cannot be converted to mg/kg/min: the product's concentration is not known");
  return std::nullopt;
}

}  // namespace

double ml_per_hour(double mg_per_kg_min, double concentration_mg_per_ml, double weight_kg) {
  return mg_per_kg_min * 60.0 * weight_kg / concentration_mg_per_ml;
}

namespace {

dose_plan plan_instruction(const fhir::dosage_reading& dosage, std::optional<double> concentration, double weight_kg) {
  dose_plan plan;
  plan.concentration_mg_per_ml = concentration;
  for (const std::string& problem : dosage.problems) plan.problems.push_back(problem);
  plan.unreadable_fields = !dosage.problems.empty();

  const fhir::dose_and_rate* ordered = dosage.ordered();
  const fhir::dose_and_rate* calculated = dosage.calculated();
  const fhir::dose_value* dose = ordered != nullptr && ordered->dose ? &*ordered->dose : nullptr;
  if (calculated != nullptr && calculated->dose && calculated->dose->basis == fhir::dose_basis::absolute)
    plan.calculated_grams = calculated->dose->grams;
  if (dose == nullptr && calculated != nullptr && calculated->dose) dose = &*calculated->dose;

  // Timing: doses per day, course length, maintenance interval.
  if (dosage.timing) {
    const fhir::timing_reading& t = *dosage.timing;
    const double frequency = t.frequency.value_or(1);
    if (t.period_days && *t.period_days >= 7) {
      plan.interval_days = *t.period_days / frequency;
    } else if (t.period_days && *t.period_days > 0) {
      plan.doses_per_day = frequency / *t.period_days;
    }
    if (t.count)
      plan.course_doses = *t.count;
    else if (t.bounds_days && !plan.interval_days)
      plan.course_doses = static_cast<int>(std::lround(*t.bounds_days * plan.doses_per_day));
    if (plan.course_doses < 1) plan.course_doses = 1;
    plan.course_days = plan.interval_days ? 1.0 : std::max(1.0, plan.course_doses / plan.doses_per_day);
  }

  // As written, for the worksheet and the "could not interpret" card.
  if (ordered != nullptr && ordered->dose) plan.as_written += "ordered " + dose_text(*ordered->dose);
  if (calculated != nullptr && calculated->dose)
    plan.as_written += std::string(plan.as_written.empty() ? "" : "; ") + "calculated " + dose_text(*calculated->dose);
  if (dosage.timing) {
    const fhir::timing_reading& t = *dosage.timing;
    if (t.count) plan.as_written += "; " + std::to_string(*t.count) + " doses";
    if (t.period)
      plan.as_written += ", " + std::to_string(t.frequency.value_or(1)) + " per " + format_number(*t.period) + " " +
                         fhir::markdown_text(t.period_unit);
  }
  if (plan.as_written.empty() && !dosage.text.empty())
    plan.as_written = "text only: " + fhir::markdown_text(dosage.text);

  if (dose != nullptr) {
    plan.has_dose = true;
    const bool per_kg = dose->basis == fhir::dose_basis::per_kg;
    plan.per_kg_ordered = per_kg;
    // A per-day dose split over several doses a day: the amount per dose is the day's share.
    const double per_dose = dose->per_day ? dose->grams / plan.doses_per_day : dose->grams;
    if (per_kg) {
      // The limits are checked on what was prescribed per kg; calculated grams that do not match it
      // are R17's card, not a second dose card (one cause, one card).
      plan.ordered_g_per_kg = per_dose;
      plan.g_per_kg_per_dose = per_dose;
      if (weight_kg > 0) plan.grams_per_dose = per_dose * weight_kg;
    } else {
      plan.grams_per_dose = per_dose;
      if (weight_kg > 0)
        plan.g_per_kg_per_dose = per_dose / weight_kg;
      else
        plan.problems.push_back(
            "the dose is written in grams and no usable weight is on file, so it cannot be checked per kg");
    }
  } else if (!dosage.text.empty() || !dosage.entries.empty()) {
    plan.problems.push_back(
        "no dose quantity could be read from the order" +
        (dosage.text.empty() ? std::string{} : " (its text says “" + fhir::markdown_text(dosage.text) + "”)"));
  }
  // A maintenance order's "course" is one administration; its count is how many there will be.
  const int doses_in_course = plan.interval_days ? 1 : plan.course_doses;
  if (plan.g_per_kg_per_dose) {
    plan.readable = true;
    plan.g_per_kg_per_day = *plan.g_per_kg_per_dose * plan.doses_per_day;
    plan.g_per_kg_per_course = *plan.g_per_kg_per_dose * doses_in_course;
  }
  if (plan.grams_per_dose) {
    plan.grams_per_day = *plan.grams_per_dose * plan.doses_per_day;
    plan.grams_per_course = *plan.grams_per_dose * doses_in_course;
  }

  // Rate: the highest step ordered and the first step.
  const fhir::dose_and_rate* rate_entry = nullptr;
  for (const fhir::dose_and_rate& entry : dosage.entries)
    if (entry.rate || entry.rate_high || entry.rate_low) {
      rate_entry = &entry;
      break;
    }
  if (rate_entry != nullptr) {
    const std::optional<fhir::rate_value>& high = rate_entry->rate ? rate_entry->rate : rate_entry->rate_high;
    const std::optional<fhir::rate_value>& low = rate_entry->rate_low ? rate_entry->rate_low : rate_entry->rate;
    if (high) {
      plan.rate_mg_per_kg_min = to_mg_per_kg_min(*high, plan.concentration_mg_per_ml, weight_kg, plan.problems);
      plan.rate_as_written = format_number(high->value) + " " + fhir::markdown_text(high->unit);
    }
    if (low) {
      // When a high end was converted above, its conversion problem is already reported once.
      std::vector<std::string> ignored;
      plan.initial_rate_mg_per_kg_min =
          to_mg_per_kg_min(*low, plan.concentration_mg_per_ml, weight_kg, high ? ignored : plan.problems);
      if (rate_entry->rate_low)
        plan.rate_as_written = high ? format_number(low->value) + "–" + plan.rate_as_written
                                    : format_number(low->value) + " " + fhir::markdown_text(low->unit);
    }
  }
  return plan;
}

}  // namespace

dose_plan plan_dose(const ivig_order& order, double weight_kg) {
  const std::optional<double> concentration = concentration_of(order);
  if (order.order == nullptr || order.order->json == nullptr) {
    dose_plan none;
    none.concentration_mg_per_ml = concentration;
    return none;
  }
  const std::vector<fhir::dosage_reading> dosages = fhir::read_dosages(*order.order->json);
  if (dosages.empty()) {
    dose_plan none;
    none.concentration_mg_per_ml = concentration;
    return none;
  }
  dose_plan plan = plan_instruction(dosages.front(), concentration, weight_kg);
  for (std::size_t i = 1; i < dosages.size(); ++i) {
    dose_plan other = plan_instruction(dosages[i], concentration, weight_kg);
    // What cannot be read in a further instruction is named with its position, on the order's plan.
    for (const std::string& problem : other.problems)
      plan.problems.push_back("dosage instruction " + std::to_string(i + 1) + ": " + problem);
    if (other.unreadable_fields || (!other.has_dose && !other.problems.empty())) plan.unreadable_fields = true;
    plan.other_instructions.push_back(std::move(other));
  }
  return plan;
}

}  // namespace ivig::rules
