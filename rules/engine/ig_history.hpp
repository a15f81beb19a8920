// rules/engine/ig_history.hpp: the patient's earlier immune globulin, computed once per order.
//
// Current orders (active, on hold), orders that ended (completed, stopped: the medicationHistory
// prefetch), infusions given (MedicationAdministration: the administrations prefetch) and
// immunization records of immune globulin. R14 judges a first infusion or a product switch from it,
// R16 the interval since the last dose and the grams already given in the course window, R26 a
// duplicate, and the worksheet shows the last course. Which codes mean immune globulin is knowledge
// (facts.json's immune-globulin-history entry).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "fhir/model/fhir_time.hpp"
#include "fhir/model/patient_record.hpp"
#include "rules/engine/knowledge.hpp"

namespace ivig::rules {

class role_binder;

struct ig_history_inputs {
  const value_set& ig_substances;      ///< immune globulin in orders and administrations
  const value_set& ig_administration;  ///< immune globulin in Immunization records (CVX)
};
ig_history_inputs bind_ig_history(role_binder& b);

enum class ig_record_kind {
  current_order,   ///< active, on-hold (or any other live status) MedicationRequest
  ended_order,     ///< completed or stopped MedicationRequest
  administration,  ///< MedicationAdministration, completed or in progress
  immunization,    ///< Immunization record of immune globulin
};

struct ig_record {
  ig_record_kind kind = ig_record_kind::current_order;
  const fhir::medication_order* order = nullptr;  ///< for orders
  const product* identified = nullptr;            ///< the product, when one is identified
  bool intravenous = true;  ///< false for an Immunization record that is not IV immune globulin (CVX 86, 14)
  // The text fields are card Markdown: the record's words in them are escaped where they were read.
  std::string what;       ///< "Privigen (RxNorm 758996)"
  std::string reference;  ///< "MedicationAdministration/a1"
  std::string status;
  std::optional<fhir::time_point> when;  ///< given (administration, immunization) or written (order)
  long days_ago = 0;                     ///< when `when` is set
  std::optional<double> grams;           ///< an administration's dose, when recorded in g or mg
  std::string dose_text;                 ///< the dose as recorded ("35 g", "0.5 g/kg", the dosage text)
  std::vector<std::string> notes;        ///< tolerance, premedication, as recorded

  /// "Given: Privigen (RxNorm 758996) on 2026-10-30 (30 days ago), 35 g (MedicationAdministration/a1)"
  std::string line() const;
  bool given() const { return kind == ig_record_kind::administration || kind == ig_record_kind::immunization; }
};

struct ig_history {
  /// Current orders first, then the others newest first.
  std::vector<ig_record> records;
  /// Whether the EHR sent the whole history (medicationHistory and administrations): without it, an
  /// empty history does not mean a first infusion.
  bool complete = false;

  bool any_intravenous() const;
  /// The products of earlier records that identify one.
  std::vector<const product*> products() const;
  /// The newest intravenous dose given (an administration, or an IV immunization record), or an ended
  /// order when no dose is recorded; null when none has a date.
  const ig_record* last_course() const;
  /// Grams recorded as given at or after `since`; nullopt when a dose in that window has no grams.
  std::optional<double> grams_given_since(fhir::time_point since) const;
};

ig_history gather_ig_history(const fhir::patient_record& record, const knowledge& kb, const ig_history_inputs& in,
                             fhir::time_point now);

}  // namespace ivig::rules
