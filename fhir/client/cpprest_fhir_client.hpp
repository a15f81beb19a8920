// fhir/client/cpprest_fhir_client.hpp: the fhir_client on cpprestsdk (the product brief's choice).
//
// One cpprestsdk http_client per FHIR server origin, kept for reuse (its connections stay alive
// between calls), at most `max_servers` of them. Certificates are verified (against `ca_file` when
// given, else the system's store); redirects are never followed; each request is cancelled at its
// call's deadline (deadline_watch.hpp); a body is read in chunks and abandoned past its limit.
#pragma once

#include <chrono>
#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "fhir/client/deadline_watch.hpp"
#include "fhir/client/fhir_client.hpp"
#include "fhir/client/server_policy.hpp"

namespace web::http::client {
class http_client;
}

namespace ivig::fhir::client {

struct client_options {
  server_policy policy;
  std::string ca_file;           ///< PEM bundle for https; empty: the system's CA store
  std::size_t max_servers = 16;  ///< FHIR server origins whose connections are kept for reuse
  /// cpprestsdk's own inactivity timeout: only a backstop, above any call's deadline (which is what
  /// bounds a fetch: deadline_watch.hpp).
  std::chrono::milliseconds inactivity_timeout{30000};
  /// The Accept header sent, and the media types a 2xx body may be declared as (lower case, without
  /// parameters). FHIR JSON by default (application/json+fhir is DSTU2's name for it; real servers
  /// still send it); the client that fetches JWK Sets for caller authentication takes JWK Set JSON.
  std::string accept = "application/fhir+json";
  std::vector<std::string> media_types{"application/fhir+json", "application/json", "application/json+fhir"};
};

class cpprest_fhir_client final : public fhir_client {
 public:
  explicit cpprest_fhir_client(client_options options);
  ~cpprest_fhir_client() override;

  [[nodiscard]] std::optional<std::string> refusal(std::string_view url) const override;
  void get(fetch_request request, std::function<void(fetch_result)> done) override;

 private:
  std::shared_ptr<web::http::client::http_client> client_for(const url_origin& origin);

  client_options options_;
  deadline_watch watch_;
  std::mutex mutex_;
  /// Most recently used first.
  std::list<std::pair<std::string, std::shared_ptr<web::http::client::http_client>>> clients_;
};

}  // namespace ivig::fhir::client
