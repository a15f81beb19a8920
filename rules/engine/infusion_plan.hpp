// rules/engine/infusion_plan.hpp: the infusion of one dose, step by step, for the worksheet.
//
// The label's rate titration for the order's indication (products.json `titration`) in mL/h for this
// patient, held to the labelled maximum for the indication and to the at-risk cap when the patient
// has renal or thrombosis risk factors, with the time each step runs and the total time for the
// dose's volume; and what each dose carries besides immune globulin: sodium and the stabilisers and
// sugars the label gives amounts for. No number here is clinical: the rates and contents come from
// the knowledge, the arithmetic is volume = rate × time.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "rules/engine/knowledge.hpp"

namespace ivig::rules {

struct infusion_step {
  double mg_per_kg_min = 0;
  double ml_per_hour = 0;
  double minutes = 0;  ///< how long it runs for this dose
  double ml = 0;       ///< volume infused during it
  bool held = false;   ///< the label's step was above the maximum or the cap, and is held to it
};

struct infusion_plan {
  const titration_schedule* titration = nullptr;
  std::string basis;  ///< "labelled for CIDP", "labelled for every indication", "the most conservative …"
  std::vector<infusion_step> steps;
  double total_minutes = 0;
  double volume_ml = 0;
  double ceiling_mg_per_kg_min = 0;  ///< the rate no step exceeds
  std::string ceiling_reason;        ///< "labelled maximum for CIDP", "at-risk cap"
};

/// The plan for `volume_ml` of `p` at `concentration_mg_per_ml` on `weight_kg`; nullopt when the
/// product gives no titration or a number is missing. `ceiling` is the lowest of the labelled
/// maximum and, at risk, the cap.
std::optional<infusion_plan> plan_infusion(const product& p, const std::string& indication,
                                           double concentration_mg_per_ml, double weight_kg, double volume_ml,
                                           double ceiling_mg_per_kg_min, const std::string& ceiling_reason);

/// What one dose carries besides immune globulin, as lines: "Sodium: ≤ 1.29 mg/mL → ≤ 903 mg per dose [C]".
std::vector<std::string> dose_load(const product& p, double volume_ml);

}  // namespace ivig::rules
