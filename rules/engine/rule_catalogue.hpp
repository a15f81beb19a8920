// rules/engine/rule_catalogue.hpp: the explicit list of implemented rules, and binding them.
//
// The catalogue is the list of rule units in evaluation order; each unit declares what it reads in
// its own file (rule_unit.hpp). bind_catalogue() checks the catalogue against rules.json in both
// directions — an active rule without a unit, a unit without an active rule, and every role a unit
// reads against its entry — binds each active rule to its unit and typed inputs, and binds the order
// facts to facts.json. The loader calls it once; the first problem fails --check-config.
#pragma once

#include <string>
#include <vector>

#include "fhir/model/result.hpp"
#include "rules/engine/knowledge.hpp"
#include "rules/engine/rule_unit.hpp"

namespace ivig::rules {

/// The implemented rules, in evaluation order.
const std::vector<const rule_unit*>& rule_catalogue();

/// Binds the catalogue and the order facts into `kb`; the error is the first problem found.
[[nodiscard]] result<void, std::string> bind_catalogue(knowledge& kb);

}  // namespace ivig::rules
