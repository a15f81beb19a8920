// fhir/model/json_view.cpp: the accessors of json_view.hpp.
#include "fhir/model/json_view.hpp"

namespace ivig::fhir {

const json_value* member(const json_value* object, std::string_view key) {
  if (object == nullptr || !object->IsObject()) return nullptr;
  const auto it = object->FindMember(rapidjson::StringRef(key.data(), static_cast<rapidjson::SizeType>(key.size())));
  return it == object->MemberEnd() ? nullptr : &it->value;
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
