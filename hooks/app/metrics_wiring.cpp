// hooks/app/metrics_wiring.cpp: the metrics fed from the transport, the authenticator and the store.
#include "hooks/app/metrics_wiring.hpp"

#include <filesystem>
#include <system_error>

#include "hooks/auth/refusal_reason.hpp"
#include "hooks/service/prefetch_templates.hpp"

#ifndef IVIG_VERSION
#define IVIG_VERSION "unknown"
#endif
#ifndef IVIG_GIT_COMMIT
#define IVIG_GIT_COMMIT ""
#endif

namespace ivig::app {

using metrics::service_metrics;
using sample_kind = service_metrics::sample_kind;

metrics::metrics_labels metrics_labels_for(const rules::knowledge& kb) {
  metrics::metrics_labels labels;
  labels.version = IVIG_VERSION;
  labels.git_commit = IVIG_GIT_COMMIT;
  labels.knowledge_bundle = kb.bundle;
  labels.knowledge_version = kb.version;
  for (const std::string& id : service::ivig_service::service_ids()) labels.service_ids.insert(id);
  for (const auto& rule : kb.rules) labels.rule_ids.insert(rule.id);
  for (const auto& t : service::derive_prefetch_templates(kb)) labels.prefetch_keys.insert(t.key);
  return labels;
}

void observe_responses(server::server_config& config, service_metrics& metrics) {
  config.on_response = [&metrics](const server::response_observation& r) {
    metrics.observe_request(r.route, r.method, r.status, r.duration);
  };
}

void sample_transport(service_metrics& metrics, const server::server_stats& stats) {
  // The list of counters is server_stats.hpp's: a counter added there appears here by itself.
  const server::server_stats* s = &stats;
  const auto name_of = [](std::string_view counter) {
    std::string metric = "ivig_cds_transport_" + std::string(counter);
    return metric.ends_with("_total") ? metric : metric + "_total";
  };
#define IVIG_SAMPLE_SERVER_COUNTER(name, help)                        \
  metrics.add_sampled(name_of(#name), help, sample_kind::counter, {}, \
                      [s] { return static_cast<double>(s->name.load(std::memory_order_relaxed)); });
  IVIG_SERVER_COUNTERS(IVIG_SAMPLE_SERVER_COUNTER)
#undef IVIG_SAMPLE_SERVER_COUNTER
}

void sample_authentication(service_metrics& metrics, std::shared_ptr<const auth::jwt_authenticator> jwt) {
  metrics.add_sampled("ivig_cds_jwt_accepted_total", "Callers whose JWT was accepted", sample_kind::counter, {},
                      [jwt] { return static_cast<double>(jwt->counters().accepted()); });
  for (std::size_t i = 0; i < auth::refusal_reason_count; ++i) {
    const auto reason = static_cast<auth::refusal_reason>(i);
    metrics.add_sampled("ivig_cds_jwt_refusals_total", "Callers refused, by reason (docs/security.md)",
                        sample_kind::counter, {{"reason", std::string(auth::code_of(reason))}},
                        [jwt, reason] { return static_cast<double>(jwt->counters().refused(reason)); });
  }
}

void sample_audit_store(service_metrics& metrics, const std::shared_ptr<const audit::spooling_store>& store,
                        std::string spool_path) {
  // Weak: the metrics outlive the store, which must close (draining its queue) when the service does.
  const std::weak_ptr<const audit::spooling_store> weak = store;
  using store_t = audit::spooling_store;
  metrics.add_sampled("ivig_cds_audit_queue_depth", "Audit records waiting for the writer", sample_kind::gauge, {},
                      [weak] {
                        const auto s = weak.lock();
                        return s ? static_cast<double>(s->queue_depth()) : 0.0;
                      });
  metrics.add_sampled("ivig_cds_audit_ready", "1 while the audit store commits, 0 while it spools", sample_kind::gauge,
                      {}, [weak] {
                        const auto s = weak.lock();
                        return s && s->ready() ? 1.0 : 0.0;
                      });
  const struct {
    const char* name;
    const char* help;
    std::uint64_t (store_t::*read)() const;
  } counters[] = {
      {"ivig_cds_audit_commits_total", "Audit transactions committed", &store_t::commits},
      {"ivig_cds_audit_store_failures_total", "Audit transactions that failed (their records spooled)",
       &store_t::store_failures},
      {"ivig_cds_audit_spooled_records_total", "Audit records written to the spool file", &store_t::spooled_records},
      {"ivig_cds_audit_replayed_records_total", "Spooled audit records put into the chain", &store_t::replayed_records},
      {"ivig_cds_audit_lost_records_total", "Audit records neither committed nor spooled", &store_t::lost_records},
  };
  for (const auto& c : counters)
    metrics.add_sampled(c.name, c.help, sample_kind::counter, {}, [weak, read = c.read] {
      const auto s = weak.lock();
      return s ? static_cast<double>(((*s).*read)()) : 0.0;
    });
  metrics.add_sampled("ivig_cds_audit_spool_bytes", "Size of the audit spool file (0: none)", sample_kind::gauge, {},
                      [path = std::move(spool_path)] {
                        std::error_code ec;
                        const auto size = std::filesystem::file_size(path, ec);
                        return ec ? 0.0 : static_cast<double>(size);
                      });
}

void observe_audit_writer(audit::audit_options& options, service_metrics& metrics) {
  options.on_queue_wait = [&metrics](std::string_view kind, std::chrono::nanoseconds waited) {
    metrics.observe_audit_queue_wait(kind, waited);
  };
  options.on_transaction = [&metrics](bool committed, std::chrono::nanoseconds took) {
    metrics.observe_audit_transaction(committed, took);
  };
}

void observe_reloads(service::service_options& options, service_metrics& metrics) {
  options.on_reload = [&metrics](const rules::knowledge& kb) { metrics.knowledge_loaded(metrics_labels_for(kb)); };
}

server::server_config metrics_listener_config(const server::server_config& main, const std::string& address,
                                              unsigned short port, const service_metrics& metrics) {
  server::server_config config;
  config.address = address;
  config.port = port;
  // A scraper is one client asking for a few kilobytes: one thread, no workers, small limits; the
  // main listener's timeouts apply here too. Plain HTTP: nothing clinical is served here
  // (docs/security.md, "Metrics"), and scrapers speak HTTP by default.
  config.threads = 1;
  config.worker_threads = 0;
  config.body_limit = 1024;
  config.max_connections = 64;
  config.max_connections_per_peer = 16;
  config.read_timeout = main.read_timeout;
  config.write_timeout = main.write_timeout;
  config.idle_timeout = main.idle_timeout;
  config.drain_timeout = main.drain_timeout;
  config.kind = server::listener_kind::metrics;
  config.metrics = [&metrics] {
    server::http_reply reply;
    reply.body = metrics.scrape();
    reply.content_type = std::string(metrics::exposition_content_type);
    return reply;
  };
  return config;
}

}  // namespace ivig::app
