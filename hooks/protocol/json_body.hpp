// hooks/protocol/json_body.hpp: parsing an untrusted request body into a RapidJSON document.
//
// Depth is limited before the document is built (a hostile body of a million '[' must cost a
// linear scan, not a deep tree), then parsed iteratively (no recursion). The top level must be an
// object. Errors are request_errors with the byte offset, never exceptions.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include <rapidjson/document.h>

#include "hooks/protocol/error.hpp"

namespace ivig::protocol {

/// Deepest nesting of objects and arrays in `body`, counting outside strings; stops counting once
/// `limit` is exceeded.
std::size_t json_nesting_depth(std::string_view body, std::size_t limit);

/// Parses `body` into `doc`; nullopt on success.
std::optional<request_error> parse_json_body(std::string_view body, rapidjson::Document& doc, std::size_t max_depth);

}  // namespace ivig::protocol
