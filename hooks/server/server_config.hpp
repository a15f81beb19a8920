// hooks/server/server_config.hpp: the limits and deadlines of the HTTP transport.
//
// One plain struct that hooks/app fills from the configuration file, plus validate(), which checks
// every constraint before a port is opened. Every limit here bounds what one hostile or broken
// client can cost the process (memory, file descriptors, thread time); the defaults suit an EHR on
// the same network calling with bodies of up to a few hundred kilobytes.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "hooks/server/request_handler.hpp"

namespace ivig::server {

/// One response as the transport queues it, for an observer that counts (the application's metrics).
struct response_observation {
  /// The route template the request matched ("/cds-services/{id}"), "other" for a path no route
  /// matches, empty for a request that could not be read (malformed, too large): never a raw path.
  std::string_view route;
  std::string_view method;  ///< as sent (at most 16 characters), empty when the request could not be read
  unsigned status = 0;
  /// From the request read (its routing) to its response queued, on steady_now.
  std::chrono::nanoseconds duration{0};
};

/// Which endpoints a listener serves.
enum class listener_kind {
  /// The CDS Hooks endpoints, /healthz and /readyz, through the request_handler.
  cds_hooks,
  /// GET /metrics only, answered by server_config::metrics; everything else 404 or 405, and the
  /// request_handler is never called (nothing on this listener reaches the audit log).
  metrics,
};

struct server_config {
  /// IP address to listen on (IPv4 or IPv6 literal; no host names, so start() never blocks on DNS).
  std::string address = "127.0.0.1";
  /// TCP port; 0 asks the kernel for a free one (tests), which start() returns.
  unsigned short port = 8080;
  /// I/O threads running the io_context. Request handlers run on them too, unless worker_threads.
  unsigned threads = 2;
  /// Threads that run service and feedback calls (parse, evaluate, cards) off the I/O threads; 0 runs
  /// them on the I/O thread that read the request. On by default so that the I/O threads stay free
  /// for /healthz and /readyz while heavy calls run: with calls on the I/O threads a probe waits
  /// behind every queued heavy call (docs/reliability.md, "Health while heavy calls run"). A fixed
  /// number, not the hardware's: in a container the CPU limit, not the core count the process sees,
  /// is what the workers share, and each running call holds its request's memory.
  unsigned worker_threads = 2;
  /// Largest request body accepted; a larger one is answered 413 body-too-large.
  std::uint64_t body_limit = 16U * 1024U * 1024U;
  /// Largest request line plus headers; larger is answered 431 headers-too-large.
  std::uint32_t header_limit = 16U * 1024U;
  /// Deadline for receiving one whole request once its first byte has arrived (and for the first
  /// byte of a connection's first request). Expiry after a partial request: 408 request-timeout.
  std::chrono::milliseconds read_timeout{10'000};
  /// Deadline for writing one response; a client that stops reading is disconnected.
  std::chrono::milliseconds write_timeout{10'000};
  /// How long a kept-alive connection may wait, with nothing in progress, for its next request.
  std::chrono::milliseconds idle_timeout{30'000};
  /// Responses one connection may have queued (pipelining) before the server stops reading from it.
  std::size_t pipeline_limit = 8;
  /// After stop(), how long in-flight requests may take before their connections are force-closed
  /// (0: at once).
  std::chrono::milliseconds drain_timeout{10'000};
  /// Initial capacity of each connection's read buffer: a default flat_buffer reads 512 bytes at a
  /// time, which is about ten times slower on 80 KB bodies.
  std::size_t read_buffer_reserve = 64U * 1024U;
  /// Browser origins allowed to call the service (CORS), exactly as a browser sends them
  /// ("https://sandbox.cds-hooks.org"), or "*" for any. Empty: no Access-Control-Allow-Origin at all,
  /// so browsers refuse every cross-origin answer (server-to-server EHR calls are unaffected).
  std::vector<std::string> cors_origins;
  /// HTTPS: the PEM certificate chain and private key. Both set: the listener speaks only TLS (1.2+);
  /// neither: plain HTTP (loopback, or behind a TLS-terminating proxy). SIGHUP reloads them.
  std::string tls_certificate_file;
  std::string tls_key_file;
  /// Connections open at once, in all and from one client address. A connection over either cap is
  /// answered 503 too-many-connections (Retry-After) and closed at accept, before it costs a session.
  std::size_t max_connections = 10'000;
  std::size_t max_connections_per_peer = 512;
  /// A connection older than this gets `Connection: close` on its next response, so that no client
  /// holds one for ever (idle ones are closed sooner, by idle_timeout).
  std::chrono::milliseconds max_connection_lifetime{600'000};
  /// The clock of connection lifetimes; injected by tests.
  std::function<std::chrono::steady_clock::time_point()> steady_now = [] { return std::chrono::steady_clock::now(); };
  /// Told of every response when it is queued, on an I/O thread (so before the client can have it);
  /// must be cheap and thread-safe. Unset: nothing is told.
  std::function<void(const response_observation&)> on_response;
  listener_kind kind = listener_kind::cds_hooks;
  /// The answer to GET /metrics on a metrics listener (required there, unused elsewhere).
  std::function<http_reply()> metrics;
};

/// Throws std::invalid_argument naming the first field that breaks its constraint.
void validate(const server_config& config);

}  // namespace ivig::server
