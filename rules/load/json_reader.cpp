// rules/load/json_reader.cpp: the strict object reader.
#include "rules/load/json_reader.hpp"

namespace ivig::rules {

json_object_reader::json_object_reader(const rapidjson::Value& value, std::string path)
    : value_(value), path_(std::move(path)) {
  if (!value_.IsObject()) throw knowledge_error(path_ + ": expected a JSON object");
  read_.resize(value_.MemberCount());
}

void json_object_reader::fail(std::string_view key, std::string_view problem) const {
  throw knowledge_error(path_ + (key.empty() ? "" : "." + std::string(key)) + ": " + std::string(problem));
}

bool json_object_reader::has(std::string_view key) const {
  return value_.HasMember(rapidjson::StringRef(key.data(), static_cast<rapidjson::SizeType>(key.size())));
}

const rapidjson::Value* json_object_reader::find(std::string_view key) {
  const auto it = value_.FindMember(rapidjson::StringRef(key.data(), static_cast<rapidjson::SizeType>(key.size())));
  if (it == value_.MemberEnd()) return nullptr;
  read_[static_cast<std::size_t>(it - value_.MemberBegin())] = true;
  return &it->value;
}

void json_object_reader::accept(std::string_view key) {
  (void)find(key);
}

std::string json_object_reader::required_string(std::string_view key) {
  const rapidjson::Value* v = find(key);
  if (v == nullptr) fail(key, "is required");
  if (!v->IsString() || v->GetStringLength() == 0) fail(key, "must be a non-empty string");
  return {v->GetString(), v->GetStringLength()};
}

std::string json_object_reader::optional_string(std::string_view key) {
  const rapidjson::Value* v = find(key);
  if (v == nullptr) return {};
  if (!v->IsString()) fail(key, "must be a string");
  return {v->GetString(), v->GetStringLength()};
}

double json_object_reader::required_number(std::string_view key) {
  const rapidjson::Value* v = find(key);
  if (v == nullptr) fail(key, "is required");
  if (!v->IsNumber()) fail(key, "must be a number");
  return v->GetDouble();
}

std::optional<double> json_object_reader::optional_number(std::string_view key) {
  const rapidjson::Value* v = find(key);
  if (v == nullptr) return std::nullopt;
  if (!v->IsNumber()) fail(key, "must be a number");
  return v->GetDouble();
}

bool json_object_reader::optional_bool(std::string_view key, bool fallback) {
  const rapidjson::Value* v = find(key);
  if (v == nullptr) return fallback;
  if (!v->IsBool()) fail(key, "must be true or false");
  return v->GetBool();
}

const rapidjson::Value& json_object_reader::required_array(std::string_view key) {
  const rapidjson::Value* v = optional_array(key);
  if (v == nullptr) fail(key, "is required");
  return *v;
}

const rapidjson::Value* json_object_reader::optional_array(std::string_view key) {
  const rapidjson::Value* v = find(key);
  if (v != nullptr && !v->IsArray()) fail(key, "must be an array");
  return v;
}

const rapidjson::Value& json_object_reader::required_object(std::string_view key) {
  const rapidjson::Value* v = optional_object(key);
  if (v == nullptr) fail(key, "is required");
  return *v;
}

const rapidjson::Value* json_object_reader::optional_object(std::string_view key) {
  const rapidjson::Value* v = find(key);
  if (v != nullptr && !v->IsObject()) fail(key, "must be an object");
  return v;
}

std::vector<std::string> json_object_reader::string_array(std::string_view key, bool required) {
  const rapidjson::Value* v = required ? &required_array(key) : optional_array(key);
  std::vector<std::string> out;
  if (v == nullptr) return out;
  for (const auto& element : v->GetArray()) {
    if (!element.IsString()) fail(key, "must hold only strings");
    out.emplace_back(element.GetString(), element.GetStringLength());
  }
  return out;
}

void json_object_reader::finish() const {
  for (auto m = value_.MemberBegin(); m != value_.MemberEnd(); ++m) {
    if (read_[static_cast<std::size_t>(m - value_.MemberBegin())]) continue;
    const std::string key(m->name.GetString(), m->name.GetStringLength());
    // FindMember finds the first of two equal keys: the second is never read, and is refused as a
    // duplicate rather than silently ignored.
    if (value_.FindMember(m->name) != m) throw knowledge_error(path_ + ": duplicate key '" + key + "'");
    throw knowledge_error(path_ + ": unknown key '" + key + "'");
  }
}

}  // namespace ivig::rules
