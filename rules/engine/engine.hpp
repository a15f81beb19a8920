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

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "fhir/model/patient_record.hpp"
#include "rules/engine/finding.hpp"
#include "rules/engine/hook_stage.hpp"
#include "rules/engine/ivig_order.hpp"
#include "rules/engine/knowledge.hpp"
#include "rules/engine/order_facts.hpp"

namespace ivig::rules {

/// The other orders of the same ordering session (draftOrders): medication orders and service
/// requests, for rules that look across orders (duplicate immune globulin, a live vaccine ordered
/// with the IVIg).
struct ordering_session {
  std::vector<const fhir::medication_order*> medication_orders;
  std::vector<fhir::service_request> service_requests;
  /// The IVIg orders this call checks, in the session's order. The first one carries the
  /// session-wide findings (the one R26 card), so that they are found once per call, not once per
  /// order: N orders naming each other would be N cards of N−1 lines.
  std::vector<const fhir::medication_order*> checked_orders;

  /// A session order in a value set, as add_medications (rule_support.hpp) lists it.
  struct match {
    const fhir::medication_order* order;
    std::string description;
  };
  /// The session's orders in each value set (and not applied locally, per the second set), found
  /// on first use and kept for the call: each checked order then skips only itself, instead of
  /// matching every other order again (N orders × N session orders). One call's orders are
  /// evaluated one after another, on one thread.
  mutable std::map<std::pair<const value_set*, const value_set*>, std::vector<match>> matches;
};

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
