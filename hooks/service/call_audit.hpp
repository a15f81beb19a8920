// hooks/service/call_audit.hpp: what the audit log keeps of one call, built from its pieces.
//
// Summaries only: ids, the IVIg orders as "reference: product, dose", each active rule and whether
// it fired, each card (uuid, indicator, summary, rule ids), where each data category came from, and
// the patient as sent or as a keyed hash (HMAC-SHA-256) when the site configures a key. Never the
// request body or any token.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "fhir/model/patient_record.hpp"
#include "hooks/audit/audit_sink.hpp"
#include "hooks/protocol/card.hpp"
#include "hooks/protocol/cds_request.hpp"
#include "hooks/service/card_builder.hpp"
#include "hooks/service/prefetch_templates.hpp"

namespace ivig::service {

/// The patient id as sent, or "hmac-sha256:<hex>" of it under `key` when a key is configured.
std::string audit_patient(std::string_view patient_id, const std::string& key);

void describe_call(audit::call_record& out, const protocol::cds_request& request, const fhir::patient_record& record,
                   const std::vector<prefetch_template>& templates, const std::vector<checked_order>& checked,
                   const std::vector<protocol::card>& cards, const rules::knowledge& kb, rules::hook_stage stage,
                   const std::string& patient_key);

}  // namespace ivig::service
