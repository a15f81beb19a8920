// hooks/protocol/cds_request.cpp: reading and validating a CDS Hooks service request.
#include "hooks/protocol/cds_request.hpp"

#include <cctype>
#include <optional>
#include <string>

#include "fhir/model/datatypes.hpp"
#include "fhir/model/json_view.hpp"
#include "hooks/protocol/sent_text.hpp"

namespace ivig::protocol {
namespace {

using fhir::member;

failure<request_error> missing(std::string_view field) {
  return failure(
      request_error{error_code::field_missing, "The required field '" + std::string(field) + "' is missing."});
}
failure<request_error> invalid(std::string_view field, std::string_view why) {
  return failure(
      request_error{error_code::field_invalid, "The field '" + std::string(field) + "' " + std::string(why)});
}

bool word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

/// Invariant ord-1: ^[\d\w]+\/[\d\w-.]+$ (Practitioner/abc, PractitionerRole/123).
bool valid_user_id(std::string_view id) {
  const auto slash = id.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == id.size()) return false;
  for (std::size_t i = 0; i < slash; ++i)
    if (!word_char(id[i])) return false;
  for (std::size_t i = slash + 1; i < id.size(); ++i)
    if (!word_char(id[i]) && id[i] != '-' && id[i] != '.') return false;
  return true;
}

bool valid_server_url(std::string_view url) {
  return (url.rfind("https://", 0) == 0 && url.size() > 8) || (url.rfind("http://", 0) == 0 && url.size() > 7);
}

/// Reads a string field at `path`: a non-empty string, or absent (an empty view) when not required.
result<std::string_view, request_error> read_string(const rapidjson::Value& object, std::string_view key,
                                                    std::string_view path, bool required) {
  const rapidjson::Value* value = member(object, key);
  if (value == nullptr) {
    if (required) return missing(path);
    return std::string_view{};
  }
  if (!value->IsString() || value->GetStringLength() == 0) return invalid(path, "must be a non-empty string.");
  return std::string_view{value->GetString(), value->GetStringLength()};
}

/// "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" in hexadecimal digits of either case, optionally after
/// "urn:uuid:".
bool is_uuid(std::string_view text) {
  if (text.substr(0, 9) == "urn:uuid:") text.remove_prefix(9);
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool dash_here = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash_here ? text[i] != '-' : std::isxdigit(static_cast<unsigned char>(text[i])) == 0) return false;
  }
  return true;
}

/// fhirAuthorization, when present: an object with a bearer token, only beside fhirServer (cds-r-1).
/// The value is the access token, or nothing when fhirAuthorization is absent.
result<std::optional<std::string_view>, request_error> read_authorization(const rapidjson::Value& body,
                                                                          std::string_view fhir_server) {
  const rapidjson::Value* authorization = member(body, "fhirAuthorization");
  if (authorization == nullptr) return std::optional<std::string_view>{};
  if (!authorization->IsObject()) return invalid("fhirAuthorization", "must be a JSON object.");
  if (fhir_server.empty())
    return failure(request_error{error_code::fhir_authorization_without_server,
                                 "fhirAuthorization is present but fhirServer is not (CDS Hooks invariant cds-r-1)."});
  const auto token = read_string(*authorization, "access_token", "fhirAuthorization.access_token", true);
  if (!token) return failure(token.error());
  const auto token_type = read_string(*authorization, "token_type", "fhirAuthorization.token_type", true);
  if (!token_type) return failure(token_type.error());
  if (*token_type != "Bearer" && *token_type != "bearer")
    return invalid("fhirAuthorization.token_type", "must be Bearer.");
  return std::optional<std::string_view>{*token};
}

/// The hook context: userId, patientId, encounterId, draftOrders and, on order-select, selections.
result<order_context, request_error> read_order_context(const rapidjson::Value& context, hook_kind hook) {
  order_context ctx;
  const auto user_id = read_string(context, "userId", "context.userId", true);
  if (!user_id) return failure(user_id.error());
  ctx.user_id = *user_id;
  if (!valid_user_id(ctx.user_id))
    return invalid("context.userId", "must be a relative reference such as Practitioner/123 (invariant ord-1).");
  const auto patient_id = read_string(context, "patientId", "context.patientId", true);
  if (!patient_id) return failure(patient_id.error());
  ctx.patient_id = *patient_id;
  if (!fhir::is_fhir_id(ctx.patient_id))
    return invalid("context.patientId", "must be a FHIR id ([A-Za-z0-9-.]{1,64}).");
  const auto encounter_id = read_string(context, "encounterId", "context.encounterId", false);
  if (!encounter_id) return failure(encounter_id.error());
  ctx.encounter_id = *encounter_id;
  if (!ctx.encounter_id.empty() && !fhir::is_fhir_id(ctx.encounter_id))
    return invalid("context.encounterId", "must be a FHIR id ([A-Za-z0-9-.]{1,64}).");

  ctx.draft_orders = member(context, "draftOrders");
  if (ctx.draft_orders == nullptr) return missing("context.draftOrders");
  if (!ctx.draft_orders->IsObject() || fhir::string_member(*ctx.draft_orders, "resourceType") != "Bundle")
    return invalid("context.draftOrders", "must be a FHIR Bundle.");
  if (const rapidjson::Value* entries = member(*ctx.draft_orders, "entry"); entries != nullptr && !entries->IsArray())
    return invalid("context.draftOrders.entry", "must be an array.");

  ctx.draft_index = bundle_index(ctx.draft_orders);
  if (hook != hook_kind::order_select) return ctx;
  const rapidjson::Value* selections = member(context, "selections");
  if (selections == nullptr) return missing("context.selections");
  if (!selections->IsArray() || selections->Empty())
    return invalid("context.selections", "must be a non-empty array of references.");
  for (const auto& selection : selections->GetArray()) {
    if (!selection.IsString() || selection.GetStringLength() == 0)
      return invalid("context.selections", "must hold only non-empty strings.");
    const std::string_view reference(selection.GetString(), selection.GetStringLength());
    const rapidjson::Value* selected = ctx.draft_index.find(reference);
    if (selected == nullptr)
      return failure(
          request_error{error_code::selection_not_in_draft_orders,
                        "The selection " + quoted_excerpt(reference) + " names no resource in context.draftOrders."});
    ctx.selections.push_back(reference);
    ctx.selected.insert(selected);
  }
  return ctx;
}

}  // namespace

std::string_view hook_name(hook_kind hook) {
  return hook == hook_kind::order_select ? "order-select" : "order-sign";
}

bundle_index::bundle_index(const rapidjson::Value* bundle) {
  if (bundle == nullptr) return;
  fhir::for_each_element(member(*bundle, "entry"), [&](const rapidjson::Value& entry) {
    const rapidjson::Value* resource = member(entry, "resource");
    if (resource == nullptr || !resource->IsObject()) return;
    const std::string_view full_url = fhir::string_member(entry, "fullUrl");
    if (!full_url.empty()) by_reference_.emplace(std::string(full_url), resource);
    const std::string_view type = fhir::string_member(*resource, "resourceType");
    const std::string_view id = fhir::string_member(*resource, "id");
    if (!type.empty() && !id.empty()) by_reference_.emplace(std::string(type) + "/" + std::string(id), resource);
  });
}

const rapidjson::Value* bundle_index::find(std::string_view reference) const {
  if (const auto it = by_reference_.find(std::string(reference)); it != by_reference_.end()) return it->second;
  const std::optional<fhir::reference_parts> parts = fhir::split_reference(reference);
  if (!parts) return nullptr;
  const auto it = by_reference_.find(std::string(parts->type) + "/" + std::string(parts->id));
  return it == by_reference_.end() ? nullptr : it->second;
}

result<cds_request, request_error> read_cds_request(const rapidjson::Value& body, hook_kind expected_hook) {
  cds_request request;
  const auto hook = read_string(body, "hook", "hook", true);
  if (!hook) return failure(hook.error());
  request.hook = *hook;
  const auto hook_instance = read_string(body, "hookInstance", "hookInstance", true);
  if (!hook_instance) return failure(hook_instance.error());
  request.hook_instance = *hook_instance;
  // A UUID, as the spec types it (bare, or as urn:uuid:): free text here reached the audit CLI's
  // output raw, control characters included (security review 2026-11).
  if (!is_uuid(request.hook_instance))
    return invalid("hookInstance", "must be a UUID (8-4-4-4-12 hexadecimal digits).");
  const rapidjson::Value* context = member(body, "context");
  if (context == nullptr) return missing("context");
  if (!context->IsObject()) return invalid("context", "must be a JSON object.");

  const auto fhir_server = read_string(body, "fhirServer", "fhirServer", false);
  if (!fhir_server) return failure(fhir_server.error());
  request.fhir_server = *fhir_server;
  if (!request.fhir_server.empty() && !valid_server_url(request.fhir_server))
    return invalid("fhirServer", "must be an absolute http(s) URL.");
  const auto authorization = read_authorization(body, request.fhir_server);
  if (!authorization) return failure(authorization.error());
  request.has_fhir_authorization = authorization->has_value();
  if (*authorization) request.access_token = **authorization;
  if (const rapidjson::Value* prefetch = member(body, "prefetch")) {
    if (prefetch->IsObject())
      request.prefetch = prefetch;
    else if (!prefetch->IsNull())
      return invalid("prefetch", "must be a JSON object.");
  }

  if (request.hook != hook_name(expected_hook))
    return failure(request_error{error_code::hook_mismatch, "This service answers the hook '" +
                                                                std::string(hook_name(expected_hook)) + "', not " +
                                                                quoted_excerpt(request.hook) + "."});

  auto context_read = read_order_context(*context, expected_hook);
  if (!context_read) return failure(std::move(context_read).error());
  request.context = std::move(context_read).value();
  return request;
}

}  // namespace ivig::protocol
