// bench/bare_server.cpp: the parse limit for bench/load.sh. A Boost.Beast HTTP/1.1 server on
// loopback that reads each request, parses its body with RapidJSON (as ivig-cds does) and answers
// one fixed card. It does nothing else: no routing, limits, evaluation or audit, so the ratio of
// ivig-cds to it is the cost of everything the service adds to transport and parsing.
//
// Usage: bare_server PORT [THREADS]   (listens on 127.0.0.1; stops on SIGINT/SIGTERM)
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <rapidjson/document.h>

#include "hooks/app/malloc_settings.hpp"

#include <cstdlib>
#include <iostream>
#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

// The answer is a fixed, valid CDS Hooks response of the size of a small real one.
const std::string fixed_card =
    R"({"cards":[{"uuid":"5d0c0e53-47f4-5e2a-9f7e-5b2a3d0e6a11","summary":"Bare server: parsed","indicator":"info",)"
    R"("source":{"label":"bench/bare_server"}}]})";

class connection : public std::enable_shared_from_this<connection> {
 public:
  // The same read buffer as ivig-cds (server_config read_buffer_reserve), so that reading costs the same.
  explicit connection(tcp::socket socket) : stream_(std::move(socket)) { buffer_.reserve(64 * 1024); }

  void start() { read(); }

 private:
  void read() {
    request_ = {};
    parser_.emplace();
    parser_->body_limit(64 * 1024 * 1024);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec) return close();
    request_ = parser_->release();
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseIterativeFlag>(request_.body().data(), request_.body().size());  // as ivig-cds
    response_ = {};
    response_.version(request_.version());
    response_.keep_alive(request_.keep_alive());
    response_.result(doc.HasParseError() ? http::status::bad_request : http::status::ok);
    response_.set(http::field::content_type, "application/json");
    response_.body() = doc.HasParseError() ? std::string(R"({"error":"parse"})") : fixed_card;
    response_.prepare_payload();
    http::async_write(stream_, response_, [self = shared_from_this()](beast::error_code write_ec, std::size_t) {
      if (write_ec || !self->response_.keep_alive()) return self->close();
      self->read();
    });
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
};

void accept(tcp::acceptor& acceptor, asio::io_context& io) {
  acceptor.async_accept(asio::make_strand(io), [&acceptor, &io](beast::error_code ec, tcp::socket socket) {
    if (!ec) std::make_shared<connection>(std::move(socket))->start();
    if (acceptor.is_open()) accept(acceptor, io);
  });
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: bare_server PORT [THREADS]\n";
    return 2;
  }
  const auto port = static_cast<unsigned short>(std::atoi(argv[1]));
  const int threads = argc > 2 ? std::max(1, std::atoi(argv[2])) : 2;
  ivig::app::keep_large_call_memory_between_calls();
  asio::io_context io{threads};
  tcp::acceptor acceptor{asio::make_strand(io), {asio::ip::make_address("127.0.0.1"), port}};
  asio::signal_set signals{io, SIGINT, SIGTERM};
  signals.async_wait([&](beast::error_code, int) {
    acceptor.close();
    io.stop();
  });
  accept(acceptor, io);
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back([&io] { io.run(); });
  io.run();
  for (std::thread& t : pool) t.join();
  return 0;
}
