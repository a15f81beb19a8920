// hooks/server/request_framing.hpp: the framing checks a session applies to a request's header.
//
// Separate from session.cpp so that the checks can be driven without a socket (the HTTP head fuzz
// target in tests/fuzz feeds bytes to a request_parser, then here). Behaviour is the session's.
#pragma once

#include <optional>
#include <string>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "hooks/protocol/error.hpp"

namespace ivig::server {

/// A defect in how the request is framed, found once its header is read: what a proxy in front of
/// the service could read differently from Beast is request smuggling (security review 2026-11), so
/// anything but the one plain reading is refused and the connection closed.
struct framing_defect {
  protocol::error_code code;
  std::string diagnostics;
};

/// The first framing defect of the request's header, or nothing when it is framed plainly.
std::optional<framing_defect> find_framing_defect(
    const boost::beast::http::request<boost::beast::http::string_body>& req);

}  // namespace ivig::server
