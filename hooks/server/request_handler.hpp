// hooks/server/request_handler.hpp: what the HTTP transport asks of the application.
//
// The server owns sockets, limits, deadlines and routing; it knows nothing of IVIg or CDS Hooks
// semantics. Once a request is routed it calls exactly one of these methods. Implementations must
// be thread-safe: the server calls them from several threads at once.
//
// The cheap endpoints (discovery, health, readiness) answer by returning. Service calls, feedback
// and rejections answer through a reply_sink, from any thread and at any later time, so that the
// application never makes an I/O thread wait for a disk or a network (the audit commit, a FHIR
// fetch): it does its work, hands the record to the audit log, and sends from the log's completion.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hooks/server/request_authenticator.hpp"

namespace ivig::server {

/// A complete HTTP response produced by the application.
struct http_reply {
  unsigned status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
};

/// Completes one request exactly once, from any thread. Copies share one state: the first send()
/// or fail() wins and later ones are ignored. If every copy is destroyed unsent (a handler that lost
/// its call), `if_dropped()` is delivered as a failure rather than leaving the request hanging.
class reply_sink {
 public:
  /// Receives the reply; `failed` when it is a failure answer (fail(), or the sink was dropped).
  using deliver_function = std::function<void(http_reply reply, bool failed)>;
  using fallback_function = std::function<http_reply()>;

  reply_sink(deliver_function deliver, fallback_function if_dropped)
      : state_(std::make_shared<state>(std::move(deliver), std::move(if_dropped))) {}

  /// The handler's answer.
  void send(http_reply reply) const { finish(std::move(reply), false); }
  /// An answer that reports a failure of the handler (the router's 500 when a handler throws).
  void fail(http_reply reply) const { finish(std::move(reply), true); }

 private:
  void finish(http_reply reply, bool failed) const {
    if (state_->sent.exchange(true)) return;
    // Only the first finish gets here. Delivering releases what the callback holds (the
    // connection): copies of a sink may live on in records long after the reply went out.
    const deliver_function deliver = std::move(state_->deliver);
    state_->if_dropped = nullptr;
    deliver(std::move(reply), failed);
  }

  struct state {
    state(deliver_function d, fallback_function f) : deliver(std::move(d)), if_dropped(std::move(f)) {}
    state(const state&) = delete;
    state& operator=(const state&) = delete;
    ~state() {
      if (sent.exchange(true) || !if_dropped) return;
      try {
        deliver(if_dropped(), true);
      } catch (...) {
        // A destructor must not throw; the connection's deadlines still end the request.
      }
    }
    deliver_function deliver;
    fallback_function if_dropped;
    std::atomic<bool> sent{false};
  };
  std::shared_ptr<state> state_;
};

/// A request the transport answered itself with an error. Never the body, headers or query string.
struct rejection {
  std::string_view method;  ///< empty when the request could not be parsed
  std::string_view path;
  unsigned status = 0;
  std::string_view code;      ///< the stable error code (docs/errors.md)
  std::string_view reason{};  ///< for a 401, the authentication reason code (docs/security.md)
  std::string_view peer{};    ///< the client's address and port
};

class request_handler {
 public:
  virtual ~request_handler() = default;
  /// GET /cds-services
  virtual http_reply discovery() = 0;
  /// POST /cds-services/{id}: `body` is the raw request body (already within the body limit), now
  /// the handler's; `who` made the request (authenticated when the server has an authenticator).
  /// Unknown ids are the handler's to answer (404 unknown-service). Answers via `done`.
  virtual void call_service(const caller& who, std::string_view service_id, std::string body, reply_sink done) = 0;
  /// GET /healthz while the server is not draining: the process is alive.
  virtual http_reply health() = 0;
  /// POST /cds-services/{id}/feedback (CDS Hooks 2.0 feedback). Unknown ids are the handler's.
  virtual void feedback(const caller& who, std::string_view service_id, std::string body, reply_sink done) = 0;
  /// GET /readyz while the server is not draining: the service can do its whole job (for example,
  /// its audit store is writable); 503 otherwise.
  virtual http_reply readiness() = 0;
  /// A request the transport answered with an error (404 route, 405, 413, 415, 431, 408, 400
  /// http-malformed, 500, 503), so that the application can record it: it sends `reply` (the
  /// transport's answer, which it may extend with headers) through `done` once recorded.
  virtual void rejected(const rejection& what, http_reply reply, reply_sink done) = 0;
  /// POST /admin/reload from a loopback peer, and SIGHUP: the application reads its data again (the
  /// knowledge bundle) and switches to it if it is valid; calls already running finish on what they
  /// started with. May read files: the server runs it on a worker thread when it has them.
  virtual void reload(reply_sink done) = 0;
};

}  // namespace ivig::server
