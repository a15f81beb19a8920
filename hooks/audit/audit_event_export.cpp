// hooks/audit/audit_event_export.cpp: call payload -> FHIR R4 AuditEvent (NDJSON).
//
// The mapping is in one function per part (agents, entities); docs/audit.md has it as a table. It reads
// the chained payload of each call, never the query tables, and writes nothing.
#include "hooks/audit/audit_event_export.hpp"

#include <cstdint>
#include <optional>
#include <sstream>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "hooks/audit/audit_reader.hpp"
#include "hooks/audit/record_json.hpp"
#include "hooks/audit/sqlite_db.hpp"

namespace ivig::audit {
namespace {

using json_writer = rapidjson::Writer<rapidjson::StringBuffer>;

void str(json_writer& w, const char* key, const std::string& value) {
  w.Key(key);
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

void coding(json_writer& w, const char* key, const char* system, const char* code, const char* display) {
  w.Key(key);
  w.StartObject();
  w.Key("system");
  w.String(system);
  w.Key("code");
  w.String(code);
  w.Key("display");
  w.String(display);
  w.EndObject();
}

void identifier(json_writer& w, const char* system, const std::string& value) {
  w.Key("what");
  w.StartObject();
  w.Key("identifier");
  w.StartObject();
  w.Key("system");
  w.String(system);
  str(w, "value", value);
  w.EndObject();
  w.EndObject();
}

// AuditEvent.outcome: 0 success, 4 minor failure (the client's fault, 4xx), 8 serious failure (ours, 5xx).
const char* outcome_code(unsigned http_status) {
  if (http_status >= 500) return "8";
  if (http_status >= 400) return "4";
  return "0";
}

// A FHIR id ([A-Za-z0-9\-\.]{1,64}) becomes a Patient reference; anything else (a keyed hash) is only
// an identifier, since it names no resource.
bool is_fhir_id(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (const char c : id) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

void agents(json_writer& w, const call_record& call) {
  w.Key("agent");
  w.StartArray();
  w.StartObject();  // the user who triggered the hook
  w.Key("who");
  w.StartObject();
  if (call.user_id.empty()) {
    w.Key("display");
    w.String("unknown user");
  } else {
    str(w, "reference", call.user_id);
  }
  w.EndObject();
  w.Key("requestor");
  w.Bool(true);
  w.EndObject();
  if (!call.client_iss.empty()) {  // the CDS client application, by its JWT issuer
    w.StartObject();
    w.Key("type");
    w.StartObject();
    w.Key("coding");
    w.StartArray();
    w.StartObject();
    w.Key("system");
    w.String("http://dicom.nema.org/resources/ontology/DCM");
    w.Key("code");
    w.String("110150");
    w.Key("display");
    w.String("Application");
    w.EndObject();
    w.EndArray();
    w.EndObject();
    w.Key("who");
    w.StartObject();
    w.Key("identifier");
    w.StartObject();
    w.Key("system");
    w.String("urn:ietf:rfc:3986");
    str(w, "value", call.client_iss);
    w.EndObject();
    w.EndObject();
    w.Key("requestor");
    w.Bool(false);
    w.EndObject();
  }
  w.EndArray();
}

void entities(json_writer& w, const call_record& call) {
  constexpr const char* entity_type = "http://terminology.hl7.org/CodeSystem/audit-entity-type";
  constexpr const char* object_role = "http://terminology.hl7.org/CodeSystem/object-role";
  if (call.patient.empty() && call.hook_instance.empty() && call.cards.empty()) return;  // FHIR: no empty arrays
  w.Key("entity");
  w.StartArray();
  if (!call.patient.empty()) {
    w.StartObject();
    if (is_fhir_id(call.patient)) {
      w.Key("what");
      w.StartObject();
      str(w, "reference", "Patient/" + call.patient);
      w.EndObject();
    } else {
      identifier(w, "urn:ivig-cds:audit-patient", call.patient);
    }
    coding(w, "type", entity_type, "1", "Person");
    coding(w, "role", object_role, "1", "Patient");
    w.EndObject();
  }
  if (!call.hook_instance.empty()) {
    w.StartObject();
    identifier(w, "urn:ivig-cds:hook-instance", call.hook_instance);
    coding(w, "type", entity_type, "2", "System Object");
    coding(w, "role", object_role, "24", "Query");
    str(w, "name", call.hook);
    w.EndObject();
  }
  for (const card_record& card : call.cards) {
    w.StartObject();
    identifier(w, "urn:ivig-cds:card", card.uuid);
    coding(w, "type", entity_type, "2", "System Object");
    coding(w, "role", object_role, "3", "Report");
    str(w, "description", card.summary);
    w.Key("detail");
    w.StartArray();
    w.StartObject();
    w.Key("type");
    w.String("indicator");
    str(w, "valueString", card.indicator);
    w.EndObject();
    std::string rules;
    for (const std::string& id : card.rule_ids) rules += (rules.empty() ? "" : " ") + id;
    w.StartObject();
    w.Key("type");
    w.String("rules");
    str(w, "valueString", rules);
    w.EndObject();
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
}

/// "ivig-cds-audit-<seq>", or "ivig-cds-audit-<chain>-<seq>" when the chain is named (PostgreSQL: seqs
/// repeat across chains). A FHIR id is [A-Za-z0-9.-]{1,64}: any other character of the chain is a '.'.
std::string event_id(const entry_ref& at) {
  std::string chain;
  for (const char c : at.chain_id) {
    const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    chain += allowed ? c : '.';
  }
  return "ivig-cds-audit-" + (chain.empty() ? "" : chain + "-") + std::to_string(at.seq);
}

std::string audit_event(const entry_ref& at, const call_record& call) {
  rapidjson::StringBuffer buffer;
  json_writer w(buffer);
  w.StartObject();
  w.Key("resourceType");
  w.String("AuditEvent");
  str(w, "id", event_id(at));
  coding(w, "type", "http://dicom.nema.org/resources/ontology/DCM", "110112", "Query");
  w.Key("subtype");
  w.StartArray();
  w.StartObject();
  w.Key("system");
  w.String("urn:ivig-cds:service");
  str(w, "code", call.service_id);
  w.EndObject();
  w.EndArray();
  w.Key("action");
  w.String("E");
  str(w, "recorded", call.received_at);
  w.Key("outcome");
  w.String(outcome_code(call.http_status));
  if (!call.error_code.empty()) str(w, "outcomeDesc", call.error_code);
  agents(w, call);
  w.Key("source");
  w.StartObject();
  w.Key("observer");
  w.StartObject();
  w.Key("display");
  w.String("ivig-cds");
  w.EndObject();
  w.EndObject();
  entities(w, call);
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace

void export_audit_events(audit_reader& reader, const std::string& from, const std::string& to, std::ostream& out) {
  reader.for_each_call(from, to, false, [&](const entry_ref& at, const std::string& payload) {
    const std::optional<call_record> call = call_from_json(payload);
    if (!call) throw store_error("audit export: the payload of seq " + entry_label(at) + " is unreadable", 1);
    out << audit_event(at, *call) << '\n';
  });
}

void export_audit_events(const std::string& path, const std::string& from, const std::string& to, std::ostream& out) {
  export_audit_events(*sqlite_reader(path), from, to, out);
}

std::string export_audit_events(audit_reader& reader, const std::string& from, const std::string& to) {
  std::ostringstream out;
  export_audit_events(reader, from, to, out);
  return out.str();
}

std::string export_audit_events(const std::string& path, const std::string& from, const std::string& to) {
  std::ostringstream out;
  export_audit_events(path, from, to, out);
  return out.str();
}

}  // namespace ivig::audit
