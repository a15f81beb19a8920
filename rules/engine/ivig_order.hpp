// rules/engine/ivig_order.hpp: recognising IVIg among draft orders and identifying the product.
//
// Which codes and words mean IVIg is knowledge (recognition.json, products.json); this file only
// applies it. An order is IVIg when a product code says so, when an immune-globulin ingredient code
// comes with an intravenous route, or, failing codes, when its text says immune globulin and
// intravenous, or names a product. The product drives the excipient and rate checks; when it cannot
// be pinned down the order is still IVIg, "product not identified", and the checks say so.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "fhir/model/resources.hpp"
#include "rules/engine/knowledge.hpp"

namespace ivig::rules {

struct ivig_order {
  const fhir::medication_order* order = nullptr;
  /// Products the order may be: one when identified, several for a shared brand, none when unknown.
  std::vector<const product*> candidates;
  /// How it was recognised, e.g. "RxNorm 1809521" or "text “IVIG 10%” with route intravenous", as
  /// card Markdown (a record code in it is escaped).
  std::string recognised_by;

  const product* identified_product() const { return candidates.size() == 1 ? candidates.front() : nullptr; }
  /// "Privigen", "Octagam 5% or Octagam 10%", or "IVIg, product not identified".
  std::string product_description() const;
  /// "MedicationRequest/abc" (or the resource type alone when the order has no id).
  std::string reference() const;
};

/// Recognises an order as IVIg. `medication` is the order's medication with any reference already
/// resolved (the order's own CodeableConcept, or the referenced Medication's code and ingredients).
std::optional<ivig_order> recognise_ivig(const fhir::medication_order& order,
                                         const std::vector<fhir::codeable_concept>& medication, const knowledge& kb);

}  // namespace ivig::rules
