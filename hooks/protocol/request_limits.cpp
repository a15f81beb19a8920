// hooks/protocol/request_limits.cpp: the checks behind the request caps.
#include "hooks/protocol/request_limits.hpp"

#include <algorithm>
#include <string>
#include <vector>

namespace ivig::protocol {
namespace {

/// One step of the walk: a value and the path that leads to it ("context.draftOrders.entry[3]").
struct pending {
  const rapidjson::Value* value;
  std::string path;
};

request_error overlong(const std::string& path, std::size_t length, std::size_t max_bytes) {
  return {error_code::field_too_long, "The string at " + (path.empty() ? std::string("the top level") : path) + " is " +
                                          std::to_string(length) + " bytes long; at most " + std::to_string(max_bytes) +
                                          " bytes are accepted (--max-field-bytes)."};
}

}  // namespace

std::optional<request_error> overlong_string(const rapidjson::Value& document, std::size_t max_bytes) {
  // Iterative, so that the walk costs no stack whatever the depth the parser allowed; paths are built
  // only for containers, so the walk stays linear in the document.
  std::vector<pending> stack{{&document, {}}};
  while (!stack.empty()) {
    pending next = std::move(stack.back());
    stack.pop_back();
    const rapidjson::Value& v = *next.value;
    if (v.IsString()) {
      if (v.GetStringLength() > max_bytes) return overlong(next.path, v.GetStringLength(), max_bytes);
    } else if (v.IsObject()) {
      for (auto m = v.MemberBegin(); m != v.MemberEnd(); ++m) {
        const std::string name(m->name.GetString(), std::min<std::size_t>(m->name.GetStringLength(), 64));
        const std::string path = next.path.empty() ? name : next.path + "." + name;
        if (m->name.GetStringLength() > max_bytes)
          return overlong(next.path + " (a member name)", m->name.GetStringLength(), max_bytes);
        if (m->value.IsString() || m->value.IsObject() || m->value.IsArray()) stack.push_back({&m->value, path});
      }
    } else if (v.IsArray()) {
      for (rapidjson::SizeType i = v.Size(); i-- > 0;)
        if (v[i].IsString() || v[i].IsObject() || v[i].IsArray())
          stack.push_back({&v[i], next.path + "[" + std::to_string(i) + "]"});
    }
  }
  return std::nullopt;
}

std::optional<request_error> too_many(std::size_t count, std::size_t cap, const char* what, const char* field) {
  if (count <= cap) return std::nullopt;
  return request_error{error_code::too_many_entries, "The request has " + std::to_string(count) + " " + what +
                                                         "; at most " + std::to_string(cap) + " are accepted (" +
                                                         field + ")."};
}

request_error response_too_large(std::size_t bytes, std::size_t cap) {
  return {error_code::response_too_large, "The cards for this request would take " + std::to_string(bytes) +
                                              " bytes; at most " + std::to_string(cap) +
                                              " are sent (--max-response-bytes). Send fewer draft orders per call."};
}

}  // namespace ivig::protocol
