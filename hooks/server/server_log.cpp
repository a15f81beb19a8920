// hooks/server/server_log.cpp: the transport's log lines, as events of the service's one log.
//
// Deciding what may be logged is the caller's job (see the header).
#include "hooks/server/server_log.hpp"

#include "hooks/logging/log.hpp"

namespace ivig::server {

void log_line(std::string_view message) noexcept {
  logging::log(logging::level::info, "server", message);
}

void log_warning(std::string_view message) noexcept {
  logging::log(logging::level::warning, "server", message);
}

void log_error(std::string_view message) noexcept {
  logging::log(logging::level::error, "server", message);
}

}  // namespace ivig::server
