// rules/engine/infusion_rules.cpp: infusion-rate limits (ivig-knowledge.md §2, §2.4, §4.5) and the
// infusion-safety checks for haemolysis, volume overload and duplicate immune globulin (§1.5, §7).
//
// Rates are compared in mg/kg/min on the dosing weight (the labels do not say which weight; the
// knowledge base's default is the dose's weight). The label maximum is the product's highest
// labelled maximum across indications, because the order does not say which indication's limit
// applies; the card names the indication.
#include "rules/engine/infusion_rules.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "rules/engine/number_format.hpp"
#include "rules/engine/rule_support.hpp"

namespace ivig::rules {
namespace {

const indication_rate* highest_max_rate(const product& p) {
  const indication_rate* best = nullptr;
  for (const indication_rate& r : p.max_rates)
    if (best == nullptr || r.rate.value > best->rate.value) best = &r;
  return best;
}

void add_rate_lines(const rule_context& context, finding& f) {
  const dose_plan& dose = context.facts.dose;
  if (!dose.rate_as_written.empty())
    f.evidence.push_back("Ordered rate: " + dose.rate_as_written + " = " + format_rounded(*dose.rate_mg_per_kg_min) +
                         " mg/kg/min");
  if (context.facts.weight.usable())
    f.evidence.push_back("On the dosing weight " + format_rounded(context.facts.weight.kg) + " kg (" +
                         context.facts.weight.why + ")");
}

void cite(finding& f, const sourced_value& value, const std::string& what) {
  for (const source* s : value.sources) f.citations.push_back(citation{s, value.evidence, what});
  if (f.primary_source == nullptr && !value.sources.empty()) f.primary_source = value.sources.front();
}

/// Earlier immune globulin for this patient: active IG orders in the record and IG immunization records.
struct prior_immune_globulin {
  std::vector<std::string> lines;
  std::vector<const product*> products;  ///< identified products of earlier orders
};

/// `intravenous_only`: count only administration codes that are also IV product codes (CVX 87), so
/// that an intramuscular (86) or unspecified (14) dose does not make an IVIg infusion "not the first".
prior_immune_globulin find_prior_ig(const rule_context& context, std::optional<long> within_days,
                                    bool intravenous_only) {
  prior_immune_globulin prior;
  const value_set& substances = context.rule.value_set_for("igSubstances");
  for (const fhir::medication_order& o : context.record.medication_orders) {
    if (o.status == "entered-in-error" || o.status == "cancelled" || o.status == "draft") continue;
    const auto match = match_concept(context.kb, substances, o.medication_concept);
    if (!match) continue;
    prior.lines.push_back("Existing order: " + match->describe() + " (" + std::string(o.resource_type) + "/" +
                          std::string(o.id) + ", " + std::string(o.status) + ")");
    if (auto recognised = recognise_ivig(o, {o.medication_concept}, context.kb))
      if (const product* p = recognised->identified_product()) prior.products.push_back(p);
  }
  const value_set& administrations = context.rule.value_set_for("igAdministration");
  for (const fhir::immunization& i : context.record.immunizations) {
    if (i.status == "entered-in-error" || i.status == "not-done") continue;
    const auto match = match_concept(context.kb, administrations, i.vaccine);
    if (!match || !i.occurrence) continue;
    if (intravenous_only && (context.kb.recognition.iv_product_codes == nullptr ||
                             !match_concept(context.kb, *context.kb.recognition.iv_product_codes, i.vaccine)))
      continue;
    const long days = fhir::days_between(i.occurrence->at, context.now);
    if (within_days && days > *within_days) continue;
    prior.lines.push_back("Given: " + match->describe() + " on " + fhir::format_date(i.occurrence->at) + " (" +
                          std::to_string(days) + " days ago)");
  }
  return prior;
}

}  // namespace

void run_r12_rate_above_label_maximum(const rule_context& context, evaluation& out) {
  const dose_plan& dose = context.facts.dose;
  const product* p = context.order.identified_product();
  if (!dose.rate_mg_per_kg_min) {
    if (context.stage == hook_stage::sign && dose.rate_as_written.empty())
      out.incomplete.push_back(incomplete(context, "the order gives no infusion rate"));
    return;
  }
  const indication_rate* max = p != nullptr ? highest_max_rate(*p) : nullptr;
  if (max == nullptr) {
    out.incomplete.push_back(incomplete(context, p == nullptr
                                                     ? "the product is not identified, so its maximum rate is unknown"
                                                     : "no labelled maximum rate is on file for " + p->name));
    return;
  }
  if (*dose.rate_mg_per_kg_min <= max->rate.value + 1e-9) return;
  finding f =
      start_finding(context, max->rate.evidence == evidence_level::unconfirmed ? severity::warning : severity::critical,
                    "Rate " + format_rounded(*dose.rate_mg_per_kg_min) + " mg/kg/min exceeds " + p->name +
                        "'s labelled maximum " + format_rounded(max->rate.value) + " mg/kg/min");
  add_rate_lines(context, f);
  f.evidence.push_back(p->name + " maximum rate: " + format_rounded(max->rate.value) + " mg/kg/min" +
                       (max->indication.empty() ? "" : " (" + max->indication + ", the highest labelled maximum)") +
                       " " + std::string(evidence_marker(max->rate.evidence)));
  cite(f, max->rate, p->name + " maximum infusion rate " + format_rounded(max->rate.value) + " mg/kg/min");
  out.findings.push_back(std::move(f));
}

void run_r13_rate_above_at_risk_cap(const rule_context& context, evaluation& out) {
  const dose_plan& dose = context.facts.dose;
  const risk_profile& risk = context.facts.risk;
  if (!dose.rate_mg_per_kg_min || !risk.any()) return;
  const product* p = context.order.identified_product();
  const threshold& fallback = context.rule.threshold_for("atRiskCapDefault");
  const bool labelled = p != nullptr && p->at_risk_max_rate.has_value();
  const double cap = labelled ? p->at_risk_max_rate->value : fallback.value;
  if (*dose.rate_mg_per_kg_min <= cap + 1e-9) return;
  finding f = start_finding(context, severity::warning,
                            "Rate " + format_rounded(*dose.rate_mg_per_kg_min) + " mg/kg/min exceeds the " +
                                format_rounded(cap) + " mg/kg/min cap for patients at renal or thrombosis risk");
  add_rate_lines(context, f);
  for (const std::string& line : risk.renal) f.evidence.push_back("Renal risk: " + line);
  for (const std::string& line : risk.thrombosis) f.evidence.push_back("Thrombosis risk: " + line);
  f.policy_notes = risk.policy_notes;
  if (labelled)
    cite(f, *p->at_risk_max_rate,
         p->name + " rate cap at renal or thromboembolic risk " + format_rounded(cap) + " mg/kg/min");
  else
    f.policy_notes.push_back(policy_note(fallback, "The at-risk rate cap for a product without a labelled cap"));
  order_correction c;
  c.max_rate_mg_per_kg_min = cap;
  if (dose.concentration_mg_per_ml && context.facts.weight.usable())
    c.max_rate_ml_per_hour = std::floor(ml_per_hour(cap, *dose.concentration_mg_per_ml, context.facts.weight.kg));
  c.label = "Cap the rate at " + format_rounded(cap) + " mg/kg/min" +
            (c.max_rate_ml_per_hour ? " (" + format_rounded(*c.max_rate_ml_per_hour) + " mL/h)" : std::string{});
  c.description = "Caps the infusion rate at " + format_rounded(cap) + " mg/kg/min" +
                  (c.max_rate_ml_per_hour ? " (" + format_rounded(*c.max_rate_ml_per_hour) + " mL/h for this patient)"
                                          : std::string{});
  f.correction = std::move(c);
  f.joins = {"R8", "R10"};  // the boxed-warning card says the rate exceeds the cap; R13 adds the fix
  out.findings.push_back(std::move(f));
}

void run_r14_initial_rate(const rule_context& context, evaluation& out) {
  const dose_plan& dose = context.facts.dose;
  const product* p = context.order.identified_product();
  if (!dose.initial_rate_mg_per_kg_min || p == nullptr || !p->initial_rate) return;
  const prior_immune_globulin prior = find_prior_ig(context, std::nullopt, true);
  const bool first = prior.lines.empty();
  const bool switched =
      !prior.products.empty() && std::find(prior.products.begin(), prior.products.end(), p) == prior.products.end();
  if (!first && !switched) return;
  if (*dose.initial_rate_mg_per_kg_min <= p->initial_rate->value + 1e-9) return;
  finding f = start_finding(context, severity::warning,
                            std::string(first ? "First IVIg infusion" : "Product switch") + ": start " + p->name +
                                " at " + format_rounded(p->initial_rate->value) + " mg/kg/min, not " +
                                format_rounded(*dose.initial_rate_mg_per_kg_min));
  add_rate_lines(context, f);
  if (first) f.evidence.push_back("No earlier immune globulin order or administration is on file");
  for (const std::string& line : prior.lines) f.evidence.push_back(line);
  cite(f, *p->initial_rate,
       p->name + " initial infusion rate " + format_rounded(p->initial_rate->value) + " mg/kg/min");
  out.findings.push_back(std::move(f));
}

void run_r20_hemolysis(const rule_context& context, evaluation& out) {
  const dose_plan& dose = context.facts.dose;
  const threshold& course_dose = context.rule.threshold_for("courseDose");
  if (!dose.g_per_kg_per_course || *dose.g_per_kg_per_course < course_dose.value - 1e-9) return;
  const threshold& after_min = context.rule.threshold_for("hbAfterMin");
  const threshold& after_max = context.rule.threshold_for("hbAfterMax");
  finding f = start_finding(context, severity::warning,
                            "High-dose IVIg (" + format_rounded(*dose.g_per_kg_per_course) +
                                " g/kg course): check haemoglobin before and " + format_rounded(after_min.value) + "–" +
                                format_rounded(after_max.value) + " h after");
  f.evidence.push_back("Course: " + format_rounded(*dose.g_per_kg_per_course) + " g/kg (" + dose.as_written + ")");
  for (const char* role : {"aboGroup", "hemoglobin", "hematocrit"}) {
    const auto found = observations_in(context, context.rule.value_set_for(role));
    if (!found.empty()) f.evidence.push_back(describe(found.front()));
  }
  out.findings.push_back(std::move(f));
}

void run_r21_volume_overload(const rule_context& context, evaluation& out) {
  const auto failure = conditions_in(context, context.rule.value_set_for("heartFailure"), status_filter::active_only);
  if (failure.empty()) return;
  const dose_plan& dose = context.facts.dose;
  std::string volume;
  if (dose.grams_per_dose && dose.concentration_mg_per_ml) {
    // The grams the order gives (its calculated dose) are what will be infused.
    const double ml = dose.calculated_grams.value_or(*dose.grams_per_dose) * 1000.0 / *dose.concentration_mg_per_ml;
    volume = format_rounded(std::round(ml)) + " mL per infusion";
    if (dose.doses_per_day > 1) volume += " (" + format_rounded(std::round(ml * dose.doses_per_day)) + " mL per day)";
  }
  finding f =
      start_finding(context, severity::warning,
                    volume.empty() ? "Heart failure: IVIg adds volume; use the minimum practicable rate"
                                   : "Heart failure: IVIg infuses " + volume + "; use the minimum practicable rate");
  for (const auto& found : failure) f.evidence.push_back(describe(found));
  if (volume.empty())
    f.evidence.push_back("The infusion volume could not be computed (dose in grams or product concentration unknown)");
  out.findings.push_back(std::move(f));
}

void run_r26_duplicate_immune_globulin(const rule_context& context, evaluation& out) {
  const threshold& window = context.rule.threshold_for("window");
  prior_immune_globulin prior = find_prior_ig(context, static_cast<long>(window.value), false);
  const value_set& substances = context.rule.value_set_for("igSubstances");
  for (const fhir::medication_order* other : context.session.medication_orders) {
    if (other == context.order.order) continue;
    if (const auto match = match_concept(context.kb, substances, other->medication_concept))
      prior.lines.push_back("Also in this ordering session: " + match->describe() + " (" +
                            std::string(other->resource_type) + "/" + std::string(other->id) + ")");
  }
  if (prior.lines.empty()) return;
  finding f = start_finding(context, severity::warning,
                            "Another immune globulin order or recent dose is on file: check for duplication");
  f.evidence = std::move(prior.lines);
  if (window.local_policy()) f.policy_notes.push_back(policy_note(window, "How recent an earlier dose counts"));
  out.findings.push_back(std::move(f));
}

}  // namespace ivig::rules
