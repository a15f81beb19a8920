// rules/engine/rule_unit.cpp: resolving a unit's roles and checking them against its entry.
#include "rules/engine/rule_unit.hpp"

#include <algorithm>

namespace ivig::rules {
namespace {

// Stand-ins returned for a role that does not resolve, so that binding goes on and the loader
// reports the first problem; a unit bound with a problem is never run (the load fails).
const value_set unresolved_value_set{};
const threshold unresolved_threshold{};

bool contains(const std::vector<std::string>& list, std::string_view name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

}  // namespace

role_binder::role_binder(const knowledge_roles& roles, std::string where, std::string_view implemented_in)
    : roles_(roles), where_(std::move(where)), implemented_in_(implemented_in) {}

void role_binder::problem(std::string message) {
  if (first_problem_.empty()) first_problem_ = where_ + ": " + std::move(message);
}

const value_set& role_binder::value_set_role(std::string_view role) {
  read_value_sets_.emplace_back(role);
  const auto it = roles_.value_sets.find(role);
  if (it == roles_.value_sets.end() || it->second == nullptr) {
    problem("valueSets lacks the role '" + std::string(role) + "' that its implementation (" + implemented_in_ +
            ") reads");
    return unresolved_value_set;
  }
  return *it->second;
}

const threshold& role_binder::threshold_role(std::string_view role, std::string_view unit) {
  read_thresholds_.emplace_back(role);
  const auto it = roles_.thresholds.find(role);
  if (it == roles_.thresholds.end() || it->second == nullptr) {
    problem("thresholds lacks the role '" + std::string(role) + "' that its implementation (" + implemented_in_ +
            ") reads");
    return unresolved_threshold;
  }
  if (it->second->unit != unit)
    problem("thresholds role '" + std::string(role) + "' names '" + it->second->id + "' in " + it->second->unit +
            ", but its implementation (" + implemented_in_ + ") reads it in " + std::string(unit));
  return *it->second;
}

std::string_view role_binder::param_role(std::string_view name) {
  read_params_.emplace_back(name);
  const auto it = roles_.params.find(name);
  if (it == roles_.params.end() || it->second.empty()) {
    problem("params lacks '" + std::string(name) + "' that its implementation (" + implemented_in_ + ") reads");
    return {};
  }
  return it->second;
}

std::vector<std::pair<std::string, const value_set*>> role_binder::every_value_set_role() {
  std::vector<std::pair<std::string, const value_set*>> all;
  for (const auto& [role, set] : roles_.value_sets) {
    read_value_sets_.push_back(role);
    all.emplace_back(role, set);
  }
  return all;
}

std::string role_binder::first_problem() const {
  if (!first_problem_.empty()) return first_problem_;
  // The other direction: a role in the knowledge that the implementation never reads is a role a
  // governance reader would believe matters, so it is an error too (usually a misspelling).
  auto unread = [&](const auto& map, const std::vector<std::string>& read, std::string_view kind) -> std::string {
    for (const auto& [role, target] : map)
      if (!contains(read, role))
        return where_ + ": " + std::string(kind) + " role '" + role + "' is not read by its implementation (" +
               implemented_in_ + ")";
    return {};
  };
  if (std::string p = unread(roles_.value_sets, read_value_sets_, "valueSets"); !p.empty()) return p;
  if (std::string p = unread(roles_.thresholds, read_thresholds_, "thresholds"); !p.empty()) return p;
  return unread(roles_.params, read_params_, "params");
}

}  // namespace ivig::rules
