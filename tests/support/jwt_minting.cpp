// tests/support/jwt_minting.cpp: key generation and signing with cjose; HMAC with OpenSSL.
#include "tests/support/jwt_minting.hpp"

#include <cjose/base64.h>
#include <cjose/header.h>
#include <cjose/jwk.h>
#include <cjose/jws.h>
#include <cjose/util.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>

namespace ivig::test {
namespace {

std::shared_ptr<_cjose_jwk_int> owned(cjose_jwk_t* jwk) {
  if (jwk == nullptr) throw std::runtime_error("cjose could not make a key");
  return {jwk, [](cjose_jwk_t* k) { cjose_jwk_release(k); }};
}

/// The JWK as JSON with kid, use and alg added (cjose writes only the key material).
std::string with_members(const std::string& jwk_json, const std::string& kid, const std::string& alg) {
  std::string out = jwk_json;
  out.pop_back();  // the closing brace
  out += R"(,"kid":")" + kid + R"(","use":"sig","alg":")" + alg + R"("})";
  return out;
}

}  // namespace

test_signing_key test_signing_key::make(std::string kid, std::string alg, std::shared_ptr<_cjose_jwk_int> jwk) {
  test_signing_key key;
  key.kid_ = std::move(kid);
  key.alg_ = std::move(alg);
  key.jwk_ = std::move(jwk);
  return key;
}

test_signing_key test_signing_key::es384(std::string kid) {
  cjose_err err{};
  return make(std::move(kid), "ES384", owned(cjose_jwk_create_EC_random(CJOSE_JWK_EC_P_384, &err)));
}

test_signing_key test_signing_key::es256(std::string kid) {
  cjose_err err{};
  return make(std::move(kid), "ES256", owned(cjose_jwk_create_EC_random(CJOSE_JWK_EC_P_256, &err)));
}

test_signing_key test_signing_key::rs384(std::string kid) {
  cjose_err err{};
  const uint8_t exponent[] = {0x01, 0x00, 0x01};
  return make(std::move(kid), "RS384", owned(cjose_jwk_create_RSA_random(2048, exponent, sizeof exponent, &err)));
}

std::string test_signing_key::public_jwk() const {
  cjose_err err{};
  char* json = cjose_jwk_to_json(jwk_.get(), false, &err);
  if (json == nullptr) throw std::runtime_error("cjose could not write a JWK");
  std::string text(json);
  cjose_get_dealloc()(json);
  return with_members(text, kid_, alg_);
}

std::string test_signing_key::sign(const std::string& claims_json, std::map<std::string, std::string> header) const {
  header.try_emplace("alg", alg_);
  header.try_emplace("typ", "JWT");
  header.try_emplace("kid", kid_);
  cjose_err err{};
  cjose_header_t* protected_header = cjose_header_new(&err);
  for (const auto& [name, value] : header) {
    if (!value.empty()) cjose_header_set(protected_header, name.c_str(), value.c_str(), &err);
  }
  cjose_jws_t* jws = cjose_jws_sign(jwk_.get(), protected_header, reinterpret_cast<const uint8_t*>(claims_json.data()),
                                    claims_json.size(), &err);
  cjose_header_release(protected_header);
  if (jws == nullptr) throw std::runtime_error(std::string("cjose could not sign: ") + err.message);
  const char* compact = nullptr;
  cjose_jws_export(jws, &compact, &err);
  std::string token(compact);
  cjose_jws_release(jws);
  return token;
}

std::string jwks_of(const std::vector<const test_signing_key*>& keys) {
  std::string out = R"({"keys":[)";
  for (std::size_t i = 0; i < keys.size(); ++i) out += (i == 0 ? "" : ",") + keys[i]->public_jwk();
  return out + "]}";
}

std::string base64url(const std::string& bytes) {
  char* out = nullptr;
  std::size_t length = 0;
  cjose_err err{};
  cjose_base64url_encode(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), &out, &length, &err);
  std::string text(out, length);
  cjose_get_dealloc()(out);
  return text;
}

std::string assemble_token(const std::string& header_json, const std::string& claims_json,
                           const std::string& signature) {
  return base64url(header_json) + "." + base64url(claims_json) + "." + base64url(signature);
}

std::string hs256_token(const std::string& secret, const std::string& header_json, const std::string& claims_json) {
  const std::string input = base64url(header_json) + "." + base64url(claims_json);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &length);
  return input + "." + base64url(std::string(reinterpret_cast<const char*>(mac), length));
}

}  // namespace ivig::test
