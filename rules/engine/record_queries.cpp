// rules/engine/record_queries.cpp: record queries, evidence lines and policy notes.
#include "rules/engine/record_queries.hpp"

#include <algorithm>
#include <cstdio>

#include "fhir/model/markdown_text.hpp"
#include "rules/engine/number_format.hpp"

namespace ivig::rules {
namespace {

bool passes(const fhir::record_status& status, status_filter filter) {
  return filter == status_filter::active_only ? status.active() : !status.ruled_out();
}

}  // namespace

using fhir::markdown_text;

std::string comparator_text(std::string_view comparator) {
  for (const std::string_view known : {"<", "<=", ">=", ">", "ad"})
    if (comparator == known) return std::string(known);
  return markdown_text(comparator);
}

std::string quantity_text(const fhir::quantity& q, std::string_view number) {
  std::string out = comparator_text(q.comparator) + std::string(number);
  const std::string_view unit = q.effective_unit();
  if (!unit.empty()) out += " " + markdown_text(unit);
  return out;
}

std::string reference_text(std::string_view resource_type, std::string_view id) {
  return markdown_text(resource_type) + "/" + markdown_text(id);
}

std::string on_date(const std::optional<fhir::fhir_time>& when) {
  if (!when) return {};
  return " on " + fhir::format_date(when->at);
}

std::vector<matched<fhir::condition>> conditions_in(const fhir::patient_record& record, const knowledge& kb,
                                                    const value_set& set, status_filter filter) {
  std::vector<matched<fhir::condition>> found;
  for (const fhir::condition& c : record.conditions) {
    if (!passes(c.status, filter)) continue;
    if (auto match = match_concept(kb, set, c.code)) found.push_back({&c, std::move(*match)});
  }
  return found;
}

std::vector<matched<fhir::allergy_intolerance>> allergies_in(const fhir::patient_record& record, const knowledge& kb,
                                                             const value_set& set, status_filter filter) {
  std::vector<matched<fhir::allergy_intolerance>> found;
  for (const fhir::allergy_intolerance& a : record.allergies) {
    if (!passes(a.status, filter)) continue;
    std::optional<concept_match> match = match_concept(kb, set, a.code);
    for (const fhir::allergy_reaction& reaction : a.reactions) {
      if (match) break;
      match = match_concept(kb, set, reaction.substance);
    }
    if (match) found.push_back({&a, std::move(*match)});
  }
  return found;
}

std::vector<matched<fhir::observation>> observations_in(const fhir::patient_record& record, const knowledge& kb,
                                                        const value_set& set) {
  std::vector<matched<fhir::observation>> found;
  for (const fhir::observation& o : record.observations) {
    if (!o.usable()) continue;
    if (auto match = match_concept(kb, set, o.code)) found.push_back({&o, std::move(*match)});
  }
  std::stable_sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
    const auto at = [](const auto& m) {
      return m.resource->effective ? m.resource->effective->at : fhir::time_point{};
    };
    return at(a) > at(b);
  });
  return found;
}

std::string describe(const matched<fhir::condition>& found) {
  const fhir::condition& c = *found.resource;
  std::string line = "Condition: " + found.match.describe();
  if (!c.status.clinical.empty()) line += ", " + markdown_text(c.status.clinical);
  if (c.onset)
    line += ", onset " + fhir::format_date(c.onset->at);
  else if (c.recorded)
    line += ", recorded " + fhir::format_date(c.recorded->at);
  return line;
}

std::string describe(const matched<fhir::allergy_intolerance>& found) {
  const fhir::allergy_intolerance& a = *found.resource;
  std::string line = "Allergy: " + found.match.describe();
  if (!a.criticality.empty()) line += ", criticality " + markdown_text(a.criticality);
  for (const fhir::allergy_reaction& reaction : a.reactions) {
    if (!reaction.severity.empty()) line += ", " + markdown_text(reaction.severity) + " reaction";
    for (const fhir::codeable_concept& manifestation : reaction.manifestations)
      line += " (" + markdown_text(manifestation.label()) + ")";
  }
  if (a.recorded) line += ", recorded " + fhir::format_date(a.recorded->at);
  return line;
}

std::string describe(const matched<fhir::observation>& found) {
  const fhir::observation& o = *found.resource;
  std::string line = "Result: " + found.match.describe();
  if (o.value_quantity) {
    line += " = " + quantity_text(*o.value_quantity, format_number(o.value_quantity->value));
  } else if (!o.value_concept.empty()) {
    line += " = " + markdown_text(o.value_concept.label());
  } else if (!o.value_string.empty()) {
    line += " = " + markdown_text(o.value_string);
  }
  line += on_date(o.effective);
  return line;
}

std::string policy_note(const threshold& used, std::string_view what) {
  std::string note = std::string(what) + " uses " + format_number(used.value) + " " + used.unit;
  if (used.local_policy())
    note += ", a local policy value " + std::string(evidence_marker(used.evidence)) + ": " + used.rationale;
  return note;
}

std::optional<double> to_mg_per_dl(double value, std::string_view unit) {
  if (unit == "mg/dL" || unit == "mg/dl") return value;
  if (unit == "g/L" || unit == "g/l") return value * 100.0;
  if (unit == "mg/L" || unit == "mg/l") return value / 10.0;
  if (unit == "g/dL" || unit == "g/dl") return value * 1000.0;
  return std::nullopt;
}

long age_in_years(fhir::time_point birth, fhir::time_point now) {
  return fhir::days_between(birth, now) * 400 / 146097;  // 146097 days make 400 Gregorian years
}

}  // namespace ivig::rules
