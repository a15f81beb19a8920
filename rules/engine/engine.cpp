// rules/engine/engine.cpp: runs the active rules and applies the missing-data discipline.
#include "rules/engine/engine.hpp"

#include "rules/engine/rule_support.hpp"

namespace ivig::rules {
namespace {

/// Why the data a rule declared it needs is not complete, or empty when it is.
std::string incomplete_data_reason(const fhir::patient_record& record, const rule_definition& rule) {
  std::string reason;
  for (const data_need& need : rule.data) {
    const fhir::data_status& status = record.status_of(need.key);
    if (status.complete()) continue;
    if (reason.find(need.key) != std::string::npos) continue;
    if (!reason.empty()) reason += "; ";
    reason += status.detail.empty() ? need.key + " were not provided" : status.detail;
  }
  return reason;
}

}  // namespace

order_facts gather_order_facts(const fhir::patient_record& record, const ivig_order& order, const knowledge& kb,
                               fhir::time_point now) {
  order_facts facts;
  facts.weight = compute_dosing_weight(record, kb, now);
  facts.dose = plan_dose(order, facts.weight.kg);
  facts.risk = find_risk_factors(record, kb, now);
  return facts;
}

evaluation evaluate(const fhir::patient_record& record, const ivig_order& order, const knowledge& kb,
                    fhir::time_point now, const ordering_session& session, const order_facts& facts, hook_stage stage) {
  evaluation result;
  for (const rule_implementation& implementation : implemented_rules()) {
    const rule_definition* rule = kb.find_rule(implementation.id);
    if (rule == nullptr || rule->status != rule_status::active) continue;
    if (implementation.sign_only && stage != hook_stage::sign) continue;
    const rule_context context{record, order, kb, *rule, now, session, facts, stage};
    const std::size_t findings_before = result.findings.size();
    const std::size_t incomplete_before = result.incomplete.size();
    implementation.run(context, result);
    // A finding from partial data is still true; silence from partial data proves nothing.
    const bool silent = result.findings.size() == findings_before && result.incomplete.size() == incomplete_before;
    if (silent) {
      const std::string reason = incomplete_data_reason(record, *rule);
      if (!reason.empty()) result.incomplete.push_back(incomplete(context, reason));
    }
  }
  return result;
}

}  // namespace ivig::rules
