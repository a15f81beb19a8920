// hooks/server/session.hpp: one HTTP/1.1 connection, from accept to close.
//
// Modelled on Beast's example/advanced/server/advanced_server.cpp: the session owns its stream,
// read buffer, a fresh request parser per message and a bounded queue of responses, and runs
// do_read -> on_read_header -> on_read -> route -> queue -> do_write -> on_write on the
// connection's strand, so none of its state needs a lock. It enforces the per-connection limits
// and deadlines of server_config, turns parse failures into OperationOutcome answers (400, 408,
// 413, 431), keeps connections alive and pipelined in order, and takes part in the server's
// graceful drain. A request is handed to the router with a slot reserved in the response queue;
// its reply may come back later from another thread (the application answers service calls only
// once their audit record is in the log), and is posted onto the strand into that slot, so
// responses still leave in request order. The header is read before the body so that a client sending Expect:
// 100-continue (curl above 1 MB, several .NET and Java clients) gets its interim 100 Continue
// instead of waiting a second for it, and so that a request rejected on its header alone (413,
// 431) is answered without inviting the body. It must not know any CDS Hooks semantics:
// everything after parsing goes through route().
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "hooks/protocol/error.hpp"
#include "hooks/server/request_handler.hpp"
#include "hooks/server/router.hpp"
#include "hooks/server/server_config.hpp"
#include "hooks/server/server_stats.hpp"

namespace ivig::server {

class session_registry;

/// What every session shares with its server. Everything referred to outlives every session.
struct session_environment {
  const server_config& config;
  request_handler& handler;
  /// Where the router runs service and feedback calls: in place, or on the worker pool.
  const handler_dispatch& dispatch;
  server_stats& stats;
  const std::atomic<bool>& draining;
  session_registry& registry;
  /// Null: every caller proceeds unauthenticated (known only by its address).
  request_authenticator* authenticator = nullptr;
};

/// What the server and its registry see of a connection, plain or TLS.
class session : public std::enable_shared_from_this<session> {
 public:
  session() = default;
  virtual ~session() = default;
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  /// Starts serving requests (after the TLS handshake, on TLS). Thread-safe (posts onto the
  /// strand), as are the two below.
  virtual void start() = 0;
  /// The server began draining: finish what is in flight, then close; close at once if idle.
  virtual void drain() = 0;
  /// The drain deadline passed: close the socket now, abandoning whatever is in flight.
  virtual void force_close() = 0;
};

/// One connection over `Stream`: boost::beast::tcp_stream (HTTP) or ssl_stream<tcp_stream> (HTTPS).
/// Both are instantiated in session.cpp; what differs is the handshake, how an idle connection waits
/// for its next request, the close (TLS sends close_notify) and the HSTS header.
template <class Stream>
class basic_session final : public session {
 public:
  static constexpr bool is_tls = !std::is_same_v<Stream, boost::beast::tcp_stream>;

  /// `socket` must use a strand executor: every handler of this session runs on it. `tls` is the
  /// certificate context for an HTTPS connection (kept alive by the session across a reload), null
  /// for HTTP.
  basic_session(boost::asio::ip::tcp::socket&& socket, session_environment env,
                std::shared_ptr<boost::asio::ssl::context> tls);
  ~basic_session() override;

  void start() override;
  void drain() override;
  void force_close() override;

 private:
  using response = boost::beast::http::response<boost::beast::http::string_body>;

  /// One answer owed to the client, in request order; `message` is set once its reply is known.
  struct owed_response {
    std::uint64_t seq = 0;
    unsigned version = 11;
    bool keep_alive = true;
    std::string origin;  ///< the request's Origin header (CORS), empty when it had none
    std::optional<response> message;
    // For server_config::on_response: the route template (static text), the method as sent, and
    // when the request was read.
    std::string_view route{};
    std::string method{};
    std::chrono::steady_clock::time_point read_at{};
  };

  /// What read-side operation is pending on the socket. At most one at a time.
  enum class read_op {
    none,
    wait,       // waiting for the first byte of the next request (idle deadline)
    request,    // reading one request with the parser, header then body (read deadline)
    interim,    // header read; its 100 Continue is queued or being written, then the body is read
    discard,    // lingering close: reading and discarding until the peer closes (TLS: close_notify)
    handshake,  // TLS: the handshake, under the read deadline
  };

  std::shared_ptr<basic_session> self() { return std::static_pointer_cast<basic_session>(shared_from_this()); }
  boost::beast::tcp_stream& lowest() { return boost::beast::get_lowest_layer(stream_); }
  static Stream make_stream(boost::asio::ip::tcp::socket&& socket, boost::asio::ssl::context* tls);
  void on_handshake(boost::beast::error_code ec);

  void do_read();
  /// A read completed while lingering: keep discarding until the peer closes (or an error).
  void continue_lingering(boost::beast::error_code ec);
  void on_readable(boost::beast::error_code ec);
  void start_request_read();
  void on_read_header(boost::beast::error_code ec);
  void read_body();
  void on_read(boost::beast::error_code ec);
  void handle_read_error(boost::beast::error_code ec);
  void handle_request();
  void on_routed(std::uint64_t seq, const std::string& method, const std::string& path, route_outcome out);
  void answer_rejection(std::uint64_t seq, std::string_view method, std::string_view target, http_reply reply,
                        protocol::error_code code, std::string_view reason = {});
  void reject(protocol::error_code code, std::string_view diagnostics, std::atomic<std::uint64_t>& counter);
  std::uint64_t owe_response(unsigned version, bool keep_alive);
  void fill_response(std::uint64_t seq, http_reply reply);
  /// What a call out of the session (to the application, the audit log, a FHIR fetch) holds: the
  /// session, and I/O work so that the I/O threads and their io_context outlive it. Members are
  /// destroyed in reverse order, so the session always goes before the work: the last holder may
  /// be another thread (the audit writer) after the reply was sent, and a session destroyed once
  /// the io_context is gone would touch its freed strand and socket service. The work is counted on
  /// the io_context's own executor, not the session's strand: a guard releases its work and then
  /// destroys its executor, and a strand's destructor, run after the I/O threads may have left,
  /// would lock the freed strand service (ASan + UBSan found it in AuditFaultMatrix).
  struct call_hold {
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work;
    std::shared_ptr<basic_session> self;
  };
  std::shared_ptr<const call_hold> hold_for_call();
  /// A reply_sink whose reply is posted onto the strand into slot `seq` (keeping the I/O threads
  /// running until it arrives).
  reply_sink reply_into(std::uint64_t seq);
  void do_write();
  void on_write(boost::beast::error_code ec);
  void send_continue_if_due();
  void on_continue_written(boost::beast::error_code ec);
  void handle_write_error(boost::beast::error_code ec);
  void stop_requests();
  void finish_drain_if_idle();
  void begin_close();
  void do_discard();
  void on_discard(boost::beast::error_code ec);
  void arm_read_timer(std::chrono::milliseconds timeout);
  void cancel_read_timer();
  void on_read_timer(boost::beast::error_code ec, std::uint64_t generation);
  void close_socket();
  [[nodiscard]] bool more_requests_pending() const;
  template <class F>
  void guarded(F&& f) noexcept;

  session_environment env_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  Stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  /// Responses owed, in request order; front() is being written when writing_ (unless the interim
  /// 100 Continue is, which starts only on an empty queue). Only a front whose message is set is
  /// written. A deque, because push_back must not move the message an in-progress async_write
  /// refers to.
  std::deque<owed_response> queue_;
  /// The seq the next owed response gets; queue_.front().seq + i is the seq of queue_[i].
  std::uint64_t next_seq_ = 0;
  /// The interim "HTTP/1.1 100 Continue" with no fields, built once; written while read_op_ is
  /// interim, after the final responses to the requests before it (the order HTTP/1.1 requires).
  boost::beast::http::response<boost::beast::http::empty_body> continue_response_;
  /// Deadline of the pending read-side operation (the stream's own timer closes the socket on
  /// expiry, which would make a 408 answer impossible, so it is used for writes only).
  boost::asio::steady_timer read_timer_;
  /// Incremented whenever read_timer_ is re-armed or cancelled, so a stale expiry is ignored.
  std::uint64_t timer_generation_ = 0;
  read_op read_op_ = read_op::none;
  bool first_request_ = true;
  std::string request_origin_;  ///< Origin of the request being read, once its header is in
  std::string peer_;            ///< the client's address and port, for the audit record
  /// When the connection was accepted (server_config::steady_now), for max_connection_lifetime.
  std::chrono::steady_clock::time_point opened_;
  bool want_requests_ = true;  // false once no further request will be read and answered
  bool writing_ = false;       // a response of queue_ or continue_response_ is being written
  bool closing_ = false;       // our send side is shut down; lingering until the peer closes
  bool closed_ = false;
};

}  // namespace ivig::server
