// hooks/logging/log.hpp: the service's one log, for the server, the service, the audit store,
// authentication and the command line alike (docs/operations.md, "Logs").
//
// One event is one line: JSON by default (time, level, component, the request's fields when it has
// them, message), or the human text "ivig-cds <component>: <message>" with --log-format text. Lines
// are written by spdlog on a thread of its own from a bounded queue, so that an I/O thread never
// waits for stderr (a slow journald, a full pipe); when the queue is full the oldest lines are
// dropped and counted. What may be logged is the caller's duty: never request bodies, header values,
// tokens, JWTs, patient identifiers or any clinical content; those belong to the audit log alone.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace ivig::logging {

enum class level { info, warning, error };
enum class format { json, text };

/// What an event says about one request, when it is about one. Empty members are left out.
struct request_fields {
  std::string_view request_id{};  ///< the CDS Hooks hookInstance (a UUID the EHR chose; not clinical)
  std::string_view service{};     ///< the CDS service id, e.g. "ivig-order-select"
  unsigned status = 0;            ///< the HTTP status answered; 0: none
  double duration_ms = -1;        ///< how long the request took; negative: not given
};

/// Chooses the format for every later line (the default is JSON). Call it once, early in main().
void set_format(format f);

/// false: every later line is dropped. For the fuzz targets, which run a whole call per input: a line
/// per input would bury libFuzzer's status lines and cost more than some of the calls it reports.
void set_enabled(bool enabled);

/// Queues one event for stderr. Never throws, never blocks on the output.
void log(level lvl, std::string_view component, std::string_view message, const request_fields& fields = {}) noexcept;

/// Lines dropped because the queue was full, since the start.
std::uint64_t dropped_lines();

/// The text of one event's line, without the newline (what log() queues; for tests).
std::string format_line(format f, std::chrono::system_clock::time_point at, level lvl, std::string_view component,
                        std::string_view message, const request_fields& fields);

}  // namespace ivig::logging
