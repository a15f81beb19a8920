// rules/engine/boxed_warning_rules.cpp: one card per boxed warning (ivig-knowledge.md §1.3, §1.4,
// §1.5), listing every risk factor found with its evidence (code, value, date), the label's
// mitigation (the rule's `then`), and, when the order's rate exceeds the at-risk cap, the number
// (R13 joins the card with its one-click capped rate).
//
// Numbers: age over `riskAge` [C]; eGFR under `egfrThreshold` and `egfrSevere` [U local policy: no
// label gives an eGFR cut-off]; creatinine counts when the laboratory marks it high or it exceeds
// the result's own reference range (no source gives a creatinine cut-off).
#include "rules/engine/boxed_warning_rules.hpp"

#include <cstdio>
#include <set>

#include "rules/engine/number_format.hpp"
#include "rules/engine/rule_support.hpp"

namespace ivig::rules {
namespace {

/// Conditions of `role` not yet listed (`seen`): one record counts once even when it fits two roles
/// (a stroke is both a thrombosis history and a cardiovascular risk factor).
void add_conditions(const rule_context& context, std::string_view role, std::string_view label, status_filter filter,
                    std::vector<std::string>& lines, std::set<const fhir::condition*>& seen) {
  for (const auto& found : conditions_in(context, context.rule.value_set_for(role), filter))
    if (seen.insert(found.resource).second) lines.push_back(std::string(label) + ": " + describe(found));
}

/// Active medication orders (existing and in this ordering session) whose medication is in `role`.
void add_medications(const rule_context& context, std::string_view role, std::string_view label,
                     std::vector<std::string>& lines) {
  const value_set& set = context.rule.value_set_for(role);
  auto consider = [&](const fhir::medication_order& order, std::string_view where) {
    if (order.status == "entered-in-error" || order.status == "cancelled" || order.status == "stopped" ||
        order.status == "completed")
      return;
    if (const auto match = match_concept(context.kb, set, order.medication_concept))
      lines.push_back(std::string(label) + ": " + match->describe() + " (" + std::string(where) + " " +
                      std::string(order.resource_type) + "/" + std::string(order.id) + ")");
  };
  for (const fhir::medication_order& order : context.record.medication_orders) consider(order, "active order");
  for (const fhir::medication_order* order : context.session.medication_orders)
    if (order != context.order.order) consider(*order, "ordered now,");
}

std::optional<std::string> age_line(const rule_context& context) {
  if (!context.record.subject || !context.record.subject->birth_date) return std::nullopt;
  const long years = fhir::days_between(context.record.subject->birth_date->at, context.now) * 400 / 146097;
  const threshold& age = context.rule.threshold_for("riskAge");
  if (years <= static_cast<long>(age.value)) return std::nullopt;
  return "Age " + std::to_string(years) + " (over " + format_number(age.value) + ")";
}

/// The rate line R8/R10 add when the order's rate is over the at-risk cap (R13 computes the cap).
void add_rate_over_cap(const rule_context& context, finding& f) {
  const rule_definition* r13 = context.kb.find_rule("R13");
  const dose_plan& dose = context.facts.dose;
  if (r13 == nullptr || !dose.rate_mg_per_kg_min) return;
  const product* p = context.order.identified_product();
  const double cap =
      p != nullptr && p->at_risk_max_rate ? p->at_risk_max_rate->value : r13->threshold_for("atRiskCapDefault").value;
  if (*dose.rate_mg_per_kg_min > cap + 1e-9)
    f.evidence.push_back("The ordered rate " + format_number(*dose.rate_mg_per_kg_min) +
                         " mg/kg/min exceeds the at-risk cap of " + format_number(cap) + " mg/kg/min");
}

}  // namespace

void run_r8_renal_risk(const rule_context& context, evaluation& out) {
  std::vector<std::string> lines;
  std::set<const fhir::condition*> seen;
  std::vector<std::string> policy;
  bool severe = false;
  if (auto age = age_line(context)) lines.push_back(*age);
  add_conditions(context, "renalDisease", "Renal disease", status_filter::active_only, lines, seen);
  // Dialysis escalates like a severely reduced eGFR.
  for (const auto& found : conditions_in(context, context.rule.value_set_for("dialysis"), status_filter::active_only)) {
    if (seen.insert(found.resource).second) lines.push_back("Dialysis: " + describe(found));
    severe = true;
  }
  add_conditions(context, "diabetes", "Diabetes", status_filter::active_only, lines, seen);
  add_conditions(context, "volumeDepletion", "Volume depletion", status_filter::active_only, lines, seen);
  add_conditions(context, "sepsis", "Sepsis", status_filter::active_only, lines, seen);
  add_conditions(context, "paraproteinemia", "Paraproteinemia", status_filter::active_only, lines, seen);
  add_medications(context, "nephrotoxicDrugs", "Nephrotoxic drug", lines);

  const threshold& egfr_threshold = context.rule.threshold_for("egfrThreshold");
  const threshold& egfr_severe = context.rule.threshold_for("egfrSevere");
  const auto egfrs = observations_in(context, context.rule.value_set_for("egfr"));
  for (const auto& found : egfrs) {
    if (!found.resource->value_quantity) continue;
    const double value = found.resource->value_quantity->value;
    if (value < egfr_threshold.value) {
      const bool below_severe = value < egfr_severe.value;
      severe = severe || below_severe;
      lines.push_back("Reduced eGFR: " + describe(found) +
                      (below_severe ? " (below " + format_number(egfr_severe.value) + ")" : ""));
      policy.push_back(policy_note(below_severe ? egfr_severe : egfr_threshold, "Counting an eGFR as reduced"));
    }
    break;  // the newest result decides
  }
  for (const auto& found : observations_in(context, context.rule.value_set_for("creatinine"))) {
    const fhir::observation& o = *found.resource;
    bool high = false;
    for (const fhir::codeable_concept& interpretation : o.interpretations)
      if (match_concept(context.kb, context.rule.value_set_for("highResult"), interpretation)) high = true;
    if (o.value_quantity && o.reference_high && o.value_quantity->comparator.empty() &&
        o.value_quantity->value > o.reference_high->value)
      high = true;
    if (high) lines.push_back("Raised creatinine: " + describe(found) + " (above the laboratory's reference range)");
    break;
  }
  for (const product* p : context.order.candidates)
    if (const excipient* e = p->find_excipient(context.rule.param("excipient")))
      lines.push_back("Product: " + p->name + " contains " + e->detail + " " +
                      std::string(evidence_marker(e->evidence)) +
                      ": sucrose-containing products account for most renal failure reports");
  if (lines.empty()) return;
  const std::size_t factors = lines.size();
  finding f =
      start_finding(context, severity::warning,
                    severe ? "Renal boxed warning: eGFR below " + format_number(egfr_severe.value) +
                                 " or dialysis: consider alternatives; if given, minimum dose and rate"
                           : "Renal boxed warning: " + std::to_string(factors) + " risk factor" +
                                 (factors == 1 ? "" : "s") + ": minimum practicable dose and rate, hydrate, monitor");
  f.evidence = std::move(lines);
  add_rate_over_cap(context, f);
  f.policy_notes = std::move(policy);
  out.findings.push_back(std::move(f));
}

void run_r9_no_recent_renal_function(const rule_context& context, evaluation& out) {
  const threshold& recency = context.rule.threshold_for("recency");
  std::optional<matched<fhir::observation>> newest;
  for (const char* role : {"egfr", "creatinine"}) {
    const auto found = observations_in(context, context.rule.value_set_for(role));
    if (found.empty() || !found.front().resource->effective) continue;
    if (!newest || found.front().resource->effective->at > newest->resource->effective->at) newest = found.front();
  }
  if (newest && fhir::days_between(newest->resource->effective->at, context.now) <= static_cast<long>(recency.value))
    return;
  if (!newest && !context.record.status_of("observations").complete()) return;  // the engine reports missing data
  finding f = start_finding(
      context, severity::warning,
      "No creatinine or eGFR in the last " + format_number(recency.value) + " days: check renal function before IVIg");
  f.evidence.push_back(newest ? "Newest renal result: " + describe(*newest)
                              : "No creatinine or eGFR result is on file");
  if (recency.local_policy()) f.policy_notes.push_back(policy_note(recency, "How recent a renal result must be"));
  out.findings.push_back(std::move(f));
}

void run_r10_thrombosis_risk(const rule_context& context, evaluation& out) {
  std::vector<std::string> lines;
  std::set<const fhir::condition*> seen;
  if (auto age = age_line(context)) lines.push_back(*age);
  add_conditions(context, "thrombosisRisk", "Thrombosis history or thrombophilia", status_filter::any_not_refuted,
                 lines, seen);
  add_medications(context, "estrogens", "Estrogen", lines);
  add_conditions(context, "centralCatheter", "Central venous catheter", status_filter::active_only, lines, seen);
  add_conditions(context, "immobilization", "Immobilisation", status_filter::active_only, lines, seen);
  add_conditions(context, "hyperviscosity", "Hyperviscosity", status_filter::active_only, lines, seen);
  add_conditions(context, "cardiovascular", "Cardiovascular risk", status_filter::active_only, lines, seen);
  if (lines.empty()) return;
  const std::size_t factors = lines.size();
  finding f = start_finding(context, severity::warning,
                            "Thrombosis boxed warning: " + std::to_string(factors) + " risk factor" +
                                (factors == 1 ? "" : "s") + ": minimum practicable dose and rate, hydrate, monitor");
  f.evidence = std::move(lines);
  add_rate_over_cap(context, f);
  out.findings.push_back(std::move(f));
}

void run_r11_hyperviscosity(const rule_context& context, evaluation& out) {
  std::vector<std::string> lines;
  std::set<const fhir::condition*> seen;
  add_conditions(context, "cryoglobulinemia", "Cryoglobulinemia", status_filter::active_only, lines, seen);
  add_conditions(context, "paraproteinemia", "Monoclonal gammopathy or paraproteinemia", status_filter::active_only,
                 lines, seen);
  if (lines.empty()) return;
  finding f = start_finding(context, severity::warning, "Hyperviscosity risk: measure blood viscosity before IVIg");
  f.evidence = std::move(lines);
  const auto viscosity = observations_in(context, context.rule.value_set_for("viscosity"));
  f.evidence.push_back(viscosity.empty() ? "No serum viscosity result is on file"
                                         : "Newest viscosity: " + describe(viscosity.front()));
  const auto cryoglobulins = observations_in(context, context.rule.value_set_for("cryoglobulinTests"));
  if (!cryoglobulins.empty()) f.evidence.push_back("Newest cryoglobulin test: " + describe(cryoglobulins.front()));
  out.findings.push_back(std::move(f));
}

}  // namespace ivig::rules
