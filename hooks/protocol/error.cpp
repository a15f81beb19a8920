// hooks/protocol/error.cpp: the table behind error_code and the OperationOutcome writer.
#include "hooks/protocol/error.hpp"

#include <array>
#include <cstddef>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace ivig::protocol {
namespace {

constexpr std::array<error_description, 29> table{{
    {400, "json-malformed", "structure", "The body is not a well-formed JSON object."},
    {400, "json-too-deep", "too-costly", "The body nests JSON deeper than the configured limit."},
    {413, "body-too-large", "too-costly", "The body is larger than the configured limit."},
    {431, "headers-too-large", "too-costly", "The request headers are larger than the configured limit."},
    {400, "http-malformed", "structure", "The request is not valid HTTP/1.1."},
    {400, "field-missing", "required", "A required field is missing."},
    {400, "field-invalid", "invalid", "A field has the wrong type or format."},
    {400, "fhir-authorization-without-server", "invalid", "fhirAuthorization is present without fhirServer."},
    {400, "hook-mismatch", "invalid", "The request's hook is not the hook this service answers."},
    {400, "selection-not-in-draft-orders", "invalid", "A selection names no resource in context.draftOrders."},
    {400, "prefetch-patient-mismatch", "invalid", "The prefetched Patient is not the patient in context.patientId."},
    {400, "fhir-server-refused", "security", "fhirServer is not a FHIR server this service may query."},
    {412, "patient-unavailable", "processing", "The patient could not be read from the prefetch or the FHIR server."},
    {415, "unsupported-media-type", "not-supported", "The body must be application/json."},
    {404, "unknown-service", "not-found", "No CDS service has this id."},
    {404, "route-not-found", "not-found", "No endpoint has this path."},
    {405, "method-not-allowed", "not-supported", "The endpoint does not accept this method."},
    {408, "request-timeout", "timeout", "The request was not received within the read timeout."},
    {417, "expectation-failed", "not-supported", "The only expectation this server meets is 100-continue."},
    {401, "unauthorized", "login", "The request carries no valid credentials."},
    {503, "too-many-connections", "transient", "The service has as many connections open as it allows."},
    {503, "service-draining", "transient", "The service is shutting down."},
    {503, "service-unready", "transient", "The service cannot do its whole job now."},
    {413, "too-many-entries", "too-costly", "The request has more entries than the configured limit."},
    {413, "field-too-long", "too-costly", "A string in the request is longer than the configured limit."},
    {413, "response-too-large", "too-costly", "The answer would be larger than the configured limit."},
    {409, "reload-unavailable", "not-supported", "The service runs on its embedded knowledge: nothing to reload."},
    {422, "knowledge-rejected", "invalid", "The knowledge bundle was refused; the running version stays in use."},
    {500, "internal-error", "exception", "The service failed; the failure has been logged."},
}};

static_assert(table.size() == static_cast<std::size_t>(error_code::internal_error) + 1,
              "every error_code needs a row in the table");

}  // namespace

const error_description& describe(error_code code) {
  return table[static_cast<std::size_t>(code)];
}

std::string operation_outcome_json(error_code code, std::string_view diagnostics, std::string_view reason) {
  const error_description& d = describe(code);
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> w(out);
  w.StartObject();
  w.Key("resourceType");
  w.String("OperationOutcome");
  w.Key("issue");
  w.StartArray();
  w.StartObject();
  w.Key("severity");
  w.String(d.http_status >= 500 ? "fatal" : "error");
  w.Key("code");
  w.String(d.issue_type.data(), static_cast<rapidjson::SizeType>(d.issue_type.size()));
  w.Key("details");
  w.StartObject();
  w.Key("coding");
  w.StartArray();
  w.StartObject();
  w.Key("system");
  w.String("urn:ivig-cds:error");
  w.Key("code");
  w.String(d.code.data(), static_cast<rapidjson::SizeType>(d.code.size()));
  w.Key("display");
  w.String(d.summary.data(), static_cast<rapidjson::SizeType>(d.summary.size()));
  w.EndObject();
  if (!reason.empty()) {
    w.StartObject();
    w.Key("system");
    w.String("urn:ivig-cds:auth-reason");
    w.Key("code");
    w.String(reason.data(), static_cast<rapidjson::SizeType>(reason.size()));
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  const std::string_view text = diagnostics.empty() ? d.summary : diagnostics;
  w.Key("diagnostics");
  w.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
  w.EndObject();
  w.EndArray();
  w.EndObject();
  return std::string(out.GetString(), out.GetSize());
}

}  // namespace ivig::protocol
