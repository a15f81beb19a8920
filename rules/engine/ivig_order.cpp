// rules/engine/ivig_order.cpp: IVIg recognition and product identification.
#include "rules/engine/ivig_order.hpp"

#include <algorithm>

#include "fhir/model/markdown_text.hpp"
#include "rules/engine/terminology.hpp"

namespace ivig::rules {
namespace {

void add_candidates(std::vector<const product*>& into, const std::vector<const product*>& from) {
  for (const product* p : from)
    if (std::find(into.begin(), into.end(), p) == into.end()) into.push_back(p);
}

bool matches(const knowledge& kb, const value_set* set, const fhir::codeable_concept& concept_to_match) {
  if (set == nullptr) return false;
  fhir::codeable_concept codes_only{concept_to_match.codings, {}};
  return match_concept(kb, *set, codes_only).has_value();
}

bool has_intravenous_route(const fhir::medication_order& order, const knowledge& kb) {
  const value_set* routes = kb.recognition.intravenous_routes;
  if (routes == nullptr) return false;
  return std::any_of(order.routes.begin(), order.routes.end(), [&](const fhir::codeable_concept& route) {
    return match_concept(kb, *routes, route).has_value();
  });
}

/// Products named in free text: a full product name wins over a family name.
std::vector<const product*> products_named_in(std::string_view lower_text, const knowledge& kb) {
  std::vector<const product*> exact;
  for (const product& p : kb.products)
    for (const std::string& name : p.names)
      if (contains_term(lower_text, name)) {
        exact.push_back(&p);
        break;
      }
  if (!exact.empty()) return exact;
  std::vector<const product*> family;
  for (const product& p : kb.products)
    if (!p.family.empty() && contains_term(lower_text, p.family)) family.push_back(&p);
  return family;
}

}  // namespace

std::string ivig_order::product_description() const {
  if (candidates.empty()) return "IVIg, product not identified";
  std::string out;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    if (i > 0) out += i + 1 == candidates.size() ? " or " : ", ";
    out += candidates[i]->name;
  }
  return out;
}

std::string ivig_order::reference() const {
  if (order == nullptr) return {};
  std::string out(order->resource_type);
  if (!order->id.empty()) out += "/" + std::string(order->id);
  return out;
}

std::optional<ivig_order> recognise_ivig(const fhir::medication_order& order,
                                         const std::vector<fhir::codeable_concept>& medication, const knowledge& kb) {
  const recognition_policy& policy = kb.recognition;
  ivig_order result;
  result.order = &order;
  bool is_ivig = false;
  bool excluded = false;

  for (const fhir::codeable_concept& concept_read : medication) {
    for (const fhir::coding& c : concept_read.codings) {
      if (c.code.empty()) continue;
      const std::string_view system = kb.canonical_system(c.system);
      std::string scratch;
      const std::string_view code = normalise_code(system, c.code, scratch);
      if (const auto it = kb.product_index.find(code_key_parts{system, code}); it != kb.product_index.end()) {
        add_candidates(result.candidates, it->second);
        if (!is_ivig) result.recognised_by = std::string(system_short_name(system)) + " " + fhir::markdown_text(c.code);
        is_ivig = true;
      }
    }
    if (matches(kb, policy.not_intravenous_codes, concept_read)) excluded = true;
    if (!is_ivig && matches(kb, policy.iv_product_codes, concept_read)) {
      is_ivig = true;
      result.recognised_by = "IV immune globulin product code";
    }
  }
  // Subcutaneous and intramuscular products are never IVIg, whatever else the order says.
  if (excluded && result.candidates.empty()) return std::nullopt;

  const bool intravenous = has_intravenous_route(order, kb);
  if (!is_ivig && intravenous) {
    for (const fhir::codeable_concept& concept_read : medication)
      if (matches(kb, policy.ingredient_codes, concept_read)) {
        is_ivig = true;
        result.recognised_by = "immune globulin ingredient code with an intravenous route";
        break;
      }
  }

  // Text: the medication's text and displays, and the dosage text.
  std::string text;
  for (const fhir::codeable_concept& concept_read : medication) {
    text.append(concept_read.text).push_back(' ');
    for (const fhir::coding& c : concept_read.codings) text.append(c.display).push_back(' ');
  }
  for (std::string_view dosage : order.dosage_texts) text.append(dosage).push_back(' ');
  const std::string lower = to_lower(text);

  if (result.candidates.empty()) {
    const std::vector<const product*> named = products_named_in(lower, kb);
    if (!named.empty() && (is_ivig || !excluded)) {
      add_candidates(result.candidates, named);
      if (!is_ivig) result.recognised_by = "product name in the order text";
      is_ivig = true;
    }
  }
  if (!is_ivig && !excluded) {
    const bool says_immune_globulin = std::any_of(policy.text_terms.begin(), policy.text_terms.end(),
                                                  [&](const std::string& term) { return contains_term(lower, term); });
    const bool says_intravenous =
        intravenous || std::any_of(policy.intravenous_text_terms.begin(), policy.intravenous_text_terms.end(),
                                   [&](const std::string& term) { return contains_term(lower, term); });
    if (says_immune_globulin && says_intravenous) {
      is_ivig = true;
      result.recognised_by = "order text names intravenous immune globulin";
    }
  }
  if (!is_ivig) return std::nullopt;
  return result;
}

}  // namespace ivig::rules
