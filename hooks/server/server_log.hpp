// hooks/server/server_log.hpp: the transport's only output channel, one line to stderr.
//
// Used for server lifecycle (listening, draining, stopped) and for unexpected errors. Callers must
// never pass request bodies, header values (above all Authorization) or paths: the log is not the
// audit trail and must not carry tokens or clinical content.
#pragma once

#include <string_view>

namespace ivig::server {

/// Writes "ivig-cds server: <message>\n" to stderr in one call, so that lines from several I/O
/// threads do not interleave.
void log_line(std::string_view message) noexcept;

}  // namespace ivig::server
