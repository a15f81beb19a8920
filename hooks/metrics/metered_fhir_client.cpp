// hooks/metrics/metered_fhir_client.cpp: time, then pass on (see the header).
#include "hooks/metrics/metered_fhir_client.hpp"

#include <utility>

namespace ivig::metrics {

using fhir::client::fetch_failure;

std::string_view fetch_outcome_label(fetch_failure failure) {
  // Snake-case words of their own, not describe()'s ("401 unauthorized"), which are audit text.
  switch (failure) {
    case fetch_failure::none:
      return "ok";
    case fetch_failure::timeout:
      return "timeout";
    case fetch_failure::unauthorized:
      return "unauthorized";
    case fetch_failure::forbidden:
      return "forbidden";
    case fetch_failure::not_found:
      return "not_found";
    case fetch_failure::server_error:
      return "server_error";
    case fetch_failure::http_error:
      return "http_error";
    case fetch_failure::malformed:
      return "malformed";
    case fetch_failure::wrong_content_type:
      return "wrong_content_type";
    case fetch_failure::too_large:
      return "too_large";
    case fetch_failure::connection_failed:
      return "connection_failed";
    case fetch_failure::refused:
      return "refused";
  }
  return "other";
}

metered_fhir_client::metered_fhir_client(std::shared_ptr<fhir::client::fhir_client> inner, service_metrics& metrics,
                                         steady_clock_function now)
    : inner_(std::move(inner)), metrics_(metrics), now_(std::move(now)) {}

void metered_fhir_client::get(fhir::client::fetch_request request,
                              std::function<void(fhir::client::fetch_result)> done) {
  const auto started = now_();
  inner_->get(std::move(request),
              [&metrics = metrics_, now = now_, started, done = std::move(done)](fhir::client::fetch_result result) {
                metrics.observe_fhir_fetch(fetch_outcome_label(result.failure), now() - started);
                done(std::move(result));
              });
}

}  // namespace ivig::metrics
