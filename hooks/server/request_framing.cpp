// hooks/server/request_framing.cpp: Transfer-Encoding, Content-Length, Host and Expect, checked once
// the header is read.
#include "hooks/server/request_framing.hpp"

#include <string_view>

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/field.hpp>

#include "hooks/server/router.hpp"

namespace ivig::server {

namespace beast = boost::beast;
namespace http = beast::http;
using protocol::error_code;

std::optional<framing_defect> find_framing_defect(const http::request<http::string_body>& req) {
  const auto transfer_encodings = req.count(http::field::transfer_encoding);
  if (transfer_encodings > 0) {
    const auto it = req.find(http::field::transfer_encoding);
    const std::string_view value = trim_whitespace(std::string_view(it->value().data(), it->value().size()));
    if (transfer_encodings > 1 || !beast::iequals(beast::string_view(value.data(), value.size()), "chunked"))
      return framing_defect{error_code::http_malformed, "Transfer-Encoding must be exactly 'chunked'."};
    if (req.count(http::field::content_length) > 0)
      return framing_defect{error_code::http_malformed,
                            "A request must not carry both Transfer-Encoding and Content-Length."};
  }
  const auto hosts = req.count(http::field::host);
  if (hosts > 1 || (req.version() == 11 && hosts == 0))
    return framing_defect{error_code::http_malformed, "An HTTP/1.1 request needs exactly one Host header."};
  if (req.version() == 11) {
    const auto expect = req.find(http::field::expect);
    if (expect != req.end() && !beast::iequals(expect->value(), "100-continue"))
      return framing_defect{error_code::expectation_failed, "Expect supports only 100-continue."};
  }
  return std::nullopt;
}

}  // namespace ivig::server
