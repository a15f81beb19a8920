// hooks/app/main.cpp: the ivig-cds executable — options, knowledge, wiring, signals. Thin on purpose.
#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string_view>

#include "fhir/client/cpprest_fhir_client.hpp"
#include "fhir/model/result.hpp"
#include "hooks/app/audit_commands.hpp"
#include "hooks/app/caller_authentication.hpp"
#include "hooks/app/key_file.hpp"
#include "hooks/app/malloc_settings.hpp"
#include "hooks/app/metrics_wiring.hpp"
#include "hooks/app/options.hpp"
#include "hooks/app/replay_command.hpp"
#include "hooks/audit/pg_store.hpp"
#include "hooks/audit/sqlite_store.hpp"
#include "hooks/logging/log.hpp"
#include "hooks/metrics/metered_audit_sink.hpp"
#include "hooks/metrics/metered_fhir_client.hpp"
#include "hooks/metrics/service_metrics.hpp"
#include "hooks/server/http_server.hpp"
#include "hooks/service/ivig_service.hpp"
#include "rules/load/knowledge_loader.hpp"

namespace {

/// main()'s own events go to the service's one log (hooks/logging), component "app".
void app_log(ivig::logging::level lvl, const std::string& message) {
  ivig::logging::log(lvl, "app", message);
}
void refuse(const std::string& message) {
  app_log(ivig::logging::level::error, message);
}

/// The folder the audit log lives in must exist before the service starts.
ivig::result<void, std::string> check_audit_location(const std::string& path) {
  const std::filesystem::path parent = std::filesystem::absolute(path).parent_path();
  std::error_code ec;
  if (!std::filesystem::is_directory(parent, ec))
    return ivig::failure("--audit-path: the folder " + parent.string() + " does not exist");
  return {};
}

/// The key in `file`, checked (key_file.hpp); an empty key when no file is named.
ivig::result<std::string, std::string> optional_key(const std::string& file, std::string_view option) {
  if (file.empty()) return std::string();
  return ivig::app::read_key_file(file, option);
}

}  // namespace

int main(int argc, char** argv) {
  const ivig::app::parse_outcome outcome = ivig::app::parse_options(argc, argv);
  if (!outcome.parsed) return outcome.exit_code;
  const ivig::app::options& o = *outcome.parsed;
  ivig::logging::set_format(o.log_format == "text" ? ivig::logging::format::text : ivig::logging::format::json);
  if (!o.audit.name.empty()) return ivig::app::run_audit_command(o);
  if (o.replay.requested) return ivig::app::run_replay_command(o);
  if (const auto refused = ivig::app::exposure_refusal(o)) {
    refuse(*refused);
    return 1;
  }
  auto authentication = ivig::app::set_up_authentication(
      o, [](std::string_view line) { ivig::logging::log(ivig::logging::level::warning, "auth", line); });
  if (!authentication) {
    refuse(authentication.error());
    return 1;
  }

  // Site codes join the knowledge during the load: afterwards it is immutable and shared.
  ivig::rules::load_options load_options;
  if (!o.anti_iga_test_codes.empty()) load_options.site_codes["anti-iga-test-code"] = o.anti_iga_test_codes;
  const ivig::rules::load_result loaded = o.knowledge_dir.empty()
                                              ? ivig::rules::load_embedded_knowledge(load_options)
                                              : ivig::rules::load_knowledge_dir(o.knowledge_dir, load_options);
  if (!loaded) {
    refuse("knowledge bundle rejected: " + loaded.error());
    return 1;
  }
  if (const auto audit_location = check_audit_location(o.audit_path); !audit_location) {
    refuse(audit_location.error());
    return 1;
  }
  // Both keys are read (and their files checked) before anything opens, --check-config included.
  const auto patient_key = optional_key(o.audit_patient_key_file, "--audit-patient-key-file");
  const auto chain_key = optional_key(o.audit_chain_key_file, "--audit-chain-key-file");
  for (const auto* key : {&patient_key, &chain_key}) {
    if (!*key) {
      refuse(key->error());
      return 1;
    }
  }
  // Declared before everything it observes, so that it outlives them (audit completions included).
  std::unique_ptr<ivig::metrics::service_metrics> metrics;
  if (o.metrics_enabled)
    metrics = std::make_unique<ivig::metrics::service_metrics>(ivig::app::metrics_labels_for(**loaded));
  std::shared_ptr<ivig::audit::audit_sink> audit = std::make_shared<ivig::audit::null_audit_sink>();
  if (o.audit_enabled && !o.check_config) {
    try {
      ivig::audit::audit_options audit_options;
      audit_options.path = o.audit_path;
      audit_options.durable_against = o.audit_durability == "process-crash" ? ivig::audit::durability::process_crash
                                                                            : ivig::audit::durability::power_loss;
      audit_options.chain_key = *chain_key;
      if (o.audit_head_log_seconds > 0) {
        // Seq and hash only, never record content: operators ship this line to a write-once store.
        audit_options.head_interval = std::chrono::seconds(o.audit_head_log_seconds);
        audit_options.on_head = [](const ivig::audit::chain_position& head) {
          ivig::logging::log(ivig::logging::level::info, "audit", ivig::audit::head_line(head));
        };
      }
      if (metrics) ivig::app::observe_audit_writer(audit_options, *metrics);
      std::shared_ptr<ivig::audit::spooling_store> store;
      if (o.audit_url.empty()) {
        store = std::make_shared<ivig::audit::sqlite_audit_store>(audit_options);
      } else {
        ivig::audit::pg_audit_options pg;
        pg.common = audit_options;
        pg.url = o.audit_url;
        pg.passfile = o.audit_password_file;
        pg.chain_id = ivig::app::audit_chain_id(o);
        store = std::make_shared<ivig::audit::pg_audit_store>(pg);
      }
      if (metrics) ivig::app::sample_audit_store(*metrics, store, store->options().spool_path);
      audit = std::move(store);
    } catch (const std::exception& e) {
      refuse(std::string("the audit log cannot be opened: ") + e.what());
      return 1;
    }
  }
  std::shared_ptr<ivig::fhir::client::fhir_client> fhir_client;
  for (const std::string& base : o.fhir_allow) {
    const auto origin = ivig::fhir::client::parse_origin(base);
    if (!origin ||
        (origin->scheme == "http" && !o.fhir_allow_plain_http && !ivig::fhir::client::is_loopback_host(origin->host))) {
      refuse("--fhir-allow " + base +
             ": must be an https URL (http only to loopback, or with --fhir-allow-plain-http)");
      return 1;
    }
  }
  if (!o.fhir_allow.empty()) {
    ivig::fhir::client::client_options client_options;
    client_options.policy = {o.fhir_allow, o.fhir_allow_plain_http};
    client_options.ca_file = o.fhir_ca_file;
    client_options.max_servers = o.fhir_max_servers;
    fhir_client = std::make_shared<ivig::fhir::client::cpprest_fhir_client>(client_options);
    // Each GET timed by outcome; the metrics outlive the client (declared before it).
    if (metrics) fhir_client = std::make_shared<ivig::metrics::metered_fhir_client>(fhir_client, *metrics);
  }
  // The service's calls and feedback reach the metrics as the audit log sees them.
  if (metrics) audit = std::make_shared<ivig::metrics::metered_audit_sink>(audit, *metrics);
  if (metrics && authentication->authenticator)
    ivig::app::sample_authentication(*metrics, authentication->authenticator);
  ivig::service::service_options service_options;
  service_options.max_json_depth = o.json_max_depth;
  service_options.limits = o.limits;
  service_options.audit_patient_key = *patient_key;
  service_options.issuer_fhir_servers = authentication->issuer_fhir_servers;
  service_options.rejections_recorded_per_minute = o.audit_rejections_per_minute;
  service_options.keep_replay_inputs = o.audit_enabled && o.audit_replay_inputs;
  if (!o.knowledge_dir.empty()) {
    // SIGHUP and POST /admin/reload read the folder again, with the same site codes, and the service
    // switches only to a bundle the loader accepts.
    service_options.reload_from = [folder = o.knowledge_dir, load_options] {
      return ivig::rules::load_knowledge_dir(folder, load_options);
    };
  }
  if (metrics) ivig::app::observe_reloads(service_options, *metrics);
  service_options.fetch = {std::chrono::milliseconds(o.fhir_deadline_ms),
                           o.fhir_max_pages,
                           o.fhir_page_size,
                           o.fhir_max_bytes_per_fetch,
                           o.fhir_max_bytes_per_call,
                           o.json_max_depth};
  auto service = std::make_shared<ivig::service::ivig_service>(*loaded, std::move(service_options), audit, fhir_client);
  const auto& kb = **loaded;
  std::size_t active = 0;
  for (const auto& rule : kb.rules) active += rule.status == ivig::rules::rule_status::active ? 1 : 0;
  if (o.check_config) {
    std::size_t site_codes = 0;
    for (const auto& [id, set] : kb.value_sets) site_codes += set.site_codes;
    std::cout << "ivig-cds: configuration ok: knowledge " << kb.bundle << " " << kb.version << " (" << kb.rules.size()
              << " rules, " << active << " active; " << kb.value_sets.size() << " value sets; " << kb.products.size()
              << " products; " << site_codes << " site codes; " << service->prefetch_templates().size()
              << " prefetch templates); "
              << (o.fhir_allow.empty() ? std::string("no FHIR fetching (no --fhir-allow)")
                                       : "fetches what the prefetch lacks from " + std::to_string(o.fhir_allow.size()) +
                                             " allowed FHIR server base(s)")
              << "; "
              << (o.metrics_enabled
                      ? "metrics (GET /metrics) on " + o.metrics_address + ":" + std::to_string(o.metrics_port)
                      : std::string("no metrics listener"))
              << "; "
              << (authentication->authenticator
                      ? "callers authenticated by JWT from " + std::to_string(authentication->issuers) + " issuer(s)"
                      : std::string("caller authentication OFF"))
              << "; would listen on " << o.server.address << ":" << o.server.port << " with " << o.server.threads
              << " I/O thread(s) and " << o.server.worker_threads << " worker thread(s)\n";
    return 0;
  }
  ivig::app::keep_large_call_memory_between_calls();
  try {
    ivig::server::server_config server_config = o.server;
    if (metrics) ivig::app::observe_responses(server_config, *metrics);
    ivig::server::http_server server(server_config, *service, authentication->authenticator.get());
    const unsigned short port = server.start();
    // GET /metrics on a listener of its own (docs/security.md, "Metrics"); it never calls the service.
    // Declared after `server`, so destroyed first: nothing scrapes the server's counters once it is gone.
    std::unique_ptr<ivig::server::http_server> metrics_server;
    if (metrics) {
      ivig::app::sample_transport(*metrics, server.stats());
      metrics_server = std::make_unique<ivig::server::http_server>(
          ivig::app::metrics_listener_config(o.server, o.metrics_address, o.metrics_port, *metrics), *service);
      const unsigned short metrics_port = metrics_server->start();
      app_log(ivig::logging::level::info, "metrics on " + o.metrics_address + ":" + std::to_string(metrics_port) +
                                              " (GET /metrics, no authentication)");
      if (!ivig::app::is_loopback_address(o.metrics_address))
        app_log(ivig::logging::level::warning,
                "WARNING: the metrics on " + o.metrics_address +
                    " are readable by anyone who can reach that address: fence the port (network policy, "
                    "firewall) to the scrapers (docs/security.md, \"Metrics\").");
    }
    if (o.server.tls_certificate_file.empty() && !ivig::app::is_loopback_address(o.server.address))
      app_log(ivig::logging::level::warning,
              "WARNING: plain HTTP on " + o.server.address +
                  ": CDS Hooks traffic must be HTTPS, so this needs a TLS-terminating proxy in front (or --tls-cert "
                  "and --tls-key).");
    if (!authentication->authenticator)
      app_log(ivig::logging::level::warning,
              "WARNING: caller authentication is OFF (no --issuers-file): any process that can reach " +
                  o.server.address +
                  " may call this service. Register the EHR's issuer before real use (docs/security.md).");
    app_log(ivig::logging::level::info, "listening on " + o.server.address + ":" + std::to_string(port) +
                                            " with knowledge " + kb.version + " (" + std::to_string(active) +
                                            " active rules)");
    server.run_until_signal();
    if (metrics_server) metrics_server->stop();
    service->flush_rejection_summaries();  // the server has stopped; the audit store is still open
  } catch (const std::exception& e) {
    refuse(e.what());
    return 1;
  }
  if (authentication->authenticator) {
    const auto& counters = authentication->authenticator->counters();
    std::string refused;
    for (const auto& [reason, count] : counters.nonzero())
      refused += " " + std::string(reason) + "=" + std::to_string(count);
    app_log(ivig::logging::level::info, "callers accepted " + std::to_string(counters.accepted()) +
                                            ", refused:" + (refused.empty() ? std::string(" none") : refused));
  }
  app_log(ivig::logging::level::info, "stopped");
  return 0;
}
