// bench/mint_tokens.cpp: a key and many single-use JWTs for the HTTP benchmark of caller
// authentication (bench/auth.py). The service's replay cache refuses a token id it has seen, so a
// load run needs one token per request, minted before the clock starts.
//
// Usage: mint_tokens ALG ISSUER JWKS_OUT COUNT AUD=FILE...
//   ALG ES384 or RS384; writes the public JWK Set to JWKS_OUT and, for each AUD=FILE, COUNT tokens
//   (one a line) with that aud, iat now and exp an hour on (the service's default lifetime limit).
// Signing is the tests' (tests/support/jwt_minting.cpp, cjose); two threads share the work.
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/jwt_minting.hpp"

namespace {

std::vector<std::string> mint(const ivig::test::test_signing_key& key, const std::string& issuer,
                              const std::string& aud, const std::string& jti_prefix, std::size_t count) {
  const auto now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  std::vector<std::string> tokens(count);
  const auto sign_range = [&](std::size_t from, std::size_t to) {
    for (std::size_t i = from; i < to; ++i) {
      tokens[i] =
          key.sign(R"({"iss":")" + issuer + R"(","aud":")" + aud + R"(","iat":)" + std::to_string(now) + R"(,"exp":)" +
                   std::to_string(now + 3600) + R"(,"jti":")" + jti_prefix + std::to_string(i) + R"("})");
    }
  };
  std::thread other(sign_range, count / 2, count);
  sign_range(0, count / 2);
  other.join();
  return tokens;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 6) {
    std::cerr << "usage: mint_tokens ES384|RS384 ISSUER JWKS_OUT COUNT AUD=FILE...\n";
    return 2;
  }
  const std::string alg = argv[1], issuer = argv[2], jwks_out = argv[3];
  const std::size_t count = std::strtoul(argv[4], nullptr, 10);
  if (alg != "ES384" && alg != "RS384") {
    std::cerr << "mint_tokens: ALG must be ES384 or RS384\n";
    return 2;
  }
  const auto key = alg == "ES384" ? ivig::test::test_signing_key::es384("bench-" + alg)
                                  : ivig::test::test_signing_key::rs384("bench-" + alg);
  std::ofstream(jwks_out) << ivig::test::jwks_of({&key});
  for (int i = 5; i < argc; ++i) {
    const std::string pair = argv[i];
    const auto equals = pair.rfind('=');
    if (equals == std::string::npos) {
      std::cerr << "mint_tokens: " << pair << " is not AUD=FILE\n";
      return 2;
    }
    std::ofstream out(pair.substr(equals + 1));
    // The jti prefix keeps every file's tokens distinct from every other's within one service run.
    for (const std::string& token : mint(key, issuer, pair.substr(0, equals), std::to_string(i) + "-", count))
      out << token << '\n';
    if (!out) {
      std::cerr << "mint_tokens: cannot write " << pair.substr(equals + 1) << "\n";
      return 1;
    }
  }
  return 0;
}
