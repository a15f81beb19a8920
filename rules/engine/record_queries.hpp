// rules/engine/record_queries.hpp: finding record entries that match a value set, and saying what was found.
//
// Conditions, allergies and observations that match a value set (respecting FHIR status), their
// evidence lines with dates, and the local-policy note of a threshold. Used by the order facts and by
// the rules alike; knows nothing of rules or findings.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/model/patient_record.hpp"
#include "rules/engine/knowledge.hpp"
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

/// Conditions (per `filter`) whose code is in `set`.
std::vector<matched<fhir::condition>> conditions_in(const fhir::patient_record& record, const knowledge& kb,
                                                    const value_set& set, status_filter filter);
/// Allergies (per `filter`) whose substance or a reaction's substance is in `set`.
std::vector<matched<fhir::allergy_intolerance>> allergies_in(const fhir::patient_record& record, const knowledge& kb,
                                                             const value_set& set, status_filter filter);
/// Usable observations whose code is in `set`, newest first.
std::vector<matched<fhir::observation>> observations_in(const fhir::patient_record& record, const knowledge& kb,
                                                        const value_set& set);

// The evidence lines are card Markdown: every word taken from the record in them is escaped
// (fhir/model/markdown_text.hpp), the line's own words and punctuation are not.
std::string describe(const matched<fhir::condition>& found);
std::string describe(const matched<fhir::allergy_intolerance>& found);
std::string describe(const matched<fhir::observation>& found);
/// A Quantity's comparator for card Markdown: one of FHIR's codes (`<`, `<=`, `>=`, `>`, `ad`) as
/// it is, anything else escaped as record text.
std::string comparator_text(std::string_view comparator);
/// "<7 mg/dL": the comparator, `number` (the value as the caller formats it) and the unit, as card
/// Markdown.
std::string quantity_text(const fhir::quantity& q, std::string_view number);
/// "MedicationRequest/abc": a record entry's type and id as card Markdown (the id is the record's).
std::string reference_text(std::string_view resource_type, std::string_view id);
/// " on 2024-01-02" or "" when the date is unknown.
std::string on_date(const std::optional<fhir::fhir_time>& when);

/// "[U]" policy note for a threshold: "IgA below 7 mg/dL counts as deficient (local policy [U]: …)".
std::string policy_note(const threshold& used, std::string_view what);

/// Converts a mass concentration to mg/dL; nullopt for units it does not know.
std::optional<double> to_mg_per_dl(double value, std::string_view unit);

/// Whole years between a birth date and `now` (Gregorian mean year).
long age_in_years(fhir::time_point birth, fhir::time_point now);

}  // namespace ivig::rules
