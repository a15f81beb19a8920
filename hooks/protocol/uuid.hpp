// hooks/protocol/uuid.hpp: name-based UUIDs (RFC 4122 version 5, SHA-1).
//
// Card and suggestion uuids are derived from the hookInstance, the rule ids and the order, so the
// same call yields the same uuids (the EHR can re-request without duplicating feedback targets) and
// different calls never collide.
#pragma once

#include <string>
#include <string_view>

namespace ivig::protocol {

/// The UUIDv5 of `name` in the service's own namespace, as lower-case 8-4-4-4-12 text. Throws
/// std::runtime_error only if OpenSSL cannot compute SHA-1 (an environment defect, never input).
std::string uuid_v5(std::string_view name);

}  // namespace ivig::protocol
