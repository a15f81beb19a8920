// tests/support/blocking_listener.hpp: the test servers' common part (the fault server, the TLS
// server): a listener on 127.0.0.1:0 that serves each connection on a thread of its own with
// blocking I/O, and on destruction stops accepting, wakes every connection and joins its thread.
#pragma once

#include <atomic>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace ivig::test {

class blocking_listener {
 public:
  using socket = boost::asio::ip::tcp::socket;
  /// `serve` runs on the connection's own thread; the socket closes when it returns.
  explicit blocking_listener(std::function<void(socket&)> serve);
  ~blocking_listener();
  blocking_listener(const blocking_listener&) = delete;
  blocking_listener& operator=(const blocking_listener&) = delete;

  unsigned short port() const { return port_; }
  /// True once destruction has begun (a serve loop that never ends by itself checks it).
  bool stopping() const { return stopping_.load(); }

 private:
  std::function<void(socket&)> serve_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  unsigned short port_ = 0;
  std::mutex mutex_;
  std::list<std::shared_ptr<socket>> sockets_;
  std::list<std::thread> threads_;
  std::atomic<bool> stopping_{false};
  std::thread accepting_;  // last: started once everything above exists
};

}  // namespace ivig::test
