// rules/engine/rule_unit.hpp: a rule as one typed unit: the knowledge it reads, and its check.
//
// A unit declares what it reads from its rules.json entry in one `bind` function that fills a plain
// struct of typed references (`const value_set&`, `const threshold&` with the unit it must be in,
// params). The loader calls every unit's `bind` once at start-up through a role_binder, which
// resolves each role and records it; a role the entry lacks, a threshold in another unit, or a role
// the entry names that the unit never asks for fails --check-config with the rule id, the role, the
// knowledge file and the implementing source file. At request time the check receives its bound
// struct: no lookup by role name or rule id happens per call, and a misspelt role cannot reach a
// request. The order facts (order_facts.hpp) bind their facts.json entries the same way.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rules/engine/knowledge.hpp"

namespace ivig::rules {

struct rule_context;  // engine.hpp
struct evaluation;    // finding.hpp

/// Resolves the roles one implementation reads from one knowledge entry and checks them both ways.
class role_binder {
 public:
  /// `where` names the entry in messages ("rules.json: rule R8"); `implemented_in` the source file.
  role_binder(const knowledge_roles& roles, std::string where, std::string_view implemented_in);

  const value_set& value_set_role(std::string_view role);
  /// A threshold that must be expressed in `unit` (the unit the implementation computes in).
  const threshold& threshold_role(std::string_view role, std::string_view unit);
  /// A parameter that must be present (an excipient name, for example).
  std::string_view param_role(std::string_view name);
  /// Every value-set role of the entry, when the role names are themselves data (the indications of
  /// facts.json's "indication" entry, named as products.json names them).
  std::vector<std::pair<std::string, const value_set*>> every_value_set_role();

  /// The first problem (a role missing, in another unit, or named by the entry but never read),
  /// or empty when the entry and the implementation agree.
  std::string first_problem() const;

 private:
  void problem(std::string message);
  const knowledge_roles& roles_;
  std::string where_;
  std::string implemented_in_;
  std::vector<std::string> read_value_sets_, read_thresholds_, read_params_;
  std::string first_problem_;
};

/// The source file of a unit as a project path ("rules/engine/dosing_rules.cpp"), from __FILE__.
constexpr std::string_view project_path(std::string_view file) {
  const std::size_t at = file.rfind("rules/engine/");
  return at == std::string_view::npos ? file : file.substr(at);
}

/// One implemented rule. Defined with define_rule() beside its check, listed in the catalogue.
struct rule_unit {
  std::string_view id;
  std::string_view implemented_in;
  /// Runs only at signing (worksheet-type information); on order-select it neither runs nor is
  /// reported as a check that could not be completed.
  bool sign_only = false;
  std::shared_ptr<const void> (*bind)(role_binder& binder) = nullptr;
  void (*run)(const void* inputs, const rule_context& context, evaluation& out) = nullptr;
};

/// A check's inputs when it reads nothing from its knowledge entry but its texts and citations.
struct no_inputs {};
inline no_inputs bind_nothing(role_binder&) {
  return {};
}

template <typename Inputs>
using bind_function = Inputs (*)(role_binder&);
template <typename Inputs>
using check_function = void (*)(const Inputs&, const rule_context&, evaluation&);

/// Builds a unit from a typed bind function and a typed check; the two agree on `Inputs` at compile
/// time, so a check can only read what its bind function declared.
template <typename Inputs, bind_function<Inputs> Bind, check_function<Inputs> Check>
constexpr rule_unit define_rule(std::string_view id, std::string_view file, bool sign_only = false) {
  return rule_unit{
      id, project_path(file), sign_only,
      [](role_binder& binder) -> std::shared_ptr<const void> { return std::make_shared<const Inputs>(Bind(binder)); },
      [](const void* inputs, const rule_context& context, evaluation& out) {
        Check(*static_cast<const Inputs*>(inputs), context, out);
      }};
}

}  // namespace ivig::rules
