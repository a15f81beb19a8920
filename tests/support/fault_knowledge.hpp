// tests/support/fault_knowledge.hpp: a knowledge bundle with one rule made to fail, for the tests
// of failure isolation (a throwing rule costs only itself).
#pragma once

#include <memory>
#include <string>

#include "rules/engine/knowledge.hpp"

namespace ivig::test {

/// The embedded bundle, freshly loaded, with `rule_id`'s check replaced by one that appends a
/// finding and then throws std::runtime_error("injected fault in <rule_id>"). The fake is the fault.
std::shared_ptr<const rules::knowledge> knowledge_with_failing_rule(const std::string& rule_id);

}  // namespace ivig::test
