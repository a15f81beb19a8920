// tests/support/fault_knowledge.cpp: replaces one bound rule's check with a throwing one.
#include "tests/support/fault_knowledge.hpp"

#include <stdexcept>

#include <gtest/gtest.h>

#include "rules/engine/engine.hpp"
#include "rules/engine/rule_support.hpp"
#include "rules/engine/rule_unit.hpp"
#include "rules/load/knowledge_loader.hpp"

namespace ivig::test {
namespace {

/// Appends a finding first, so the test also proves that a failing rule's partial output is dropped.
void append_then_throw(const void*, const rules::rule_context& context, rules::evaluation& out) {
  out.findings.push_back(rules::start_finding(context, rules::severity::critical, "partial output of a failing rule"));
  throw std::runtime_error("injected fault in " + context.rule.id);
}

}  // namespace

std::shared_ptr<const rules::knowledge> knowledge_with_failing_rule(const std::string& rule_id) {
  rules::load_result loaded = rules::load_embedded_knowledge();
  EXPECT_TRUE(loaded.has_value());
  if (!loaded) return nullptr;
  // The loader made the object non-const; the test changes one binding before anyone reads it.
  auto kb = std::const_pointer_cast<rules::knowledge>(*loaded);
  static std::vector<std::unique_ptr<rules::rule_unit>> failing_units;  // outlive every knowledge made here
  for (rules::bound_rule& bound : kb->active_rules) {
    if (bound.definition->id != rule_id) continue;
    failing_units.push_back(std::make_unique<rules::rule_unit>(*bound.unit));
    failing_units.back()->run = &append_then_throw;
    bound.unit = failing_units.back().get();
    return kb;
  }
  ADD_FAILURE() << "no active rule " << rule_id;
  return kb;
}

}  // namespace ivig::test
