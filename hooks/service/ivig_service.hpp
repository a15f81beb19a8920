// hooks/service/ivig_service.hpp: the IVIg CDS services behind the HTTP transport.
//
// Implements server::request_handler: discovery of `ivig-order-select` and `ivig-order-sign`, and
// the pipeline of one call — parse (depth-limited), validate (CDS Hooks 2.0 + hook context), gather
// the PatientRecord (prefetch, then what it lacks fetched from the EHR's FHIR server, asynchronously
// and under one deadline), find the IVIg orders, evaluate each with the engine at the injected
// `now`, and write the cards. Thread-safe: all state is read-only after construction except what
// each call builds for itself, and the knowledge it serves, which reload() replaces whole: each call
// takes the version current when it starts and keeps it to its end (docs/operations.md).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "fhir/model/fhir_time.hpp"
#include "fhir/model/result.hpp"
#include "hooks/audit/audit_sink.hpp"
#include "hooks/protocol/request_limits.hpp"
#include "hooks/server/request_handler.hpp"
#include "hooks/service/prefetch_templates.hpp"
#include "hooks/service/record_fetcher.hpp"
#include "hooks/service/record_gatherer.hpp"
#include "hooks/service/rejection_audit.hpp"
#include "rules/engine/knowledge.hpp"

namespace ivig::service {

using clock_function = std::function<fhir::time_point()>;
/// Where the service writes its operational log lines (never clinical content or tokens).
using log_function = std::function<void(std::string_view line)>;

/// The wall clock, in whole seconds (the default `now` of a real deployment).
fhir::time_point system_now();
/// One line to stderr, written in one call so lines from several threads do not interleave.
void log_to_stderr(std::string_view line);

/// Reads the knowledge bundle again, for reload(): the loaded bundle, or why it was refused.
using knowledge_source = std::function<result<std::shared_ptr<const rules::knowledge>, std::string>()>;

struct service_options {
  std::size_t max_json_depth = 64;
  clock_function now = system_now;
  /// When set, patients are audited as HMAC-SHA-256 of their id under this key, not as sent.
  std::string audit_patient_key;
  log_function log = log_to_stderr;
  /// Bounds on fetching what the prefetch lacks (used only with a FHIR client).
  fetch_limits fetch{};
  /// With caller authentication: the FHIR base URLs each issuer may name as fhirServer for fetching
  /// (beside the client's own allowlist). An authenticated caller whose issuer is not here never
  /// makes the service fetch. Unset: no binding (authentication off).
  std::optional<std::map<std::string, std::vector<std::string>, std::less<>>> issuer_fhir_servers{};
  /// Transport rejections (404, 401, 413 …) recorded one by one per minute; the rest are summarised
  /// (rejection_audit.hpp).
  std::size_t rejections_recorded_per_minute = 60;
  /// Caps on draft orders, selections, feedback items, string lengths and the response size (last, so
  /// that the positional initialisers of the tests and benchmarks keep their meaning).
  protocol::request_limits limits{};
  /// Where reload() reads the knowledge from (the --knowledge folder). Unset: the embedded bundle,
  /// which cannot change while the process runs, so reload() answers 409 reload-unavailable.
  knowledge_source reload_from{};
  /// Keep each evaluated call's replay input in its audit record (replay_input.hpp), so that
  /// `ivig-cds replay` can run it through another knowledge version (--audit-replay-inputs).
  bool keep_replay_inputs = false;
  /// Told of each bundle reload() switches to, once calls starting from then on get it (the metrics
  /// name its version and rules: docs/operations.md, "Metrics"). Unset: nobody is told.
  std::function<void(const rules::knowledge& kb)> on_reload{};
};

/// One knowledge version as the service serves it: the bundle and what is derived from it.
struct served_knowledge {
  std::shared_ptr<const rules::knowledge> kb;
  std::vector<prefetch_template> templates;
  std::string discovery_body;
};

struct call_in_progress;

class ivig_service final : public server::request_handler {
 public:
  ivig_service(std::shared_ptr<const rules::knowledge> kb, service_options options,
               std::shared_ptr<audit::audit_sink> audit = std::make_shared<audit::null_audit_sink>(),
               std::shared_ptr<fhir::client::fhir_client> fhir_client = nullptr);

  server::http_reply discovery() override;
  /// Parses and gathers the prefetch on the calling thread; fetches what it lacks when it has a FHIR
  /// client and the request a fhirServer (then continues on the client's thread); evaluates, builds
  /// the cards, hands the audit record to the store, and answers from the store's completion.
  void call_service(const server::caller& who, std::string_view service_id, std::string body,
                    server::reply_sink done) override;
  server::http_reply health() override;
  void feedback(const server::caller& who, std::string_view service_id, std::string body,
                server::reply_sink done) override;
  server::http_reply readiness() override;
  void rejected(const server::rejection& what, server::http_reply reply, server::reply_sink done) override;
  /// Loads options.reload_from and, when the loader accepts it, serves it to calls that start from
  /// now on: 200 with the new and previous versions; 422 knowledge-rejected (the loader's message)
  /// or 409 reload-unavailable otherwise, the running version staying in use. Logged either way.
  void reload(server::reply_sink done) override;

  /// Runs a recorded call again (its replay input, replay_input.hpp) on the knowledge served now, at
  /// the time options.now gives, without fetching or auditing: the record it would have written,
  /// cards included. The error says why the input could not be run (unreadable, or a request this
  /// version refuses, with its status and code).
  result<audit::call_record, std::string> replay(std::string_view service_id, std::string_view input);

  /// The knowledge calls starting now are evaluated with.
  std::shared_ptr<const served_knowledge> current_knowledge() const;
  std::vector<prefetch_template> prefetch_templates() const { return current_knowledge()->templates; }
  /// The ids of the services discovery lists (a bounded set, for metrics labels).
  static std::vector<std::string> service_ids();

  /// Writes the summaries of rejections not yet recorded and waits for them: after the server has
  /// stopped, before the audit store closes. Not on an I/O thread.
  void flush_rejection_summaries();

 private:
  service_options options_;
  /// The knowledge for the prefetch templates, discovery text and fetch requirements it implies.
  std::shared_ptr<const served_knowledge> serve(std::shared_ptr<const rules::knowledge> kb) const;
  /// Reads the request and its prefetch into `call`; the error reply when the request is rejected.
  std::optional<server::http_reply> read_call(std::string_view service_id, std::string_view body,
                                              call_in_progress& call);
  /// The cards for the gathered record, with the audit record filled.
  server::http_reply evaluate_call(call_in_progress& call);
  /// After the fetches: the record completed, then the cards (or 412 without a patient).
  server::http_reply continue_after_fetch(call_in_progress& call);
  /// Why `who` may not make this service fetch from `fhir_server`, or nothing when it may.
  std::optional<std::string> issuer_refusal(const server::caller& who, std::string_view fhir_server) const;
  /// Audits the call and sends `reply` once it is recorded.
  void finish(const std::shared_ptr<call_in_progress>& call, server::http_reply reply);

  /// Submits the summaries of rejection windows that have ended (cheap when there are none).
  void submit_due_rejection_summaries(fhir::time_point now);

  std::shared_ptr<audit::audit_sink> audit_;
  rejection_audit rejections_;
  std::shared_ptr<fhir::client::fhir_client> fhir_client_;
  mutable std::mutex knowledge_mutex_;  // guards the pointer only: a served_knowledge never changes
  std::shared_ptr<const served_knowledge> knowledge_;
  std::mutex reload_mutex_;  // one reload at a time
};

}  // namespace ivig::service
