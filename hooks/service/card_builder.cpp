// hooks/service/card_builder.cpp: the words and structure of each card.
#include "hooks/service/card_builder.hpp"

#include <algorithm>
#include <map>
#include <optional>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "fhir/model/json_view.hpp"
#include "fhir/model/markdown_text.hpp"
#include "hooks/protocol/uuid.hpp"
#include "hooks/service/identical_cards.hpp"
#include "hooks/service/lab_order_json.hpp"
#include "hooks/service/order_correction_json.hpp"
#include "hooks/service/worksheet.hpp"
#include "rules/engine/ivig_order.hpp"
#include "rules/engine/terminology.hpp"

namespace ivig::service {
namespace {

/// Suggestion labels are buttons: keep them short, the action's description carries the detail.
std::string limit_label(const std::string& text) {
  return protocol::limit_characters(text, 80);
}

/// Appends "- [C] label: detail <url>" (the markdown of one source line) to `out`.
void append_citation_line(std::string& out, const rules::citation& c) {
  out.append("- ").append(rules::evidence_marker(c.evidence)).append(" ").append(c.cited->label);
  if (!c.detail.empty()) out.append(": ").append(c.detail);
  if (!c.cited->url.empty()) out.append(" <").append(c.cited->url).append(">");
}

// The markdown is appended piece by piece into one string: a card's detail runs to kilobytes, and
// joining it from temporaries copied it once per line. The finding's evidence, explanation and notes
// are Markdown already (the engine escapes the record's words where they enter them); the order's
// reference is the record's id as read, escaped here.
std::string detail_of(const rules::finding& f, const rules::knowledge& kb) {
  std::string detail;
  detail.reserve(1024);
  detail.append("**Order:** ")
      .append(f.product_description)
      .append(" (")
      .append(fhir::markdown_text(f.order_reference))
      .append(")\n\n");
  if (!f.evidence.empty()) {
    detail.append("**Found in the record:**\n\n");
    for (const std::string& line : f.evidence) detail.append("- ").append(line).append("\n");
    detail.append("\n");
  }
  detail.append(f.explanation).append("\n\n");
  if (!f.policy_notes.empty()) {
    detail.append("**Not confirmed by a cited source** (local policy or unconfirmed [U] knowledge):\n\n");
    for (const std::string& note : f.policy_notes) detail.append("- ").append(note).append("\n");
    detail.append("\n");
  }
  if (!f.citations.empty()) {
    detail.append("**Sources** (evidence: [C] confirmed, [S] secondary copy, [U] unconfirmed):\n\n");
    // One line per source: a source cited by the rule and again for the product is listed once.
    std::vector<const rules::source*> listed;
    for (const rules::citation& c : f.citations) {
      if (std::find(listed.begin(), listed.end(), c.cited) != listed.end()) continue;
      listed.push_back(c.cited);
      append_citation_line(detail, c);
      detail.append("\n");
    }
    detail.append("\n");
  }
  detail.append("Rule ").append(f.rule_id);
  if (!f.rule_version.empty()) detail.append(" v").append(f.rule_version);
  detail.append(", knowledge ").append(kb.version).append(".");
  return detail;
}

/// The order with its medication replaced by `to`, as JSON text, for an `update` action.
std::string switched_order_json(const rules::ivig_order& order, const rules::product& to) {
  rapidjson::Document copy;
  copy.CopyFrom(*order.order->json, copy.GetAllocator());
  auto& a = copy.GetAllocator();
  copy.RemoveMember("medicationReference");
  copy.RemoveMember("medication");
  rapidjson::Value concept_value(rapidjson::kObjectType);
  rapidjson::Value codings(rapidjson::kArrayType);
  // The product's own code, never the brand name shared by several products (R3 offers only
  // products that have one).
  if (const rules::product_identifier* id = to.specific_identifier()) {
    rapidjson::Value c(rapidjson::kObjectType);
    c.AddMember("system", rapidjson::Value(id->system.c_str(), a), a);
    c.AddMember("code", rapidjson::Value(id->code.c_str(), a), a);
    c.AddMember("display", rapidjson::Value(to.name.c_str(), a), a);
    codings.PushBack(c, a);
  }
  if (!codings.Empty()) concept_value.AddMember("coding", codings, a);
  concept_value.AddMember("text", rapidjson::Value(to.name.c_str(), a), a);
  copy.RemoveMember("medicationCodeableConcept");
  copy.AddMember("medicationCodeableConcept", concept_value, a);
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> w(out);
  copy.Accept(w);
  return std::string(out.GetString(), out.GetSize());
}

/// Every correction the rules computed for one order, merged: the dose recomputed on the dosing weight
/// (R17) over a mere rounding of the ordered grams (R19), and the rate cap (R13). Each card's one-click change applies
/// all of them, so that accepting any one suggestion gives the fully corrected order (each `update` carries the whole
/// resource).
std::optional<rules::order_correction> merged_correction(const rules::evaluation& result) {
  std::optional<rules::order_correction> merged;
  const rules::order_correction* dose = nullptr;
  const rules::order_correction* rate = nullptr;
  for (const rules::finding& f : result.findings) {
    if (!f.correction) continue;
    if (f.correction->grams && (dose == nullptr || f.correction->dose_recomputed)) dose = &*f.correction;
    if (f.correction->max_rate_mg_per_kg_min && rate == nullptr) rate = &*f.correction;
  }
  if (dose == nullptr && rate == nullptr) return merged;
  merged.emplace();
  if (dose != nullptr) {
    merged->g_per_kg = dose->g_per_kg;
    merged->grams = dose->grams;
    merged->description = dose->description;
  }
  if (rate != nullptr) {
    merged->max_rate_mg_per_kg_min = rate->max_rate_mg_per_kg_min;
    merged->max_rate_ml_per_hour = rate->max_rate_ml_per_hour;
    merged->min_rate_mg_per_kg_min = rate->min_rate_mg_per_kg_min;
    merged->min_rate_ml_per_hour = rate->min_rate_ml_per_hour;
    merged->description += (merged->description.empty() ? "" : ". ") + rate->description;
  }
  return merged;
}

void append_new(std::vector<std::string>& into, const std::vector<std::string>& from) {
  for (const std::string& line : from)
    if (std::find(into.begin(), into.end(), line) == into.end()) into.push_back(line);
}

/// The override reasons on the card: the card's own rule's first, then those each joining rule added
/// (R13 joining R8 adds only the reasons R8 lacks); the engine put them on the finding.
std::vector<protocol::coding> override_reasons_of(const rules::finding& f) {
  std::vector<protocol::coding> out;
  for (const rules::override_reason* r : f.override_reasons) out.push_back({r->system, r->code, r->display});
  return out;
}

/// Card discipline: a finding that `joins` another rule's finding for the same order becomes part of
/// that card (its evidence, citations, policy notes, correction and rule id); on order-select, info
/// findings that do not change the order are left for signing.
std::vector<rules::finding> joined_findings(const std::vector<rules::finding>& findings, const card_options& options) {
  std::vector<rules::finding> kept;
  std::vector<const rules::finding*> joining;
  for (const rules::finding& f : findings) {
    if (!options.signing && f.level == rules::severity::info && !f.changes_order) continue;
    const bool joins_present = std::any_of(f.joins.begin(), f.joins.end(), [&](const std::string& id) {
      return std::any_of(findings.begin(), findings.end(), [&](const rules::finding& other) {
        return other.rule_id == id && other.order_reference == f.order_reference;
      });
    });
    if (joins_present)
      joining.push_back(&f);
    else
      kept.push_back(f);
  }
  for (const rules::finding* f : joining) {
    for (const std::string& id : f->joins) {
      auto target = std::find_if(kept.begin(), kept.end(), [&](const rules::finding& k) {
        return k.rule_id == id && k.order_reference == f->order_reference;
      });
      if (target == kept.end()) continue;
      target->also_rules.push_back(f->rule_id);
      // A line both findings found (R2's IgA deficiency on R3's card) is listed once.
      append_new(target->evidence, f->evidence);
      target->citations.insert(target->citations.end(), f->citations.begin(), f->citations.end());
      append_new(target->policy_notes, f->policy_notes);
      for (const rules::override_reason* reason : f->override_reasons)
        if (std::find(target->override_reasons.begin(), target->override_reasons.end(), reason) ==
            target->override_reasons.end())
          target->override_reasons.push_back(reason);
      if (!target->correction && f->correction) target->correction = f->correction;
      if (f->level > target->level) target->level = f->level;
      break;
    }
  }
  return kept;
}

protocol::card card_of(std::string_view hook_instance, const rules::ivig_order& order, const rules::finding& f,
                       const rules::knowledge& kb, const std::optional<rules::order_correction>& merged) {
  protocol::card c;
  c.uuid = protocol::uuid_v5(std::string(hook_instance) + "|" + f.rule_id + "|" + f.order_reference);
  c.summary = f.summary;
  c.detail = detail_of(f, kb);
  c.indicator = std::string(rules::severity_name(f.level));
  const rules::source* primary = f.primary_source != nullptr ? f.primary_source
                                 : f.citations.empty()       ? nullptr
                                                             : f.citations.front().cited;
  if (primary != nullptr) {
    c.source.label = primary->label;
    c.source.url = primary->url;
  } else {
    c.source.label = "ivig-cds IVIg knowledge base " + kb.version;
  }
  if (f.level != rules::severity::info) c.override_reasons = override_reasons_of(f);
  for (const rules::product_switch& s : f.switches) {
    protocol::suggestion suggestion;
    suggestion.label = s.label;
    suggestion.uuid = protocol::uuid_v5(c.uuid + "|" + s.to->id);
    suggestion.is_recommended = s.recommended;
    if (order.order != nullptr && order.order->json != nullptr)
      suggestion.actions.push_back({"update", s.reason, switched_order_json(order, *s.to), {}});
    c.suggestions.push_back(std::move(suggestion));
  }
  if (f.correction && merged && order.order != nullptr && order.order->json != nullptr) {
    protocol::suggestion suggestion;
    suggestion.label = limit_label(f.correction->label.empty() ? f.correction->description : f.correction->label);
    suggestion.uuid = protocol::uuid_v5(c.uuid + "|correction");
    suggestion.is_recommended = c.suggestions.empty();
    suggestion.actions.push_back({"update",
                                  merged->description + " (" + order.reference() + ")",
                                  corrected_order_json(*order.order->json, *merged),
                                  {}});
    c.suggestions.push_back(std::move(suggestion));
  }
  if (!f.lab_orders.empty()) {
    // The monitoring the card asks for, ordered in one click: one suggestion creating every test.
    protocol::suggestion suggestion;
    suggestion.label = "Order " + f.lab_orders.front().display.substr(0, f.lab_orders.front().display.find(" [")) +
                       " before and after";
    suggestion.label = limit_label(suggestion.label);
    suggestion.uuid = protocol::uuid_v5(c.uuid + "|labs");
    suggestion.is_recommended = c.suggestions.empty();
    std::string patient;
    if (order.order != nullptr && order.order->json != nullptr) {
      const fhir::json_value& json = *order.order->json;
      patient = std::string(fhir::string_member(fhir::member(json, "subject"), "reference"));
      if (patient.empty()) patient = std::string(fhir::string_member(fhir::member(json, "patient"), "reference"));
    }
    for (const rules::lab_order& lab : f.lab_orders)
      suggestion.actions.push_back({"create",
                                    "Orders " + lab.display + " " + lab.when,
                                    lab_order_json(lab, patient, f.summary + " (" + order.reference() + ")"),
                                    {}});
    c.suggestions.push_back(std::move(suggestion));
  }
  if (!c.suggestions.empty()) c.selection_behavior = "at-most-one";
  c.rule_ids = {f.rule_id};
  c.knowledge_version = kb.version;
  return c;
}

/// Lists each unchecked check with its reason on the card, and the rules it concerns.
void list_checks(protocol::card& c, const std::vector<rules::incomplete_check>& checks, const rules::knowledge& kb) {
  for (const rules::incomplete_check& check : checks) {
    c.detail += "- **" + check.rule_id + " " + check.check + "** (" + fhir::markdown_text(check.order_reference) +
                "): " + check.reason + "\n";
    if (std::find(c.rule_ids.begin(), c.rule_ids.end(), check.rule_id) == c.rule_ids.end())
      c.rule_ids.push_back(check.rule_id);
  }
  c.detail += "\nKnowledge " + kb.version + ".";
  c.source.label = std::string(incomplete_card_source);
}

/// The labelled contraindications that could not be checked: a warning naming each screen and the
/// data it needed, so that an incomplete screen is never mistaken for a clear one.
protocol::card incomplete_screen_card(std::string_view hook_instance,
                                      const std::vector<rules::incomplete_check>& checks, const rules::knowledge& kb) {
  protocol::card c;
  c.uuid = protocol::uuid_v5(std::string(hook_instance) + "|incomplete-screen");
  c.indicator = "warning";
  std::vector<std::string> titles;
  for (const rules::incomplete_check& check : checks)
    if (std::find(titles.begin(), titles.end(), check.check) == titles.end()) titles.push_back(check.check);
  c.summary = titles.size() == 1 ? "Contraindication screen incomplete: 1 labelled contraindication was not checked"
                                 : "Contraindication screen incomplete: " + std::to_string(titles.size()) +
                                       " labelled contraindications were not checked";
  c.detail =
      "These labelled contraindications could not be checked, because the data they need did not arrive. Check "
      "them with the patient or in the chart before giving IVIg:\n\n";
  list_checks(c, checks, kb);
  for (const rules::override_reason* r : kb.incomplete_screen_override_reasons)
    c.override_reasons.push_back({r->system, r->code, r->display});
  c.knowledge_version = kb.version;
  return c;
}

protocol::card incomplete_card(std::string_view hook_instance, const std::vector<rules::incomplete_check>& checks,
                               const rules::knowledge& kb) {
  protocol::card c;
  c.uuid = protocol::uuid_v5(std::string(hook_instance) + "|incomplete");
  c.indicator = "info";
  c.summary = checks.size() == 1
                  ? "1 IVIg safety check could not be completed: see which and why"
                  : std::to_string(checks.size()) + " IVIg safety checks could not be completed: see which and why";
  c.detail = "These checks could not be done, so their silence does not mean the order is safe:\n\n";
  list_checks(c, checks, kb);
  c.knowledge_version = kb.version;
  return c;
}

}  // namespace

std::vector<protocol::card> build_cards(std::string_view hook_instance, const std::vector<checked_order>& checked,
                                        const rules::knowledge& kb, card_options options) {
  std::vector<ranked_card> ranked;
  std::vector<rules::incomplete_check> incomplete;
  for (const checked_order& entry : checked) {
    const std::optional<rules::order_correction> merged = merged_correction(entry.result);
    for (const rules::finding& f : joined_findings(entry.result.findings, options)) {
      protocol::card card = card_of(hook_instance, *entry.order, f, kb, merged);
      card.rule_ids = f.joined_rule_ids();
      ranked.emplace_back(f.level, std::move(card));
    }
    incomplete.insert(incomplete.end(), entry.result.incomplete.begin(), entry.result.incomplete.end());
  }
  // One card per concern across orders: the same patient-level finding for several IVIg orders
  // (the same risk factors, the same evidence) is shown once, naming every order it concerns.
  ranked = merge_identical_cards(std::move(ranked));
  // Critical → warning → info; within a level the most actionable first: a card with a one-click
  // fix before one that only informs, then the catalogue's order.
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first > b.first;
    return !a.second.suggestions.empty() && b.second.suggestions.empty();
  });
  std::vector<protocol::card> cards;
  for (auto& [level, card] : ranked) cards.push_back(std::move(card));
  if (options.signing)
    for (const checked_order& entry : checked) cards.push_back(worksheet_card(hook_instance, entry, kb));
  // Unchecked labelled contraindications are a warning of their own (after the finding warnings,
  // before the information); every other unchecked check stays on the trailing info card.
  std::vector<rules::incomplete_check> screens, others;
  for (rules::incomplete_check& check : incomplete)
    (check.contraindication_screen ? screens : others).push_back(std::move(check));
  if (!screens.empty()) {
    const auto first_info =
        std::find_if(cards.begin(), cards.end(), [](const protocol::card& card) { return card.indicator == "info"; });
    cards.insert(first_info, incomplete_screen_card(hook_instance, screens, kb));
  }
  if (!others.empty()) cards.push_back(incomplete_card(hook_instance, others, kb));
  return cards;
}

}  // namespace ivig::service
