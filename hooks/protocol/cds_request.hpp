// hooks/protocol/cds_request.hpp: a CDS Hooks 2.0 service request, read and validated.
//
// Validation follows spec-digest §2 and §11: hook, hookInstance and context are required;
// fhirAuthorization needs fhirServer (cds-r-1); the hook must be the service's; the context must
// carry what the order hooks require (userId per invariant ord-1, patientId, draftOrders, and on
// order-select, selections that all name a draft order). Unknown fields and extensions are ignored.
// The views point into the request document, which must outlive the request.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <rapidjson/document.h>

#include "fhir/model/result.hpp"
#include "hooks/protocol/error.hpp"

namespace ivig::protocol {

enum class hook_kind { order_select, order_sign };
std::string_view hook_name(hook_kind hook);

/// The resources of a Bundle by "Type/id" and by entry fullUrl, built once per request so that
/// selections and references resolve in constant time (a hostile body with many selections and
/// many entries must not cost their product).
class bundle_index {
 public:
  explicit bundle_index(const rapidjson::Value* bundle = nullptr);
  /// The resource named by "Type/id" (also a full URL ending in Type/id) or by a fullUrl, or nullptr.
  const rapidjson::Value* find(std::string_view reference) const;

 private:
  std::unordered_map<std::string, const rapidjson::Value*> by_reference_;
};

struct order_context {
  std::string_view user_id;
  std::string_view patient_id;
  std::string_view encounter_id;
  const rapidjson::Value* draft_orders = nullptr;        ///< a Bundle (type may be missing)
  bundle_index draft_index;                              ///< draftOrders' resources by reference
  std::vector<std::string_view> selections;              ///< order-select only
  std::unordered_set<const rapidjson::Value*> selected;  ///< the resources the selections name
};

struct cds_request {
  std::string_view hook;
  std::string_view hook_instance;
  std::string_view fhir_server;
  bool has_fhir_authorization = false;
  /// fhirAuthorization.access_token: sent to fhirServer and nowhere else (never logged or stored).
  std::string_view access_token;
  const rapidjson::Value* prefetch = nullptr;  ///< an object, or nullptr when absent or null
  order_context context;
};

/// The validated request, or the first problem found (in the order docs/errors.md gives).
[[nodiscard]] result<cds_request, request_error> read_cds_request(const rapidjson::Value& body,
                                                                  hook_kind expected_hook);

}  // namespace ivig::protocol
