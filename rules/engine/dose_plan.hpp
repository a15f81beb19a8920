// rules/engine/dose_plan.hpp: what an IVIg order asks for, in the units the checks compare.
//
// Turns the order's dosage (fhir/model/dosage.hpp) into grams and g/kg per dose, per day and per
// course, the maintenance interval, and the infusion rate in mg/kg/min, using the dosing weight and
// the product's concentration. Whatever cannot be worked out is said in `problems`, never guessed:
// a dose that cannot be interpreted is itself a finding.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "fhir/model/dosage.hpp"
#include "rules/engine/dosing_weight.hpp"
#include "rules/engine/ivig_order.hpp"

namespace ivig::rules {

struct dose_plan {
  bool has_dose = false;           ///< a dose was written at all (order-select may not have one yet)
  bool readable = false;           ///< g/kg per dose is known (needs a weight for absolute doses)
  bool unreadable_fields = false;  ///< the dosage has fields that are present but cannot be read
  // The texts are card Markdown: the order's words in them (units, dosage text) are escaped.
  std::vector<std::string> problems;  ///< what could not be read or computed
  std::string as_written;             ///< "ordered 400 mg/kg; calculated 28000 mg; 5 doses, 1 per 1 d"

  bool per_kg_ordered = false;  ///< the prescriber wrote a weight-based dose

  std::optional<double> ordered_g_per_kg;  ///< the ordered weight-based dose, as written
  std::optional<double> grams_per_dose;    ///< on the dosing weight, or as written when absolute
  /// The ordered g/kg when the dose is per kg (the limits are checked on what was prescribed; whether
  /// the calculated grams match it is R17's question), else grams ÷ dosing weight.
  std::optional<double> g_per_kg_per_dose;
  std::optional<double> calculated_grams;  ///< the order's own `calculated` grams, when it gives them
  double doses_per_day = 1;
  int course_doses = 1;
  double course_days = 1;
  std::optional<double> interval_days;  ///< maintenance interval (period of a week or more)
  std::optional<double> g_per_kg_per_day;
  std::optional<double> g_per_kg_per_course;
  std::optional<double> grams_per_day;
  std::optional<double> grams_per_course;

  std::optional<double> concentration_mg_per_ml;     ///< of the product, when known for all candidates
  std::optional<double> rate_mg_per_kg_min;          ///< the highest rate ordered
  std::optional<double> initial_rate_mg_per_kg_min;  ///< the first step of a titration, or the single rate
  std::string rate_as_written;

  /// The order's further dosageInstructions (a loading course then maintenance, for example), each
  /// planned the same way; the dose limits are checked on every one. Empty for one instruction.
  std::vector<dose_plan> other_instructions;
};

/// The plan of the order's first dosageInstruction, with the others in `other_instructions`.
/// `weight_kg` is the dosing weight (0 when unknown).
dose_plan plan_dose(const ivig_order& order, double weight_kg);

/// mL/h for a rate in mg/kg/min at a concentration and weight (for the worksheet's titration plan).
double ml_per_hour(double mg_per_kg_min, double concentration_mg_per_ml, double weight_kg);

}  // namespace ivig::rules
