// fhir/model/dosage.hpp: the dose, infusion rate and timing of a medication order's
// dosageInstruction, read into numbers with units the dose checks can compare.
//
// IVIg doses are written per kg (0.4 g/kg, 400 mg/kg) or absolute (28 g, 28000 mg), and an R4 order
// may carry both: an `ordered` weight-based dose and the `calculated` absolute one (the FHIR spec's
// own IVIg example). Rates come as mL/h, mL/kg/h or mg/kg/min in a Quantity, a Ratio or a titration
// Range. Clients mix versions: R4 `doseAndRate` (sometimes a single object), STU3/DSTU2 `doseQuantity`
// and `rate*` directly on the dosage (also inside R4 orders), DSTU2 `periodUnits`. All are read.
//
// Unlike the other views in this folder the result owns its strings: it is small, built once per
// order, and the normalised numbers are what callers use. Reading never throws and never drops a
// field silently: whatever is present but cannot be read (an unknown unit, a missing value) leaves
// the field absent and puts one line in `problems`, worded for a clinician. Nothing here judges
// whether a dose is right; that is rules/engine's job.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "fhir/model/json_view.hpp"

namespace ivig::fhir {

enum class dose_basis { absolute, per_kg };  ///< grams vs grams per kg of body weight

struct dose_value {
  double grams = 0;  ///< normalised: g (absolute) or g/kg (per_kg); mg and mg/kg are divided by 1000
  dose_basis basis = dose_basis::absolute;
  double value = 0;  ///< as written
  std::string unit;  ///< as written (the UCUM code when it was used, else the unit text)
  /// Written per day (g/kg/d, mg/kg/d, g/d, mg/d): `grams` is then the amount for one day.
  bool per_day = false;
  /// Read from doseRange.high (the upper end is what a maximum-dose check must see).
  bool from_range = false;
};

enum class rate_kind { ml_per_hour, ml_per_kg_per_hour, mg_per_kg_per_min };

struct rate_value {
  double value = 0;  ///< in the rate_kind's unit (mL/min and mL/kg/min converted to per hour; mg/kg/h to per min)
  rate_kind kind = rate_kind::ml_per_hour;
  std::string unit;  ///< as written; for a rateRatio "numerator/denominator", e.g. "mL/h" or "mL/30 min"
};

struct dose_and_rate {
  /// "ordered", "calculated", or "" (code of doseAndRate.type, system
  /// http://terminology.hl7.org/CodeSystem/dose-rate-type); any other type is kept as written.
  std::string type;
  std::optional<dose_value> dose;       ///< doseQuantity, or doseRange high (then dose->from_range)
  std::optional<rate_value> rate;       ///< rateQuantity, or rateRatio (e.g. 100 mL / 1 h)
  std::optional<rate_value> rate_low;   ///< rateRange low (titration start)
  std::optional<rate_value> rate_high;  ///< rateRange high (titration maximum)
};

struct timing_reading {
  std::optional<int> count;           ///< timing.repeat.count (doses in the course)
  std::optional<int> frequency;       ///< per period
  std::optional<double> period;       ///< with period_unit
  std::string period_unit;            ///< s, min, h, d, wk, mo, a (as written when not one of these)
  std::optional<double> period_days;  ///< period in days (UCUM mo = 30.4375 d, a = 365.25 d)
  std::optional<double> bounds_days;  ///< boundsDuration (DSTU2 boundsQuantity) in days, when given
};

struct dosage_reading {
  /// From doseAndRate (array or single object), then one untyped entry for the STU3/DSTU2
  /// doseQuantity/doseRange/rateQuantity/rateRatio/rateRange placed directly on the dosage.
  std::vector<dose_and_rate> entries;
  std::optional<timing_reading> timing;           ///< present when the dosage has timing.repeat
  std::optional<dose_value> max_dose_per_period;  ///< maxDosePerPeriod numerator
  std::optional<double> max_dose_period_days;     ///< maxDosePerPeriod denominator in days
  std::string text;                               ///< dosageInstruction.text
  /// What could not be read, in words a clinician reads ("dose unit 'tablespoons' is not a mass or
  /// mass per kg unit", "rateQuantity without a value"), as card Markdown: the order's words quoted in
  /// them are escaped (markdown_text.hpp).
  std::vector<std::string> problems;

  /// The entry typed "ordered", else the first untyped entry, else nullptr.
  const dose_and_rate* ordered() const;
  /// The entry typed "calculated", or nullptr.
  const dose_and_rate* calculated() const;
};

/// One reading per dosageInstruction (array or single object) of a MedicationRequest/MedicationOrder.
std::vector<dosage_reading> read_dosages(const json_value& medication_order);

/// One dosageInstruction element (R4/STU3 Dosage, DSTU2 MedicationOrder.dosageInstruction).
dosage_reading read_dosage(const json_value& dosage);

}  // namespace ivig::fhir
