// hooks/service/order_finder.cpp: selecting orders and resolving their medications.
#include "hooks/service/order_finder.hpp"

#include <algorithm>

#include "fhir/model/bundle.hpp"

namespace ivig::service {
namespace {

const fhir::json_value* contained_resource(const fhir::json_value& order, std::string_view local_id) {
  const fhir::json_value* found = nullptr;
  fhir::for_each_element(fhir::member(order, "contained"), [&](const fhir::json_value& resource) {
    if (found == nullptr && fhir::resource_id_of(resource) == local_id) found = &resource;
  });
  return found;
}

std::vector<fhir::codeable_concept> resolve_medication(const fhir::medication_order& order,
                                                       const protocol::cds_request& request,
                                                       const fhir::patient_record& record) {
  std::vector<fhir::codeable_concept> medication;
  if (!order.medication_concept.empty()) medication.push_back(order.medication_concept);
  const std::string_view reference = order.medication_reference;
  if (reference.empty()) return medication;
  const fhir::json_value* resource = nullptr;
  if (reference.front() == '#') {
    resource = contained_resource(*order.json, reference.substr(1));
  } else {
    resource = request.context.draft_index.find(reference);
  }
  if (resource != nullptr && fhir::resource_type_of(*resource) == "Medication") {
    fhir::medication read = fhir::read_medication(*resource);
    medication.push_back(std::move(read.code));
    for (auto& ingredient : read.ingredients) medication.push_back(std::move(ingredient));
    return medication;
  }
  if (const auto parts = fhir::split_reference(reference)) {
    for (const fhir::medication& m : record.medications)
      if (parts->type == "Medication" && m.id == parts->id) {
        medication.push_back(m.code);
        for (const auto& ingredient : m.ingredients) medication.push_back(ingredient);
      }
  }
  return medication;
}

}  // namespace

orders_to_check find_ivig_orders(const protocol::cds_request& request, const fhir::patient_record& record,
                                 const rules::knowledge& kb, bool selections_only) {
  orders_to_check result;
  std::vector<bool> checked;
  fhir::for_each_bundle_resource(*request.context.draft_orders, [&](const fhir::json_value& resource) {
    const std::string_view type = fhir::resource_type_of(resource);
    if (type == "ServiceRequest" || type == "ProcedureRequest") {  // STU3/DSTU2 name for ServiceRequest
      result.session.service_requests.push_back(fhir::read_service_request(resource));
      return;
    }
    if (!fhir::is_medication_order_type(type)) return;
    result.orders.push_back(fhir::read_medication_order(resource));
    checked.push_back(!selections_only || request.context.selected.count(&resource) > 0);
  });
  for (std::size_t i = 0; i < result.orders.size(); ++i) {
    const fhir::medication_order& order = result.orders[i];
    result.session.medication_orders.push_back(&order);
    if (!checked[i]) continue;
    if (auto ivig = rules::recognise_ivig(order, resolve_medication(order, request, record), kb))
      result.ivig_orders.push_back(std::move(*ivig));
  }
  for (const rules::ivig_order& ivig : result.ivig_orders) result.session.checked_orders.push_back(ivig.order);
  return result;
}

}  // namespace ivig::service
