// hooks/app/metrics_wiring.hpp: connects the metrics to the libraries that do not know them.
//
// hooks/metrics owns the families; this file feeds it from the rest: the transport's response
// callback, the audit writer's timings, the service's reloads, and the counters the server, the JWT
// authenticator and the audit store already keep, sampled at each scrape. Only the application sees
// all of them (docs/layout.md).
#pragma once

#include <memory>
#include <string>

#include "hooks/audit/spooling_store.hpp"
#include "hooks/auth/jwt_authenticator.hpp"
#include "hooks/metrics/service_metrics.hpp"
#include "hooks/server/server_config.hpp"
#include "hooks/server/server_stats.hpp"
#include "hooks/service/ivig_service.hpp"
#include "rules/engine/knowledge.hpp"

namespace ivig::app {

/// The bounded label values: the program's version, the knowledge's bundle, rules and prefetch keys.
metrics::metrics_labels metrics_labels_for(const rules::knowledge& kb);

/// Makes `config` tell `metrics` of every response the main listener queues.
void observe_responses(server::server_config& config, metrics::service_metrics& metrics);

/// The transport's counters (server_stats.hpp), as ivig_cds_transport_<name>_total.
void sample_transport(metrics::service_metrics& metrics, const server::server_stats& stats);
/// Accepted callers and refusals by reason, every reason listed (zero included).
void sample_authentication(metrics::service_metrics& metrics, std::shared_ptr<const auth::jwt_authenticator> jwt);
/// The store's queue depth, commits, failures, spool and lost records; the spool file's size.
void sample_audit_store(metrics::service_metrics& metrics, const std::shared_ptr<const audit::spooling_store>& store,
                        std::string spool_path);

/// Makes the audit store tell `metrics` each record's wait in its queue and each transaction's time.
void observe_audit_writer(audit::audit_options& options, metrics::service_metrics& metrics);
/// Makes each reload the service switches to name its version and rules in `metrics`.
void observe_reloads(service::service_options& options, metrics::service_metrics& metrics);

/// The metrics listener's configuration: `main` with its address and port, GET /metrics only.
server::server_config metrics_listener_config(const server::server_config& main, const std::string& address,
                                              unsigned short port, const metrics::service_metrics& metrics);

}  // namespace ivig::app
