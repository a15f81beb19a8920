// hooks/audit/audit_event_export.hpp: the audit log as FHIR R4 AuditEvent resources, one per line.
//
// Owns the mapping from a recorded call to an AuditEvent (docs/audit.md has the table). It reads each
// call's chained payload, not the query tables, so the export carries what the hash chain seals.
#pragma once

#include <ostream>
#include <string>

namespace ivig::audit {

class audit_reader;

/// Writes one AuditEvent (compact JSON and "\n") per call of either store (audit_reader.hpp) received
/// in [from, to), oldest first. Its id is "ivig-cds-audit-<seq>" on SQLite and names the chain on
/// PostgreSQL, "ivig-cds-audit-<chain>-<seq>" (docs/audit.md). Throws store_error when it cannot read.
void export_audit_events(audit_reader& reader, const std::string& from, const std::string& to, std::ostream& out);

/// On the SQLite file at `path`: writes one AuditEvent (compact JSON and "\n") per call received in [from, to), in seq
/// order; an empty bound is open. Throws store_error when the file cannot be read.
void export_audit_events(const std::string& path, const std::string& from, const std::string& to, std::ostream& out);

/// The same, as a string (tests, small periods).
std::string export_audit_events(audit_reader& reader, const std::string& from, const std::string& to);
std::string export_audit_events(const std::string& path, const std::string& from, const std::string& to);

}  // namespace ivig::audit
