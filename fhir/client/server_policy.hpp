// fhir/client/server_policy.hpp: which FHIR servers the service may fetch from.
//
// The CDS client names the FHIR server in each request (`fhirServer`), so the address is the
// caller's choice: without a policy, anyone who can call the service could make it fetch from the
// hospital's internal network or a cloud metadata address (server-side request forgery). A URL is
// fetched only when it lies under one of the configured base URLs (same scheme, host and port; the
// path at or below the base's). Plain http only to loopback hosts, unless a development setting
// allows it. Userinfo in a URL is refused (it hides the real host from a reader).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ivig::fhir::client {

struct server_policy {
  std::vector<std::string> allowed_bases;  ///< e.g. "https://ehr.example.org/fhir/r4"
  bool allow_plain_http = false;           ///< http:// to hosts other than loopback (development only)
};

/// The parts of an absolute http(s) URL that the policy compares, normalised (lower-case scheme and
/// host, the default port filled in, no trailing '/' on the path).
struct url_origin {
  std::string scheme;
  std::string host;
  int port = 0;
  std::string path;
};

/// `url` split and normalised, or nothing when it is not an absolute http(s) URL without userinfo.
std::optional<url_origin> parse_origin(std::string_view url);

/// True when both URLs have the same scheme, host and port.
bool same_origin(std::string_view a, std::string_view b);

/// Why `url` may not be fetched under `policy`, or nothing when it may.
std::optional<std::string> refusal(const server_policy& policy, std::string_view url);

/// True for "localhost", 127.0.0.0/8 and ::1.
bool is_loopback_host(std::string_view host);

}  // namespace ivig::fhir::client
