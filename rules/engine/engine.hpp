// rules/engine/engine.hpp: evaluate(record, order, knowledge, now) -> findings. Pure.
//
// The engine runs every active rule of the catalogue against one IVIg order. It owns the generic
// missing-data discipline: when a rule finds nothing but some data it declared it needs did not
// arrive complete, the rule is reported as an incomplete check with the reason, so that "no
// finding" never hides "no data". `now` is an input; the engine reads no clock and does no I/O.
#pragma once

#include <string_view>
#include <vector>

#include "fhir/model/patient_record.hpp"
#include "rules/engine/dose_plan.hpp"
#include "rules/engine/dosing_weight.hpp"
#include "rules/engine/finding.hpp"
#include "rules/engine/ivig_order.hpp"
#include "rules/engine/knowledge.hpp"
#include "rules/engine/risk_factors.hpp"

namespace ivig::rules {

/// The other orders of the same ordering session (draftOrders): medication orders and service
/// requests, for rules that look across orders (duplicate immune globulin, a live vaccine ordered
/// with the IVIg).
struct ordering_session {
  std::vector<const fhir::medication_order*> medication_orders;
  std::vector<fhir::service_request> service_requests;
};

/// Where in the ordering workflow the call comes from: on order-select the order may still be
/// incomplete (no dose yet); on order-sign it is final.
enum class hook_stage { select, sign };

/// What the dosing rules and the worksheet share about one order, computed once per order.
struct order_facts {
  dosing_weight weight;
  dose_plan dose;
  risk_profile risk;
};

/// Everything a rule implementation may read.
struct rule_context {
  const fhir::patient_record& record;
  const ivig_order& order;
  const knowledge& kb;
  const rule_definition& rule;
  fhir::time_point now;
  const ordering_session& session;
  const order_facts& facts;
  hook_stage stage;
};

/// A rule implementation appends findings and incomplete checks to `out`.
using rule_function = void (*)(const rule_context& context, evaluation& out);

/// A unit a threshold role must be expressed in.
struct threshold_role {
  std::string_view role;
  std::string_view unit;
};

/// One entry of the explicit catalogue of implemented rules.
struct rule_implementation {
  std::string_view id;
  std::vector<std::string_view> value_set_roles;
  std::vector<threshold_role> threshold_roles;
  std::vector<std::string_view> param_names;
  rule_function run;
  /// Runs only at signing (worksheet-type information); on order-select it neither runs nor is
  /// reported as a check that could not be completed.
  bool sign_only = false;
};

/// The implemented rules, in evaluation order (rule_catalogue.cpp).
const std::vector<rule_implementation>& implemented_rules();

/// Computes the order's facts (dosing weight, dose plan, risk factors).
order_facts gather_order_facts(const fhir::patient_record& record, const ivig_order& order, const knowledge& kb,
                               fhir::time_point now);

/// Runs every active rule on one order, given its facts (from gather_order_facts).
evaluation evaluate(const fhir::patient_record& record, const ivig_order& order, const knowledge& kb,
                    fhir::time_point now, const ordering_session& session, const order_facts& facts, hook_stage stage);

}  // namespace ivig::rules
