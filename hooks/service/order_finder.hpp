// hooks/service/order_finder.hpp: which draft orders this call checks, and what medication each is.
//
// On order-select only the `selections` are checked (the other draft orders are context); on
// order-sign every order in draftOrders. A medicationReference is resolved to a contained Medication
// ("#med1"), to a Medication in draftOrders, or to one in the prefetch; the order's own
// CodeableConcept, the Medication's code and its ingredients all feed recognition.
#pragma once

#include <deque>
#include <vector>

#include "fhir/model/patient_record.hpp"
#include "hooks/protocol/cds_request.hpp"
#include "rules/engine/engine.hpp"
#include "rules/engine/ivig_order.hpp"

namespace ivig::service {

struct orders_to_check {
  std::deque<fhir::medication_order> orders;   ///< stable addresses: ivig_orders point into it
  rules::ordering_session session;             ///< every medication order and service request in draftOrders
  std::vector<rules::ivig_order> ivig_orders;  ///< the checked orders that are IVIg
};

orders_to_check find_ivig_orders(const protocol::cds_request& request, const fhir::patient_record& record,
                                 const rules::knowledge& kb, bool selections_only);

}  // namespace ivig::service
