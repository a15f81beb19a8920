// rules/engine/engine.hpp: evaluate(record, order, knowledge, now) -> findings. Pure.
//
// The engine runs every active rule of the knowledge (bound at load, rule_catalogue.hpp) against
// one IVIg order and its facts (order_facts.hpp). It owns two disciplines. Missing data: when a rule
// finds nothing but some data it declared it needs did not arrive complete, the rule is reported as
// an incomplete check with the reason, so that "no finding" never hides "no data". Failure
// isolation: a rule that throws costs only itself; its partial output is dropped, its check is
// listed as not completed (an internal error) and the failure is returned for the service to log
// and audit, while every other rule still runs. `now` is an input; no clock, no I/O.
#pragma once

#include <string>
#include <vector>

#include "fhir/model/patient_record.hpp"
#include "rules/engine/finding.hpp"
#include "rules/engine/hook_stage.hpp"
#include "rules/engine/ivig_order.hpp"
#include "rules/engine/knowledge.hpp"
#include "rules/engine/order_facts.hpp"
#include "rules/engine/ordering_session.hpp"

namespace ivig::rules {

/// Everything a rule's check may read besides its own bound inputs.
struct rule_context {
  const fhir::patient_record& record;
  const ivig_order& order;
  const knowledge& kb;
  const rule_definition& rule;  ///< the rule's catalogue entry: title, texts, citations
  fhir::time_point now;
  const ordering_session& session;
  const order_facts& facts;
  hook_stage stage;
};

/// Runs every active rule on one order, given its facts (from gather_order_facts).
evaluation evaluate(const fhir::patient_record& record, const ivig_order& order, const knowledge& kb,
                    fhir::time_point now, const ordering_session& session, const order_facts& facts, hook_stage stage);

/// Whether a bound rule runs at this stage (sign-only rules do not run on order-select).
bool runs_at(const bound_rule& rule, hook_stage stage);

}  // namespace ivig::rules
