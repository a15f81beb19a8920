// hooks/server/http_server.cpp: listener, I/O threads, drain and signal handling.
//
// Concurrency: `state::mutex` guards the acceptor, the timers, the signal set, the work guard and
// `started`; sessions never take it except through session_registry's on_empty callback (which
// runs with no other lock held). Nothing holding `mutex` may drop the last reference to a session.
// `draining` is an atomic so that sessions read it without a lock; it changes only under `mutex`.
#include "hooks/server/http_server.hpp"

#include <atomic>
#include <chrono>
#include <csignal>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "hooks/protocol/error.hpp"
#include "hooks/server/server_log.hpp"
#include "hooks/server/session.hpp"
#include "hooks/server/session_registry.hpp"
#include "hooks/server/tls_context.hpp"

namespace ivig::server {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using boost_error = boost::system::error_code;

/// Back-off after a failed accept: resource exhaustion (EMFILE, ENFILE, ENOBUFS) would otherwise
/// fail again at once and spin an I/O thread.
constexpr std::chrono::milliseconds accept_retry_delay{100};

[[noreturn]] void throw_system_error(const boost_error& ec, const std::string& what) {
  // Socket errors are errno values; std::system_category gives them the usual messages.
  throw std::system_error(std::error_code(ec.value(), std::system_category()), "ivig-cds server: " + what);
}

/// At most one "accept failed" line per this interval: with file descriptors exhausted every accept
/// fails, and a line each time would fill the log.
constexpr std::chrono::seconds accept_failure_log_interval{10};

/// The whole answer to a connection over a cap, written without a session: a short 503 that a
/// client (or its load balancer) can act on, then close.
std::string connection_limit_answer() {
  const std::string body = protocol::operation_outcome_json(
      protocol::error_code::too_many_connections,
      "The service has as many connections open as it allows, in all or from this address; retry shortly.");
  return "HTTP/1.1 503 Service Unavailable\r\nServer: ivig-cds\r\nContent-Type: application/json\r\n"
         "Cache-Control: no-store\r\nRetry-After: 1\r\nConnection: close\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

std::string endpoint_text(const net::ip::address& address, unsigned short port) {
  const std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return host + ":" + std::to_string(port);
}

}  // namespace

struct http_server::state {
  state(server_config c, request_handler& h, request_authenticator* a)
      : config(std::move(c)), handler(h), authenticator(a), registry([this] { on_last_session_gone(); }) {}

  void do_accept();
  void on_accept(const boost_error& ec, tcp::socket socket);
  void on_drain_deadline(const boost_error& ec);
  /// Writes the 503 too-many-connections without blocking (a fresh socket's send buffer takes it
  /// whole; what it does not take is dropped) and closes.
  void refuse_connection(tcp::socket& socket);
  void on_last_session_gone();
  void run_io() noexcept;

  // Declared before ioc so that they outlive every handler (and so every session) it may destroy.
  const server_config config;
  request_handler& handler;
  request_authenticator* authenticator;
  /// The TLS context new connections get (null: plain HTTP); replaced whole by reload_tls().
  std::shared_ptr<net::ssl::context> tls;
  std::mutex tls_mutex;
  std::chrono::steady_clock::time_point last_accept_failure_log{};
  const std::string connection_limit_bytes = connection_limit_answer();
  /// With worker_threads, service and feedback calls run on `workers`; otherwise on the I/O thread
  /// that read them. A session holds I/O work while its call is out, so the I/O threads outlive it.
  std::optional<net::thread_pool> workers;  // made by start(), after the config is validated
  const handler_dispatch dispatch = [this](std::function<void()> call) {
    if (workers) {
      net::post(*workers, std::move(call));
    } else {
      call();
    }
  };
  server_stats stats;
  std::atomic<bool> draining{false};
  session_registry registry;

  net::io_context ioc;

  std::mutex mutex;
  bool started = false;
  std::optional<tcp::acceptor> acceptor;
  net::steady_timer accept_retry_timer{ioc};
  net::steady_timer drain_timer{ioc};
  std::optional<net::signal_set> signals;
  /// Keeps the I/O threads running while there is nothing to do; reset by stop().
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;

  std::mutex threads_mutex;
  std::vector<std::thread> threads;
};

void http_server::state::do_accept() {
  // Each connection gets its own strand: its handlers never run concurrently with each other.
  acceptor->async_accept(net::make_strand(ioc),
                         [this](const boost_error& ec, tcp::socket socket) { on_accept(ec, std::move(socket)); });
}

void http_server::state::on_accept(const boost_error& ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted) return;  // the acceptor was closed by stop()
  std::shared_ptr<session> s;
  {
    const std::lock_guard lock(mutex);
    if (draining.load() || !acceptor || !acceptor->is_open()) {
      if (!ec) {
        server_stats::bump(stats.connections_refused_draining);
        boost_error ignored;
        socket.close(ignored);
      }
      return;
    }
    if (ec) {
      server_stats::bump(stats.accept_failures);
      const auto now = std::chrono::steady_clock::now();
      if (now - last_accept_failure_log >= accept_failure_log_interval) {
        log_warning("accept failed: " + ec.message() + "; retrying (" + std::to_string(stats.accept_failures.load()) +
                    " accept failures so far)");
        last_accept_failure_log = now;
      }
      accept_retry_timer.expires_after(accept_retry_delay);
      accept_retry_timer.async_wait([this](const boost_error& timer_ec) {
        if (timer_ec) return;
        const std::lock_guard retry_lock(mutex);
        if (!draining.load()) do_accept();
      });
      return;
    }
    server_stats::bump(stats.connections_accepted);
    boost_error peer_ec;
    const std::string peer_host = socket.remote_endpoint(peer_ec).address().to_string();
    if (registry.size() >= config.max_connections ||
        registry.count_from(peer_host) >= config.max_connections_per_peer) {
      server_stats::bump(stats.rejected_connection_limit);
      refuse_connection(socket);
      do_accept();
      return;
    }
    try {
      const session_environment env{config, handler, dispatch, stats, draining, registry, authenticator};
      std::shared_ptr<net::ssl::context> context;
      {
        const std::lock_guard tls_lock(tls_mutex);
        context = tls;
      }
      if (context)
        s = std::make_shared<basic_session<boost::beast::ssl_stream<boost::beast::tcp_stream>>>(std::move(socket), env,
                                                                                                context);
      else
        s = std::make_shared<basic_session<boost::beast::tcp_stream>>(std::move(socket), env, nullptr);
      registry.add(s, peer_host);
    } catch (const std::exception& e) {
      log_warning(std::string("could not set up a connection: ") + e.what());
      s.reset();  // not registered, so its destructor does not call back into us
    }
    do_accept();
  }
  if (s) s->start();
}

void http_server::state::refuse_connection(tcp::socket& socket) {
  boost_error ignored;
  socket.non_blocking(true, ignored);
  socket.write_some(net::buffer(connection_limit_bytes), ignored);
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

void http_server::state::on_drain_deadline(const boost_error& ec) {
  if (ec) return;  // cancelled: every connection closed in time
  const std::vector<std::shared_ptr<session>> live = registry.live();
  if (live.empty()) return;
  log_warning("drain deadline passed: force-closing " + std::to_string(live.size()) + " connection(s)");
  for (const auto& s : live) s->force_close();
}

void http_server::state::on_last_session_gone() {
  const std::lock_guard lock(mutex);
  // Without this the I/O threads would idle until the drain deadline.
  if (draining.load()) drain_timer.cancel();
}

void http_server::state::run_io() noexcept {
  for (;;) {
    try {
      ioc.run();
      return;
    } catch (const std::exception& e) {
      // Handlers catch their own exceptions; reaching here is a defect. Keep serving.
      log_error(std::string("I/O thread caught an unexpected exception: ") + e.what());
    } catch (...) {
      log_error("I/O thread caught an unexpected non-standard exception");
    }
  }
}

http_server::http_server(server_config config, request_handler& handler, request_authenticator* authenticator)
    : state_(std::make_unique<state>(std::move(config), handler, authenticator)) {}

http_server::~http_server() {
  stop();
  wait();
}

unsigned short http_server::start() {
  state& st = *state_;
  validate(st.config);
  const std::lock_guard lock(st.mutex);
  if (st.started) throw std::logic_error("ivig-cds server: start() called twice");
  if (!st.config.tls_certificate_file.empty())
    st.tls = make_tls_context(st.config.tls_certificate_file, st.config.tls_key_file);

  boost_error ec;
  const net::ip::address address = net::ip::make_address(st.config.address, ec);
  if (ec) throw_system_error(ec, "invalid listen address '" + st.config.address + "'");
  const tcp::endpoint endpoint(address, st.config.port);
  const std::string where = endpoint_text(address, st.config.port);

  tcp::acceptor acceptor(st.ioc);
  acceptor.open(endpoint.protocol(), ec);
  if (ec) throw_system_error(ec, "cannot open a socket for " + where);
  // Lets a restarted server bind while old connections sit in TIME_WAIT; it does not let two
  // servers listen on one port.
  acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (ec) throw_system_error(ec, "cannot set SO_REUSEADDR for " + where);
  acceptor.bind(endpoint, ec);
  if (ec) throw_system_error(ec, "cannot bind " + where);
  acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) throw_system_error(ec, "cannot listen on " + where);
  const unsigned short port = acceptor.local_endpoint(ec).port();
  if (ec) throw_system_error(ec, "cannot read the bound port of " + where);

  st.acceptor.emplace(std::move(acceptor));
  if (st.config.worker_threads > 0) st.workers.emplace(st.config.worker_threads);
  st.work.emplace(st.ioc.get_executor());
  st.do_accept();
  st.started = true;
  {
    const std::lock_guard threads_lock(st.threads_mutex);
    for (unsigned i = 0; i < st.config.threads; ++i) st.threads.emplace_back([&st] { st.run_io(); });
  }
  log_line(std::string(st.tls ? "listening (HTTPS, TLS 1.2+) on " : "listening on ") + endpoint_text(address, port) +
           " with " + std::to_string(st.config.threads) + " I/O thread(s)" +
           (st.config.worker_threads == 0 ? std::string()
                                          : " and " + std::to_string(st.config.worker_threads) + " worker thread(s)"));
  return port;
}

void http_server::stop() {
  state& st = *state_;
  // Declared before the lock so that these references are dropped after it is released.
  std::vector<std::shared_ptr<session>> live;
  {
    const std::lock_guard lock(st.mutex);
    if (!st.started || st.draining.load()) return;
    st.draining.store(true);
    boost_error ignored;
    // Closing here rather than posting it makes "refused once stop() returns" hold.
    st.acceptor->close(ignored);
    st.accept_retry_timer.cancel();
    // Restores the default dispositions, so a second Ctrl-C ends a drain that hangs.
    st.signals.reset();
    live = st.registry.live();
    log_line("draining: no longer accepting; " + std::to_string(live.size()) + " connection(s) open");
    if (!live.empty()) {
      st.drain_timer.expires_after(st.config.drain_timeout);
      st.drain_timer.async_wait([&st](const boost_error& ec) { st.on_drain_deadline(ec); });
    }
    st.work.reset();  // the I/O threads exit once the connections and the timer are done
  }
  for (const auto& s : live) s->drain();
}

void http_server::wait() {
  state& st = *state_;
  const std::lock_guard lock(st.threads_mutex);
  if (st.threads.empty()) return;
  for (std::thread& t : st.threads) t.join();
  st.threads.clear();
  // Every call a worker ran has been answered (its session held the I/O threads until then).
  if (st.workers) st.workers->join();
  log_line("stopped");
}

void http_server::run_until_signal() {
  state& st = *state_;
  {
    const std::lock_guard lock(st.mutex);
    if (!st.started) throw std::logic_error("ivig-cds server: run_until_signal() before start()");
    if (!st.draining.load()) {
      st.signals.emplace(st.ioc, SIGINT, SIGTERM, SIGHUP);
      wait_for_signal();
    }
  }
  wait();
}

void http_server::wait_for_signal() {
  state& st = *state_;
  st.signals->async_wait([this](const boost_error& ec, int signal_number) {
    if (ec) return;  // cancelled by stop()
    if (signal_number == SIGHUP) {
      if (state_->tls) {
        const std::string problem = reload_tls();
        log_line(problem.empty()
                     ? "received SIGHUP: TLS certificate reloaded for new connections"
                     : "received SIGHUP: TLS certificate NOT reloaded, the old one stays in use: " + problem);
      }
      reload_handler();
      const std::lock_guard lock(state_->mutex);
      if (state_->signals) wait_for_signal();
      return;
    }
    log_line("received signal " + std::to_string(signal_number) + ": draining");
    stop();
  });
}

void http_server::reload_handler() {
  state& st = *state_;
  // The handler logs what it reloaded (or why not); nobody waits for the answer.
  reply_sink sink([](http_reply, bool) {},
                  [] {
                    log_error("SIGHUP reload: the handler dropped its reply");
                    return http_reply{};
                  });
  st.dispatch([&st, sink] {
    try {
      st.handler.reload(sink);
    } catch (const std::exception& e) {
      log_error(std::string("SIGHUP reload: the handler threw: ") + e.what());
    }
  });
}

std::string http_server::reload_tls() {
  state& st = *state_;
  if (st.config.tls_certificate_file.empty()) return {};
  try {
    auto fresh = make_tls_context(st.config.tls_certificate_file, st.config.tls_key_file);
    const std::lock_guard lock(st.tls_mutex);
    st.tls = std::move(fresh);
    return {};
  } catch (const std::exception& e) {
    return e.what();
  }
}

bool http_server::draining() const {
  return state_->draining.load();
}

const server_stats& http_server::stats() const {
  return state_->stats;
}

}  // namespace ivig::server
