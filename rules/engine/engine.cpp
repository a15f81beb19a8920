// rules/engine/engine.cpp: runs the active rules, applies the missing-data discipline and isolates
// a failing rule.
#include "rules/engine/engine.hpp"

#include <exception>

#include "rules/engine/rule_support.hpp"
#include "rules/engine/rule_unit.hpp"

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

/// Runs one rule; on an exception, undoes what it appended and records the failure instead.
void run_guarded(const bound_rule& bound, const rule_context& context, evaluation& result) {
  const std::size_t findings_before = result.findings.size();
  const std::size_t incomplete_before = result.incomplete.size();
  std::string failure;
  try {
    bound.unit->run(bound.inputs.get(), context, result);
    return;
  } catch (const std::exception& e) {
    failure = e.what();
  } catch (...) {
    failure = "an exception that is not a std::exception";
  }
  result.findings.resize(findings_before);
  result.incomplete.resize(incomplete_before);
  result.incomplete.push_back(
      incomplete(context, "the check failed with an internal error and was skipped; the service's log names it"));
  result.failures.push_back({context.rule.id, context.order.reference(), std::move(failure)});
}

}  // namespace

bool runs_at(const bound_rule& rule, hook_stage stage) {
  return !rule.unit->sign_only || stage == hook_stage::sign;
}

evaluation evaluate(const fhir::patient_record& record, const ivig_order& order, const knowledge& kb,
                    fhir::time_point now, const ordering_session& session, const order_facts& facts, hook_stage stage) {
  evaluation result;
  for (const bound_rule& bound : kb.active_rules) {
    if (!runs_at(bound, stage)) continue;
    const rule_context context{record, order, kb, *bound.definition, now, session, facts, stage};
    const std::size_t findings_before = result.findings.size();
    const std::size_t incomplete_before = result.incomplete.size();
    run_guarded(bound, context, result);
    // A finding from partial data is still true; silence from partial data proves nothing.
    const bool silent = result.findings.size() == findings_before && result.incomplete.size() == incomplete_before;
    if (silent) {
      const std::string reason = incomplete_data_reason(record, *bound.definition);
      if (!reason.empty()) result.incomplete.push_back(incomplete(context, reason));
    }
  }
  return result;
}

}  // namespace ivig::rules
