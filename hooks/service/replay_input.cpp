// hooks/service/replay_input.cpp: writing and reading a call's replay input.
#include "hooks/service/replay_input.hpp"

#include <array>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "hooks/protocol/json_body.hpp"

namespace ivig::service {
namespace {

using json_writer = rapidjson::Writer<rapidjson::StringBuffer>;

// The words the input uses for fhir::data_state, in its order.
constexpr std::array<std::string_view, 4> state_names{"provided", "not-provided", "error", "incomplete"};

void write_string(json_writer& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

void write_resources(json_writer& w, const std::vector<const rapidjson::Value*>& resources) {
  w.StartArray();
  for (const rapidjson::Value* resource : resources) resource->Accept(w);
  w.EndArray();
}

const rapidjson::Value* member(const rapidjson::Value& object, const char* name) {
  const auto it = object.FindMember(name);
  return it == object.MemberEnd() ? nullptr : &it->value;
}

std::string text_of(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  json_writer w(buffer);
  value.Accept(w);
  return {buffer.GetString(), buffer.GetSize()};
}

/// The resources of `list` (an array of objects), or why it is not one.
result<std::vector<const rapidjson::Value*>, std::string> resources_of(const rapidjson::Value* list,
                                                                       const std::string& where) {
  std::vector<const rapidjson::Value*> resources;
  if (list == nullptr) return resources;
  if (!list->IsArray()) return failure(where + " is not an array");
  for (const rapidjson::Value& resource : list->GetArray()) {
    if (!resource.IsObject()) return failure(where + " holds something other than a resource");
    resources.push_back(&resource);
  }
  return resources;
}

result<fetched_data::key_result, std::string> key_result_of(const rapidjson::Value& item) {
  fetched_data::key_result key;
  if (!item.IsObject()) return failure(std::string("a fetched entry is not an object"));
  const rapidjson::Value* name = member(item, "key");
  const rapidjson::Value* state = member(item, "state");
  if (name == nullptr || !name->IsString() || state == nullptr || !state->IsString())
    return failure(std::string("a fetched entry lacks its key or state"));
  key.key = name->GetString();
  bool known = false;
  for (std::size_t i = 0; i < state_names.size(); ++i) {
    if (state_names[i] != state->GetString()) continue;
    key.status.state = static_cast<fhir::data_state>(i);
    known = true;
  }
  if (!known) return failure("fetched key " + key.key + " has an unknown state");
  key.status.fetched = true;
  for (auto [field, target] : {std::pair{"detail", &key.status.detail}, std::pair{"reason", &key.status.reason}}) {
    const rapidjson::Value* text = member(item, field);
    if (text != nullptr && text->IsString()) *target = text->GetString();
  }
  auto resources = resources_of(member(item, "resources"), "fetched key " + key.key + ": resources");
  if (!resources) return failure(resources.error());
  key.resources = std::move(*resources);
  return key;
}

}  // namespace

std::string write_replay_input(const rapidjson::Value& request, const fetched_data* fetched) {
  rapidjson::StringBuffer buffer;
  json_writer w(buffer);
  w.StartObject();
  w.Key("request");
  w.StartObject();
  for (const auto& m : request.GetObject()) {
    // The EHR's access token for its FHIR server: never kept, in the audit log or anywhere else.
    if (std::string_view(m.name.GetString(), m.name.GetStringLength()) == "fhirAuthorization") continue;
    m.name.Accept(w);
    m.value.Accept(w);
  }
  w.EndObject();
  if (fetched != nullptr) {
    w.Key("fetched");
    w.StartArray();
    for (const fetched_data::key_result& key : fetched->keys) {
      w.StartObject();
      w.Key("key");
      write_string(w, key.key);
      w.Key("state");
      write_string(w, state_names[static_cast<std::size_t>(key.status.state)]);
      w.Key("detail");
      write_string(w, key.status.detail);
      w.Key("reason");
      write_string(w, key.status.reason);
      w.Key("resources");
      write_resources(w, key.resources);
      w.EndObject();
    }
    w.EndArray();
    w.Key("medications");
    write_resources(w, fetched->medications);
  }
  w.EndObject();
  return {buffer.GetString(), buffer.GetSize()};
}

result<replay_input, std::string> read_replay_input(std::string_view text, std::size_t max_depth) {
  auto parsed = protocol::parse_json_body(text, max_depth);
  if (!parsed) return failure("not JSON: " + parsed.error().diagnostics);
  const rapidjson::Value& document = *parsed;
  const rapidjson::Value* request = member(document, "request");
  if (request == nullptr || !request->IsObject()) return failure(std::string("it has no request object"));
  replay_input input;
  input.request = text_of(*request);
  const rapidjson::Value* keys = member(document, "fetched");
  if (keys == nullptr) return input;
  if (!keys->IsArray()) return failure(std::string("fetched is not an array"));
  auto fetched = std::make_shared<fetched_data>();
  for (const rapidjson::Value& item : keys->GetArray()) {
    auto key = key_result_of(item);
    if (!key) return failure(key.error());
    fetched->keys.push_back(std::move(*key));
  }
  auto medications = resources_of(member(document, "medications"), "medications");
  if (!medications) return failure(medications.error());
  fetched->medications = std::move(*medications);
  // The resources point into the parsed input: it lives as long as they do.
  fetched->documents.push_back(std::move(*parsed));
  input.fetched = std::move(fetched);
  return input;
}

}  // namespace ivig::service
