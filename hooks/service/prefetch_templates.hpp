// hooks/service/prefetch_templates.hpp: the discovery prefetch templates, derived from the rules.
//
// The rule catalogue (rules.json `data`) is the one declaration of what data the rules need; this
// file turns it into CDS Hooks 2.0 prefetch templates inside the spec's query subset (instance
// reads, type searches on patient, token `code` lists, `_sort`). It is also the list of keys the
// gatherer reads from a request's prefetch.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rules/engine/knowledge.hpp"

namespace ivig::service {

struct prefetch_template {
  std::string key;    ///< "patient", "conditions", ...
  std::string query;  ///< "Condition?patient={{context.patientId}}"
  std::string what;   ///< words for a clinician: "conditions", "laboratory results and vital signs"
};

/// The templates every IVIg service advertises, in a fixed key order, for the keys some rule needs.
std::vector<prefetch_template> derive_prefetch_templates(const rules::knowledge& kb);

}  // namespace ivig::service
