// hooks/server/server_log.cpp: one-line stderr logging for the transport.
//
// Formats and writes the line; deciding what may be logged is the caller's job (see the header).
#include "hooks/server/server_log.hpp"

#include <cstdio>
#include <string>

namespace ivig::server {

void log_line(std::string_view message) noexcept {
  try {
    std::string line = "ivig-cds server: ";
    line.append(message);
    line.push_back('\n');
    // A single fwrite on an unbuffered stream is one write(2), so concurrent lines stay whole.
    std::fwrite(line.data(), 1, line.size(), stderr);
  } catch (...) {
    // Logging must never throw into an I/O handler; losing one line under memory pressure is fine.
  }
}

}  // namespace ivig::server
