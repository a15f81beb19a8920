// tests/fuzz/fuzz_http_head.cpp: the HTTP request head — bytes fed to a beast request_parser with the
// session's default limits, header first (as basic_session::read_header does), then the framing
// checks the session applies, then the body, and the media-type check the router applies.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "hooks/server/request_framing.hpp"
#include "hooks/server/router.hpp"
#include "hooks/server/server_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace http = boost::beast::http;
  static const ivig::server::server_config config{};
  http::request_parser<http::string_body> parser;
  parser.body_limit(config.body_limit);
  parser.header_limit(config.header_limit);
  parser.eager(false);  // the header alone first
  boost::beast::error_code ec;
  std::size_t used = parser.put(boost::asio::buffer(data, size), ec);
  if (ec || !parser.is_header_done()) return 0;
  if (ivig::server::find_framing_defect(parser.get())) return 0;
  const auto content_type = parser.get().find(http::field::content_type);
  if (content_type != parser.get().end())
    ivig::server::is_json_media_type(std::string_view(content_type->value().data(), content_type->value().size()));
  parser.eager(true);
  while (!ec && used < size && !parser.is_done()) {
    const std::size_t n = parser.put(boost::asio::buffer(data + used, size - used), ec);
    if (n == 0) break;
    used += n;
  }
  return 0;
}
