// hooks/app/audit_commands.hpp: `ivig-cds audit verify|list|show|report|export|purge`.
#pragma once

#include <memory>
#include <string>

#include "hooks/app/options.hpp"
#include "hooks/audit/audit_reader.hpp"

namespace ivig::app {

/// The reader of the log the options name: the PostgreSQL database of --audit-url (every chain), else
/// the SQLite file of --audit-path. Throws store_error when it cannot be opened.
std::unique_ptr<audit::audit_reader> open_audit_reader(const options& o);

/// The log as messages name it: the file's path, or the URL with any password hidden.
std::string audit_log_name(const options& o);

/// Runs the audit command in `o.audit`; returns the process exit code.
int run_audit_command(const options& o);

}  // namespace ivig::app
