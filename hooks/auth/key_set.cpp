// hooks/auth/key_set.cpp: JWK Set parsing with RapidJSON (the set) and cjose (each key).
#include "hooks/auth/key_set.hpp"

#include <string_view>

#include <cjose/jwk.h>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace ivig::auth {
namespace {

std::string string_member(const rapidjson::Value& object, const char* name) {
  const auto it = object.FindMember(name);
  if (it == object.MemberEnd() || !it->value.IsString()) return {};
  return {it->value.GetString(), it->value.GetStringLength()};
}

std::string to_json(const rapidjson::Value& value) {
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> writer(out);
  value.Accept(writer);
  return {out.GetString(), out.GetSize()};
}

/// Whether `text` is base64url as cjose can decode it without failing an assertion: the URL alphabet,
/// optionally padded with '=' at the end only, and not one character past a multiple of four.
/// cjose 0.6's decoder stops at the first '=' and asserts (aborting the process) when the text before
/// it leaves a lone 6-bit group, e.g. "AAAAA=x" (found by tests/fuzz/fuzz_jwt).
bool is_decodable_base64url(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  for (const char c : text) {
    const bool base64url =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!base64url) return false;
  }
  return text.size() % 4 != 1;
}

/// The first member of `entry` that cjose would base64url-decode and cannot, or nullptr.
const char* undecodable_key_member(const rapidjson::Value& entry) {
  for (const char* name : {"n", "e", "x", "y", "d", "p", "q", "dp", "dq", "qi", "k"}) {
    const auto it = entry.FindMember(name);
    if (it != entry.MemberEnd() && it->value.IsString() &&
        !is_decodable_base64url(std::string_view(it->value.GetString(), it->value.GetStringLength())))
      return name;
  }
  return nullptr;
}

/// The usable key `entry` describes, or why it is skipped.
result<verification_key, std::string> read_key(const rapidjson::Value& entry) {
  const std::string kid = string_member(entry, "kid");
  if (kid.empty()) return failure(std::string("a key without kid"));
  const std::string kty = string_member(entry, "kty");
  const std::string use = string_member(entry, "use");
  if (!use.empty() && use != "sig") return failure("key " + kid + ": use '" + use + "' is not sig");
  if (kty != "RSA" && kty != "EC") return failure("key " + kid + ": kty '" + kty + "' is not RSA or EC");
  verification_key key;
  key.kid = kid;
  key.alg = string_member(entry, "alg");
  if (kty == "EC") {
    const std::string crv = string_member(entry, "crv");
    if (crv == "P-256")
      key.type = key_type::ec_p256;
    else if (crv == "P-384")
      key.type = key_type::ec_p384;
    else
      return failure("key " + kid + ": curve '" + crv + "' is not P-256 or P-384");
  }
  if (const char* member = undecodable_key_member(entry))
    return failure("key " + kid + ": '" + member + "' is not base64url");
  const std::string json = to_json(entry);
  cjose_err err{};
  cjose_jwk_t* jwk = cjose_jwk_import(json.data(), json.size(), &err);
  if (jwk == nullptr) return failure("key " + kid + ": " + (err.message != nullptr ? err.message : "not a valid JWK"));
  key.jwk.reset(jwk, [](cjose_jwk_t* k) { cjose_jwk_release(k); });
  if (kty == "RSA" && cjose_jwk_get_keysize(jwk, &err) < 2048)
    return failure("key " + kid + ": an RSA key shorter than 2048 bits");
  return key;
}

}  // namespace

result<key_set, std::string> key_set::parse(std::string_view jwks_json) {
  rapidjson::Document doc;
  doc.Parse(jwks_json.data(), jwks_json.size());
  if (doc.HasParseError() || !doc.IsObject()) return failure(std::string("not a JSON object"));
  // Read through a const view: RapidJSON 1.1.0's MemberIterator == MemberIterator is ambiguous in
  // C++20 (reversed candidates), which clang rejects; ConstMemberIterator compares plainly.
  const rapidjson::Value& root = doc;
  const auto keys = root.FindMember("keys");
  if (keys == root.MemberEnd() || !keys->value.IsArray()) return failure(std::string("no \"keys\" array"));
  key_set set;
  for (const rapidjson::Value& entry : keys->value.GetArray()) {
    if (!entry.IsObject()) return failure(std::string("an entry of \"keys\" is not an object"));
    // A private part in a set meant for verification means the wrong file was registered.
    if (entry.HasMember("d")) return failure("key " + string_member(entry, "kid") + " is a private key");
    auto key = read_key(entry);
    if (!key) {
      set.skipped_.push_back(std::move(key.error()));
      continue;
    }
    const std::string kid = key->kid;
    if (!set.keys_.emplace(kid, std::move(*key)).second) return failure("two keys have kid " + kid);
  }
  return set;
}

const verification_key* key_set::find(std::string_view kid) const {
  const auto it = keys_.find(kid);
  return it == keys_.end() ? nullptr : &it->second;
}

bool key_fits_algorithm(const verification_key& key, std::string_view alg) {
  if (!key.alg.empty() && key.alg != alg) return false;
  if (alg == "ES256") return key.type == key_type::ec_p256;
  if (alg == "ES384") return key.type == key_type::ec_p384;
  if (alg == "RS256" || alg == "RS384" || alg == "PS256" || alg == "PS384") return key.type == key_type::rsa;
  return false;
}

}  // namespace ivig::auth
