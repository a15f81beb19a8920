// tests/support/audit_entries.hpp: the audit log's records as SQLite itself reads them back, for tests
// that check what a request left in the log (not through the service's own queries).
#pragma once

#include <string>
#include <vector>

#include "hooks/audit/audit_sink.hpp"

namespace ivig::test {

/// The JSON payloads of the log's entries in seq order; only those of `kind` when it is given.
std::vector<std::string> audit_entry_payloads(const std::string& path, const std::string& kind = {});
/// The call records among them, read back with the audit library's reader.
std::vector<audit::call_record> audit_calls(const std::string& path);

}  // namespace ivig::test
