// hooks/protocol/uuid.cpp: UUIDv5 with OpenSSL's SHA-1.
//
// SHA-1 over a short in-memory string cannot fail for any input; if OpenSSL says it did, the
// library is broken or configured to refuse SHA-1 (an environment error, not a request error), so
// it throws: the router answers internal-error and logs it instead of sending a card with a uuid
// made of zeros that would collide across calls.
#include "hooks/protocol/uuid.hpp"

#include <array>
#include <cstdio>
#include <stdexcept>

#include <openssl/evp.h>

namespace ivig::protocol {
namespace {

// The namespace of ivig-cds card uuids: itself a UUIDv5 of "urn:ivig-cds" in the RFC 4122 URL namespace,
// fixed here once so that uuids stay stable across releases.
constexpr std::array<unsigned char, 16> ivig_namespace{0x6c, 0x1f, 0x4a, 0x52, 0x8e, 0x0d, 0x5b, 0x3a,
                                                       0x9d, 0x44, 0x2f, 0x71, 0x0b, 0x8a, 0x63, 0xe5};

}  // namespace

std::string uuid_v5(std::string_view name) {
  std::string input(reinterpret_cast<const char*>(ivig_namespace.data()), ivig_namespace.size());
  input.append(name);
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (EVP_Digest(input.data(), input.size(), digest.data(), &length, EVP_sha1(), nullptr) != 1 || length != 20)
    throw std::runtime_error("uuid_v5: OpenSSL could not compute SHA-1");
  digest[6] = static_cast<unsigned char>((digest[6] & 0x0F) | 0x50);  // version 5
  digest[8] = static_cast<unsigned char>((digest[8] & 0x3F) | 0x80);  // RFC 4122 variant
  char text[37];
  std::snprintf(text, sizeof text, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", digest[0],
                digest[1], digest[2], digest[3], digest[4], digest[5], digest[6], digest[7], digest[8], digest[9],
                digest[10], digest[11], digest[12], digest[13], digest[14], digest[15]);
  return text;
}

}  // namespace ivig::protocol
