// hooks/protocol/request_limits.hpp: the caps that keep the work of one request bounded.
//
// The body limit bounds the bytes; these bound what the bytes may ask for: how many draft orders,
// selections and feedback items one call carries, how long any one string is, and how large the
// answer may grow. Each is far above what a real EHR sends (docs/reliability.md) and configurable
// (docs/configuration.md); exceeding one is a 413 with its own stable code (docs/errors.md).
#pragma once

#include <cstddef>
#include <optional>

#include <rapidjson/document.h>

#include "hooks/protocol/error.hpp"

namespace ivig::protocol {

struct request_limits {
  std::size_t draft_orders = 200;
  std::size_t selections = 200;
  std::size_t feedback_items = 500;
  /// Bytes of any one string (or member name) anywhere in the request body.
  std::size_t string_bytes = std::size_t{1} << 20;
  /// Bytes of the cards response.
  std::size_t response_bytes = std::size_t{8} << 20;
};

/// The first string or member name longer than `max_bytes`, as an error naming its JSON path and
/// length; nothing when every string fits. Linear in the document.
std::optional<request_error> overlong_string(const rapidjson::Value& document, std::size_t max_bytes);

/// The error for `count` `what` (e.g. "draft orders") when it exceeds `cap`; nothing otherwise.
std::optional<request_error> too_many(std::size_t count, std::size_t cap, const char* what, const char* field);

/// The error for a response of `bytes` above `cap`.
request_error response_too_large(std::size_t bytes, std::size_t cap);

}  // namespace ivig::protocol
