// rules/engine/rule_support.cpp: finding and incomplete-check scaffolding, and the shared
// "medication orders in a value set" query.
#include "rules/engine/rule_support.hpp"

#include <algorithm>
#include <optional>
#include <string>

#include "rules/engine/rule_unit.hpp"

namespace ivig::rules {

finding start_finding(const rule_context& context, severity level, std::string summary) {
  finding f;
  f.rule_id = context.rule.id;
  f.rule_version = context.rule.version;
  f.override_reasons = context.rule.override_reasons;
  f.level = level;
  f.summary = std::move(summary);
  f.order_reference = context.order.reference();
  f.product_description = context.order.product_description();
  f.explanation = context.rule.then;
  f.citations = context.rule.citations;
  return f;
}

incomplete_check incomplete(const rule_context& context, std::string reason) {
  return incomplete_check{context.rule.id, context.rule.title, std::move(reason), context.order.reference(),
                          context.rule.contraindication_screen};
}

bool applied_locally(const knowledge& kb, const fhir::medication_order& order, const value_set& not_systemic) {
  for (const fhir::codeable_concept& route : order.routes)
    if (match_concept(kb, not_systemic, route)) return true;
  // RxNorm names carry the dose form ("… Topical Gel", "… Ophthalmic Emulsion").
  if (match_concept(kb, not_systemic, order.medication_concept)) return true;
  for (std::string_view text : order.dosage_texts)
    if (text_matches(not_systemic, text)) return true;
  return false;
}

void add_medications(const rule_context& context, const value_set& set, std::string_view label,
                     std::vector<std::string>& lines, const value_set* not_systemic) {
  auto describe = [&](const fhir::medication_order& order) -> std::optional<std::string> {
    if (order.status == "entered-in-error" || order.status == "cancelled" || order.status == "stopped" ||
        order.status == "completed")
      return std::nullopt;
    if (not_systemic != nullptr && applied_locally(context.kb, order, *not_systemic)) return std::nullopt;
    if (const auto match = match_concept(context.kb, set, order.medication_concept)) return match->describe();
    return std::nullopt;
  };
  auto line = [&](const std::string& description, std::string_view where, const fhir::medication_order& order) {
    lines.push_back(std::string(label) + ": " + description + " (" + std::string(where) + " " +
                    reference_text(order.resource_type, order.id) + ")");
  };
  for (const fhir::medication_order& order : context.record.medication_orders)
    if (const auto description = describe(order)) line(*description, "active order", order);
  // The session's orders are matched once per call (ordering_session::matches).
  auto [found, fresh] = context.session.matches.try_emplace({&set, not_systemic});
  if (fresh)
    for (const fhir::medication_order* order : context.session.medication_orders)
      if (auto description = describe(*order)) found->second.push_back({order, std::move(*description)});
  for (const ordering_session::match& m : found->second)
    if (m.order != context.order.order) line(m.description, "ordered now,", *m.order);
}

bool found_earlier(const evaluation& so_far, const rule_unit& earlier, const rule_context& context) {
  const std::string order = context.order.reference();
  return std::any_of(so_far.findings.begin(), so_far.findings.end(),
                     [&](const finding& f) { return f.rule_id == earlier.id && f.order_reference == order; });
}

}  // namespace ivig::rules
