// hooks/protocol/json_body.hpp: parsing an untrusted request body into a RapidJSON document.
//
// Depth is limited before the document is built (a hostile body of a million '[' must cost a
// linear scan, not a deep tree), then parsed iteratively (no recursion). The top level must be an
// object. Errors are request_errors (with the byte offset) in a result, never exceptions.
#pragma once

#include <cstddef>
#include <string_view>

#include <rapidjson/document.h>

#include "fhir/model/result.hpp"
#include "hooks/protocol/error.hpp"

namespace ivig::protocol {

/// Deepest nesting of objects and arrays in `body`, counting outside strings; stops counting once
/// `limit` is exceeded.
std::size_t json_nesting_depth(std::string_view body, std::size_t limit);

/// The parsed document (an object), or json_too_deep / json_malformed. The document owns its
/// values: views read from it (a cds_request) must not outlive it.
[[nodiscard]] result<rapidjson::Document, request_error> parse_json_body(std::string_view body, std::size_t max_depth);

}  // namespace ivig::protocol
