// hooks/server/session.cpp: the per-connection read/route/write loop, deadlines and close.
//
// Invariants, all on the connection's strand:
//  - at most one read-side operation (read_op_) and one write are pending; the write is of
//    queue_.front() or of the interim 100 Continue of the request being read, which starts only on
//    an empty queue, so responses leave in request order;
//  - read_timeout bounds a whole request, header, interim 100 Continue and body alike:
//    start_request_read arms read_timer_ once and only the end of the request cancels it;
//  - a request is read only while want_requests_ and queue_.size() < pipeline_limit (back-pressure:
//    a client that pipelines without reading its responses stops being read);
//  - a response with keep_alive() == false is the last one queued; after it is written the session
//    shuts down its send side and lingers (discarding input until the peer closes or read_timeout
//    passes), so that the peer reads the whole answer instead of a reset caused by unread input;
//  - closed_ is final: every completion that sees it returns without touching the socket.
#include "hooks/server/session.hpp"

#include <exception>
#include <string>
#include <utility>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "hooks/server/request_framing.hpp"
#include "hooks/server/router.hpp"
#include "hooks/server/server_log.hpp"
#include "hooks/server/session_registry.hpp"

namespace ivig::server {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using protocol::error_code;

std::string_view to_std(beast::string_view s) {
  return {s.data(), s.size()};
}

/// Errors that a client causes routinely by going away; they are not worth a log line.
bool is_ordinary_disconnect(const beast::error_code& ec) {
  return ec == net::error::operation_aborted || ec == net::error::eof || ec == net::error::connection_reset ||
         ec == net::error::connection_aborted || ec == net::error::broken_pipe || ec == net::error::timed_out ||
         ec == net::error::not_connected || ec == net::error::bad_descriptor || ec == net::error::shut_down ||
         ec == beast::error::timeout || ec == net::ssl::error::stream_truncated;
}

bool is_http_parse_error(const beast::error_code& ec) {
  return ec.category() == http::make_error_code(http::error::end_of_stream).category();
}

/// Headers the session owns because they frame the message; a handler must not set them.
bool is_framing_header(beast::string_view name) {
  return beast::iequals(name, "Content-Length") || beast::iequals(name, "Transfer-Encoding") ||
         beast::iequals(name, "Connection");
}

/// Whether the client waits for an interim 100 Continue before it sends the body (RFC 9110
/// 10.1.1). An HTTP/1.0 request's expectation must be ignored; a request without a body, or whose
/// body has begun to arrive (buffered past the header), has nothing left to invite.
bool awaits_continue(const http::request_parser<http::string_body>& parser, std::size_t buffered) {
  const auto& req = parser.get();
  if (req.version() != 11 || parser.is_done() || buffered > 0) return false;
  const auto it = req.find(http::field::expect);
  return it != req.end() && beast::iequals(it->value(), "100-continue");
}

/// CORS on every answer, errors included: a browser shows a script no answer, not even a 401 or a
/// 413, without Access-Control-Allow-Origin. Only for an allowed origin; `Vary: Origin` whenever
/// CORS is configured, so that a cache never hands one origin's answer to another.
void add_cors_headers(http::response<http::string_body>& res, std::string_view origin,
                      const std::vector<std::string>& allowed) {
  if (allowed.empty()) return;
  res.set(http::field::vary, "Origin");
  if (origin.empty()) return;
  for (const std::string& entry : allowed) {
    if (entry == "*") {
      res.set(http::field::access_control_allow_origin, "*");
      return;
    }
    if (entry == origin) {
      res.set(http::field::access_control_allow_origin, beast::string_view(origin.data(), origin.size()));
      return;
    }
  }
}

}  // namespace

template <class Stream>
basic_session<Stream>::basic_session(tcp::socket&& socket, session_environment env,
                                     std::shared_ptr<net::ssl::context> tls)
    : env_(env),
      tls_(std::move(tls)),
      stream_(make_stream(std::move(socket), tls_.get())),
      continue_response_(http::status::continue_, 11),
      read_timer_(stream_.get_executor()) {
  buffer_.reserve(env_.config.read_buffer_reserve);
  opened_ = env_.config.steady_now();
  beast::error_code ec;
  const tcp::endpoint remote = lowest().socket().remote_endpoint(ec);
  if (!ec) {
    const std::string address = remote.address().to_string();
    peer_ = (remote.address().is_v6() ? "[" + address + "]" : address) + ":" + std::to_string(remote.port());
  }
}

template <class Stream>
Stream basic_session<Stream>::make_stream(tcp::socket&& socket, net::ssl::context* tls) {
  if constexpr (is_tls) {
    return Stream(std::move(socket), *tls);
  } else {
    (void)tls;
    return Stream(std::move(socket));
  }
}

template <class Stream>
basic_session<Stream>::~basic_session() {
  server_stats::bump(env_.stats.connections_closed);
  env_.registry.remove(this);
}

template <class Stream>
template <class F>
void basic_session<Stream>::guarded(F&& f) noexcept {
  // No exception may escape into the io_context: it would unwind an I/O thread. A throw here is a
  // defect (or memory exhaustion), so the connection is dropped and the server carries on.
  try {
    f();
  } catch (const std::exception& e) {
    log_error(std::string("connection dropped after an unexpected exception: ") + e.what());
    close_socket();
  } catch (...) {
    log_error("connection dropped after an unexpected non-standard exception");
    close_socket();
  }
}

template <class Stream>
void basic_session<Stream>::start() {
  net::dispatch(stream_.get_executor(), [self = this->self()] {
    self->guarded([&] {
      if constexpr (is_tls) {
        // The handshake is bounded like a request: a client that stalls in it is closed.
        self->read_op_ = read_op::handshake;
        self->arm_read_timer(self->env_.config.read_timeout);
        self->stream_.async_handshake(net::ssl::stream_base::server,
                                      [self](beast::error_code ec) { self->guarded([&] { self->on_handshake(ec); }); });
      } else {
        self->do_read();
      }
    });
  });
}

template <class Stream>
void basic_session<Stream>::on_handshake(beast::error_code ec) {
  if (read_op_ != read_op::handshake) return;
  read_op_ = read_op::none;
  if (closed_) return;
  cancel_read_timer();
  if (ec) {
    // A client that does not trust the certificate, speaks TLS 1.1 or plain HTTP: nothing to answer.
    server_stats::bump(env_.stats.tls_handshake_failures);
    close_socket();
    return;
  }
  do_read();
}

template <class Stream>
void basic_session<Stream>::drain() {
  net::post(stream_.get_executor(), [self = this->self()] { self->guarded([&] { self->finish_drain_if_idle(); }); });
}

template <class Stream>
void basic_session<Stream>::force_close() {
  net::post(stream_.get_executor(), [self = this->self()] {
    self->guarded([&] {
      if (self->closed_) return;
      server_stats::bump(self->env_.stats.connections_force_closed);
      self->close_socket();
    });
  });
}

// ---- reading -------------------------------------------------------------------------------

template <class Stream>
void basic_session<Stream>::do_read() {
  if (closed_ || closing_ || !want_requests_ || read_op_ != read_op::none) return;
  if (queue_.size() >= env_.config.pipeline_limit) return;  // on_write resumes reading
  if (buffer_.size() > 0) {
    start_request_read();  // pipelined bytes of the next request are already here
    return;
  }
  if (env_.draining.load()) {
    stop_requests();  // nothing of a next request has arrived: this connection is done
    return;
  }
  // Wait for the first byte without the parser, so that an idle keep-alive connection gets
  // idle_timeout while a request that has begun gets read_timeout and, if it stalls, a 408.
  read_op_ = read_op::wait;
  arm_read_timer(first_request_ ? env_.config.read_timeout : env_.config.idle_timeout);
  if constexpr (is_tls) {
    // Bytes of the next request may already sit decrypted-to-be inside the TLS engine, where a wait
    // on the socket would not see them: read what there is instead, and give it to the parser.
    stream_.async_read_some(buffer_.prepare(env_.config.read_buffer_reserve),
                            [self = this->self()](beast::error_code ec, std::size_t n) {
                              self->guarded([&] {
                                self->buffer_.commit(n);
                                self->on_readable(ec);
                              });
                            });
  } else {
    lowest().socket().async_wait(tcp::socket::wait_read, [self = this->self()](beast::error_code ec) {
      self->guarded([&] { self->on_readable(ec); });
    });
  }
}

template <class Stream>
void basic_session<Stream>::continue_lingering(beast::error_code ec) {
  if (ec) {
    close_socket();
  } else {
    do_discard();
  }
}

template <class Stream>
void basic_session<Stream>::on_readable(beast::error_code ec) {
  if (read_op_ != read_op::wait) return;
  read_op_ = read_op::none;
  if (closed_) return;
  if (closing_) {  // lingering: keep the linger deadline, discard whatever came
    continue_lingering(ec);
    return;
  }
  cancel_read_timer();
  if (ec) {
    if (!is_ordinary_disconnect(ec)) log_warning("waiting for a request failed: " + ec.message());
    close_socket();
    return;
  }
  if (!want_requests_) return;  // the idle deadline passed while responses were being written
  start_request_read();
}

template <class Stream>
void basic_session<Stream>::start_request_read() {
  read_op_ = read_op::request;
  // A fresh parser per message: limits and state never leak from one request into the next.
  parser_.emplace();
  request_origin_.clear();
  parser_->body_limit(env_.config.body_limit);
  parser_->header_limit(env_.config.header_limit);
  lowest().expires_never();  // read deadlines are read_timer_'s; see the member comment
  arm_read_timer(env_.config.read_timeout);
  // The header alone first: Expect: 100-continue is answered, and a Content-Length over body_limit
  // or an oversized header rejected, before the client sends the body.
  http::async_read_header(stream_, buffer_, *parser_, [self = this->self()](beast::error_code ec, std::size_t) {
    self->guarded([&] { self->on_read_header(ec); });
  });
}

template <class Stream>
void basic_session<Stream>::on_read_header(beast::error_code ec) {
  if (read_op_ != read_op::request) return;
  read_op_ = read_op::none;
  if (closed_) return;
  {
    // Also when the header failed: a 413 for its Content-Length is an answer a browser must see too.
    // The value is only compared with the allowlist.
    const auto& req = parser_->get();
    if (const auto origin = req.find(http::field::origin); origin != req.end())
      request_origin_ = to_std(origin->value()).substr(0, 256);
  }
  if (closing_) {  // lingering: keep the linger deadline, discard whatever came
    continue_lingering(ec);
    return;
  }
  if (!want_requests_ || ec) {  // the request ends here
    cancel_read_timer();
    if (!want_requests_) return;  // this connection was already answered (408) and will close
    first_request_ = false;
    handle_read_error(ec);  // 413 and 431 leave before the client was invited to send the body
    return;
  }
  if (const std::optional<framing_defect> defect = find_framing_defect(parser_->get())) {
    cancel_read_timer();
    first_request_ = false;
    reject(defect->code, defect->diagnostics, env_.stats.rejected_framing);
    return;
  }
  // read_timer_ keeps running: read_timeout bounds the body as well.
  if (awaits_continue(*parser_, buffer_.size())) {
    read_op_ = read_op::interim;
    send_continue_if_due();  // now, or from on_write once the responses before it have left
    return;
  }
  read_body();
}

template <class Stream>
void basic_session<Stream>::read_body() {
  read_op_ = read_op::request;
  // A write started while no read was pending (the 100 Continue, or a response to an earlier
  // request) armed the stream's read deadline too; read deadlines are read_timer_'s.
  lowest().expires_never();
  http::async_read(stream_, buffer_, *parser_, [self = this->self()](beast::error_code ec, std::size_t) {
    self->guarded([&] { self->on_read(ec); });
  });
}

template <class Stream>
void basic_session<Stream>::on_read(beast::error_code ec) {
  if (read_op_ != read_op::request) return;
  read_op_ = read_op::none;
  if (closed_) return;
  if (closing_) {  // lingering: keep the linger deadline, discard whatever came
    continue_lingering(ec);
    return;
  }
  cancel_read_timer();
  if (!want_requests_) return;  // this connection was already answered (408) and will close
  first_request_ = false;
  if (ec) {
    handle_read_error(ec);
    return;
  }
  handle_request();
}

template <class Stream>
void basic_session<Stream>::handle_read_error(beast::error_code ec) {
  const server_config& c = env_.config;
  if (ec == http::error::end_of_stream) {
    stop_requests();  // the client closed between requests: a normal end
    return;
  }
  if (ec == http::error::body_limit) {
    reject(error_code::body_too_large,
           "The body is larger than the limit of " + std::to_string(c.body_limit) + " bytes.",
           env_.stats.rejected_body_too_large);
    return;
  }
  if (ec == http::error::header_limit) {
    reject(error_code::headers_too_large,
           "The request line and headers exceed the limit of " + std::to_string(c.header_limit) + " bytes.",
           env_.stats.rejected_headers_too_large);
    return;
  }
  if (is_http_parse_error(ec)) {
    // Beast's messages ("bad method", "bad Content-Length", …) name the defect, never the content.
    reject(error_code::http_malformed, "The request is not valid HTTP/1.1: " + ec.message() + ".",
           env_.stats.rejected_http_malformed);
    return;
  }
  if (!is_ordinary_disconnect(ec)) log_warning("reading a request failed: " + ec.message());
  close_socket();
}

template <class Stream>
void basic_session<Stream>::handle_request() {
  server_stats& stats = env_.stats;
  server_stats::bump(stats.requests_total);
  auto& req = parser_->get();
  const unsigned version = req.version();
  const bool client_keep_alive = req.keep_alive();

  route_request r;
  r.method = to_std(req.method_string());
  r.target = to_std(req.target());
  if (const auto it = req.find(http::field::content_type); it != req.end()) {
    r.content_type = to_std(it->value());
  }
  if (const auto it = req.find(http::field::authorization); it != req.end()) {
    r.authorization = to_std(it->value());
  }
  r.peer = peer_;
  r.body = std::move(req.body());  // the handler's now: it may answer after the parser is gone

  // A reply that comes later may still be a rejection to record (a handler failure): keep what the
  // audit may see of the request line (never the query string).
  const std::string method(r.method.substr(0, 16));
  const std::string path(r.target.substr(0, r.target.find('?')).substr(0, 256));
  const std::uint64_t seq = owe_response(version, client_keep_alive);
  if (env_.config.on_response) {
    queue_.back().route =
        env_.config.kind == listener_kind::metrics ? std::string_view("/metrics") : route_template(r.target);
    queue_.back().method = method;
  }
  if (env_.config.kind == listener_kind::metrics) {
    // Nothing on a metrics listener reaches the application (or its audit log).
    route_outcome out = route_metrics(r.method, r.target, env_.config.metrics);
    if (out.error == error_code::internal_error) server_stats::bump(env_.stats.handler_exceptions);
    fill_response(seq, std::move(out.reply));
    parser_.reset();
    do_read();
    return;
  }
  std::optional<route_outcome> now = route(
      std::move(r), env_.handler, env_.draining.load(), env_.dispatch,
      [hold = hold_for_call(), seq, method, path](route_outcome out) {
        const auto self = hold->self;
        net::post(self->stream_.get_executor(), [self, seq, method, path, out = std::move(out)]() mutable {
          self->guarded([&] { self->on_routed(seq, method, path, std::move(out)); });
        });
      },
      env_.authenticator);
  if (now) {
    if (now->close_connection) {
      queue_.back().keep_alive = false;
      want_requests_ = false;
    }
    on_routed(seq, method, path, std::move(*now));
  }
  parser_.reset();  // free what is left of the request now rather than at the next read
  do_read();        // pipelining: read the next request while the queue has room
}

template <class Stream>
void basic_session<Stream>::on_routed(std::uint64_t seq, const std::string& method, const std::string& path,
                                      route_outcome out) {
  if (out.error == error_code::service_draining) server_stats::bump(env_.stats.rejected_draining);
  if (out.error == error_code::internal_error) server_stats::bump(env_.stats.handler_exceptions);
  if (!out.error) {
    fill_response(seq, std::move(out.reply));
    return;
  }
  // The router's own errors never reached the application: tell it, so that it can audit them.
  answer_rejection(seq, method, path, std::move(out.reply), *out.error, out.reason);
}

template <class Stream>
void basic_session<Stream>::answer_rejection(std::uint64_t seq, std::string_view method, std::string_view path,
                                             http_reply reply, error_code code, std::string_view reason) {
  if (env_.config.kind == listener_kind::metrics) {
    fill_response(seq, std::move(reply));
    return;
  }
  const rejection what{method, path, reply.status, protocol::describe(code).code, reason, peer_};
  // Without the application the rejection is answered unrecorded rather than not at all.
  http_reply fallback = reply;
  reply_sink done = reply_into(seq);
  try {
    env_.handler.rejected(what, std::move(reply), done);
  } catch (const std::exception& e) {
    log_error(std::string("recording a rejected request failed: ") + e.what());
    done.fail(std::move(fallback));
  } catch (...) {
    log_error("recording a rejected request failed");
    done.fail(std::move(fallback));
  }
}

template <class Stream>
void basic_session<Stream>::reject(error_code code, std::string_view diagnostics, std::atomic<std::uint64_t>& counter) {
  server_stats::bump(counter);
  // The stream is no longer at a message boundary (or the peer is too slow): answer and close.
  want_requests_ = false;
  const std::uint64_t seq = owe_response(11, false);
  answer_rejection(seq, {}, {}, error_reply(code, diagnostics), code);
}

template <class Stream>
auto basic_session<Stream>::hold_for_call() -> std::shared_ptr<const call_hold> {
  auto& ioc = static_cast<net::io_context&>(net::query(stream_.get_executor(), net::execution::context));
  return std::make_shared<const call_hold>(call_hold{net::make_work_guard(ioc), self()});
}

template <class Stream>
reply_sink basic_session<Stream>::reply_into(std::uint64_t seq) {
  auto deliver = [hold = hold_for_call(), seq](http_reply reply, bool) {
    const auto self = hold->self;
    net::post(self->stream_.get_executor(), [self, seq, reply = std::move(reply)]() mutable {
      self->guarded([&] { self->fill_response(seq, std::move(reply)); });
    });
  };
  return reply_sink(std::move(deliver), [] { return error_reply(error_code::internal_error, {}); });
}

// ---- writing -------------------------------------------------------------------------------

template <class Stream>
std::uint64_t basic_session<Stream>::owe_response(unsigned version, bool keep_alive) {
  // An old connection ends with this answer: no client holds one for ever.
  if (env_.config.steady_now() - opened_ >= env_.config.max_connection_lifetime) keep_alive = false;
  if (!keep_alive) want_requests_ = false;
  queue_.push_back(owed_response{next_seq_, version, keep_alive, request_origin_, std::nullopt});
  if (env_.config.on_response) queue_.back().read_at = env_.config.steady_now();
  return next_seq_++;
}

template <class Stream>
void basic_session<Stream>::fill_response(std::uint64_t seq, http_reply reply) {
  if (closed_ || queue_.empty() || seq < queue_.front().seq) return;  // the connection is gone
  owed_response& owed = queue_[static_cast<std::size_t>(seq - queue_.front().seq)];
  if (owed.message) return;  // answered already
  response res;
  res.version(owed.version);
  res.result(reply.status);
  for (const auto& [name, value] : reply.headers) {
    if (is_framing_header(beast::string_view(name.data(), name.size()))) continue;
    res.insert(beast::string_view(name.data(), name.size()), beast::string_view(value.data(), value.size()));
  }
  res.set(http::field::server, "ivig-cds");
  // Answers carry patient data or describe the service: never sniffed as another type, never kept
  // by a browser or proxy cache.
  res.set("X-Content-Type-Options", "nosniff");
  res.set(http::field::cache_control, "no-store");
  // Over HTTPS: browsers must not fall back to plain HTTP for this host for a year.
  if constexpr (is_tls) res.set(http::field::strict_transport_security, "max-age=31536000");
  add_cors_headers(res, owed.origin, env_.config.cors_origins);
  if (!reply.content_type.empty()) res.set(http::field::content_type, reply.content_type);
  res.body() = std::move(reply.body);
  res.keep_alive(owed.keep_alive);
  res.prepare_payload();  // Content-Length from the body

  server_stats& stats = env_.stats;
  switch (reply.status / 100) {
    case 2:
      server_stats::bump(stats.responses_2xx);
      break;
    case 3:
      server_stats::bump(stats.responses_3xx);
      break;
    case 4:
      server_stats::bump(stats.responses_4xx);
      break;
    default:
      server_stats::bump(stats.responses_5xx);
      break;
  }
  if (env_.config.on_response) {
    // Counting is never a reason not to answer: an observer that fails loses its sample only.
    try {
      env_.config.on_response(
          response_observation{owed.route, owed.method, reply.status, env_.config.steady_now() - owed.read_at});
    } catch (const std::exception& e) {
      log_line(std::string("observing a response failed: ") + e.what());
    }
  }
  owed.message.emplace(std::move(res));
  do_write();
}

template <class Stream>
void basic_session<Stream>::do_write() {
  if (writing_ || closed_ || queue_.empty() || !queue_.front().message) return;
  response& res = *queue_.front().message;
  // Draining: the last response this connection will send says so, unless a request that will be
  // answered 503 (with Connection: close) is still arriving behind it.
  if (env_.draining.load() && queue_.size() == 1 && !(want_requests_ && more_requests_pending())) {
    res.keep_alive(false);
    want_requests_ = false;
  }
  writing_ = true;
  lowest().expires_after(env_.config.write_timeout);
  http::async_write(stream_, res, [self = this->self()](beast::error_code ec, std::size_t) {
    self->guarded([&] { self->on_write(ec); });
  });
}

template <class Stream>
void basic_session<Stream>::on_write(beast::error_code ec) {
  writing_ = false;
  if (ec) {
    handle_write_error(ec);
    return;
  }
  if (closed_) return;
  server_stats::bump(env_.stats.responses_written);
  const bool keep_alive = queue_.front().message->keep_alive();
  queue_.pop_front();
  if (!keep_alive) {
    want_requests_ = false;
    begin_close();
    return;
  }
  do_write();
  if (!want_requests_ && queue_.empty()) {
    begin_close();
    return;
  }
  send_continue_if_due();  // the request behind the responses just written may be waiting for it
  do_read();               // resumes a read that back-pressure paused; no-op if one is pending
  finish_drain_if_idle();
}

template <class Stream>
void basic_session<Stream>::send_continue_if_due() {
  // The interim response belongs to the request being read, so it must not overtake (or be
  // interleaved with) the final responses to the requests pipelined before it.
  if (closed_ || read_op_ != read_op::interim || writing_ || !queue_.empty()) return;
  writing_ = true;
  lowest().expires_after(env_.config.write_timeout);
  http::async_write(stream_, continue_response_, [self = this->self()](beast::error_code ec, std::size_t) {
    self->guarded([&] { self->on_continue_written(ec); });
  });
}

template <class Stream>
void basic_session<Stream>::on_continue_written(beast::error_code ec) {
  writing_ = false;
  if (ec) {
    handle_write_error(ec);
    return;
  }
  if (closed_) return;
  server_stats::bump(env_.stats.continues_written);
  // Not interim any more if the read deadline passed meanwhile: the 408 it queued goes out instead.
  if (read_op_ == read_op::interim) read_body();
  do_write();
}

template <class Stream>
void basic_session<Stream>::handle_write_error(beast::error_code ec) {
  if (ec == beast::error::timeout) {
    server_stats::bump(env_.stats.write_timeouts);
  } else if (!closed_ && !is_ordinary_disconnect(ec)) {
    log_warning("writing a response failed: " + ec.message());
  }
  close_socket();
}

template <class Stream>
bool basic_session<Stream>::more_requests_pending() const {
  return read_op_ == read_op::request || read_op_ == read_op::interim || buffer_.size() > 0;
}

// ---- closing -------------------------------------------------------------------------------

template <class Stream>
void basic_session<Stream>::stop_requests() {
  want_requests_ = false;
  if (queue_.empty() && !writing_) begin_close();
}

template <class Stream>
void basic_session<Stream>::finish_drain_if_idle() {
  if (!env_.draining.load() || closed_ || closing_) return;
  if (writing_ || !queue_.empty()) return;                // do_write marks the last response Connection: close
  if (want_requests_ && more_requests_pending()) return;  // it is answered 503, then we close
  want_requests_ = false;
  begin_close();
}

template <class Stream>
void basic_session<Stream>::begin_close() {
  if (closing_ || closed_) return;
  closing_ = true;
  want_requests_ = false;
  if constexpr (!is_tls) {  // TLS closes its send side with close_notify (do_discard)
    beast::error_code ignored;
    lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
  } else if (read_op_ != read_op::none) {
    // An idle TLS connection's pending read would wait for the peer, which has no FIN to answer:
    // end it now (its completion closes the socket) instead of at the drain deadline.
    beast::error_code ignored;
    lowest().socket().cancel(ignored);
  }
  arm_read_timer(env_.config.read_timeout);  // bounds the linger
  if (read_op_ == read_op::none) do_discard();
  // Otherwise the pending read's completion sees closing_ and continues with do_discard().
}

template <class Stream>
void basic_session<Stream>::do_discard() {
  read_op_ = read_op::discard;
  buffer_.clear();
  if constexpr (is_tls) {
    // close_notify, then the peer's (or its close): the linger of a TLS connection.
    stream_.async_shutdown(
        [self = this->self()](beast::error_code) { self->guarded([&] { self->on_discard(net::error::eof); }); });
  } else {
    lowest().socket().async_read_some(
        buffer_.prepare(env_.config.read_buffer_reserve),
        [self = this->self()](beast::error_code ec, std::size_t) { self->guarded([&] { self->on_discard(ec); }); });
  }
}

template <class Stream>
void basic_session<Stream>::on_discard(beast::error_code ec) {
  if (read_op_ != read_op::discard) return;
  read_op_ = read_op::none;
  if (closed_) return;
  if (ec) {
    close_socket();  // usually eof: the peer has read our answer and closed its side
    return;
  }
  do_discard();
}

template <class Stream>
void basic_session<Stream>::close_socket() {
  if (closed_) return;
  closed_ = true;
  try {
    cancel_read_timer();
  } catch (...) {
    // A timer that cannot be cancelled still expires; its handler sees closed_ and returns.
  }
  lowest().close();  // completes every pending operation with operation_aborted
}

// ---- deadlines -----------------------------------------------------------------------------

template <class Stream>
void basic_session<Stream>::arm_read_timer(std::chrono::milliseconds timeout) {
  const std::uint64_t generation = ++timer_generation_;
  read_timer_.expires_after(timeout);
  read_timer_.async_wait([self = this->self(), generation](beast::error_code ec) {
    self->guarded([&] { self->on_read_timer(ec, generation); });
  });
}

template <class Stream>
void basic_session<Stream>::cancel_read_timer() {
  ++timer_generation_;
  read_timer_.cancel();
}

template <class Stream>
void basic_session<Stream>::on_read_timer(beast::error_code ec, std::uint64_t generation) {
  if (ec || generation != timer_generation_ || closed_) return;
  if (closing_ || read_op_ == read_op::handshake) {
    // The peer did not close within the linger deadline, or did not finish its TLS handshake.
    if (read_op_ == read_op::handshake) server_stats::bump(env_.stats.tls_handshake_failures);
    close_socket();
    return;
  }
  const bool partial_request =
      read_op_ == read_op::interim ||
      (read_op_ == read_op::request && ((parser_ && parser_->got_some()) || buffer_.size() > 0));
  if (partial_request) {
    // The parser's read stays pending; the 408 is written beside it and the close aborts it. A
    // request still waiting for its 100 Continue has no read pending: its body will not be read.
    if (read_op_ == read_op::interim) read_op_ = read_op::none;
    reject(error_code::request_timeout,
           "No complete request arrived within " + std::to_string(env_.config.read_timeout.count()) + " ms.",
           env_.stats.request_timeouts);
    return;
  }
  if (read_op_ == read_op::wait || read_op_ == read_op::request) {
    server_stats::bump(env_.stats.idle_timeouts);
    stop_requests();  // nothing was sent: close without an answer
  }
}

template class basic_session<beast::tcp_stream>;
template class basic_session<beast::ssl_stream<beast::tcp_stream>>;

}  // namespace ivig::server
