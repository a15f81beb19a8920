// rules/engine/knowledge.cpp: small lookups over the loaded knowledge.
#include "rules/engine/knowledge.hpp"

#include <cstdio>

namespace ivig::rules {

std::string_view evidence_marker(evidence_level level) {
  switch (level) {
    case evidence_level::confirmed:
      return "[C]";
    case evidence_level::secondary:
      return "[S]";
    case evidence_level::unconfirmed:
      return "[U]";
  }
  return "[U]";
}

std::optional<evidence_level> parse_evidence(std::string_view marker) {
  if (marker == "C") return evidence_level::confirmed;
  if (marker == "S") return evidence_level::secondary;
  if (marker == "U") return evidence_level::unconfirmed;
  return std::nullopt;
}

std::string_view severity_name(severity level) {
  switch (level) {
    case severity::info:
      return "info";
    case severity::warning:
      return "warning";
    case severity::critical:
      return "critical";
  }
  return "info";
}

std::string iga_content::describe() const {
  char number[32];
  std::snprintf(number, sizeof number, "%g", micrograms_per_ml);
  if (kind == "max") return std::string("≤ ") + number + " µg/mL";
  if (kind == "less-than") return std::string("< ") + number + " µg/mL";
  return std::string("average ") + number + " µg/mL";
}

std::string labelled_content::describe() const {
  if (kind == "trace") return "trace";
  char number[32];
  std::snprintf(number, sizeof number, "%g", value);
  const std::string amount = std::string(number) + " " + unit;
  if (kind == "max") return "≤ " + amount;
  if (kind == "less-than") return "< " + amount;
  if (kind == "range-max") return "up to " + amount;
  return "average " + amount;
}

const titration_schedule* product::titration_for(std::string_view indication) const {
  const titration_schedule* any = nullptr;
  for (const titration_schedule& t : titrations) {
    if (!indication.empty() && t.indication == indication) return &t;
    if (t.indication == "all") any = &t;
  }
  return any;
}

const labelled_dose* product::dose_for(std::string_view indication) const {
  if (indication.empty()) return nullptr;
  for (const labelled_dose& d : dose_ranges)
    if (d.indication == indication) return &d;
  return nullptr;
}

bool product::labelled_for(std::string_view indication) const {
  if (indication.empty()) return false;
  for (const indication_rate& r : max_rates)
    if (r.indication == indication) return true;
  for (const titration_schedule& t : titrations)
    if (t.indication == indication) return true;
  return dose_for(indication) != nullptr;
}

bool product::indications_known() const {
  for (const indication_rate& r : max_rates)
    if (!r.indication.empty() && r.indication != "all") return true;
  for (const titration_schedule& t : titrations)
    if (t.indication != "all") return true;
  return !dose_ranges.empty();
}

const excipient* product::find_excipient(std::string_view substance) const {
  for (const excipient& e : excipients)
    if (e.substance == substance) return &e;
  return nullptr;
}

const product_identifier* product::specific_identifier() const {
  const product_identifier* only_sbd = nullptr;
  int sbds = 0;
  for (const product_identifier& code : identifiers) {
    if (code.kind == "labeler-product") return &code;
    if (code.kind == "SBD" && ++sbds == 1) only_sbd = &code;
  }
  return sbds == 1 ? only_sbd : nullptr;
}

const rule_definition* knowledge::find_rule(std::string_view id) const {
  for (const rule_definition& rule : rules)
    if (rule.id == id) return &rule;
  return nullptr;
}

const value_set* knowledge::find_value_set(std::string_view id) const {
  const auto it = value_sets.find(id);
  return it == value_sets.end() ? nullptr : &it->second;
}

std::string_view knowledge::canonical_system(std::string_view system) const {
  if (!system.empty() && system.back() == '/') system.remove_suffix(1);
  const auto it = system_aliases.find(system);
  return it == system_aliases.end() ? system : std::string_view{it->second};
}

}  // namespace ivig::rules
