// hooks/protocol/json_body.cpp: depth-limited, iterative JSON parsing of request bodies.
#include "hooks/protocol/json_body.hpp"

#include <string>

#include <rapidjson/error/en.h>

namespace ivig::protocol {

std::size_t json_nesting_depth(std::string_view body, std::size_t limit) {
  std::size_t depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (const char c : body) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        break;
      case '{':
      case '[':
        if (++depth > deepest) {
          deepest = depth;
          if (deepest > limit) return deepest;
        }
        break;
      case '}':
      case ']':
        if (depth > 0) --depth;
        break;
      default:
        break;
    }
  }
  return deepest;
}

result<rapidjson::Document, request_error> parse_json_body(std::string_view body, std::size_t max_depth) {
  if (json_nesting_depth(body, max_depth) > max_depth)
    return failure(request_error{error_code::json_too_deep, "The body nests objects or arrays more than " +
                                                                std::to_string(max_depth) + " levels deep."});
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(body.data(), body.size());
  if (doc.HasParseError())
    return failure(request_error{error_code::json_malformed, std::string("Invalid JSON at byte ") +
                                                                 std::to_string(doc.GetErrorOffset()) + ": " +
                                                                 rapidjson::GetParseError_En(doc.GetParseError())});
  if (!doc.IsObject()) return failure(request_error{error_code::json_malformed, "The body must be a JSON object."});
  return doc;
}

}  // namespace ivig::protocol
