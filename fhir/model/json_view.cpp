// fhir/model/json_view.cpp: the accessors of json_view.hpp.
#include "fhir/model/json_view.hpp"

#include <cstring>

namespace ivig::fhir {

// The first member named `key`, as RapidJSON's FindMember finds it; the length and first character
// are compared before the bytes, since most names differ there and a memcmp call per member cost
// more than the rest of reading a resource.
const json_value* member(const json_value* object, std::string_view key) {
  if (object == nullptr || !object->IsObject()) return nullptr;
  for (const auto& m : object->GetObject()) {
    if (m.name.GetStringLength() != key.size()) continue;
    const char* name = m.name.GetString();
    if (key.empty() || (name[0] == key[0] && std::memcmp(name, key.data(), key.size()) == 0)) return &m.value;
  }
  return nullptr;
}

std::string_view as_string(const json_value* value) {
  if (value == nullptr || !value->IsString()) return {};
  return {value->GetString(), value->GetStringLength()};
}

std::string_view string_member(const json_value* object, std::string_view key) {
  return as_string(member(object, key));
}

std::optional<double> number_member(const json_value* object, std::string_view key) {
  const json_value* value = member(object, key);
  if (value == nullptr || !value->IsNumber()) return std::nullopt;
  return value->GetDouble();
}

}  // namespace ivig::fhir
