// rules/engine/ordering_session.hpp: the other orders of one call's ordering session (draftOrders),
// and which of them are in a value set, found once per call.
//
// Rules that look across orders (R8/R10 the drugs the patient takes, R23 a live vaccine, R31 an FcRn
// blocker ordered with the IVIg) ask the same question of the session for every IVIg order the call
// checks. Answered each time, an order-sign of N orders did N × N matches; the answer is found on
// first use and kept for the call, and each checked order then skips only itself.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "fhir/model/patient_record.hpp"
#include "rules/engine/knowledge.hpp"

namespace ivig::rules {

/// The other orders of the same ordering session (draftOrders): medication orders and service
/// requests, for rules that look across orders (duplicate immune globulin, a live vaccine ordered
/// with the IVIg). The lists are filled before the first rule runs and do not change during the call.
struct ordering_session {
  std::vector<const fhir::medication_order*> medication_orders;
  std::vector<fhir::service_request> service_requests;
  /// The IVIg orders this call checks, in the session's order. The first one carries the
  /// session-wide findings (the one R26 card), so that they are found once per call, not once per
  /// order: N orders naming each other would be N cards of N−1 lines.
  std::vector<const fhir::medication_order*> checked_orders;

  /// A session order in a value set, and how it matched (concept_match::describe()).
  struct match {
    const fhir::medication_order* order;
    std::string description;
  };
  /// A session service request in a value set, and how it matched.
  struct request_match {
    const fhir::service_request* request;
    std::string description;
  };

  /// The session's orders in each value set (and not applied locally, per the second set), as
  /// add_medications (rule_support.hpp) lists them, found on first use and kept for the call. One
  /// call's orders are evaluated one after another, on one thread.
  mutable std::map<std::pair<const value_set*, const value_set*>, std::vector<match>> matches;

  /// The session's medication orders whose medication is in `set`, whatever their status, in the
  /// session's order; each rule applies its own status filter to these few.
  const std::vector<match>& medication_orders_in(const knowledge& kb, const value_set& set) const;
  /// The session's service requests whose code is in `set`, whatever their status, in the session's order.
  const std::vector<request_match>& service_requests_in(const knowledge& kb, const value_set& set) const;

  /// medication_orders_in's and service_requests_in's answers, by value set, kept for the call.
  mutable std::map<const value_set*, std::vector<match>> orders_by_set;
  mutable std::map<const value_set*, std::vector<request_match>> requests_by_set;
};

}  // namespace ivig::rules
