// hooks/protocol/discovery.cpp: writes the discovery document.
#include "hooks/protocol/discovery.hpp"

#include <string_view>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace ivig::protocol {
namespace {

void put(rapidjson::Writer<rapidjson::StringBuffer>& w, std::string_view key, std::string_view value) {
  if (value.empty()) return;
  w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

}  // namespace

std::string discovery_json(const std::vector<service_description>& services) {
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> w(out);
  w.StartObject();
  w.Key("services");
  w.StartArray();
  for (const service_description& s : services) {
    w.StartObject();
    put(w, "hook", s.hook);
    put(w, "title", s.title);
    put(w, "description", s.description);
    put(w, "id", s.id);
    if (!s.prefetch.empty()) {
      w.Key("prefetch");
      w.StartObject();
      for (const auto& [key, query] : s.prefetch) put(w, key, query);
      w.EndObject();
    }
    put(w, "usageRequirements", s.usage_requirements);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(out.GetString(), out.GetSize());
}

}  // namespace ivig::protocol
