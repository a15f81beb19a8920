// fhir/model/json_view.hpp: small, allocation-free accessors over a parsed RapidJSON value.
//
// FHIR data is read in place from the request's RapidJSON document (parse once, read many): these
// helpers return views that point into that document, so the document must outlive them. They
// never throw and never assert on shape: a field of the wrong JSON type reads as absent.
#pragma once

#include <optional>
#include <string_view>

#include <rapidjson/document.h>

namespace ivig::fhir {

using json_value = rapidjson::Value;

/// The member `key` of `object`, or nullptr when `object` is not an object or lacks the key.
const json_value* member(const json_value* object, std::string_view key);
inline const json_value* member(const json_value& object, std::string_view key) {
  return member(&object, key);
}

/// The string member `key`, or an empty view when absent or not a string.
std::string_view string_member(const json_value* object, std::string_view key);
inline std::string_view string_member(const json_value& object, std::string_view key) {
  return string_member(&object, key);
}

/// A numeric member as double; integers are widened.
std::optional<double> number_member(const json_value* object, std::string_view key);

/// The value as a string view, or an empty view.
std::string_view as_string(const json_value* value);

/// Calls `visit(const json_value&)` for each element when `value` is an array, or once for the value
/// itself when it is an object. FHIR repeats fields (category, doseAndRate) that real clients send
/// as a single object; reading both forms the same way is deliberate (see docs/tolerance.md).
template <typename Visit>
void for_each_element(const json_value* value, Visit&& visit) {
  if (value == nullptr) return;
  if (value->IsArray()) {
    for (const auto& element : value->GetArray()) visit(element);
  } else if (value->IsObject()) {
    visit(*value);
  }
}

}  // namespace ivig::fhir
