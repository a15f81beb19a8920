// hooks/service/prefetch_templates.cpp: building templates from the rules' declared data needs.
#include "hooks/service/prefetch_templates.hpp"

#include <algorithm>
#include <set>

namespace ivig::service {
namespace {

struct key_shape {
  std::string_view key;
  std::string_view query;
  std::string_view what;
};

// The shape of each key's query is protocol, not clinical knowledge: which codes go into the
// observation query comes from the rules below.
constexpr key_shape shapes[] = {
    {"patient", "Patient/{{context.patientId}}", "patient demographics"},
    {"conditions", "Condition?patient={{context.patientId}}", "conditions"},
    {"observations", "Observation?patient={{context.patientId}}", "laboratory results and vital signs"},
    {"allergies", "AllergyIntolerance?patient={{context.patientId}}", "allergies"},
    {"immunizations", "Immunization?patient={{context.patientId}}", "immunizations"},
    {"medications", "MedicationRequest?patient={{context.patientId}}&status=active", "active medications"},
    // No date filter: prefetch tokens cannot compute a date, so the rules apply their own windows.
    {"procedures", "Procedure?patient={{context.patientId}}", "procedures"},
};

}  // namespace

std::vector<prefetch_template> derive_prefetch_templates(const rules::knowledge& kb) {
  std::set<std::string, std::less<>> needed;
  std::vector<std::string> observation_codes;
  std::set<std::string> seen_codes;
  for (const rules::rule_definition& rule : kb.rules) {
    for (const rules::data_need& need : rule.data) {
      needed.insert(need.key);
      for (const rules::value_set* set : need.observation_sets)
        for (const rules::code_entry& code : set->codes) {
          std::string token = code.system + "|" + code.code;
          if (seen_codes.insert(token).second) observation_codes.push_back(std::move(token));
        }
    }
  }
  std::vector<prefetch_template> templates;
  for (const key_shape& shape : shapes) {
    if (needed.find(shape.key) == needed.end()) continue;
    prefetch_template t{std::string(shape.key), std::string(shape.query), std::string(shape.what)};
    if (shape.key == "observations" && !observation_codes.empty()) {
      t.query += "&code=";
      for (std::size_t i = 0; i < observation_codes.size(); ++i) {
        if (i > 0) t.query += ",";
        t.query += observation_codes[i];
      }
      t.query += "&_sort=-date";
    }
    templates.push_back(std::move(t));
  }
  return templates;
}

}  // namespace ivig::service
