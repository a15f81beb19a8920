// hooks/server/server_log.hpp: the transport's log lines, through the service's one log
// (hooks/logging/log.hpp, component "server").
//
// Used for server lifecycle (listening, draining, stopped) and for unexpected errors. Callers must
// never pass request bodies, header values (above all Authorization) or paths: the log is not the
// audit trail and must not carry tokens or clinical content.
#pragma once

#include <string_view>

namespace ivig::server {

/// Lifecycle: listening, draining, stopped, reloads.
void log_line(std::string_view message) noexcept;
/// Something went wrong that the server absorbed (a failed accept, a dropped connection).
void log_warning(std::string_view message) noexcept;
/// A defect: a handler threw, dropped its reply, or returned what cannot be sent.
void log_error(std::string_view message) noexcept;

}  // namespace ivig::server
