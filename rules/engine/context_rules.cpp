// rules/engine/context_rules.cpp: pregnancy (R27), cost and prior authorisation (R28), the
// indication and off-label status (R29) and the infusion reminders (R30) of ivig-knowledge.md §7.
//
// All are info. Only what changes the order is shown on order-select (a missing indication); the
// rest is for signing, where the pharmacist verifies (docs/cards.md, card discipline).
#include "rules/engine/context_rules.hpp"

#include <cmath>
#include <cstdio>

#include "rules/engine/number_format.hpp"
#include "rules/engine/rule_support.hpp"

namespace ivig::rules {
namespace {

struct r27_inputs {
  const value_set& pregnancy;
  const value_set& postpartum;
  const threshold& postpartum_window;
};

r27_inputs bind_r27(role_binder& b) {
  return {b.value_set_role("pregnancy"), b.value_set_role("postpartum"), b.threshold_role("postpartumWindow", "d")};
}

struct r29_inputs {
  const value_set& multiple_sclerosis;
};

r29_inputs bind_r29(role_binder& b) {
  return {b.value_set_role("multipleSclerosis")};
}

/// R30 reads only the migraine history it adds a line for; the reminders themselves are its `then`.
struct r30_inputs {
  const value_set& migraine;
  std::string_view migraine_advice;
  std::string_view migraine_source;  ///< sources.json id of the literature behind the line
};

r30_inputs bind_r30(role_binder& b) {
  return {b.value_set_role("migraine"), b.param_role("migraineAdvice"), b.param_role("migraineSource")};
}

void check_r27(const r27_inputs& in, const rule_context& context, evaluation& out) {
  if (context.stage != hook_stage::sign) return;
  std::vector<std::string> lines;
  for (const auto& found : conditions_in(context, in.pregnancy, status_filter::active_only))
    lines.push_back(describe(found));
  const threshold& window = in.postpartum_window;
  for (const auto& found : conditions_in(context, in.postpartum, status_filter::any_not_refuted)) {
    const auto& when = found.resource->onset ? found.resource->onset : found.resource->recorded;
    if (when && fhir::days_between(when->at, context.now) <= static_cast<long>(window.value))
      lines.push_back(describe(found));
  }
  if (lines.empty()) return;
  finding f = start_finding(context, severity::info, "Pregnant or postpartum: dose on the pre-pregnancy weight");
  f.evidence = std::move(lines);
  const dosing_weight& w = context.facts.weight;
  f.evidence.push_back(w.pre_pregnancy_weight ? "Pre-pregnancy weight: " + w.pre_pregnancy_weight->line
                                              : "No pre-pregnancy weight is on file");
  if (window.local_policy())
    f.policy_notes.push_back(policy_note(window, "How long after delivery counts as postpartum"));
  out.findings.push_back(std::move(f));
}

void check_r28(const no_inputs&, const rule_context& context, evaluation& out) {
  if (context.stage != hook_stage::sign || !context.facts.cost) return;
  const cost_estimate& cost = *context.facts.cost;
  const threshold& price = *cost.price_per_gram;
  finding f = start_finding(context, severity::info,
                            "Estimated cost $" + format_rounded(std::round(cost.usd)) + " for " +
                                format_rounded(cost.grams) + " g: payers usually require prior authorisation");
  f.evidence.push_back(format_rounded(cost.grams) + " g (" + std::to_string(cost.doses) + " × " +
                       format_rounded(cost.grams_per_dose) + " g in whole vials) × $" + format_rounded(price.value) +
                       "/g");
  std::string hcpcs;
  if (const product* p = context.order.identified_product())
    for (const product_identifier& id : p->identifiers)
      if (id.kind == "HCPCS") hcpcs += (hcpcs.empty() ? "" : ", ") + id.code;
  f.evidence.push_back(hcpcs.empty() ? "HCPCS code: not in the knowledge base for this product" : "HCPCS " + hcpcs);
  if (price.local_policy()) f.policy_notes.push_back(policy_note(price, "The price per gram"));
  out.findings.push_back(std::move(f));
}

void check_r29(const r29_inputs& in, const rule_context& context, evaluation& out) {
  const fhir::medication_order& order = *context.order.order;
  if (order.reasons.empty()) {
    finding f =
        start_finding(context, severity::info,
                      "No indication on the IVIg order: add the reason (payers and the off-label check need it)");
    f.explanation =
        "IVIg is used under payer policy and, for multiple sclerosis, off-label. The indication is "
        "needed for prior authorisation and for the checks that depend on it.";
    f.changes_order = true;
    out.findings.push_back(std::move(f));
    return;
  }
  if (context.stage != hook_stage::sign) return;
  const value_set& ms = in.multiple_sclerosis;
  for (const fhir::codeable_concept& reason : order.reasons) {
    const auto match = match_concept(context.kb, ms, reason);
    if (!match) continue;
    finding f = start_finding(context, severity::info,
                              "IVIg for multiple sclerosis is off-label: document why alternatives are not suitable");
    f.evidence.push_back("Indication: " + match->describe());
    out.findings.push_back(std::move(f));
    return;
  }
}

/// A migraine history raises the risk of aseptic meningitis after IVIg (literature, not label): one
/// line on the reminders, not a card of its own, because what it asks for is how the infusion is given.
void add_migraine_line(const r30_inputs& in, const rule_context& context, finding& f) {
  const auto migraine = conditions_in(context, in.migraine, status_filter::any_not_refuted);
  if (migraine.empty()) return;
  f.evidence.push_back(describe(migraine.front()) + ". " + std::string(in.migraine_advice));
  if (const auto it = context.kb.sources.find(in.migraine_source); it != context.kb.sources.end())
    f.citations.push_back(citation{&it->second, evidence_level::secondary, std::string(in.migraine_advice)});
}

void check_r30(const r30_inputs& in, const rule_context& context, evaluation& out) {
  if (context.stage != hook_stage::sign) return;
  finding f = start_finding(
      context, severity::info,
      "Before and during the infusion: pre-medication, hydration, anaphylaxis kit, separate line, vital signs");
  // The rule's `then` holds the reminders; product-specific ones are added here.
  if (const product* p = context.order.identified_product())
    for (const handling_statement& h : p->administration) {
      // At the bedside: what to dilute with, the filter, what not to mix. Storage and pooling are
      // the pharmacy's, on the worksheet.
      if (h.topic != "diluent" && h.topic != "filter" && h.topic != "compatibility" && h.topic != "other") continue;
      // A statement no label confirms ("not found in the label") is for the worksheet, not the bedside.
      if (h.fact.evidence == evidence_level::unconfirmed) continue;
      f.evidence.push_back(p->name + ": " + h.text + " " + std::string(evidence_marker(h.fact.evidence)));
      for (const source* s : h.fact.sources)
        f.citations.push_back(citation{s, h.fact.evidence, p->name + ": " + h.text});
    }
  if (context.facts.risk.any())
    f.evidence.push_back("At renal or thrombosis risk: monitor urine output and renal function");
  add_migraine_line(in, context, f);
  out.findings.push_back(std::move(f));
}

}  // namespace

const rule_unit r27_pregnancy = define_rule<r27_inputs, &bind_r27, &check_r27>("R27", __FILE__, true);
const rule_unit r28_cost_and_prior_authorisation =
    define_rule<no_inputs, &bind_nothing, &check_r28>("R28", __FILE__, true);
const rule_unit r29_indication = define_rule<r29_inputs, &bind_r29, &check_r29>("R29", __FILE__);
const rule_unit r30_infusion_reminders = define_rule<r30_inputs, &bind_r30, &check_r30>("R30", __FILE__, true);

}  // namespace ivig::rules
