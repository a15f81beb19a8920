// hooks/audit/audit_event_export.hpp: the audit log as FHIR R4 AuditEvent resources, one per line.
//
// Owns the mapping from a recorded call to an AuditEvent (docs/audit.md has the table). It reads each
// call's chained payload, not the query tables, so the export carries what the hash chain seals.
#pragma once

#include <ostream>
#include <string>

namespace ivig::audit {

/// Writes one AuditEvent (compact JSON and "\n") per call received in [from, to), in seq order; an
/// empty bound is open. Throws store_error when the file cannot be read.
void export_audit_events(const std::string& path, const std::string& from, const std::string& to, std::ostream& out);

/// The same, as a string (tests, small periods).
std::string export_audit_events(const std::string& path, const std::string& from, const std::string& to);

}  // namespace ivig::audit
