// hooks/protocol/uuid.cpp: UUIDv5 with OpenSSL's SHA-1.
//
// SHA-1 over a short in-memory string cannot fail for any input; if OpenSSL says it did, the
// library is broken or configured to refuse SHA-1 (an environment error, not a request error), so
// it throws: the router answers internal-error and logs it instead of sending a card with a uuid
// made of zeros that would collide across calls.
//
// A call makes a uuid per card and suggestion: the digest is fetched once per process and its
// context kept per thread, since with OpenSSL 3 a one-shot EVP_Digest(EVP_sha1()) looks the
// algorithm up and allocates a context every time, which costs several times the hash itself.
#include "hooks/protocol/uuid.hpp"

#include <array>
#include <memory>
#include <stdexcept>

#include <openssl/evp.h>

namespace ivig::protocol {
namespace {

// The namespace of ivig-cds card uuids: itself a UUIDv5 of "urn:ivig-cds" in the RFC 4122 URL namespace,
// fixed here once so that uuids stay stable across releases.
constexpr std::array<unsigned char, 16> ivig_namespace{0x6c, 0x1f, 0x4a, 0x52, 0x8e, 0x0d, 0x5b, 0x3a,
                                                       0x9d, 0x44, 0x2f, 0x71, 0x0b, 0x8a, 0x63, 0xe5};

const EVP_MD* sha1() {
#if OPENSSL_VERSION_MAJOR >= 3
  static const EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA1", nullptr);  // kept for the process
  return md;
#else
  return EVP_sha1();
#endif
}

struct context_free {
  void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};

EVP_MD_CTX* thread_context() {
  thread_local const std::unique_ptr<EVP_MD_CTX, context_free> context(EVP_MD_CTX_new());
  return context.get();
}

}  // namespace

std::string uuid_v5(std::string_view name) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  const EVP_MD* md = sha1();
  EVP_MD_CTX* context = thread_context();
  if (md == nullptr || context == nullptr || EVP_DigestInit_ex(context, md, nullptr) != 1 ||
      EVP_DigestUpdate(context, ivig_namespace.data(), ivig_namespace.size()) != 1 ||
      EVP_DigestUpdate(context, name.data(), name.size()) != 1 ||
      EVP_DigestFinal_ex(context, digest.data(), &length) != 1 || length != 20)
    throw std::runtime_error("uuid_v5: OpenSSL could not compute SHA-1");
  digest[6] = static_cast<unsigned char>((digest[6] & 0x0F) | 0x50);  // version 5
  digest[8] = static_cast<unsigned char>((digest[8] & 0x3F) | 0x80);  // RFC 4122 variant
  // 8-4-4-4-12 lower-case hex digits of the first 16 bytes.
  constexpr std::string_view hex = "0123456789abcdef";
  std::string text;
  text.reserve(36);
  for (std::size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) text.push_back('-');
    text.push_back(hex[digest[i] >> 4]);
    text.push_back(hex[digest[i] & 0x0F]);
  }
  return text;
}

}  // namespace ivig::protocol
