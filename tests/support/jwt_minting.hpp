// tests/support/jwt_minting.hpp: JWTs made in the tests, with keys generated for each test run.
//
// Signing is cjose's (the library the service verifies with, but its signing path, which the service
// never uses); the tokens that no honest signer makes (alg none, malformed segments, HS256 keyed with
// a public key) are assembled by hand from base64url segments.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

struct _cjose_jwk_int;

namespace ivig::test {

class test_signing_key {
 public:
  static test_signing_key es384(std::string kid);
  static test_signing_key es256(std::string kid);
  static test_signing_key rs384(std::string kid);

  const std::string& kid() const { return kid_; }
  /// The public JWK (no private members), with kid, use "sig" and alg.
  std::string public_jwk() const;
  /// A compact JWS over `claims_json` with this key; `header` gives alg, typ, kid, jku (strings).
  /// alg defaults to the key's, typ to JWT, kid to the key's; an empty value leaves the field out.
  std::string sign(const std::string& claims_json, std::map<std::string, std::string> header = {}) const;

 private:
  static test_signing_key make(std::string kid, std::string alg, std::shared_ptr<_cjose_jwk_int> jwk);

  std::string kid_;
  std::string alg_;
  std::shared_ptr<_cjose_jwk_int> jwk_;
};

/// {"keys":[...]} of the keys' public JWKs.
std::string jwks_of(const std::vector<const test_signing_key*>& keys);

/// base64url without padding.
std::string base64url(const std::string& bytes);

/// header.claims.signature from the JSON texts and raw signature bytes, signed by nobody.
std::string assemble_token(const std::string& header_json, const std::string& claims_json,
                           const std::string& signature);

/// An HS256 token keyed with `secret` (the alg-confusion attack: the public key as an HMAC secret).
std::string hs256_token(const std::string& secret, const std::string& header_json, const std::string& claims_json);

}  // namespace ivig::test
