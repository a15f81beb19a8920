// tests/support/blocking_listener.cpp: accept, serve, stop.
#include "tests/support/blocking_listener.hpp"

#include <boost/beast/core/error.hpp>

namespace ivig::test {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

blocking_listener::blocking_listener(std::function<void(socket&)> serve)
    : serve_(std::move(serve)),
      acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}),
      port_(acceptor_.local_endpoint().port()),
      accepting_([this] {
        for (;;) {
          auto connection = std::make_shared<socket>(io_);
          boost::beast::error_code ec;
          acceptor_.accept(*connection, ec);
          if (ec || stopping_) return;
          std::lock_guard lock(mutex_);
          sockets_.push_back(connection);
          threads_.emplace_back([this, connection] {
            serve_(*connection);
            // Closed now (under the lock the destructor's shutdown takes), so that a test counting
            // descriptors sees only what the client keeps.
            std::lock_guard done(mutex_);
            boost::beast::error_code ignored;
            connection->close(ignored);
            sockets_.remove(connection);
          });
        }
      }) {}

blocking_listener::~blocking_listener() {
  stopping_ = true;
  boost::beast::error_code ec;
  {
    socket poke(io_);  // wakes the blocking accept
    poke.connect(acceptor_.local_endpoint(), ec);
  }
  accepting_.join();
  acceptor_.close(ec);
  std::list<std::thread> threads;
  {
    std::lock_guard lock(mutex_);
    // shutdown, not close: it wakes a thread blocked on this socket without pulling the descriptor
    // from under it; the thread closes it when it is done.
    for (auto& connection : sockets_) connection->shutdown(tcp::socket::shutdown_both, ec);
    threads.swap(threads_);
  }
  for (std::thread& thread : threads) thread.join();
}

}  // namespace ivig::test
