// hooks/service/prefetch_templates.cpp: building templates from the rules' declared data needs.
#include "hooks/service/prefetch_templates.hpp"

#include <algorithm>
#include <map>
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
    // Earlier immune globulin courses: the orders that ended and the infusions given. Filtered by the
    // immune globulin codes, or a long history of other medicines would come too.
    {"medicationHistory", "MedicationRequest?patient={{context.patientId}}&status=completed,stopped",
     "earlier immune globulin orders"},
    {"administrations", "MedicationAdministration?patient={{context.patientId}}", "immune globulin infusions given"},
    // No date filter: prefetch tokens cannot compute a date, so the rules apply their own windows.
    {"procedures", "Procedure?patient={{context.patientId}}", "procedures"},
};

}  // namespace

std::vector<prefetch_template> derive_prefetch_templates(const rules::knowledge& kb) {
  std::set<std::string, std::less<>> needed;
  // Per key, the codes that filter its query, in the order the rules name them.
  std::map<std::string, std::vector<std::string>, std::less<>> codes_of;
  std::map<std::string, std::set<std::string>, std::less<>> seen_codes;
  for (const rules::rule_definition& rule : kb.rules) {
    for (const rules::data_need& need : rule.data) {
      needed.insert(need.key);
      for (const rules::value_set* set : need.observation_sets)
        for (const rules::code_entry& code : set->codes) {
          std::string token = code.system + "|" + code.code;
          if (seen_codes[need.key].insert(token).second) codes_of[need.key].push_back(std::move(token));
        }
    }
  }
  std::vector<prefetch_template> templates;
  for (const key_shape& shape : shapes) {
    if (needed.find(shape.key) == needed.end()) continue;
    prefetch_template t{std::string(shape.key), std::string(shape.query), std::string(shape.what)};
    if (const auto codes = codes_of.find(shape.key); codes != codes_of.end() && !codes->second.empty()) {
      t.query += "&code=";
      for (std::size_t i = 0; i < codes->second.size(); ++i) {
        if (i > 0) t.query += ",";
        t.query += codes->second[i];
      }
      if (shape.key == "observations") t.query += "&_sort=-date";
    }
    templates.push_back(std::move(t));
  }
  return templates;
}

}  // namespace ivig::service
