// rules/engine/vaccine_rules.cpp: immune globulin blocks the response to measles-, mumps-,
// rubella- and varicella-containing vaccines (ivig-knowledge.md §3).
//
// R22: such a vaccine given fewer than `window` days before the IVIg may not work and must be
// repeated after the deferral. R23: one ordered or scheduled now conflicts with the IVIg. R24: every
// IVIg order on signing states until when to defer them. The deferral (CDC/ACIP table) depends on the
// dose: the course total counts and the interval runs from the last dose; the banding of course doses
// the table has no row for is local policy. R25: live vaccines the interval does not apply to (yellow
// fever, oral typhoid, LAIV, rotavirus, zoster live) and inactivated vaccines raise no card.
#include "rules/engine/vaccine_rules.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "rules/engine/number_format.hpp"
#include "rules/engine/rule_support.hpp"

namespace ivig::rules {
namespace {

struct r22_inputs {
  const value_set& affected_vaccines;
  const threshold& window;
};

r22_inputs bind_r22(role_binder& b) {
  return {b.value_set_role("affectedVaccines"), b.threshold_role("window", "d")};
}

struct r23_inputs {
  const value_set& affected_vaccines;
};

r23_inputs bind_r23(role_binder& b) {
  return {b.value_set_role("affectedVaccines")};
}

/// R25 reads the value sets that define its silence: the vaccines the interval does not apply to,
/// and the affected ones R22/R23 own. Binding them lets the loader check both exist.
struct r25_inputs {
  const value_set& unaffected_vaccines;
  const value_set& affected_vaccines;
};

r25_inputs bind_r25(role_binder& b) {
  return {b.value_set_role("unaffectedVaccines"), b.value_set_role("affectedVaccines")};
}

void check_r22(const r22_inputs& in, const rule_context& context, evaluation& out) {
  const threshold& window = in.window;
  std::vector<std::pair<const fhir::immunization*, concept_match>> recent;
  for (const fhir::immunization& i : context.record.immunizations) {
    if (i.status == "entered-in-error" || i.status == "not-done" || !i.occurrence) continue;
    const long days = fhir::days_between(i.occurrence->at, context.now);
    if (days < 0 || days >= static_cast<long>(window.value)) continue;
    if (auto match = match_concept(context.kb, in.affected_vaccines, i.vaccine))
      recent.emplace_back(&i, std::move(*match));
  }
  if (recent.empty()) return;
  // Every such vaccine must be repeated: all are listed, the most recent first.
  std::stable_sort(recent.begin(), recent.end(),
                   [](const auto& a, const auto& b) { return a.first->occurrence->at > b.first->occurrence->at; });
  const std::optional<vaccine_deferral>& deferral = context.facts.deferral;
  const fhir::immunization& newest = *recent.front().first;
  const std::string vaccine =
      recent.size() > 1
          ? std::string("Live vaccines")
          : (recent.front().second.display.empty() ? "Live vaccine" : recent.front().second.display.substr(0, 40));
  finding f = start_finding(
      context, severity::warning,
      vaccine + " given " + fhir::format_date(newest.occurrence->at) + " may not work with IVIg: " +
          (deferral ? "repeat from " + fhir::format_date(deferral->until) : std::string("repeat after the interval")));
  for (const auto& [immunization, match] : recent)
    f.evidence.push_back("Immunization: " + match.describe() + " on " +
                         fhir::format_date(immunization->occurrence->at) + " (" +
                         std::to_string(fhir::days_between(immunization->occurrence->at, context.now)) +
                         " days before this order; the window is " + format_rounded(window.value) + " days)");
  if (deferral)
    f.evidence.push_back("Repeat the vaccine (or check serology) from " + fhir::format_date(deferral->until) + ": " +
                         deferral->basis + " after the last IVIg dose on " + fhir::format_date(deferral->last_dose));
  else
    f.evidence.push_back("The repeat date could not be computed: the course dose per kg is unknown");
  f.policy_notes.push_back("The deferral for course doses between the CDC table's rows is local policy [U]");
  out.findings.push_back(std::move(f));
}

void check_r23(const r23_inputs& in, const rule_context& context, evaluation& out) {
  const auto affected = [&](const fhir::codeable_concept& vaccine) {
    return match_concept(context.kb, in.affected_vaccines, vaccine);
  };
  std::vector<std::string> lines;
  // The session's vaccines are found once per call (ordering_session.hpp); this order skips only itself.
  for (const ordering_session::match& other : context.session.medication_orders_in(context.kb, in.affected_vaccines)) {
    if (other.order == context.order.order) continue;
    lines.push_back("Ordered in this session: " + other.description + " (" +
                    reference_text(other.order->resource_type, other.order->id) + ")");
  }
  for (const ordering_session::request_match& request :
       context.session.service_requests_in(context.kb, in.affected_vaccines))
    lines.push_back("Ordered in this session: " + request.description + " (" +
                    reference_text("ServiceRequest", request.request->id) + ")");
  for (const fhir::medication_order& existing : context.record.medication_orders)
    if (const auto match = affected(existing.medication_concept))
      lines.push_back("Active order: " + match->describe() + " (" +
                      reference_text(existing.resource_type, existing.id) + ")");
  for (const fhir::immunization& i : context.record.immunizations) {
    if (!i.occurrence || i.occurrence->at <= context.now || i.status == "entered-in-error") continue;
    if (const auto match = affected(i.vaccine))
      lines.push_back("Scheduled: " + match->describe() + " on " + fhir::format_date(i.occurrence->at));
  }
  if (lines.empty()) return;
  const std::optional<vaccine_deferral>& deferral = context.facts.deferral;
  finding f = start_finding(
      context, severity::warning,
      deferral ? "Measles/varicella vaccine ordered with IVIg: defer it until " + fhir::format_date(deferral->until)
               : "Measles/varicella vaccine ordered with IVIg: it will not work; defer it");
  f.evidence = std::move(lines);
  if (deferral)
    f.evidence.push_back("Deferral: " + deferral->basis + " after the last IVIg dose on " +
                         fhir::format_date(deferral->last_dose));
  f.policy_notes.push_back("The deferral for course doses between the CDC table's rows is local policy [U]");
  f.changes_order = true;
  out.findings.push_back(std::move(f));
}

void check_r24(const no_inputs&, const rule_context& context, evaluation& out) {
  if (context.stage != hook_stage::sign) return;
  const std::optional<vaccine_deferral>& deferral = context.facts.deferral;
  if (!deferral) {
    out.incomplete.push_back(
        incomplete(context, "the course dose per kg is unknown, so the vaccine deferral date cannot be computed"));
    return;
  }
  finding f = start_finding(
      context, severity::info,
      "Defer measles-, mumps-, rubella- and varicella-containing vaccines until " + fhir::format_date(deferral->until));
  f.evidence.push_back("Deferral: " + deferral->basis + " after the last IVIg dose on " +
                       fhir::format_date(deferral->last_dose));
  f.policy_notes.push_back("The deferral for course doses between the CDC table's rows is local policy [U]");
  out.findings.push_back(std::move(f));
}

void check_r25(const r25_inputs&, const rule_context&, evaluation&) {
  // Deliberately silent: yellow fever, oral typhoid, LAIV, rotavirus and zoster live vaccines are not
  // subject to the immune globulin interval, and inactivated vaccines never are. R22/R23 match only
  // the affected value set; this rule's value sets document (and its tests prove) the silence.
}

}  // namespace

const rule_unit r22_live_vaccine_before_ivig = define_rule<r22_inputs, &bind_r22, &check_r22>("R22", __FILE__);
const rule_unit r23_live_vaccine_planned = define_rule<r23_inputs, &bind_r23, &check_r23>("R23", __FILE__);
const rule_unit r24_vaccine_deferral_notice = define_rule<no_inputs, &bind_nothing, &check_r24>("R24", __FILE__, true);
const rule_unit r25_unaffected_live_vaccines = define_rule<r25_inputs, &bind_r25, &check_r25>("R25", __FILE__);

}  // namespace ivig::rules
