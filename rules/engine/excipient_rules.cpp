// rules/engine/excipient_rules.cpp: R4–R7, excipient-driven product contraindications
// (ivig-knowledge.md §1.2, §1.5).
//
// Each rule pairs a patient finding (a condition or an allergy) with a product excipient named in
// the rule's params. Severity follows the evidence: critical only when both the excipient and the
// patient's code are confirmed [C]/[S]; an unconfirmed [U] excipient or code makes it a warning that
// says so. When the product is not identified, or is one of several products that differ in the
// excipient, the card says the product could not be confirmed free of it and names the products
// that contain it.
#include "rules/engine/excipient_rules.hpp"

#include <algorithm>

#include "rules/engine/rule_support.hpp"

namespace ivig::rules {
namespace {

/// R4–R6: the patient's condition or allergy, and the excipient that makes it a contraindication.
struct contraindication_inputs {
  const value_set& patient_finding;
  std::string_view excipient;
};

contraindication_inputs bind_condition_excipient(role_binder& b) {
  return {b.value_set_role("condition"), b.param_role("excipient")};
}

contraindication_inputs bind_allergy_excipient(role_binder& b) {
  return {b.value_set_role("allergy"), b.param_role("excipient")};
}

/// R5 reads, besides its contraindication, the age up to which hereditary fructose intolerance may
/// not yet be diagnosed (a sorbitol product for such a child is a warning of its own, issue 10).
struct r5_inputs {
  contraindication_inputs contraindication;
  const threshold& child_age;    // a (whole years, inclusive)
  std::string_view undiagnosed;  ///< the card's advice for that child, quoting the leaflet
};

r5_inputs bind_r5(role_binder& b) {
  return {bind_condition_excipient(b), b.threshold_role("childAge", "a"), b.param_role("undiagnosedAdvice")};
}

/// R7: who reads glucose with a meter. A meter result (capillary, point of care) or insulin therapy
/// makes the patient one whose meter readings drive treatment; a diabetes diagnosis alone suggests
/// home monitoring the record may not show (docs/decisions.md, "R7 triggers").
struct r7_inputs {
  const value_set& diabetes;
  const value_set& glucose_tests;  ///< meter (capillary, POC) glucose only: laboratory analysers are not affected
  const value_set& insulin;
  const threshold& monitoring_window;
  std::string_view excipient;
};

r7_inputs bind_r7(role_binder& b) {
  return {b.value_set_role("diabetes"), b.value_set_role("glucoseTests"), b.value_set_role("insulin"),
          b.threshold_role("glucoseMonitoringWindow", "d"), b.param_role("excipient")};
}

struct excipient_exposure {
  std::vector<const product*> containing;  ///< candidates that contain the excipient
  std::vector<const product*> unknown;     ///< candidates whose excipients the knowledge does not list
  bool all_contain = false;                ///< every candidate contains it (and there is one at least)
  bool confirmed = true;                   ///< every containing candidate's excipient is [C]/[S]
};

excipient_exposure exposure_of(const rule_context& context, std::string_view substance) {
  excipient_exposure exposure;
  for (const product* p : context.order.candidates) {
    if (!p->excipients_known) exposure.unknown.push_back(p);
    if (const excipient* e = p->find_excipient(substance)) {
      exposure.containing.push_back(p);
      if (e->evidence == evidence_level::unconfirmed) exposure.confirmed = false;
    }
  }
  exposure.all_contain =
      !context.order.candidates.empty() && exposure.containing.size() == context.order.candidates.size();
  return exposure;
}

/// Every product in the knowledge base that contains the excipient, for "could not confirm" text.
std::string products_containing(const knowledge& kb, std::string_view substance) {
  std::string names;
  for (const product& p : kb.products) {
    if (p.find_excipient(substance) == nullptr) continue;
    if (!names.empty()) names += ", ";
    names += p.name;
  }
  return names.empty() ? std::string("none known") : names;
}

void add_excipient_citations(finding& f, const excipient_exposure& exposure, std::string_view substance) {
  for (const product* p : exposure.containing) {
    const excipient* e = p->find_excipient(substance);
    f.evidence.push_back("Product: " + p->name + " contains " + e->detail + " " +
                         std::string(evidence_marker(e->evidence)));
    for (const source* s : e->sources) f.citations.push_back(citation{s, e->evidence, p->name + ": " + e->detail});
    // The product's own source is the card's primary source: it is about the product ordered.
    if (f.primary_source == nullptr && !e->sources.empty()) f.primary_source = e->sources.front();
  }
}

/// R4–R6 share one shape: a contraindicating patient finding plus an excipient.
void run_excipient_contraindication(const rule_context& context, evaluation& out, std::string_view substance,
                                    const std::vector<std::string>& patient_lines, bool patient_confirmed,
                                    std::string_view patient_problem) {
  if (patient_lines.empty()) return;
  const excipient_exposure exposure = exposure_of(context, substance);
  const std::string product = context.order.product_description();

  if (exposure.all_contain) {
    const bool critical = exposure.confirmed && patient_confirmed;
    const std::string summary =
        exposure.confirmed
            ? product + " contains " + std::string(substance) + ": contraindicated with " + std::string(patient_problem)
            : product + " may contain " + std::string(substance) + " (unconfirmed): check it before use with " +
                  std::string(patient_problem);
    finding f = start_finding(context, critical ? severity::critical : severity::warning, summary);
    f.evidence = patient_lines;
    add_excipient_citations(f, exposure, substance);
    if (!exposure.confirmed)
      f.policy_notes.push_back("That " + product + " contains " + std::string(substance) +
                               " is not confirmed in a retrieved label [U]; check the current label");
    if (!patient_confirmed)
      f.policy_notes.push_back("The patient's code maps to " + std::string(patient_problem) +
                               " only through an unconfirmed [U] code mapping; check the diagnosis");
    out.findings.push_back(std::move(f));
    return;
  }
  if (!exposure.containing.empty() || context.order.candidates.empty()) {
    finding f = start_finding(
        context, severity::warning,
        "Confirm the IVIg product has no " + std::string(substance) + ": patient has " + std::string(patient_problem));
    f.evidence = patient_lines;
    add_excipient_citations(f, exposure, substance);
    f.explanation =
        "The order does not identify a single product, so the service could not confirm that it is "
        "free of " +
        std::string(substance) + ". Products containing " + std::string(substance) + ": " +
        products_containing(context.kb, substance) + ". " + context.rule.then;
    out.findings.push_back(std::move(f));
    return;
  }
  if (!exposure.unknown.empty()) {
    // Not "free of it": the knowledge does not list this product's excipients, so it is named as
    // unknown for this check rather than passed.
    std::string names;
    for (const ivig::rules::product* p : exposure.unknown) names += (names.empty() ? "" : ", ") + p->name;
    finding f = start_finding(context, severity::warning,
                              "Excipients of " + names + " are not in the knowledge base: confirm it has no " +
                                  std::string(substance) + " (patient has " + std::string(patient_problem) + ")");
    f.evidence = patient_lines;
    f.evidence.push_back("Product: " + names + ": excipients not listed in the knowledge base (unknown, not absent)");
    f.explanation = "The service could not check whether " + names + " contains " + std::string(substance) +
                    ": its excipients are not in the knowledge base. Check the current label before use. Products "
                    "known to contain " +
                    std::string(substance) + ": " + products_containing(context.kb, substance) + ". " +
                    context.rule.then;
    out.findings.push_back(std::move(f));
  }
}

template <typename Matches>
bool all_confirmed(const Matches& found) {
  return std::all_of(found.begin(), found.end(),
                     [](const auto& m) { return m.match.evidence != evidence_level::unconfirmed; });
}

template <typename Matches>
std::vector<std::string> lines_of(const Matches& found) {
  std::vector<std::string> lines;
  for (const auto& m : found) lines.push_back(describe(m));
  return lines;
}

void run_condition_excipient_rule(const contraindication_inputs& in, const rule_context& context, evaluation& out,
                                  std::string_view patient_problem) {
  const auto found = conditions_in(context, in.patient_finding, status_filter::active_only);
  run_excipient_contraindication(context, out, in.excipient, lines_of(found), all_confirmed(found), patient_problem);
}

void check_r4(const contraindication_inputs& in, const rule_context& context, evaluation& out) {
  run_condition_excipient_rule(in, context, out, "hyperprolinemia");
}

/// "18 months" under two years (a toddler's age is said in months), "2 years" from then on.
std::string age_words(fhir::time_point birth, fhir::time_point now) {
  const long years = age_in_years(birth, now);
  if (years >= 2) return std::to_string(years) + " years";
  const long months = static_cast<long>(static_cast<double>(fhir::days_between(birth, now)) / 30.436875);
  return std::to_string(months) + (months == 1 ? " month" : " months");
}

/// Marketed products the knowledge lists with all their excipients and none of `substance`: the
/// alternatives a card can name ("Gammagard Liquid, Privigen").
std::string products_without(const knowledge& kb, std::string_view substance) {
  std::string names;
  for (const product& p : kb.products) {
    if (!p.marketed || !p.excipients_known || p.find_excipient(substance) != nullptr) continue;
    names += (names.empty() ? "" : ", ") + p.name;
  }
  return names.empty() ? std::string("none known") : names;
}

/// A child young enough that hereditary fructose intolerance may not be diagnosed yet, ordered a
/// product that contains sorbitol. A warning, not the contraindication: the intolerance is possible,
/// not known (with the diagnosis on file the critical card above is the one card).
void check_undiagnosed_fructose_intolerance(const r5_inputs& in, const rule_context& context, evaluation& out) {
  if (!context.record.subject || !context.record.subject->birth_date) return;
  const fhir::time_point birth = context.record.subject->birth_date->at;
  if (age_in_years(birth, context.now) > static_cast<long>(in.child_age.value)) return;
  const std::string_view substance = in.contraindication.excipient;
  const excipient_exposure exposure = exposure_of(context, substance);
  if (!exposure.all_contain) return;
  finding f =
      start_finding(context, severity::warning,
                    context.order.product_description() + " contains " + std::string(substance) + ": child aged " +
                        age_words(birth, context.now) + ", fructose intolerance may be undiagnosed");
  f.evidence.push_back("Age " + age_words(birth, context.now) + " (born " + fhir::format_date(birth) +
                       "); the leaflet's warning covers children aged up to " +
                       std::to_string(static_cast<long>(in.child_age.value)) + " years");
  f.evidence.push_back(
      context.record.status_of("conditions").complete()
          ? "No hereditary fructose intolerance diagnosis is on file, and none rules it out"
          : "Conditions were not sent: a hereditary fructose intolerance diagnosis could not be looked for");
  add_excipient_citations(f, exposure, substance);
  f.evidence.push_back("Marketed products without " + std::string(substance) +
                       " whose excipients are known: " + products_without(context.kb, substance));
  for (const source* s : in.child_age.sources)
    f.citations.push_back(citation{s, in.child_age.evidence, in.child_age.description});
  f.explanation = std::string(in.undiagnosed);
  if (in.child_age.local_policy()) f.policy_notes.push_back(policy_note(in.child_age, "The age limit"));
  out.findings.push_back(std::move(f));
}

void check_r5(const r5_inputs& in, const rule_context& context, evaluation& out) {
  const std::size_t before = out.findings.size();
  run_condition_excipient_rule(in.contraindication, context, out, "hereditary fructose intolerance");
  // One cause, one card: a diagnosed intolerance already has its card.
  if (out.findings.size() == before) check_undiagnosed_fructose_intolerance(in, context, out);
}

void check_r6(const contraindication_inputs& in, const rule_context& context, evaluation& out) {
  const auto found = allergies_in(context, in.patient_finding, status_filter::active_only);
  run_excipient_contraindication(context, out, in.excipient, lines_of(found), all_confirmed(found), "corn allergy");
}

void check_r7(const r7_inputs& in, const rule_context& context, evaluation& out) {
  const std::string_view substance = in.excipient;
  const excipient_exposure exposure = exposure_of(context, substance);
  // Meter readings and insulin: the patient's glucose is read with meters now. Shown at selection.
  std::vector<std::string> lines;
  std::vector<std::string> policy;
  const threshold& window = in.monitoring_window;
  for (const auto& found : observations_in(context, in.glucose_tests)) {
    const fhir::observation& o = *found.resource;
    if (!o.effective || fhir::days_between(o.effective->at, context.now) > static_cast<long>(window.value)) break;
    lines.push_back(describe(found));
    policy.push_back(policy_note(window, "Counting a glucose-meter result as ongoing meter monitoring"));
    break;
  }
  add_medications(context, in.insulin, "Insulin", lines);
  // Diabetes without meter or insulin data on file: home monitoring is likely but not shown, so the
  // card waits for signing instead of interrupting the selection.
  const bool diabetes_only = lines.empty();
  if (!diabetes_only || context.stage == hook_stage::sign) {
    const std::vector<std::string> diabetes = lines_of(conditions_in(context, in.diabetes, status_filter::active_only));
    lines.insert(lines.end(), diabetes.begin(), diabetes.end());
  }
  if (lines.empty()) return;
  if (context.order.candidates.empty() || (!exposure.containing.empty() && !exposure.all_contain)) {
    out.incomplete.push_back(incomplete(context, "the product is not identified; if it contains " +
                                                     std::string(substance) + " (" +
                                                     products_containing(context.kb, substance) +
                                                     "), glucose must be measured with a glucose-specific method"));
    return;
  }
  if (!exposure.all_contain) return;
  finding f = start_finding(context, severity::warning,
                            context.order.product_description() + " contains " + std::string(substance) +
                                ": use glucose-specific meters (GDH-PQQ meters read falsely high)");
  f.evidence = std::move(lines);
  if (diabetes_only)
    f.evidence.push_back(
        "No glucose-meter result or insulin order is on file: ask how the patient monitors glucose at home");
  add_excipient_citations(f, exposure, substance);
  f.policy_notes = std::move(policy);
  out.findings.push_back(std::move(f));
}

}  // namespace

const rule_unit r4_hyperprolinemia_proline =
    define_rule<contraindication_inputs, &bind_condition_excipient, &check_r4>("R4", __FILE__);
const rule_unit r5_fructose_intolerance_sorbitol = define_rule<r5_inputs, &bind_r5, &check_r5>("R5", __FILE__);
const rule_unit r6_corn_allergy_maltose =
    define_rule<contraindication_inputs, &bind_allergy_excipient, &check_r6>("R6", __FILE__);
const rule_unit r7_maltose_glucose_meters = define_rule<r7_inputs, &bind_r7, &check_r7>("R7", __FILE__);

}  // namespace ivig::rules
