// hooks/protocol/json_body.hpp: parsing an untrusted request body into a RapidJSON document.
//
// The body is parsed once, in situ (into the document's own copy of the body, so that strings are
// read where they lie rather than copied into the document), and iteratively (no recursion). Depth
// is limited while parsing: the document stops growing at the first object or array past the limit,
// so a hostile body of a million '[' costs no deep tree. The top level must be an object. Errors
// are request_errors (with the byte offset) in a result, never exceptions.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

#include <rapidjson/document.h>

#include "fhir/model/result.hpp"
#include "hooks/protocol/error.hpp"

namespace ivig::protocol {

/// A parsed body: the document and the copy of the body its strings point into, kept together
/// (a member, not a base, so that the document cannot be moved out without the text it reads).
/// It reads as the document's root value; moving it keeps every view read from it valid.
class json_body {
 public:
  const rapidjson::Document& document() const { return document_; }
  operator const rapidjson::Value&() const { return document_; }  // NOLINT: reads as the document

 private:
  friend result<json_body, request_error> parse_json_body(std::string_view body, std::size_t max_depth);
  std::unique_ptr<char[]> text_;
  rapidjson::Document document_;
};

/// Deepest nesting of objects and arrays in `body`, counting outside strings; stops counting once
/// `limit` is exceeded. parse_json_body uses it only on a body that did not parse, to tell a body too
/// deep from one malformed before it got deep (both answers stay as they were with a pre-scan).
std::size_t json_nesting_depth(std::string_view body, std::size_t limit);

/// The parsed document (an object), or json_too_deep / json_malformed. Views read from it (a
/// cds_request) must not outlive it. The body must be UTF-8: an invalid sequence in a string is
/// json_malformed naming its byte offset.
[[nodiscard]] result<json_body, request_error> parse_json_body(std::string_view body, std::size_t max_depth);

}  // namespace ivig::protocol
