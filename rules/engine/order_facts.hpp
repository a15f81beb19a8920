// rules/engine/order_facts.hpp: what several rules and the worksheet need about one order,
// computed once per order.
//
// The dosing weight and its reason, the dose plan (per dose, day and course), the renal and
// thrombosis risk factors, the rate limits that apply (label start, label maximum, at-risk cap), the
// dose limits, the whole-vial totals and waste, the infusion volume, the cost and the live-vaccine
// deferral. Rules read these facts instead of recomputing them, and hooks/service's worksheet only
// renders them. The knowledge the computations read is declared in facts.json, bound at load like
// a rule's roles (rule_unit.hpp), so no computation looks anything up by rule id.
#pragma once

#include <optional>
#include <string>

#include "fhir/model/patient_record.hpp"
#include "fhir/model/result.hpp"
#include "rules/engine/dose_plan.hpp"
#include "rules/engine/dosing_weight.hpp"
#include "rules/engine/hook_stage.hpp"
#include "rules/engine/ig_history.hpp"
#include "rules/engine/infusion_plan.hpp"
#include "rules/engine/ivig_order.hpp"
#include "rules/engine/knowledge.hpp"
#include "rules/engine/risk_factors.hpp"
#include "rules/engine/verification_data.hpp"
#include "rules/engine/vial_rounding.hpp"

namespace ivig::rules {

class role_binder;

struct rate_limit_inputs {
  const threshold& at_risk_cap_default;  ///< mg/kg/min, for a product whose label gives no cap
};
struct vial_inputs {
  const threshold& default_step;  ///< g, when the product's vials are not known
  const threshold& tolerance;     ///< fraction of the dose that rounding may change without comment
};
struct dose_limit_inputs {
  const threshold& per_day;               ///< g/kg/day: the local (Ontario MS) limit, a warning
  const threshold& per_day_label_max;     ///< g/kg/day: beyond every label, critical
  const threshold& per_course;            ///< g/kg: the local course limit, a warning
  const threshold& per_course_label_max;  ///< g/kg: beyond every label, critical
  const threshold& implausible_per_kg;    ///< g/kg per dose: cannot be an intended dose
  const threshold& implausible_total;     ///< g per dose: cannot be an intended dose
};
struct cost_inputs {
  const threshold& price_per_gram;  ///< USD/g
};
struct vaccine_deferral_inputs {
  const threshold &months_low, &months_mid, &months_high;  ///< mo
  const threshold &dose_low, &dose_mid;                    ///< g/kg, the course bands' upper ends
};

/// The indications an order's reasonCode is matched against, by the name products.json gives them.
struct indication_inputs {
  std::vector<std::pair<std::string, const value_set*>> indications;
};

/// The knowledge every order-fact computation reads, one struct per facts.json entry.
struct order_fact_inputs {
  dosing_weight_inputs weight;
  risk_factor_inputs risk;
  rate_limit_inputs rates;
  vial_inputs vials;
  dose_limit_inputs dose_limits;
  cost_inputs cost;
  vaccine_deferral_inputs deferral;
  indication_inputs indication;
  ig_history_inputs history;
  verification_inputs verification;
};

/// The at-risk rate cap for this order: the product label's when it gives one, else the default.
struct at_risk_cap {
  double mg_per_kg_min = 0;
  const sourced_value* labelled = nullptr;  ///< the label's cap and its sources
  const threshold* policy = nullptr;        ///< the default cap, when no label gives one
};

struct rate_limits {
  const sourced_value* label_start = nullptr;  ///< the identified product's initial rate
  /// The labelled maximum for the order's indication; for an unknown indication, or one the product
  /// is not labelled for, the product's most conservative (lowest) labelled maximum.
  const indication_rate* label_maximum = nullptr;
  std::string maximum_basis;  ///< "labelled for ITP" or "the most conservative labelled maximum (ITP): …"
  /// The product's highest labelled maximum for any indication: above it, a rate is beyond every label.
  const indication_rate* highest_maximum = nullptr;
  bool maximum_is_conservative = false;  ///< the indication is unknown or not labelled for the product
  at_risk_cap at_risk;
};

/// The limits a dose is checked against (the thresholds themselves, for their value and evidence).
struct dose_limits {
  const threshold* per_day = nullptr;
  const threshold* per_day_label_max = nullptr;
  const threshold* per_course = nullptr;
  const threshold* per_course_label_max = nullptr;
};

struct vial_facts {
  /// The grams the order gives (its calculated dose, else the dose per administration) in vials.
  std::optional<vial_rounding> ordered;
  /// The ordered g/kg × the dosing weight in vials (a weight-based order with a usable weight).
  std::optional<vial_rounding> on_dosing_weight;
  const threshold* tolerance = nullptr;
};

/// The volume infused, from the grams the order gives and the product's concentration.
struct infusion_volume {
  double ml_per_dose = 0;
  double ml_per_day = 0;
};

struct cost_estimate {
  double grams_per_dose = 0;  ///< whole-vial total per dose
  int doses = 0;
  double grams = 0;  ///< per course, in whole vials
  double usd = 0;
  const threshold* price_per_gram = nullptr;
};

/// How long measles- and varicella-containing vaccines must wait after this order's last dose.
struct vaccine_deferral {
  double course_g_per_kg = 0;
  int months = 0;
  const threshold* months_used = nullptr;
  fhir::time_point last_dose;
  fhir::time_point until;  ///< last dose + months (calendar months, clamped to the month's end)
  std::string basis;       ///< "course 2 g/kg > 1 g/kg → 11 months [S]"
};

/// Why the order's dose cannot be right (zero, negative, not a number, absurd per kg or in total),
/// with what was read; set when so, and then no dose arithmetic is done on it.
struct implausible_dose {
  std::string reason;      ///< "1000000 g/kg per dose is more than 10 g/kg"
  std::string as_written;  ///< the instruction as read
  const threshold* bound = nullptr;
};

struct order_facts {
  /// A rate in mL/h for this patient (dosing weight, product concentration); nullopt when either
  /// is unknown. For the rate plan and the capped-rate correction.
  std::optional<double> ml_per_hour(double mg_per_kg_min) const;

  /// Whether `g_per_kg` (per day or per course, made of `doses` administrations) is above `limit`.
  /// A dose prescribed per kg is compared as written. A dose written in grams may be the
  /// whole-vial rounding of the limit itself (1 g/kg at 73 kg = 75 g in 5 g vials): that is the
  /// limit, not above it, so that accepting this service's rounding never raises a dose card.
  bool exceeds(double g_per_kg, const threshold& limit, double doses = 1) const;
  bool exceeds(double g_per_kg, double limit_g_per_kg, double doses = 1) const;

  const ivig_order* order = nullptr;
  double default_vial_step_g = 0;

  dosing_weight weight;
  dose_plan dose;
  risk_profile risk;
  rate_limits rates;
  dose_limits limits;
  std::optional<implausible_dose> implausible;
  /// The order's indication as products.json names it ("ITP"), from its reasonCode; empty when
  /// unknown. `indication_match` is how it matched, for the cards.
  std::string indication;
  std::string indication_match;
  /// The identified product's labelled doses for the order's indication (a label may give several:
  /// CIDP induction and maintenance; US and EU); empty when the indication is unknown or unlabelled.
  /// R15 and R16 hold the order to the most permissive of them instead of the local limits.
  std::vector<const labelled_dose*> indication_doses;
  /// The patient's earlier immune globulin: current and ended orders, infusions given.
  ig_history history;
  /// When the course's last dose falls if it starts now (a course of N daily doses ends N−1 days later).
  fhir::time_point last_dose;
  vial_facts vials;
  std::optional<infusion_volume> volume;
  std::optional<cost_estimate> cost;
  std::optional<vaccine_deferral> deferral;  ///< nullopt when the course dose per kg is unknown
  /// The label's titration for one dose in mL/h with its times (identified product, usable weight,
  /// known volume); held to the labelled maximum and, at risk, the cap.
  std::optional<infusion_plan> infusion;
  /// What one dose carries besides immune globulin (sodium, stabilisers and sugars, osmolality).
  std::vector<std::string> load;
  /// The results, allergies and reactions the worksheet shows: gathered at signing only, where the
  /// worksheet is made (order-select does not pay for seven more searches of the record).
  std::optional<verification_data> verification;
};

/// Computes the order's facts. The knowledge must have been bound (kb.fact_inputs set by the loader).
order_facts gather_order_facts(const fhir::patient_record& record, const ivig_order& order, const knowledge& kb,
                               fhir::time_point now, hook_stage stage);

/// Binds facts.json's entries to the computations' inputs; the error is the first problem found.
[[nodiscard]] result<void, std::string> bind_order_facts(knowledge& kb);

}  // namespace ivig::rules
