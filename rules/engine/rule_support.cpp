// rules/engine/rule_support.cpp: finding and incomplete-check scaffolding.
#include "rules/engine/rule_support.hpp"

#include <algorithm>

#include "rules/engine/rule_unit.hpp"

namespace ivig::rules {

finding start_finding(const rule_context& context, severity level, std::string summary) {
  finding f;
  f.rule_id = context.rule.id;
  f.rule_version = context.rule.version;
  f.level = level;
  f.summary = std::move(summary);
  f.order_reference = context.order.reference();
  f.product_description = context.order.product_description();
  f.explanation = context.rule.then;
  f.citations = context.rule.citations;
  return f;
}

incomplete_check incomplete(const rule_context& context, std::string reason) {
  return incomplete_check{context.rule.id, context.rule.title, std::move(reason), context.order.reference(),
                          context.rule.contraindication_screen};
}

bool found_earlier(const evaluation& so_far, const rule_unit& earlier, const rule_context& context) {
  const std::string order = context.order.reference();
  return std::any_of(so_far.findings.begin(), so_far.findings.end(),
                     [&](const finding& f) { return f.rule_id == earlier.id && f.order_reference == order; });
}

}  // namespace ivig::rules
