// fhir/model/bundle.hpp: walking Bundles and reading OperationOutcomes.
//
// Real clients send Bundles without `type`, entries without `resource`, and searchset pages with a
// `next` link; all are read without complaint. Paging is reported, never silently ignored.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "fhir/model/json_view.hpp"

namespace ivig::fhir {

bool is_resource_of_type(const json_value& value, std::string_view type);

/// Calls `visit(const json_value& resource)` for each entry that carries a resource object.
template <typename Visit>
void for_each_bundle_resource(const json_value& bundle, Visit&& visit) {
  for_each_element(member(bundle, "entry"), [&](const json_value& entry) {
    const json_value* resource = member(entry, "resource");
    if (resource != nullptr && resource->IsObject()) visit(*resource);
  });
}

/// True when the Bundle has a link with relation "next" (more pages exist on the server).
bool has_next_page(const json_value& bundle);
/// The URL of the page after this one (`link` with relation "next"), or empty.
std::string_view next_page_url(const json_value& bundle);

/// True when an OperationOutcome has an issue of severity error or fatal.
bool operation_outcome_has_error(const json_value& outcome);

/// Calls `visit` for each resource of a search result that is not an OperationOutcome, and returns
/// the summary of the last OperationOutcome entry that reports an error, or nothing. A search may
/// return warnings as an OperationOutcome entry beside its results; only errors mean the results
/// are not to be trusted.
std::optional<std::string> for_each_search_result(const json_value& bundle,
                                                  const std::function<void(const json_value&)>& visit);

/// A short, single-line account of an OperationOutcome: "error/not-found: <diagnostics>", at most
/// 200 bytes of it (whole characters), for telling the clinician why a check could not be done; as
/// card Markdown, the outcome's words escaped (markdown_text.hpp).
std::string summarize_operation_outcome(const json_value& outcome);

}  // namespace ivig::fhir
