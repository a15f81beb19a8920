// hooks/server/server_stats.hpp: the transport's counters, declared in one block.
//
// Every counter is a monotonically increasing std::atomic<std::uint64_t>, bumped with relaxed
// ordering from any I/O thread. snapshot() copies them into plain integers so that tests can assert
// them by value and a metrics exporter can walk them by name (for_each). The list below is the only
// place a counter is declared; the atomic block and the snapshot are both generated from it.
#pragma once

#include <atomic>
#include <cstdint>
#include <string_view>

// X(name, help). Counts of responses are taken when a response is queued, so they are already
// visible to a client that has received it; responses_written and continues_written are taken
// after the write completes. An interim 100 Continue is not a response in any other counter.
#define IVIG_SERVER_COUNTERS(X)                                                                        \
  X(connections_accepted, "TCP connections accepted")                                                  \
  X(connections_closed, "connections whose session has ended")                                         \
  X(connections_refused_draining, "connections accepted after stop() began, closed at once")           \
  X(connections_force_closed, "connections still open when drain_timeout expired")                     \
  X(requests_total, "complete requests read and routed")                                               \
  X(responses_2xx, "2xx responses queued")                                                             \
  X(responses_3xx, "3xx responses queued")                                                             \
  X(responses_4xx, "4xx responses queued")                                                             \
  X(responses_5xx, "5xx responses queued")                                                             \
  X(responses_written, "responses completely written to the socket")                                   \
  X(continues_written, "interim 100 Continue responses written to clients that sent Expect")           \
  X(rejected_body_too_large, "requests answered 413: body over body_limit")                            \
  X(rejected_headers_too_large, "requests answered 431: headers over header_limit")                    \
  X(rejected_http_malformed, "requests answered 400: not parseable as HTTP/1.1")                       \
  X(rejected_framing, "requests answered 400 or 417 for framing: Transfer-Encoding, Host, Expect")     \
  X(rejected_draining, "requests answered 503 because the server is draining")                         \
  X(request_timeouts, "partial requests answered 408 at read_timeout")                                 \
  X(idle_timeouts, "connections closed silently after sending nothing before the deadline")            \
  X(write_timeouts, "connections closed because a response was not written within write_timeout")      \
  X(handler_exceptions, "requests answered 500 because the request handler failed")                    \
  X(tls_handshake_failures, "TLS connections closed because their handshake failed or timed out")      \
  X(rejected_connection_limit, "connections answered 503 at accept: over max_connections or per peer") \
  X(accept_failures, "accepts that failed (file descriptors exhausted, ...), retried")

namespace ivig::server {

/// Plain copies of the counters at one moment.
struct server_stats_snapshot {
#define IVIG_SERVER_SNAPSHOT_FIELD(name, help) std::uint64_t name = 0;
  IVIG_SERVER_COUNTERS(IVIG_SERVER_SNAPSHOT_FIELD)
#undef IVIG_SERVER_SNAPSHOT_FIELD

  friend bool operator==(const server_stats_snapshot&, const server_stats_snapshot&) = default;
};

struct server_stats {
#define IVIG_SERVER_ATOMIC_FIELD(name, help) std::atomic<std::uint64_t> name{0};
  IVIG_SERVER_COUNTERS(IVIG_SERVER_ATOMIC_FIELD)
#undef IVIG_SERVER_ATOMIC_FIELD

  /// Adds one to `counter` (relaxed: counters order nothing).
  static void bump(std::atomic<std::uint64_t>& counter) {
    counter.fetch_add(1, std::memory_order_relaxed);
  }

  [[nodiscard]] server_stats_snapshot snapshot() const {
    server_stats_snapshot s;
#define IVIG_SERVER_COPY_FIELD(name, help) s.name = name.load(std::memory_order_relaxed);
    IVIG_SERVER_COUNTERS(IVIG_SERVER_COPY_FIELD)
#undef IVIG_SERVER_COPY_FIELD
    return s;
  }

  /// Calls f(name, help, value) for every counter, in declaration order.
  template <class F>
  void for_each(F&& f) const {
#define IVIG_SERVER_VISIT_FIELD(name, help) \
  f(std::string_view(#name), std::string_view(help), name.load(std::memory_order_relaxed));
    IVIG_SERVER_COUNTERS(IVIG_SERVER_VISIT_FIELD)
#undef IVIG_SERVER_VISIT_FIELD
  }
};

}  // namespace ivig::server
