// fhir/model/bundle.cpp: Bundle paging and OperationOutcome summaries.
#include "fhir/model/bundle.hpp"

#include "fhir/model/markdown_text.hpp"

namespace ivig::fhir {

bool is_resource_of_type(const json_value& value, std::string_view type) {
  return value.IsObject() && string_member(value, "resourceType") == type;
}

std::optional<std::string> for_each_search_result(const json_value& bundle,
                                                  const std::function<void(const json_value&)>& visit) {
  std::optional<std::string> error;
  for_each_bundle_resource(bundle, [&](const json_value& resource) {
    if (!is_resource_of_type(resource, "OperationOutcome")) return visit(resource);
    if (operation_outcome_has_error(resource)) error = summarize_operation_outcome(resource);
  });
  return error;
}

bool has_next_page(const json_value& bundle) {
  return !next_page_url(bundle).empty();
}

std::string_view next_page_url(const json_value& bundle) {
  std::string_view next;
  for_each_element(member(bundle, "link"), [&](const json_value& link) {
    if (next.empty() && string_member(link, "relation") == "next") next = string_member(link, "url");
  });
  return next;
}

bool operation_outcome_has_error(const json_value& outcome) {
  bool error = false;
  for_each_element(member(outcome, "issue"), [&](const json_value& issue) {
    const std::string_view severity = string_member(issue, "severity");
    if (severity == "error" || severity == "fatal") error = true;
  });
  return error;
}

std::string summarize_operation_outcome(const json_value& outcome) {
  std::string summary;
  for_each_element(member(outcome, "issue"), [&](const json_value& issue) {
    if (!summary.empty()) return;
    summary.append(string_member(issue, "severity"));
    summary.append("/");
    summary.append(string_member(issue, "code"));
    std::string_view text = string_member(issue, "diagnostics");
    if (text.empty()) text = string_member(member(issue, "details"), "text");
    if (!text.empty()) {
      summary.append(": ");
      summary.append(text);
    }
  });
  if (summary.empty()) summary = "OperationOutcome without issues";
  if (summary.size() > 200) {
    std::size_t end = 200;  // a whole character: back off UTF-8 continuation bytes
    while (end > 0 && (static_cast<unsigned char>(summary[end]) & 0xC0) == 0x80) --end;
    summary.resize(end);
  }
  // The diagnostics are the server's words: card Markdown only once escaped (one line, no markup).
  return markdown_text(summary);
}

}  // namespace ivig::fhir
