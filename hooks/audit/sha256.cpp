// hooks/audit/sha256.cpp: hex SHA-256, HMAC-SHA-256 and random ids through OpenSSL.
//
// Only EVP_Digest, HMAC and RAND_bytes: the SHA256_* functions are deprecated in OpenSSL 3. A failure
// of any throws, since a chain built on a wrong digest or ids that repeat would be worse than stopping.
#include "hooks/audit/sha256.hpp"

#include <array>
#include <stdexcept>
#include <vector>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

namespace ivig::audit {
namespace {

std::string to_hex(const unsigned char* bytes, std::size_t count) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string hex(count * 2, '0');
  for (std::size_t i = 0; i < count; ++i) {
    hex[2 * i] = digits[bytes[i] >> 4];
    hex[2 * i + 1] = digits[bytes[i] & 0x0F];
  }
  return hex;
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  // EVP_Digest fails only when OpenSSL itself is broken (no SHA-256 provider); a chain built on a
  // wrong digest would be worse than stopping.
  if (EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("audit: OpenSSL SHA-256 failed");
  return to_hex(digest.data(), length);
}

std::string hmac_sha256_hex(std::string_view key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int length = 0;
  // HMAC returns null only when OpenSSL cannot compute it; a chain sealed with nothing is no chain.
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
           data.size(), mac.data(), &length) == nullptr)
    throw std::runtime_error("audit: OpenSSL HMAC-SHA-256 failed");
  return to_hex(mac.data(), length);
}

std::string random_hex(std::size_t count) {
  std::vector<unsigned char> bytes(count);
  if (RAND_bytes(bytes.data(), static_cast<int>(count)) != 1)
    throw std::runtime_error("audit: OpenSSL RAND_bytes failed");
  return to_hex(bytes.data(), count);
}

}  // namespace ivig::audit
