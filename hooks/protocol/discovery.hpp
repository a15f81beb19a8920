// hooks/protocol/discovery.hpp: the discovery document (GET /cds-services).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace ivig::protocol {

struct service_description {
  std::string id;
  std::string hook;
  std::string title;
  std::string description;
  std::string usage_requirements;
  /// prefetch key -> template, in the order they are written
  std::vector<std::pair<std::string, std::string>> prefetch;
};

/// {"services": [...]}, omitting empty optional fields.
std::string discovery_json(const std::vector<service_description>& services);

}  // namespace ivig::protocol
