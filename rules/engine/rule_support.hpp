// rules/engine/rule_support.hpp: the building blocks the rule families share.
//
// Finding record entries that match a value set (respecting FHIR status), describing them as
// evidence lines with dates, and starting a finding pre-filled from the rule's catalogue entry.
// Rule files stay short and read like their When/Then in the catalogue.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rules/engine/engine.hpp"
#include "rules/engine/terminology.hpp"

namespace ivig::rules {

template <typename Resource>
struct matched {
  const Resource* resource = nullptr;
  concept_match match;
};

enum class status_filter {
  active_only,     ///< clinically active (or no clinical status), not refuted
  any_not_refuted  ///< history counts too (resolved anaphylaxis is still a history of anaphylaxis)
};

std::vector<matched<fhir::condition>> conditions_in(const rule_context& context, const value_set& set,
                                                    status_filter filter);
std::vector<matched<fhir::allergy_intolerance>> allergies_in(const rule_context& context, const value_set& set,
                                                             status_filter filter);
/// Usable observations whose code is in `set`, newest first.
std::vector<matched<fhir::observation>> observations_in(const fhir::patient_record& record, const knowledge& kb,
                                                        const value_set& set);
inline std::vector<matched<fhir::observation>> observations_in(const rule_context& context, const value_set& set) {
  return observations_in(context.record, context.kb, set);
}
/// Conditions (per `filter`) whose code is in `set`.
std::vector<matched<fhir::condition>> conditions_in(const fhir::patient_record& record, const knowledge& kb,
                                                    const value_set& set, status_filter filter);

std::string describe(const matched<fhir::condition>& found);
std::string describe(const matched<fhir::allergy_intolerance>& found);
std::string describe(const matched<fhir::observation>& found);
/// " on 2024-01-02" or "" when the date is unknown.
std::string on_date(const std::optional<fhir::fhir_time>& when);

/// A finding for the context's rule and order, with the rule's citations and explanation.
finding start_finding(const rule_context& context, severity level, std::string summary);

/// An incomplete check of the context's rule.
incomplete_check incomplete(const rule_context& context, std::string reason);

/// "[U]" policy note for a threshold: "IgA below 7 mg/dL counts as deficient (local policy [U]: …)".
std::string policy_note(const threshold& used, std::string_view what);

/// Converts a mass concentration to mg/dL; nullopt for units it does not know.
std::optional<double> to_mg_per_dl(double value, std::string_view unit);

}  // namespace ivig::rules
