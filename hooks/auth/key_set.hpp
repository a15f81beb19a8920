// hooks/auth/key_set.hpp: a JWK Set turned into verification keys, looked up by `kid`.
//
// Parsing and key construction are cjose's (RFC 7517 JWKs over OpenSSL 3); this file decides which
// keys are usable: public signature keys only (no private parts, no symmetric `oct` keys, no `use`
// other than "sig"), RSA of at least 2048 bits, EC on P-256 or P-384. A key set is immutable once
// built and shared between threads.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/model/result.hpp"

struct _cjose_jwk_int;  // cjose_jwk_t, without its headers (they bring jansson)

namespace ivig::auth {

enum class key_type { rsa, ec_p256, ec_p384 };

struct verification_key {
  std::string kid;
  key_type type = key_type::rsa;
  std::string alg;  ///< the JWK's own `alg` when it names one; then only that algorithm may use it
  std::shared_ptr<_cjose_jwk_int> jwk;
};

class key_set {
 public:
  /// The usable keys of a JWK Set; keys that are not usable are listed in `skipped` (for the log).
  /// Fails when the text is not a JWK Set or holds a private key (a registration mistake that must
  /// not go unnoticed).
  static result<key_set, std::string> parse(std::string_view jwks_json);

  /// The key with this kid, or nullptr.
  const verification_key* find(std::string_view kid) const;
  std::size_t size() const { return keys_.size(); }
  const std::vector<std::string>& skipped() const { return skipped_; }

 private:
  std::map<std::string, verification_key, std::less<>> keys_;
  std::vector<std::string> skipped_;
};

/// Whether `key` may verify a signature made with `alg` (ES256 needs P-256, ES384 P-384, RS*/PS* RSA,
/// and the JWK's own alg, when it has one, must be `alg`).
bool key_fits_algorithm(const verification_key& key, std::string_view alg);

}  // namespace ivig::auth
