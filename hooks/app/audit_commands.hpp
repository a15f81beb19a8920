// hooks/app/audit_commands.hpp: `ivig-cds audit verify|list|show|report|export|purge`.
#pragma once

#include "hooks/app/options.hpp"

namespace ivig::app {

/// Runs the audit command in `o.audit`; returns the process exit code.
int run_audit_command(const options& o);

}  // namespace ivig::app
