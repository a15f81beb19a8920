// fhir/client/server_policy.cpp: the allowlist check (why: server_policy.hpp).
#include "fhir/client/server_policy.hpp"

#include <algorithm>
#include <cctype>

#include <cpprest/uri.h>

namespace ivig::fhir::client {
namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

bool path_at_or_below(std::string_view path, std::string_view base) {
  if (path.substr(0, base.size()) != base) return false;
  return path.size() == base.size() || path[base.size()] == '/';
}

/// "." and ".." segments, also percent-encoded: a server resolves them, so "/fhir/../admin" is not
/// under "/fhir" although it starts with it.
bool has_dot_segment(std::string_view path) {
  const std::string decoded = [&] {
    std::string text = lower(std::string(path));
    for (std::size_t at = text.find("%2e"); at != std::string::npos; at = text.find("%2e", at))
      text.replace(at, 3, ".");
    return text;
  }();
  std::size_t start = 0;
  while (start <= decoded.size()) {
    const std::size_t end = std::min(decoded.find('/', start), decoded.size());
    const std::string_view segment = std::string_view(decoded).substr(start, end - start);
    if (segment == "." || segment == "..") return true;
    start = end + 1;
  }
  return false;
}

}  // namespace

std::optional<url_origin> parse_origin(std::string_view url) {
  try {
    const web::uri parsed{std::string(url)};
    url_origin origin{lower(parsed.scheme()), lower(parsed.host()), parsed.port(), parsed.path()};
    if (origin.scheme != "http" && origin.scheme != "https") return std::nullopt;
    if (origin.host.empty() || !parsed.user_info().empty()) return std::nullopt;
    if (origin.port <= 0) origin.port = origin.scheme == "https" ? 443 : 80;
    while (!origin.path.empty() && origin.path.back() == '/') origin.path.pop_back();
    return origin;
  } catch (const web::uri_exception&) {
    return std::nullopt;
  }
}

bool same_origin(std::string_view a, std::string_view b) {
  const auto x = parse_origin(a);
  const auto y = parse_origin(b);
  return x && y && x->scheme == y->scheme && x->host == y->host && x->port == y->port;
}

bool is_loopback_host(std::string_view host) {
  if (host == "localhost" || host == "::1" || host == "[::1]") return true;
  if (host.substr(0, 4) != "127.") return false;
  return std::all_of(host.begin(), host.end(), [](char c) { return c == '.' || (c >= '0' && c <= '9'); });
}

std::optional<std::string> refusal(const server_policy& policy, std::string_view url) {
  const auto origin = parse_origin(url);
  if (!origin) return "it is not an absolute http(s) URL without user information";
  if (has_dot_segment(origin->path)) return "its path has a '.' or '..' segment";
  if (origin->scheme == "http" && !is_loopback_host(origin->host) && !policy.allow_plain_http)
    return "plain http is allowed only to loopback addresses";
  if (policy.allowed_bases.empty()) return "no FHIR server is allowed in this service's configuration (--fhir-allow)";
  for (const std::string& base : policy.allowed_bases) {
    const auto allowed = parse_origin(base);
    if (allowed && allowed->scheme == origin->scheme && allowed->host == origin->host &&
        allowed->port == origin->port && path_at_or_below(origin->path, allowed->path))
      return std::nullopt;
  }
  return "it is not under a FHIR server base URL this service is allowed to query (--fhir-allow)";
}

}  // namespace ivig::fhir::client
