// hooks/service/ivig_service.hpp: the IVIg CDS services behind the HTTP transport.
//
// Implements server::request_handler: discovery of `ivig-order-select` and `ivig-order-sign`, and
// the pipeline of one call — parse (depth-limited), validate (CDS Hooks 2.0 + hook context), gather
// the PatientRecord (prefetch, then the missing-data source), find the IVIg orders, evaluate each
// with the engine at the injected `now`, and write the cards. Thread-safe: all state is read-only
// after construction except what each call builds for itself.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "fhir/model/fhir_time.hpp"
#include "hooks/audit/audit_sink.hpp"
#include "hooks/server/request_handler.hpp"
#include "hooks/service/prefetch_templates.hpp"
#include "hooks/service/record_gatherer.hpp"
#include "rules/engine/knowledge.hpp"

namespace ivig::service {

using clock_function = std::function<fhir::time_point()>;
/// Where the service writes its operational log lines (never clinical content or tokens).
using log_function = std::function<void(std::string_view line)>;

/// The wall clock, in whole seconds (the default `now` of a real deployment).
fhir::time_point system_now();
/// One line to stderr, written in one call so lines from several threads do not interleave.
void log_to_stderr(std::string_view line);

struct service_options {
  std::size_t max_json_depth = 64;
  clock_function now = system_now;
  /// When set, patients are audited as HMAC-SHA-256 of their id under this key, not as sent.
  std::string audit_patient_key;
  log_function log = log_to_stderr;
};

class ivig_service final : public server::request_handler {
 public:
  ivig_service(std::shared_ptr<const rules::knowledge> kb, service_options options,
               std::shared_ptr<audit::audit_sink> audit = std::make_shared<audit::null_audit_sink>(),
               std::shared_ptr<missing_data_source> fallback = std::make_shared<unavailable_data_source>());

  server::http_reply discovery() override;
  /// Parses, evaluates and builds the cards on the calling thread, hands the audit record to the
  /// store, and answers from the store's completion.
  void call_service(std::string_view service_id, std::string body, server::reply_sink done) override;
  server::http_reply health() override;
  void feedback(std::string_view service_id, std::string body, server::reply_sink done) override;
  server::http_reply readiness() override;
  void rejected(const server::rejection& what, server::http_reply reply, server::reply_sink done) override;

  const std::vector<prefetch_template>& prefetch_templates() const { return templates_; }

 private:
  std::shared_ptr<const rules::knowledge> kb_;
  service_options options_;
  /// The call's cards and its audit record (filled as far as the call got).
  server::http_reply handle_call(std::string_view service_id, std::string_view body, audit::call_record& audit);

  std::shared_ptr<audit::audit_sink> audit_;
  std::shared_ptr<missing_data_source> fallback_;
  std::vector<prefetch_template> templates_;
  std::string discovery_body_;
};

}  // namespace ivig::service
