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

struct r8_inputs {
  const value_set& renal_disease;
  const value_set& dialysis;
  const value_set& diabetes;
  const value_set& volume_depletion;
  const value_set& sepsis;
  const value_set& paraproteinemia;
  const value_set& nephrotoxic_drugs;
  const value_set& loop_diuretics;  ///< a renal risk factor only together with volume depletion [U]
  const value_set& non_systemic;    ///< routes and dose forms that do not make a drug nephrotoxic [U]
  const value_set& egfr;
  const value_set& creatinine;
  const value_set& high_result;
  const threshold& risk_age;
  const threshold& egfr_threshold;
  const threshold& egfr_severe;
  std::string_view excipient;  ///< the excipient the renal warning singles out (sucrose)
};

r8_inputs bind_r8(role_binder& b) {
  return {b.value_set_role("renalDisease"),
          b.value_set_role("dialysis"),
          b.value_set_role("diabetes"),
          b.value_set_role("volumeDepletion"),
          b.value_set_role("sepsis"),
          b.value_set_role("paraproteinemia"),
          b.value_set_role("nephrotoxicDrugs"),
          b.value_set_role("loopDiuretics"),
          b.value_set_role("nonSystemic"),
          b.value_set_role("egfr"),
          b.value_set_role("creatinine"),
          b.value_set_role("highResult"),
          b.threshold_role("riskAge", "a"),
          b.threshold_role("egfrThreshold", "mL/min/{1.73_m2}"),
          b.threshold_role("egfrSevere", "mL/min/{1.73_m2}"),
          b.param_role("excipient")};
}

struct r9_inputs {
  const value_set& egfr;
  const value_set& creatinine;
  const threshold& recency;
};

r9_inputs bind_r9(role_binder& b) {
  return {b.value_set_role("egfr"), b.value_set_role("creatinine"), b.threshold_role("recency", "d")};
}

struct r10_inputs {
  const value_set& thrombosis_risk;
  const value_set& estrogens;
  const value_set& central_catheter;
  const value_set& immobilization;
  const value_set& hyperviscosity;
  const value_set& cardiovascular;
  const threshold& risk_age;
};

r10_inputs bind_r10(role_binder& b) {
  return {b.value_set_role("thrombosisRisk"), b.value_set_role("estrogens"),      b.value_set_role("centralCatheter"),
          b.value_set_role("immobilization"), b.value_set_role("hyperviscosity"), b.value_set_role("cardiovascular"),
          b.threshold_role("riskAge", "a")};
}

struct r11_inputs {
  const value_set& cryoglobulinemia;
  const value_set& paraproteinemia;
  const value_set& cryoglobulin_tests;
  const value_set& viscosity;
};

r11_inputs bind_r11(role_binder& b) {
  return {b.value_set_role("cryoglobulinemia"), b.value_set_role("paraproteinemia"),
          b.value_set_role("cryoglobulinTests"), b.value_set_role("viscosity")};
}

/// Conditions in `set` not yet listed (`seen`): one record counts once even when it fits two sets
/// (a stroke is both a thrombosis history and a cardiovascular risk factor).
void add_conditions(const rule_context& context, const value_set& set, std::string_view label, status_filter filter,
                    std::vector<std::string>& lines, std::set<const fhir::condition*>& seen) {
  for (const auto& found : conditions_in(context, set, filter))
    if (seen.insert(found.resource).second) lines.push_back(std::string(label) + ": " + describe(found));
}

std::optional<std::string> age_line(const rule_context& context, const threshold& age) {
  if (!context.record.subject || !context.record.subject->birth_date) return std::nullopt;
  const long years = age_in_years(context.record.subject->birth_date->at, context.now);
  if (years <= static_cast<long>(age.value)) return std::nullopt;
  return "Age " + std::to_string(years) + " (over " + format_number(age.value) + ")";
}

/// The rate line R8/R10 add when the order's rate is over the at-risk cap (R13 joins with the fix).
void add_rate_over_cap(const rule_context& context, finding& f) {
  const dose_plan& dose = context.facts.dose;
  if (!dose.rate_mg_per_kg_min) return;
  const double cap = context.facts.rates.at_risk.mg_per_kg_min;
  if (*dose.rate_mg_per_kg_min > cap + 1e-9)
    f.evidence.push_back("The ordered rate " + format_number(*dose.rate_mg_per_kg_min) +
                         " mg/kg/min exceeds the at-risk cap of " + format_number(cap) + " mg/kg/min");
}

void check_r8(const r8_inputs& in, const rule_context& context, evaluation& out) {
  std::vector<std::string> lines;
  std::set<const fhir::condition*> seen;
  std::vector<std::string> policy;
  bool severe = false;
  if (auto age = age_line(context, in.risk_age)) lines.push_back(*age);
  add_conditions(context, in.renal_disease, "Renal disease", status_filter::active_only, lines, seen);
  // Dialysis escalates like a severely reduced eGFR.
  for (const auto& found : conditions_in(context, in.dialysis, status_filter::active_only)) {
    if (seen.insert(found.resource).second) lines.push_back("Dialysis: " + describe(found));
    severe = true;
  }
  add_conditions(context, in.diabetes, "Diabetes", status_filter::active_only, lines, seen);
  add_conditions(context, in.volume_depletion, "Volume depletion", status_filter::active_only, lines, seen);
  const bool volume_depleted = !conditions_in(context, in.volume_depletion, status_filter::active_only).empty();
  add_conditions(context, in.sepsis, "Sepsis", status_filter::active_only, lines, seen);
  add_conditions(context, in.paraproteinemia, "Paraproteinemia", status_filter::active_only, lines, seen);
  add_medications(context, in.nephrotoxic_drugs, "Nephrotoxic drug", lines, &in.non_systemic);
  // A loop diuretic deepens volume depletion; alone it is not a renal risk factor (local policy,
  // vs-loop-diuretics), so it is only looked for when the patient is volume depleted.
  if (volume_depleted)
    add_medications(context, in.loop_diuretics, "Loop diuretic with volume depletion", lines, &in.non_systemic);

  const threshold& egfr_threshold = in.egfr_threshold;
  const threshold& egfr_severe = in.egfr_severe;
  const auto egfrs = observations_in(context, in.egfr);
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
  for (const auto& found : observations_in(context, in.creatinine)) {
    const fhir::observation& o = *found.resource;
    bool high = false;
    for (const fhir::codeable_concept& interpretation : o.interpretations)
      if (match_concept(context.kb, in.high_result, interpretation)) high = true;
    if (o.value_quantity && o.reference_high && o.value_quantity->comparator.empty() &&
        o.value_quantity->value > o.reference_high->value)
      high = true;
    if (high) lines.push_back("Raised creatinine: " + describe(found) + " (above the laboratory's reference range)");
    break;
  }
  for (const product* p : context.order.candidates)
    if (const excipient* e = p->find_excipient(in.excipient))
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

void check_r9(const r9_inputs& in, const rule_context& context, evaluation& out) {
  const threshold& recency = in.recency;
  std::optional<matched<fhir::observation>> newest;
  for (const value_set* set : {&in.egfr, &in.creatinine}) {
    const auto found = observations_in(context, *set);
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

void check_r10(const r10_inputs& in, const rule_context& context, evaluation& out) {
  std::vector<std::string> lines;
  std::set<const fhir::condition*> seen;
  if (auto age = age_line(context, in.risk_age)) lines.push_back(*age);
  add_conditions(context, in.thrombosis_risk, "Thrombosis history or thrombophilia", status_filter::any_not_refuted,
                 lines, seen);
  add_medications(context, in.estrogens, "Estrogen", lines);
  add_conditions(context, in.central_catheter, "Central venous catheter", status_filter::active_only, lines, seen);
  add_conditions(context, in.immobilization, "Immobilisation", status_filter::active_only, lines, seen);
  add_conditions(context, in.hyperviscosity, "Hyperviscosity", status_filter::active_only, lines, seen);
  add_conditions(context, in.cardiovascular, "Cardiovascular risk", status_filter::active_only, lines, seen);
  if (lines.empty()) return;
  const std::size_t factors = lines.size();
  finding f = start_finding(context, severity::warning,
                            "Thrombosis boxed warning: " + std::to_string(factors) + " risk factor" +
                                (factors == 1 ? "" : "s") + ": minimum practicable dose and rate, hydrate, monitor");
  f.evidence = std::move(lines);
  add_rate_over_cap(context, f);
  out.findings.push_back(std::move(f));
}

void check_r11(const r11_inputs& in, const rule_context& context, evaluation& out) {
  std::vector<std::string> lines;
  std::set<const fhir::condition*> seen;
  add_conditions(context, in.cryoglobulinemia, "Cryoglobulinemia", status_filter::active_only, lines, seen);
  add_conditions(context, in.paraproteinemia, "Monoclonal gammopathy or paraproteinemia", status_filter::active_only,
                 lines, seen);
  if (lines.empty()) return;
  finding f = start_finding(context, severity::warning, "Hyperviscosity risk: measure blood viscosity before IVIg");
  f.evidence = std::move(lines);
  const auto viscosity = observations_in(context, in.viscosity);
  f.evidence.push_back(viscosity.empty() ? "No serum viscosity result is on file"
                                         : "Newest viscosity: " + describe(viscosity.front()));
  const auto cryoglobulins = observations_in(context, in.cryoglobulin_tests);
  if (!cryoglobulins.empty()) f.evidence.push_back("Newest cryoglobulin test: " + describe(cryoglobulins.front()));
  out.findings.push_back(std::move(f));
}

}  // namespace

const rule_unit r8_renal_risk = define_rule<r8_inputs, &bind_r8, &check_r8>("R8", __FILE__);
const rule_unit r9_no_recent_renal_function = define_rule<r9_inputs, &bind_r9, &check_r9>("R9", __FILE__);
const rule_unit r10_thrombosis_risk = define_rule<r10_inputs, &bind_r10, &check_r10>("R10", __FILE__);
const rule_unit r11_hyperviscosity = define_rule<r11_inputs, &bind_r11, &check_r11>("R11", __FILE__);

}  // namespace ivig::rules
