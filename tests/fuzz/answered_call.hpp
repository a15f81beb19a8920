// tests/fuzz/answered_call.hpp: the check the service-level fuzz targets share — a call through the
// service (null audit sink, so it completes before returning) must have answered, and below 500.
// The service's log is switched off: one event per input would bury libFuzzer's status lines.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <utility>

#include "hooks/logging/log.hpp"
#include "hooks/server/request_handler.hpp"

namespace ivig::fuzz {

/// Runs `call(sink)`; a call that did not answer at once, or answered 5xx, is a finding: abort.
template <class Call>
void expect_answered_below_500(Call&& call) {
  static const bool log_off = (logging::set_enabled(false), true);
  (void)log_off;
  server::http_reply reply;
  bool replied = false;
  std::forward<Call>(call)(server::reply_sink(
      [&](server::http_reply r, bool) {
        reply = std::move(r);
        replied = true;
      },
      [] {
        return server::http_reply{500, "dropped", "text/plain", {}};
      }));
  if (!replied || reply.status >= 500) {
    std::fprintf(stderr, "status %u: %s\n", reply.status, reply.body.c_str());
    std::abort();
  }
}

}  // namespace ivig::fuzz
