// hooks/app/key_file.hpp: reading a secret key from a file named on the command line.
//
// Owns the rules every key file must meet (the patient-id key and the audit chain key): owner-only,
// at least 32 bytes. Keys come from files, never from argv, which any user can read in ps.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "fhir/model/result.hpp"

namespace ivig::app {

/// The fewest bytes a key may have: as many as the HMAC-SHA-256 output it keys.
inline constexpr std::size_t min_key_bytes = 32;

/// The key in `path`, without its trailing newlines. Fails, naming `option` and the file, when it
/// cannot be read, is readable or writable by group or other, or holds fewer than min_key_bytes.
[[nodiscard]] result<std::string, std::string> read_key_file(const std::string& path, std::string_view option);

}  // namespace ivig::app
