// tests/fuzz/fuzz_jwt.cpp: the JWT reader — read_token on the input as a compact JWS, and
// key_set::parse on it as a JWK Set (cjose parses the keys). The first byte picks which.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "hooks/auth/key_set.hpp"
#include "hooks/auth/signed_token.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ivig::auth;
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  if (data[0] % 2 == 0) {
    (void)read_token(text);
  } else if (auto keys = key_set::parse(text)) {
    keys->find("kid");
  }
  return 0;
}
