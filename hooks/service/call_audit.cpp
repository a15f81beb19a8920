// hooks/service/call_audit.cpp: audit summaries of a call.
#include "hooks/service/call_audit.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "rules/engine/engine.hpp"
#include "rules/engine/number_format.hpp"

namespace ivig::service {
namespace {

std::string_view origin_of(const fhir::data_status& status) {
  switch (status.state) {
    case fhir::data_state::provided:
      return status.fetched ? "fetched" : "prefetch";
    case fhir::data_state::not_provided:
      return "missing";
    case fhir::data_state::error:
      return "error";
    case fhir::data_state::incomplete:
      return "incomplete";
  }
  return "missing";
}

std::string order_summary(const checked_order& entry) {
  std::string line = entry.order->reference() + ": " + entry.order->product_description();
  const rules::dose_plan& dose = entry.facts.dose;
  if (dose.g_per_kg_per_dose) line += ", " + rules::format_rounded(*dose.g_per_kg_per_dose) + " g/kg";
  if (dose.grams_per_dose)
    line += " (" + rules::format_rounded(dose.calculated_grams.value_or(*dose.grams_per_dose)) + " g)";
  return line;
}

}  // namespace

std::string audit_patient(std::string_view patient_id, const std::string& key) {
  if (key.empty()) return std::string(patient_id);
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(patient_id.data()), patient_id.size(), digest.data(), &length);
  std::string hex = "hmac-sha256:";
  char byte[3];
  for (unsigned int i = 0; i < length; ++i) {
    std::snprintf(byte, sizeof byte, "%02x", digest[i]);
    hex += byte;
  }
  return hex;
}

void describe_call(audit::call_record& out, const protocol::cds_request& request, const fhir::patient_record& record,
                   const std::vector<prefetch_template>& templates, const std::vector<checked_order>& checked,
                   const std::vector<protocol::card>& cards, const rules::knowledge& kb, rules::hook_stage stage,
                   const std::string& patient_key) {
  out.hook = std::string(request.hook);
  out.hook_instance = std::string(request.hook_instance);
  out.user_id = std::string(request.context.user_id);
  out.patient = audit_patient(request.context.patient_id, patient_key);
  out.encounter_id = std::string(request.context.encounter_id);
  for (const checked_order& entry : checked) out.orders.push_back(order_summary(entry));
  for (const prefetch_template& t : templates) {
    const fhir::data_status& status = record.status_of(t.key);
    out.data.push_back({t.key, std::string(origin_of(status)), status.complete() ? std::string() : status.reason});
  }
  for (const protocol::card& c : cards) {
    out.cards.push_back({c.uuid, c.indicator, c.summary, c.rule_ids});
    if (c.source.label == worksheet_card_source) out.worksheets.push_back(c.detail);
  }
  if (checked.empty()) return;  // no IVIg order: no rule was evaluated
  for (const rules::bound_rule& bound : kb.active_rules) {
    if (!rules::runs_at(bound, stage)) continue;
    const rules::rule_definition* rule = bound.definition;
    const bool fired = std::any_of(cards.begin(), cards.end(), [&](const protocol::card& c) {
      return is_finding_card(c) && std::find(c.rule_ids.begin(), c.rule_ids.end(), rule->id) != c.rule_ids.end();
    });
    std::string failure;
    for (const checked_order& entry : checked)
      for (const rules::rule_failure& f : entry.result.failures)
        if (f.rule_id == rule->id) failure = "internal error on " + f.order_reference;
    out.rules.push_back({rule->id, fired, failure});
  }
}

}  // namespace ivig::service
