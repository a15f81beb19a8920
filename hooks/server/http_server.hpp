// hooks/server/http_server.hpp: the HTTP/1.1 listener, its I/O threads and its graceful drain.
//
// http_server owns the io_context, the acceptor, the I/O threads and the set of live sessions. It
// applies server_config, counts into server_stats and hands every routed request to the
// application's request_handler. This header deliberately includes no Boost header: hooks/app
// and tests see only this interface; the Beast machinery lives in the .cpp files.
//
// Lifecycle: construct -> start() -> ... -> stop() -> wait(). The destructor does stop() + wait().
#pragma once

#include <memory>

#include "hooks/server/request_authenticator.hpp"
#include "hooks/server/request_handler.hpp"
#include "hooks/server/server_config.hpp"
#include "hooks/server/server_stats.hpp"

namespace ivig::server {

class http_server {
 public:
  /// `handler` must outlive the server and be callable from several I/O threads at once; so must
  /// `authenticator`, which when set decides every discovery, service and feedback request first.
  http_server(server_config config, request_handler& handler, request_authenticator* authenticator = nullptr);
  ~http_server();
  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  /// Validates the config (std::invalid_argument), loads the TLS certificate when configured
  /// (std::runtime_error), binds and listens (std::system_error whose
  /// what() names the address and port, e.g. when the address is in use or not an IP address),
  /// then starts config.threads I/O threads. Returns the bound port (useful with port 0).
  /// May be called once.
  unsigned short start();

  /// Begins a graceful drain and returns without waiting for it: stops accepting (new connections
  /// are refused once stop() returns), lets in-flight requests finish and be written with
  /// `Connection: close`, answers requests that arrive meanwhile on open connections with 503
  /// service-draining, closes idle keep-alive connections, and force-closes whatever is left after
  /// drain_timeout. Idempotent; a no-op before start(). Safe from any thread, including a handler.
  void stop();

  /// Blocks until every I/O thread has exited, which happens only after stop() and the drain.
  /// Must not be called from an I/O thread (a request handler).
  void wait();

  /// Installs SIGINT and SIGTERM handling, blocks until one arrives (or stop() is called), drains
  /// and returns after wait(); SIGHUP reloads the TLS certificate (with TLS) and asks the handler to
  /// reload (request_handler::reload, on a worker thread). For main(), after start().
  void run_until_signal();

  /// Reads the TLS certificate and key files again (SIGHUP does this under run_until_signal): new
  /// connections get the new certificate, open ones keep theirs. Returns the problem, empty on success;
  /// on failure the old certificate stays in use. A no-op (empty) without TLS.
  std::string reload_tls();

  /// True from the moment stop() is called.
  [[nodiscard]] bool draining() const;

  [[nodiscard]] const server_stats& stats() const;

 private:
  /// Waits for the next signal of the set run_until_signal installed (again after each SIGHUP).
  void wait_for_signal();
  /// SIGHUP's request_handler::reload, dispatched like a call.
  void reload_handler();
  struct state;
  std::unique_ptr<state> state_;
};

}  // namespace ivig::server
