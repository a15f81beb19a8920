// hooks/audit/sha256.hpp: hex SHA-256 and HMAC-SHA-256, the digests the audit log uses.
//
// Owns the digest behind the hash chain and the feedback dedupe key, the MAC of a keyed chain, and
// the random ids of spooled records. It uses OpenSSL's one-shot EVP_Digest and HMAC (the low-level
// SHA256_* and HMAC_CTX calls are deprecated in OpenSSL 3); no cryptography is written here.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ivig::audit {

/// Lower-case hex SHA-256 of `data` (64 characters).
std::string sha256_hex(std::string_view data);

/// Lower-case hex HMAC-SHA-256 of `data` under `key` (64 characters).
std::string hmac_sha256_hex(std::string_view key, std::string_view data);

/// Lower-case hex of `count` random bytes from OpenSSL's CSPRNG; throws std::runtime_error when it fails.
std::string random_hex(std::size_t count);

}  // namespace ivig::audit
