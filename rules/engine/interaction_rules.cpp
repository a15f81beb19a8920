// rules/engine/interaction_rules.cpp: R31 and R32 (issue 10), what else in the patient's treatment
// or history changes how this IVIg will act.
//
// R31: an FcRn blocker lowers the exposure to IgG products and plasma exchange removes infused IgG;
// one warning names every such treatment found, with its date, and the advice for each kind. R32: a
// serious reaction to immune globulin the labels warn about (aseptic meningitis, hemolysis, renal
// failure, thrombosis, TRALI) may recur; the warning names the event and the label's precaution for
// it. Anaphylaxis is R1's; when R1 has a card for the order, R32 joins it (one card about the
// patient's reactions to immune globulin). Every text, code and window comes from the knowledge.
#include "rules/engine/interaction_rules.hpp"

#include <algorithm>
#include <array>

#include "fhir/model/markdown_text.hpp"
#include "rules/engine/hypersensitivity_rules.hpp"
#include "rules/engine/rule_support.hpp"

namespace ivig::rules {
namespace {

struct r31_inputs {
  const value_set& fcrn_blockers;
  const value_set& plasma_exchange;
  const threshold& fcrn_window;      // d
  const threshold& exchange_window;  // d
  std::string_view fcrn_summary;
  std::string_view fcrn_advice;
  std::string_view exchange_summary;
  std::string_view exchange_advice;
};

r31_inputs bind_r31(role_binder& b) {
  return {b.value_set_role("fcrnBlockers"),      b.value_set_role("plasmaExchange"),
          b.threshold_role("fcrnWindow", "d"),   b.threshold_role("plasmaExchangeWindow", "d"),
          b.param_role("fcrnSummary"),           b.param_role("fcrnAdvice"),
          b.param_role("plasmaExchangeSummary"), b.param_role("plasmaExchangeAdvice")};
}

/// What R31 found of one kind, and whether a local-policy window decided any of it.
struct treatments_found {
  std::vector<std::string> lines;
  bool used_window = false;
};

bool within(const std::optional<fhir::fhir_time>& when, const threshold& window, fhir::time_point now) {
  return when && fhir::days_between(when->at, now) <= static_cast<long>(window.value);
}

/// The patient's FcRn-blocker orders: an active or on-hold order counts whatever its date; a
/// completed or stopped one while it is recent (the blocker's effect outlasts the order).
treatments_found fcrn_blockers_found(const r31_inputs& in, const rule_context& context) {
  treatments_found found;
  for (const fhir::medication_order& order : context.record.medication_orders) {
    const auto match = match_concept(context.kb, in.fcrn_blockers, order.medication_concept);
    if (!match) continue;
    const std::string where = reference_text(order.resource_type, order.id);
    const std::string authored = order.authored ? ", authored " + fhir::format_date(order.authored->at) : "";
    if (order.status == "active" || order.status == "on-hold") {
      found.lines.push_back("FcRn blocker: " + match->describe() + " (" + fhir::markdown_text(order.status) +
                            " order " + where + authored + ")");
    } else if ((order.status == "completed" || order.status == "stopped") &&
               within(order.authored, in.fcrn_window, context.now)) {
      found.lines.push_back("FcRn blocker: " + match->describe() + " (" + fhir::markdown_text(order.status) +
                            " order " + where + authored + ")");
      found.used_window = true;
    }
  }
  // Doses given (an infusion cycle) count while recent, like an order that ended.
  for (const fhir::medication_administration& given : context.record.administrations) {
    if (given.status != "completed" && given.status != "in-progress") continue;
    const auto match = match_concept(context.kb, in.fcrn_blockers, given.medication_concept);
    if (!match || !within(given.effective, in.fcrn_window, context.now)) continue;
    found.lines.push_back("FcRn blocker: " + match->describe() + " (given " + fhir::format_date(given.effective->at) +
                          ", " + std::to_string(fhir::days_between(given.effective->at, context.now)) + " days ago, " +
                          reference_text("MedicationAdministration", given.id) + ")");
    found.used_window = true;
  }
  // The session's FcRn blockers are found once per call (ordering_session.hpp); this order skips only itself.
  for (const ordering_session::match& m : context.session.medication_orders_in(context.kb, in.fcrn_blockers)) {
    const fhir::medication_order& order = *m.order;
    if (&order == context.order.order || order.status == "entered-in-error" || order.status == "cancelled") continue;
    found.lines.push_back("FcRn blocker: " + m.description + " (ordered now, " +
                          reference_text(order.resource_type, order.id) + ")");
  }
  return found;
}

/// Plasma exchange ordered in this session, under way, planned, or done recently: a course may still
/// be going on, and any exchange after the infusion removes the IVIg.
treatments_found exchanges_found(const r31_inputs& in, const rule_context& context) {
  treatments_found found;
  for (const ordering_session::request_match& m : context.session.service_requests_in(context.kb, in.plasma_exchange)) {
    const std::string_view status = m.request->status;
    if (status == "revoked" || status == "completed" || status == "entered-in-error") continue;
    found.lines.push_back("Plasma exchange: " + m.description + " (ordered now, " +
                          reference_text("ServiceRequest", m.request->id) + ")");
  }
  for (const fhir::procedure& p : context.record.procedures) {
    if (p.status == "entered-in-error" || p.status == "not-done") continue;
    const auto match = match_concept(context.kb, in.plasma_exchange, p.code);
    if (!match) continue;
    const bool under_way = p.status == "preparation" || p.status == "in-progress";
    if (!under_way && !within(p.performed, in.exchange_window, context.now)) continue;
    found.used_window = found.used_window || !under_way;
    found.lines.push_back("Plasma exchange: " + match->describe() + " (" + reference_text("Procedure", p.id) + ", " +
                          (p.status.empty() ? std::string("status not given") : fhir::markdown_text(p.status)) +
                          (p.performed ? ", " + fhir::format_date(p.performed->at) : std::string()) + ")");
  }
  return found;
}

void check_r31(const r31_inputs& in, const rule_context& context, evaluation& out) {
  const treatments_found blockers = fcrn_blockers_found(in, context);
  const treatments_found exchanges = exchanges_found(in, context);
  if (blockers.lines.empty() && exchanges.lines.empty()) return;
  const bool both = !blockers.lines.empty() && !exchanges.lines.empty();
  const std::string summary =
      both ? "FcRn blocker and plasma exchange with IVIg: both lower the IVIg's effect, see the advice for each"
      : !blockers.lines.empty() ? "FcRn blocker with IVIg: " + std::string(in.fcrn_summary)
                                : "Plasma exchange with IVIg: " + std::string(in.exchange_summary);
  finding f = start_finding(context, severity::warning, summary);
  f.evidence = blockers.lines;
  f.evidence.insert(f.evidence.end(), exchanges.lines.begin(), exchanges.lines.end());
  // The advice of each kind found, and only those: the card is about this patient's treatments.
  f.explanation.clear();
  if (!blockers.lines.empty()) f.explanation = std::string(in.fcrn_advice);
  if (!exchanges.lines.empty())
    f.explanation += (f.explanation.empty() ? "" : "\n\n") + std::string(in.exchange_advice);
  if (blockers.used_window && in.fcrn_window.local_policy())
    f.policy_notes.push_back(policy_note(in.fcrn_window, "How long after an FcRn-blocker order it still counts"));
  if (exchanges.used_window && in.exchange_window.local_policy())
    f.policy_notes.push_back(policy_note(in.exchange_window, "How long after a plasma exchange it still counts"));
  out.findings.push_back(std::move(f));
}

/// One kind of serious reaction the labels warn about: its value set (whose title names it) and the
/// label's precaution for it.
struct reaction_kind {
  const value_set& set;
  std::string_view advice;
};

struct r32_inputs {
  const value_set& ig_substances;
  const value_set& serious_reactions;
  const value_set& adverse_effect;  ///< ICD-10-CM T50.Z15-: an IVIg reaction, not named
  std::array<reaction_kind, 5> kinds;
  std::string_view unnamed_advice;
};

r32_inputs bind_r32(role_binder& b) {
  return {b.value_set_role("igSubstances"),
          b.value_set_role("seriousReactions"),
          b.value_set_role("adverseEffect"),
          {{{b.value_set_role("asepticMeningitis"), b.param_role("asepticMeningitisAdvice")},
            {b.value_set_role("hemolysis"), b.param_role("hemolysisAdvice")},
            {b.value_set_role("renalFailure"), b.param_role("renalFailureAdvice")},
            {b.value_set_role("thrombosis"), b.param_role("thrombosisAdvice")},
            {b.value_set_role("trali"), b.param_role("traliAdvice")}}},
          b.param_role("unnamedEventAdvice")};
}

/// The kind of reaction a concept (a manifestation, or a T50.Z15- condition's code) names, if any.
const reaction_kind* kind_of(const r32_inputs& in, const rule_context& context, const fhir::codeable_concept& c,
                             std::string_view note = {}) {
  for (const reaction_kind& kind : in.kinds)
    if (match_concept(context.kb, kind.set, c) || (!note.empty() && text_matches(kind.set, note))) return &kind;
  return nullptr;
}

/// The events found, each once and in the order first seen; nullptr stands for "not named".
struct reactions_found {
  std::vector<std::string> lines;
  std::vector<const reaction_kind*> kinds;
  void add_kind(const reaction_kind* kind) {
    if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) kinds.push_back(kind);
  }
};

void add_allergy_reactions(const r32_inputs& in, const rule_context& context, reactions_found& found) {
  for (const auto& allergy : allergies_in(context, in.ig_substances, status_filter::any_not_refuted)) {
    bool serious = false;
    for (const fhir::allergy_reaction& reaction : allergy.resource->reactions)
      for (const fhir::codeable_concept& manifestation : reaction.manifestations) {
        if (!match_concept(context.kb, in.serious_reactions, manifestation)) continue;
        serious = true;
        found.add_kind(kind_of(in, context, manifestation));
      }
    if (serious) found.lines.push_back("Serious reaction to immune globulin: " + describe(allergy));
  }
}

void add_adverse_effect_conditions(const r32_inputs& in, const rule_context& context, reactions_found& found) {
  for (const auto& condition : conditions_in(context, in.adverse_effect, status_filter::any_not_refuted)) {
    found.add_kind(kind_of(in, context, condition.resource->code, condition.resource->note));
    found.lines.push_back("Adverse effect of immune globulin: " + describe(condition));
  }
}

std::string event_name(const reaction_kind* kind) {
  return kind == nullptr ? std::string("reaction not named") : kind->set.title;
}

void check_r32(const r32_inputs& in, const rule_context& context, evaluation& out) {
  reactions_found found;
  add_allergy_reactions(in, context, found);
  add_adverse_effect_conditions(in, context, found);
  if (found.lines.empty()) return;
  const std::size_t more = found.kinds.size() - 1;
  finding f =
      start_finding(context, severity::warning,
                    "Prior serious reaction to immune globulin (" + event_name(found.kinds.front()) +
                        (more > 0 ? " and " + std::to_string(more) + " more" : "") + "): take the label's precautions");
  f.evidence = std::move(found.lines);
  for (const reaction_kind* kind : found.kinds)
    f.evidence.push_back(kind == nullptr ? "Reaction not named: " + std::string(in.unnamed_advice)
                                         : kind->set.title + ", the label's precaution: " + std::string(kind->advice));
  // One card about the patient's reactions to immune globulin: R1's, when it has one.
  f.joins = {std::string(r1_ig_hypersensitivity.id)};
  out.findings.push_back(std::move(f));
}

}  // namespace

const rule_unit r31_treatment_lowering_ivig = define_rule<r31_inputs, &bind_r31, &check_r31>("R31", __FILE__);
const rule_unit r32_prior_serious_reaction = define_rule<r32_inputs, &bind_r32, &check_r32>("R32", __FILE__);

}  // namespace ivig::rules
