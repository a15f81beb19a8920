// hooks/metrics/metered_fhir_client.hpp: a FHIR client that times each GET the service sends.
//
// The service fetches what the prefetch lacks through the FHIR client interface: search pages of
// each key and the Medications orders reference. This decorator times every GET from the call to
// its completion and tells service_metrics its outcome ("ok", or the fetch failure's stable name),
// then passes the result on unchanged. Outcome only: the URL names the patient and the server, so
// it is never a label. The allowlist check (refusal) is the inner client's, untimed.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "fhir/client/fhir_client.hpp"
#include "hooks/metrics/service_metrics.hpp"

namespace ivig::metrics {

/// The outcome label of a fetch: "ok", else the failure's name ("timeout", "not_found", ...).
std::string_view fetch_outcome_label(fhir::client::fetch_failure failure);

class metered_fhir_client final : public fhir::client::fhir_client {
 public:
  using steady_clock_function = std::function<std::chrono::steady_clock::time_point()>;

  /// `metrics` must outlive every fetch's completion (they run on the inner client's threads).
  metered_fhir_client(
      std::shared_ptr<fhir::client::fhir_client> inner, service_metrics& metrics,
      steady_clock_function now = [] { return std::chrono::steady_clock::now(); });

  [[nodiscard]] std::optional<std::string> refusal(std::string_view url) const override { return inner_->refusal(url); }
  void get(fhir::client::fetch_request request, std::function<void(fhir::client::fetch_result)> done) override;

 private:
  std::shared_ptr<fhir::client::fhir_client> inner_;
  service_metrics& metrics_;
  steady_clock_function now_;
};

}  // namespace ivig::metrics
