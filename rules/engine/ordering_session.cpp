// rules/engine/ordering_session.cpp: matching the session's orders against a value set once per call.
#include "rules/engine/ordering_session.hpp"

#include "rules/engine/terminology.hpp"

namespace ivig::rules {

const std::vector<ordering_session::match>& ordering_session::medication_orders_in(const knowledge& kb,
                                                                                   const value_set& set) const {
  auto [found, fresh] = orders_by_set.try_emplace(&set);
  if (fresh)
    for (const fhir::medication_order* order : medication_orders)
      if (const auto m = match_concept(kb, set, order->medication_concept))
        found->second.push_back({order, m->describe()});
  return found->second;
}

const std::vector<ordering_session::request_match>& ordering_session::service_requests_in(const knowledge& kb,
                                                                                          const value_set& set) const {
  auto [found, fresh] = requests_by_set.try_emplace(&set);
  if (fresh)
    for (const fhir::service_request& request : service_requests)
      if (const auto m = match_concept(kb, set, request.code)) found->second.push_back({&request, m->describe()});
  return found->second;
}

}  // namespace ivig::rules
