// hooks/protocol/error.hpp: the stable error codes of the service's HTTP API.
//
// Every non-2xx answer carries a FHIR OperationOutcome whose issue names one of these codes
// (issue.details.coding with system `urn:ivig-cds:error`). The codes are part of the API contract:
// integration engineers match on them, so an enumerator is never renamed or reused; docs/errors.md
// lists them all and tests/unit/protocol/error_test.cpp checks each entry of the table.
#pragma once

#include <string>
#include <string_view>

namespace ivig::protocol {

enum class error_code {
  /// The body is not well-formed JSON, or its top level is not an object.
  json_malformed,
  /// The body nests objects/arrays deeper than the configured JSON depth limit.
  json_too_deep,
  /// The body is larger than the configured body limit (HTTP 413).
  body_too_large,
  /// The request line and headers exceed the configured header limit (HTTP 431).
  headers_too_large,
  /// The request could not be parsed as HTTP/1.1.
  http_malformed,
  /// A required field of the CDS Hooks request or hook context is absent.
  field_missing,
  /// A field is present but has the wrong JSON type or format.
  field_invalid,
  /// `fhirAuthorization` is present without `fhirServer` (CDS Hooks invariant cds-r-1).
  fhir_authorization_without_server,
  /// The request's `hook` is not the hook this service answers.
  hook_mismatch,
  /// An entry of `context.selections` names no resource in `context.draftOrders`.
  selection_not_in_draft_orders,
  /// The prefetched Patient is not the patient named by `context.patientId`.
  prefetch_patient_mismatch,
  /// Data had to be fetched from `fhirServer`, which is not a FHIR server this service may query.
  fhir_server_refused,
  /// The Patient was neither prefetched nor obtainable from `fhirServer` (HTTP 412, as the spec says).
  patient_unavailable,
  /// A POST body is declared with a media type other than JSON (HTTP 415).
  unsupported_media_type,
  /// No CDS service has this id (HTTP 404).
  unknown_service,
  /// No route matches the path (HTTP 404).
  route_not_found,
  /// The path exists but not for this method (HTTP 405, with an Allow header).
  method_not_allowed,
  /// The client did not send a whole request within the read timeout (HTTP 408).
  request_timeout,
  /// The request's Expect header asks for something other than 100-continue (HTTP 417).
  expectation_failed,
  /// The caller did not prove who it is: no valid JWT (HTTP 401, with WWW-Authenticate and a reason).
  unauthorized,
  /// The server has as many connections open as it allows, in all or from this client (HTTP 503).
  too_many_connections,
  /// The server is shutting down and takes no new work (HTTP 503).
  service_draining,
  /// The service is up but cannot do its whole job (its audit store is failing) (HTTP 503 on /readyz).
  service_unready,
  /// The request has more draft orders, selections or feedback items than the configured cap (HTTP 413).
  too_many_entries,
  /// A string in the request is longer than the configured field-length cap (HTTP 413).
  field_too_long,
  /// The cards for this request would be larger than the configured response cap (HTTP 413).
  response_too_large,
  /// POST /admin/reload when the knowledge is the embedded bundle: there is no folder to read again
  /// (HTTP 409).
  reload_unavailable,
  /// POST /admin/reload (or SIGHUP) read a knowledge bundle that the loader refused; the running
  /// version stays in use (HTTP 422).
  knowledge_rejected,
  /// A defect in the service itself (HTTP 500). Never caused by input alone.
  internal_error,
};

struct error_description {
  unsigned http_status;
  /// Stable machine-readable code, e.g. "hook-mismatch".
  std::string_view code;
  /// FHIR IssueType for OperationOutcome.issue.code, e.g. "invalid".
  std::string_view issue_type;
  /// One-line human text, e.g. "The request's hook is not the hook this service answers."
  std::string_view summary;
};

/// The fixed description of an error code.
const error_description& describe(error_code code);

/// A FHIR OperationOutcome body for `code`; `diagnostics` says precisely what was wrong
/// (it must never contain tokens or clinical content).
/// With `reason`, a second coding (system `urn:ivig-cds:auth-reason`) names the precise reason of a
/// 401 (docs/security.md).
std::string operation_outcome_json(error_code code, std::string_view diagnostics, std::string_view reason = {});

/// A rejected request: the code and the precise diagnostics for the OperationOutcome.
struct request_error {
  error_code code;
  std::string diagnostics;
};

}  // namespace ivig::protocol
