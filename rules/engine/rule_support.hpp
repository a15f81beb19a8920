// rules/engine/rule_support.hpp: the building blocks the rule checks share.
//
// The record queries of record_queries.hpp taken from a rule's context, and starting a finding or an
// incomplete check pre-filled from the rule's catalogue entry. Rule files stay short and read like
// their When/Then in the catalogue.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "rules/engine/engine.hpp"
#include "rules/engine/record_queries.hpp"

namespace ivig::rules {

inline std::vector<matched<fhir::condition>> conditions_in(const rule_context& context, const value_set& set,
                                                           status_filter filter) {
  return conditions_in(context.record, context.kb, set, filter);
}
inline std::vector<matched<fhir::allergy_intolerance>> allergies_in(const rule_context& context, const value_set& set,
                                                                    status_filter filter) {
  return allergies_in(context.record, context.kb, set, filter);
}
inline std::vector<matched<fhir::observation>> observations_in(const rule_context& context, const value_set& set) {
  return observations_in(context.record, context.kb, set);
}

/// Active medication orders (in the record and the other orders of this ordering session) whose
/// medication is in `set`, one line each ("<label>: <match> (active order MedicationRequest/x)").
/// Shared by the rules that count a drug the patient takes (R8 nephrotoxic drugs, R10 estrogens,
/// R7 insulin). With `not_systemic`, an order whose route, medication text or dosage text is in that
/// set (eye drops, a skin gel) is not counted.
void add_medications(const rule_context& context, const value_set& set, std::string_view label,
                     std::vector<std::string>& lines, const value_set* not_systemic = nullptr);

/// Whether the order's route, medication name (its dose form) or dosage text is in `not_systemic`.
bool applied_locally(const knowledge& kb, const fhir::medication_order& order, const value_set& not_systemic);

/// A finding for the context's rule and order, with the rule's citations and explanation.
finding start_finding(const rule_context& context, severity level, std::string summary);

/// An incomplete check of the context's rule.
incomplete_check incomplete(const rule_context& context, std::string reason);

/// Whether a rule that ran before this one found something for the context's order.
bool found_earlier(const evaluation& so_far, const rule_unit& earlier, const rule_context& context);

}  // namespace ivig::rules
