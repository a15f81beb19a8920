// rules/engine/order_facts.cpp: binding facts.json, and computing one order's facts.
#include "rules/engine/order_facts.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <tuple>

#include "rules/engine/number_format.hpp"
#include "rules/engine/rule_unit.hpp"
#include "rules/engine/terminology.hpp"

namespace ivig::rules {
namespace {

dosing_weight_inputs bind_dosing_weight(role_binder& b) {
  return {
      .weight = b.value_set_role("weight"),
      .height = b.value_set_role("height"),
      .bmi = b.value_set_role("bmi"),
      .pregnancy = b.value_set_role("pregnancy"),
      .postpartum = b.value_set_role("postpartum"),
      .replacement_therapy = b.value_set_role("replacementTherapy"),
      .bmi_threshold = b.threshold_role("bmiThreshold", "kg/m2"),
      .over_ibw_fraction = b.threshold_role("overIbwFraction", "1"),
      .over_ibw_enabled = b.threshold_role("overIbwEnabled", "1"),
      .adjusted_factor = b.threshold_role("adjustedFactor", "1"),
      .ibw_male_base = b.threshold_role("ibwMaleBase", "kg"),
      .ibw_female_base = b.threshold_role("ibwFemaleBase", "kg"),
      .ibw_kg_per_inch = b.threshold_role("ibwKgPerInch", "kg/[in_i]"),
      .ibw_base_height = b.threshold_role("ibwBaseHeight", "in"),
      .recency = b.threshold_role("recency", "d"),
      .change_fraction = b.threshold_role("changeFraction", "1"),
      .change_window = b.threshold_role("changeWindow", "d"),
      .weight_min = b.threshold_role("weightMin", "kg"),
      .weight_max = b.threshold_role("weightMax", "kg"),
      .height_min = b.threshold_role("heightMin", "cm"),
      .height_max = b.threshold_role("heightMax", "cm"),
      .postpartum_window = b.threshold_role("postpartumWindow", "d"),
  };
}

risk_factor_inputs bind_risk_factors(role_binder& b) {
  return {
      .renal_disease = b.value_set_role("renalDisease"),
      .diabetes = b.value_set_role("diabetes"),
      .thrombosis_risk = b.value_set_role("thrombosisRisk"),
      .egfr = b.value_set_role("egfr"),
      .risk_age = b.threshold_role("riskAge", "a"),
      .egfr_threshold = b.threshold_role("egfrThreshold", "mL/min/{1.73_m2}"),
  };
}

rate_limit_inputs bind_rate_limits(role_binder& b) {
  return {.at_risk_cap_default = b.threshold_role("atRiskCapDefault", "mg/kg/min")};
}

vial_inputs bind_vials(role_binder& b) {
  return {.default_step = b.threshold_role("defaultStep", "g"), .tolerance = b.threshold_role("tolerance", "1")};
}

dose_limit_inputs bind_dose_limits(role_binder& b) {
  return {
      .per_day = b.threshold_role("perDay", "g/kg/d"),
      .per_day_label_max = b.threshold_role("perDayLabelMax", "g/kg/d"),
      .per_course = b.threshold_role("perCourse", "g/kg"),
      .per_course_label_max = b.threshold_role("perCourseLabelMax", "g/kg"),
      .implausible_per_kg = b.threshold_role("implausiblePerKg", "g/kg"),
      .implausible_total = b.threshold_role("implausibleTotal", "g"),
  };
}

cost_inputs bind_cost(role_binder& b) {
  return {.price_per_gram = b.threshold_role("pricePerGram", "USD/g")};
}

vaccine_deferral_inputs bind_deferral(role_binder& b) {
  return {
      .months_low = b.threshold_role("monthsLow", "mo"),
      .months_mid = b.threshold_role("monthsMid", "mo"),
      .months_high = b.threshold_role("monthsHigh", "mo"),
      .dose_low = b.threshold_role("doseLow", "g/kg"),
      .dose_mid = b.threshold_role("doseMid", "g/kg"),
  };
}

fhir::time_point add_months(fhir::time_point from, int months) {
  using namespace std::chrono;
  const sys_days day = floor<days>(from);
  year_month_day ymd{day};
  const year_month shifted = year_month{ymd.year(), ymd.month()} + std::chrono::months{months};
  const year_month_day_last last{shifted.year(), month_day_last{shifted.month()}};
  const std::chrono::day d = ymd.day() > last.day() ? last.day() : ymd.day();
  return sys_days{year_month_day{shifted.year(), shifted.month(), d}} + (from - day);
}

indication_inputs bind_indication(role_binder& b) {
  return {b.every_value_set_role()};
}

/// The indication one of the order's reasonCodes matches: the first by name (alphabetical), unless a
/// more specific one of it matches too.
std::pair<std::string, std::string> find_indication(const ivig_order& order, const knowledge& kb,
                                                    const indication_inputs& in) {
  if (order.order == nullptr) return {};
  std::pair<std::string, std::string> found;
  for (const auto& [name, set] : in.indications)
    for (const fhir::codeable_concept& reason : order.order->reasons) {
      const auto match = match_concept(kb, *set, reason);
      if (!match) continue;
      // The first match, unless a more specific indication of it matches too: "MS-postpartum"
      // (postpartum relapse prevention) over "MS".
      if (found.first.empty() || name.starts_with(found.first + "-")) found = {name, match->describe()};
      break;
    }
  return found;
}

std::vector<const labelled_dose*> labelled_doses_for(const ivig_order& order, const std::string& indication) {
  std::vector<const labelled_dose*> doses;
  const product* p = order.identified_product();
  if (p == nullptr || indication.empty()) return doses;
  for (const labelled_dose& d : p->dose_ranges)
    if (d.indication == indication) doses.push_back(&d);
  return doses;
}

/// The titration for one dose, no step above the labelled maximum for the indication or, for a
/// patient at renal or thrombosis risk, the at-risk cap.
void plan_the_infusion(order_facts& facts, const product& p, double ml_per_dose) {
  if (!facts.weight.usable() || !facts.dose.concentration_mg_per_ml) return;
  double ceiling = 0;
  std::string reason;
  if (const indication_rate* max = facts.rates.label_maximum; max != nullptr && max->rate.value > 0) {
    ceiling = max->rate.value;
    reason = "labelled maximum, " + facts.rates.maximum_basis;
  }
  if (facts.risk.any() && facts.rates.at_risk.mg_per_kg_min > 0 &&
      (ceiling == 0 || facts.rates.at_risk.mg_per_kg_min < ceiling)) {
    ceiling = facts.rates.at_risk.mg_per_kg_min;
    reason = std::string("cap at renal or thrombosis risk") +
             (facts.rates.at_risk.labelled != nullptr &&
                      facts.rates.at_risk.labelled->evidence != evidence_level::unconfirmed
                  ? " (label)"
                  : " (local policy [U])");
  }
  facts.infusion = plan_infusion(p, facts.indication, *facts.dose.concentration_mg_per_ml, facts.weight.kg, ml_per_dose,
                                 ceiling, reason);
}

rate_limits find_rate_limits(const ivig_order& order, const rate_limit_inputs& in, const std::string& indication) {
  rate_limits limits;
  const product* p = order.identified_product();
  if (p != nullptr) {
    if (p->initial_rate) limits.label_start = &*p->initial_rate;
    // The maximum labelled for the order's indication (or for every indication, "all"); otherwise the
    // most conservative labelled maximum, since no label vouches for a faster rate.
    for (const indication_rate& r : p->max_rates)
      if (!indication.empty() && (r.indication == indication || r.indication == "all")) {
        limits.label_maximum = &r;
        limits.maximum_basis = "labelled for " + (r.indication == "all" ? std::string("every indication") : indication);
      }
    for (const indication_rate& r : p->max_rates)
      if (limits.highest_maximum == nullptr || r.rate.value > limits.highest_maximum->rate.value)
        limits.highest_maximum = &r;
    if (limits.label_maximum == nullptr) {
      limits.maximum_is_conservative = true;
      for (const indication_rate& r : p->max_rates)
        if (limits.label_maximum == nullptr || r.rate.value < limits.label_maximum->rate.value)
          limits.label_maximum = &r;
      if (limits.label_maximum != nullptr)
        limits.maximum_basis = "the most conservative labelled maximum" +
                               (limits.label_maximum->indication.empty() || limits.label_maximum->indication == "all"
                                    ? std::string{}
                                    : " (" + limits.label_maximum->indication + ")") +
                               (indication.empty() ? ": the order gives no indication the service recognises"
                                                   : ": " + p->name + " is not labelled for " + indication);
    }
  }
  if (p != nullptr && p->at_risk_max_rate) {
    limits.at_risk = {p->at_risk_max_rate->value, &*p->at_risk_max_rate, nullptr};
  } else {
    limits.at_risk = {in.at_risk_cap_default.value, nullptr, &in.at_risk_cap_default};
  }
  return limits;
}

/// The deferral for an order (CDC/ACIP table by course dose; the interval runs from the last dose).
std::optional<vaccine_deferral> find_deferral(const dose_plan& dose, const vaccine_deferral_inputs& in,
                                              fhir::time_point last_dose) {
  if (!dose.g_per_kg_per_course) return std::nullopt;
  vaccine_deferral d;
  d.course_g_per_kg = *dose.g_per_kg_per_course;
  if (d.course_g_per_kg <= in.dose_low.value + 1e-9) {
    d.months_used = &in.months_low;
    d.basis = "course " + format_rounded(d.course_g_per_kg) + " g/kg ≤ " + format_rounded(in.dose_low.value) + " g/kg";
  } else if (d.course_g_per_kg <= in.dose_mid.value + 1e-9) {
    d.months_used = &in.months_mid;
    d.basis = "course " + format_rounded(d.course_g_per_kg) + " g/kg ≤ " + format_rounded(in.dose_mid.value) + " g/kg";
  } else {
    d.months_used = &in.months_high;
    d.basis = "course " + format_rounded(d.course_g_per_kg) + " g/kg > " + format_rounded(in.dose_mid.value) + " g/kg";
  }
  d.months = static_cast<int>(d.months_used->value);
  d.basis += " → " + std::to_string(d.months) + " months " + std::string(evidence_marker(d.months_used->evidence));
  d.last_dose = last_dose;
  d.until = add_months(d.last_dose, d.months);
  return d;
}

/// Why a planned dose cannot be right, or nullopt when it can be.
std::optional<implausible_dose> judge_plausibility(const dose_plan& dose, const dose_limit_inputs& in) {
  auto cannot = [&](std::string reason, const threshold* bound) {
    return implausible_dose{std::move(reason), dose.as_written, bound};
  };
  // The dose as prescribed first: an absurd g/kg is named as such, before the quantities derived from it
  // (grams, per day) overflow.
  if (dose.g_per_kg_per_dose && *dose.g_per_kg_per_dose > in.implausible_per_kg.value)
    return cannot(format_compared(*dose.g_per_kg_per_dose, in.implausible_per_kg.value) +
                      " g/kg per dose is more than " + format_compared(in.implausible_per_kg.value, 0) + " g/kg",
                  &in.implausible_per_kg);
  // The timing before the quantities derived from it: a per-day dose that is infinite because the
  // order repeats too often is named as a timing that cannot be right, not as a dose.
  if (!std::isfinite(dose.doses_per_day))
    return cannot("its timing repeats it too often to give a number of doses per day", nullptr);
  if (dose.doses_per_day <= 0) return cannot("its timing gives no doses per day", nullptr);
  for (const std::optional<double>& value : {dose.g_per_kg_per_dose, dose.grams_per_dose, dose.g_per_kg_per_day,
                                             dose.g_per_kg_per_course, dose.calculated_grams})
    if (value && !std::isfinite(*value)) return cannot("the dose is not a finite number", nullptr);
  if (dose.g_per_kg_per_dose && *dose.g_per_kg_per_dose <= 0)
    return cannot("a dose of " + format_compared(*dose.g_per_kg_per_dose, 0) + " g/kg is not a dose", nullptr);
  if (dose.grams_per_dose && *dose.grams_per_dose <= 0)
    return cannot("a dose of " + format_compared(*dose.grams_per_dose, 0) + " g is not a dose", nullptr);
  if (dose.calculated_grams && *dose.calculated_grams <= 0)
    return cannot("a calculated dose of " + format_compared(*dose.calculated_grams, 0) + " g is not a dose", nullptr);
  for (const std::optional<double>& grams : {dose.grams_per_dose, dose.calculated_grams})
    if (grams && *grams > in.implausible_total.value)
      return cannot(format_compared(*grams, in.implausible_total.value) + " g per dose is more than " +
                        format_compared(in.implausible_total.value, 0) + " g",
                    &in.implausible_total);
  return std::nullopt;
}

/// Keeps what was written but drops every derived quantity, so that no rule computes with it.
void neutralise(dose_plan& dose) {
  dose.readable = false;
  dose.g_per_kg_per_dose.reset();
  dose.g_per_kg_per_day.reset();
  dose.g_per_kg_per_course.reset();
  dose.grams_per_dose.reset();
  dose.grams_per_day.reset();
  dose.grams_per_course.reset();
  dose.ordered_g_per_kg.reset();
  dose.calculated_grams.reset();
  dose.other_instructions.clear();
}

}  // namespace

bool order_facts::exceeds(double g_per_kg, const threshold& limit, double doses) const {
  return exceeds(g_per_kg, limit.value, doses);
}

bool order_facts::exceeds(double g_per_kg, double limit_g_per_kg, double doses) const {
  if (g_per_kg <= limit_g_per_kg + 1e-9) return false;
  if (dose.per_kg_ordered || !weight.usable() || order == nullptr || doses <= 0) return true;
  const double at_limit_per_dose = limit_g_per_kg * weight.kg / doses;
  const double allowed_per_dose =
      std::max(at_limit_per_dose, round_to_vials(at_limit_per_dose, *order, default_vial_step_g).rounded_g);
  return g_per_kg * weight.kg > allowed_per_dose * doses + 1e-9;
}

std::optional<double> order_facts::ml_per_hour(double mg_per_kg_min) const {
  if (!dose.concentration_mg_per_ml || !weight.usable()) return std::nullopt;
  return rules::ml_per_hour(mg_per_kg_min, *dose.concentration_mg_per_ml, weight.kg);
}

order_facts gather_order_facts(const fhir::patient_record& record, const ivig_order& order, const knowledge& kb,
                               fhir::time_point now, hook_stage stage) {
  const order_fact_inputs& in = *kb.fact_inputs;
  order_facts facts;
  static const std::vector<fhir::codeable_concept> no_reasons;
  facts.weight =
      compute_dosing_weight(record, kb, in.weight, order.order != nullptr ? order.order->reasons : no_reasons, now);
  facts.order = &order;
  facts.default_vial_step_g = in.vials.default_step.value;
  facts.dose = plan_dose(order, facts.weight.kg);
  // A dose that cannot be right is named and goes no further: no rounding, volume, cost or
  // deferral is computed from it (an absurd number must never reach the arithmetic).
  facts.implausible = judge_plausibility(facts.dose, in.dose_limits);
  for (const dose_plan& other : facts.dose.other_instructions)
    if (!facts.implausible) facts.implausible = judge_plausibility(other, in.dose_limits);
  if (facts.implausible) neutralise(facts.dose);
  facts.risk = find_risk_factors(record, kb, in.risk, now);
  std::tie(facts.indication, facts.indication_match) = find_indication(order, kb, in.indication);
  facts.rates = find_rate_limits(order, in.rates, facts.indication);
  facts.indication_doses = labelled_doses_for(order, facts.indication);
  facts.history = gather_ig_history(record, kb, in.history, now);
  if (stage == hook_stage::sign) facts.verification = gather_verification_data(record, kb, in.verification);
  facts.limits = {&in.dose_limits.per_day, &in.dose_limits.per_day_label_max, &in.dose_limits.per_course,
                  &in.dose_limits.per_course_label_max};
  facts.last_dose = now + std::chrono::days{static_cast<long>(std::ceil(facts.dose.course_days)) - 1};
  facts.deferral = find_deferral(facts.dose, in.deferral, facts.last_dose);

  const dose_plan& dose = facts.dose;
  facts.vials.tolerance = &in.vials.tolerance;
  const double step = in.vials.default_step.value;
  if (dose.ordered_g_per_kg && facts.weight.usable())
    facts.vials.on_dosing_weight = round_to_vials(*dose.ordered_g_per_kg * facts.weight.kg, order, step);
  if (!dose.grams_per_dose) return facts;
  // What is dispensed and infused is the order's own calculated grams when it gives them.
  const double grams = dose.calculated_grams.value_or(*dose.grams_per_dose);
  facts.vials.ordered = round_to_vials(grams, order, step);
  if (dose.concentration_mg_per_ml) {
    const double ml = grams * 1000.0 / *dose.concentration_mg_per_ml;
    facts.volume = infusion_volume{ml, ml * dose.doses_per_day};
    if (const product* p = order.identified_product()) {
      facts.load = dose_load(*p, ml);
      plan_the_infusion(facts, *p, ml);
    }
  }
  cost_estimate cost;
  cost.grams_per_dose = facts.vials.ordered->rounded_g;
  cost.doses = dose.course_doses;
  cost.grams = cost.grams_per_dose * cost.doses;
  cost.price_per_gram = &in.cost.price_per_gram;
  cost.usd = cost.grams * cost.price_per_gram->value;
  facts.cost = cost;
  return facts;
}

result<void, std::string> bind_order_facts(knowledge& kb) {
  const std::string_view implemented_in = project_path(__FILE__);
  std::string problem;
  std::vector<std::string_view> computed;
  // Each facts.json entry by its id; an entry the engine does not compute is a problem too.
  auto bind = [&](std::string_view id, auto bind_function) -> decltype(bind_function(std::declval<role_binder&>())) {
    static const knowledge_roles none{};
    computed.push_back(id);
    const auto it =
        std::find_if(kb.facts.begin(), kb.facts.end(), [&](const fact_definition& f) { return f.id == id; });
    const std::string where = "facts.json: facts " + std::string(id);
    if (it == kb.facts.end() && problem.empty()) problem = where + ": missing; the engine computes it";
    role_binder binder(it == kb.facts.end() ? none : it->roles, where, implemented_in);
    auto inputs = bind_function(binder);
    if (problem.empty()) problem = binder.first_problem();
    return inputs;
  };
  auto inputs = std::make_shared<const order_fact_inputs>(order_fact_inputs{
      .weight = bind("dosing-weight", &bind_dosing_weight),
      .risk = bind("risk-factors", &bind_risk_factors),
      .rates = bind("rate-limits", &bind_rate_limits),
      .vials = bind("vial-rounding", &bind_vials),
      .dose_limits = bind("dose-limits", &bind_dose_limits),
      .cost = bind("cost", &bind_cost),
      .deferral = bind("vaccine-deferral", &bind_deferral),
      .indication = bind("indication", &bind_indication),
      .history = bind("immune-globulin-history", &bind_ig_history),
      .verification = bind("verification-data", &bind_verification),
  });
  if (!problem.empty()) return failure(std::move(problem));
  // A product's maximum rate is chosen by its indication's name: a name facts.json does not know
  // would make that maximum unreachable.
  // The same holds for its titrations and labelled doses.
  const auto& known = inputs->indication.indications;
  auto unknown = [&](const std::string& indication) {
    return indication != "all" &&
           std::none_of(known.begin(), known.end(), [&](const auto& entry) { return entry.first == indication; });
  };
  auto unknown_in = [&](const product& p, std::string_view list, const std::string& indication) {
    return failure("products.json: products " + p.id + ": " + std::string(list) + " indication '" + indication +
                   "' is not an indication of facts.json's indication entry (nor \"all\")");
  };
  for (const product& p : kb.products) {
    for (const indication_rate& r : p.max_rates)
      if (unknown(r.indication)) return unknown_in(p, "maxRates", r.indication);
    for (const titration_schedule& t : p.titrations)
      if (unknown(t.indication)) return unknown_in(p, "titration", t.indication);
    for (const labelled_dose& d : p.dose_ranges)
      if (unknown(d.indication) || d.indication == "all") return unknown_in(p, "doseRanges", d.indication);
  }
  for (const fact_definition& f : kb.facts)
    if (std::find(computed.begin(), computed.end(), f.id) == computed.end())
      return failure("facts.json: facts " + f.id + ": the engine computes no such facts");
  kb.fact_inputs = std::move(inputs);
  return {};
}

}  // namespace ivig::rules
