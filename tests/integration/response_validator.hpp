// tests/integration/response_validator.hpp: checks a response against CDS Hooks 2.0 (spec-digest
// §4 and the FSH invariants cds-resp-1…6): required fields, enumerations, no null or empty optional
// field, summary under 140 characters, selectionBehavior with suggestions, at most one
// isRecommended under at-most-one, a description on every action, display on override reasons.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ivig::test {

/// Every violation found; empty when the response is valid.
std::vector<std::string> cds_response_problems(std::string_view json);

}  // namespace ivig::test
