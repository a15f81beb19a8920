// hooks/auth/signed_token.cpp: segment decoding (cjose's base64url), header and claim reading
// (RapidJSON), and signature verification (cjose over OpenSSL).
#include "hooks/auth/signed_token.hpp"

#include <cjose/base64.h>
#include <cjose/jws.h>
#include <cjose/util.h>

#include <cmath>
#include <memory>

#include <rapidjson/document.h>

namespace ivig::auth {
namespace {

token_defect malformed(std::string diagnostics) {
  return {"token-malformed", std::move(diagnostics)};
}

/// The decoded bytes of one base64url segment, or nullopt when it is not base64url.
std::optional<std::string> decode_segment(std::string_view segment) {
  for (const char c : segment) {
    const bool base64url =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!base64url) return std::nullopt;  // cjose would accept padding and the standard alphabet
  }
  uint8_t* bytes = nullptr;
  std::size_t length = 0;
  cjose_err err{};
  if (!cjose_base64url_decode(segment.data(), segment.size(), &bytes, &length, &err)) return std::nullopt;
  const std::unique_ptr<uint8_t, cjose_dealloc_fn_t> owned(bytes, cjose_get_dealloc());
  return std::string(reinterpret_cast<const char*>(bytes), length);
}

/// A string member into `out`; false when present with another type.
bool read_string(const rapidjson::Value& object, const char* name, std::string& out) {
  const auto it = object.FindMember(name);
  if (it == object.MemberEnd()) return true;
  if (!it->value.IsString()) return false;
  out.assign(it->value.GetString(), it->value.GetStringLength());
  return true;
}

/// A NumericDate member (seconds since the epoch, possibly fractional) into `out`.
bool read_time(const rapidjson::Value& object, const char* name, std::optional<std::int64_t>& out) {
  const auto it = object.FindMember(name);
  if (it == object.MemberEnd()) return true;
  if (!it->value.IsNumber()) return false;
  const double seconds = it->value.GetDouble();
  if (!std::isfinite(seconds) || std::fabs(seconds) > 1e15) return false;
  out = static_cast<std::int64_t>(std::floor(seconds));
  return true;
}

bool read_audience(const rapidjson::Value& claims, std::vector<std::string>& out) {
  const auto it = claims.FindMember("aud");
  if (it == claims.MemberEnd()) return true;
  if (it->value.IsString()) {
    out.emplace_back(it->value.GetString(), it->value.GetStringLength());
    return true;
  }
  if (!it->value.IsArray()) return false;
  for (const rapidjson::Value& entry : it->value.GetArray()) {
    if (!entry.IsString()) return false;
    out.emplace_back(entry.GetString(), entry.GetStringLength());
  }
  return true;
}

std::optional<rapidjson::Document> parse_object(const std::string& text) {
  rapidjson::Document doc;
  // A JWT header or claim set is flat; a deep one is hostile and must not cost recursion.
  doc.Parse<rapidjson::kParseIterativeFlag>(text.data(), text.size());
  if (doc.HasParseError() || !doc.IsObject()) return std::nullopt;
  return doc;
}

}  // namespace

result<signed_token, token_defect> read_token(std::string_view compact) {
  const std::size_t first = compact.find('.');
  const std::size_t second = first == std::string_view::npos ? first : compact.find('.', first + 1);
  if (second == std::string_view::npos || compact.find('.', second + 1) != std::string_view::npos)
    return failure(malformed("The token is not three dot-separated segments (JWS compact form)."));
  const auto header_text = decode_segment(compact.substr(0, first));
  const auto claims_text = decode_segment(compact.substr(first + 1, second - first - 1));
  const std::string_view signature = compact.substr(second + 1);
  if (!header_text || !claims_text || !decode_segment(signature))
    return failure(malformed("A segment of the token is not base64url."));
  const auto header = parse_object(*header_text);
  if (!header) return failure(malformed("The token's header is not a JSON object."));
  const auto claims = parse_object(*claims_text);
  if (!claims) return failure(malformed("The token's claims are not a JSON object."));

  signed_token token;
  token.compact = std::string(compact);
  token_header& h = token.header;
  if (!read_string(*header, "alg", h.alg) || !read_string(*header, "kid", h.kid) ||
      !read_string(*header, "typ", h.typ) || !read_string(*header, "jku", h.jku))
    return failure(malformed("A header field of the token (alg, kid, typ or jku) is not a string."));
  token_claims& c = token.claims;
  if (!read_string(*claims, "iss", c.iss) || !read_string(*claims, "sub", c.sub) ||
      !read_string(*claims, "jti", c.jti) || !read_string(*claims, "tenant", c.tenant))
    return failure(malformed("A claim of the token (iss, sub, jti or tenant) is not a string."));
  if (!read_audience(*claims, c.aud))
    return failure(malformed("The token's aud is not a string or a list of strings."));
  if (!read_time(*claims, "exp", c.exp) || !read_time(*claims, "nbf", c.nbf) || !read_time(*claims, "iat", c.iat))
    return failure(malformed("A time claim of the token (exp, nbf or iat) is not a number of seconds."));
  return token;
}

bool signature_verifies(const signed_token& token, const verification_key& key) {
  cjose_err err{};
  cjose_jws_t* jws = cjose_jws_import(token.compact.data(), token.compact.size(), &err);
  if (jws == nullptr) return false;
  const bool verified = cjose_jws_verify(jws, key.jwk.get(), &err);
  cjose_jws_release(jws);
  return verified;
}

}  // namespace ivig::auth
