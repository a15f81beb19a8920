// hooks/app/issuers_file.cpp: strict JSON reading of the issuers file (RapidJSON).
#include "hooks/app/issuers_file.hpp"

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace ivig::app {
namespace {

result<std::string, std::string> read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return failure("cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// A list of strings (one string is a list of one) into `out`; false when it is anything else.
bool read_strings(const rapidjson::Value& value, std::vector<std::string>& out) {
  if (value.IsString()) {
    out.emplace_back(value.GetString(), value.GetStringLength());
    return true;
  }
  if (!value.IsArray()) return false;
  for (const rapidjson::Value& entry : value.GetArray()) {
    if (!entry.IsString() || entry.GetStringLength() == 0) return false;
    out.emplace_back(entry.GetString(), entry.GetStringLength());
  }
  return true;
}

result<auth::issuer_settings, std::string> read_issuer(const rapidjson::Value& entry,
                                                       const std::filesystem::path& folder) {
  if (!entry.IsObject()) return failure(std::string("an entry of \"issuers\" is not an object"));
  auth::issuer_settings issuer;
  const auto iss = entry.FindMember("iss");
  if (iss == entry.MemberEnd() || !iss->value.IsString() || iss->value.GetStringLength() == 0)
    return failure(std::string("an issuer without \"iss\""));
  issuer.issuer = iss->value.GetString();
  const auto problem = [&](const std::string& what) { return failure("issuer " + issuer.issuer + ": " + what); };
  static const std::set<std::string> known{"iss", "jwks_file", "jwks", "jku", "tenants", "fhir_servers"};
  for (const auto& member : entry.GetObject()) {
    const std::string name = member.name.GetString();
    if (!known.contains(name)) return problem("unknown member \"" + name + "\"");
    const rapidjson::Value& value = member.value;
    if (name == "jwks_file") {
      if (!value.IsString()) return problem("\"jwks_file\" is not a path");
      std::filesystem::path file = value.GetString();
      if (file.is_relative()) file = folder / file;
      auto text = read_text(file);
      if (!text) return problem(text.error());
      if (!issuer.jwks_json.empty()) return problem("both \"jwks_file\" and \"jwks\"");
      issuer.jwks_json = std::move(*text);
    } else if (name == "jwks") {
      if (!value.IsObject()) return problem("\"jwks\" is not a JWK Set object");
      if (!issuer.jwks_json.empty()) return problem("both \"jwks_file\" and \"jwks\"");
      rapidjson::StringBuffer out;
      rapidjson::Writer<rapidjson::StringBuffer> writer(out);
      value.Accept(writer);
      issuer.jwks_json.assign(out.GetString(), out.GetSize());
    } else if (name == "jku" && !read_strings(value, issuer.jku_allow)) {
      return problem("\"jku\" is not a list of URLs");
    } else if (name == "tenants" && !read_strings(value, issuer.tenants)) {
      return problem("\"tenants\" is not a list of strings");
    } else if (name == "fhir_servers" && !read_strings(value, issuer.fhir_servers)) {
      return problem("\"fhir_servers\" is not a list of URLs");
    }
  }
  return issuer;
}

}  // namespace

result<std::vector<auth::issuer_settings>, std::string> read_issuers_file(const std::string& path) {
  const auto fail = [&](const std::string& what) { return failure("--issuers-file " + path + ": " + what); };
  auto text = read_text(path);
  if (!text) return fail(text.error());
  rapidjson::Document doc;
  doc.Parse(text->data(), text->size());
  if (doc.HasParseError() || !doc.IsObject()) return fail("not a JSON object");
  for (const auto& member : doc.GetObject()) {
    if (std::string_view(member.name.GetString()) != "issuers")
      return fail("unknown member \"" + std::string(member.name.GetString()) + "\"");
  }
  const auto issuers = doc.FindMember("issuers");
  if (issuers == doc.MemberEnd() || !issuers->value.IsArray() || issuers->value.Empty())
    return fail("no \"issuers\" list, or an empty one");
  std::vector<auth::issuer_settings> out;
  const std::filesystem::path folder = std::filesystem::absolute(path).parent_path();
  for (const rapidjson::Value& entry : issuers->value.GetArray()) {
    auto issuer = read_issuer(entry, folder);
    if (!issuer) return fail(issuer.error());
    out.push_back(std::move(*issuer));
  }
  return out;
}

}  // namespace ivig::app
