// hooks/app/options.cpp: CLI11 definitions of every option, with their constraints.
#include "hooks/app/options.hpp"

#include <iostream>

#include <unistd.h>

#include <CLI/CLI.hpp>

namespace ivig::app {

std::string audit_chain_id(const options& o) {
  if (!o.audit_chain_id.empty()) return o.audit_chain_id;
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return {};
  return name;
}

parse_outcome parse_options(int argc, char** argv) {
  options o;
  CLI::App cli{"ivig-cds: a CDS Hooks 2.0 service that checks intravenous immunoglobulin (IVIg) orders"};
  cli.set_version_flag("--version", "ivig-cds 0.1.0");
  cli.set_config("--config", "", "Read options from this INI/TOML file (command-line flags win)");
  cli.option_defaults()->always_capture_default();

  long read_timeout = o.server.read_timeout.count(), write_timeout = o.server.write_timeout.count();
  long idle_timeout = o.server.idle_timeout.count(), drain_timeout = o.server.drain_timeout.count();
  long connection_lifetime = o.server.max_connection_lifetime.count();

  cli.add_option("--listen", o.server.address, "Address to listen on")->capture_default_str();
  cli.add_option("--port", o.server.port, "TCP port (0 = any free port)")->check(CLI::Range(0, 65535));
  cli.add_option("--threads", o.server.threads, "I/O threads")->check(CLI::Range(1, 256));
  cli.add_option("--worker-threads", o.server.worker_threads,
                 "Threads that evaluate service calls off the I/O threads, so that health probes are answered while "
                 "heavy calls run (0: on the I/O threads)")
      ->check(CLI::Range(0, 256));
  cli.add_option("--body-limit", o.server.body_limit, "Largest request body in bytes (413 above)")
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 30));
  cli.add_option("--header-limit", o.server.header_limit, "Largest request header block in bytes (431 above)")
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 20));
  cli.add_option("--read-timeout-ms", read_timeout, "Time to receive a whole request (408 after)")
      ->check(CLI::Range(1L, 3600000L));
  cli.add_option("--write-timeout-ms", write_timeout, "Time to send a whole response")->check(CLI::Range(1L, 3600000L));
  cli.add_option("--idle-timeout-ms", idle_timeout, "Keep-alive connection idle time before closing")
      ->check(CLI::Range(1L, 3600000L));
  cli.add_option("--drain-timeout-ms", drain_timeout, "Grace period for in-flight requests on SIGTERM/SIGINT")
      ->check(CLI::Range(0L, 3600000L));
  cli.add_option("--cors-origin", o.server.cors_origins,
                 "A browser origin allowed to call the service (CORS), e.g. https://sandbox.cds-hooks.org, or * "
                 "for any (repeatable; none: no browser may)")
      ->allow_extra_args(false)
      ->take_all();
  cli.add_option("--pipeline-limit", o.server.pipeline_limit, "Queued responses per connection (HTTP pipelining)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{64}));
  cli.add_option("--max-connections", o.server.max_connections,
                 "Connections open at once; more are answered 503 too-many-connections at accept")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}));
  cli.add_option("--max-connections-per-peer", o.server.max_connections_per_peer,
                 "Connections open at once from one client address (at most --max-connections)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}));
  cli.add_option("--max-connection-lifetime-ms", connection_lifetime,
                 "A connection older than this is closed after its next response")
      ->check(CLI::Range(1000L, 86'400'000L));
  cli.add_option("--json-max-depth", o.json_max_depth, "Deepest JSON nesting accepted in a request (400 above)")
      ->check(CLI::Range(std::size_t{8}, std::size_t{1024}));
  cli.add_option("--max-draft-orders", o.limits.draft_orders, "Most draft orders in one service call (413 above)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100000}));
  cli.add_option("--max-selections", o.limits.selections, "Most selections in one order-select call (413 above)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100000}));
  cli.add_option("--max-feedback-items", o.limits.feedback_items, "Most items in one feedback request (413 above)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1000000}));
  cli.add_option("--max-field-bytes", o.limits.string_bytes,
                 "Longest string, in bytes, anywhere in a service or feedback request (413 above)")
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 30));
  cli.add_option("--max-response-bytes", o.limits.response_bytes,
                 "Largest cards response in bytes; a call whose cards would be larger is answered 413")
      ->check(CLI::Range(std::size_t{65536}, std::size_t{1} << 30));
  cli.add_option("--log-format", o.log_format,
                 "Log lines on stderr: json (one JSON object per event, for a log pipeline) or text (for a person)")
      ->check(CLI::IsMember({"json", "text"}));
  cli.add_option("--knowledge-dir", o.knowledge_dir,
                 "Knowledge bundle folder (default: the bundle embedded at build time)")
      ->check(CLI::ExistingDirectory);
  cli.add_option("--audit-path", o.audit_path, "Audit log location (SQLite file)");
  cli.add_option(
      "--audit-url", o.audit_url,
      "Keep the audit log on PostgreSQL (postgresql://user@host:port/db, no password in it) instead of "
      "the SQLite file; --audit-path then names only the spool. `audit` and `replay` read it (every replica's "
      "chain) when given it (docs/audit.md, \"PostgreSQL\")");
  cli.add_option("--audit-password-file", o.audit_password_file,
                 "A pgpass-format file with the PostgreSQL password (libpq's passfile; or set PGPASSFILE)");
  cli.add_option("--audit-chain-id", o.audit_chain_id,
                 "This replica's audit chain on PostgreSQL: stable across restarts, unique per replica (default: "
                 "the host name; a StatefulSet pod's name is)");
  cli.add_flag("!--no-audit", o.audit_enabled, "Do not keep the audit log (for measurements only)");
  cli.add_option("--audit-durability", o.audit_durability,
                 "What a record survives once its response is sent: process-crash (written to the WAL) or "
                 "power-loss (fsynced) (docs/audit.md)")
      ->check(CLI::IsMember({"process-crash", "power-loss"}));
  cli.add_option("--audit-patient-key-file", o.audit_patient_key_file,
                 "File with a secret key: patients are audited as HMAC-SHA-256 of their id, not as sent")
      ->check(CLI::ExistingFile);
  cli.add_option("--audit-chain-key-file", o.audit_chain_key_file,
                 "File with a secret key (32+ bytes, owner-only): the audit chain is sealed with HMAC-SHA-256 "
                 "under it, so that nobody without the key can rewrite it (default: plain SHA-256)")
      ->check(CLI::ExistingFile);
  cli.add_option("--audit-head-log-seconds", o.audit_head_log_seconds,
                 "Log the audit chain's head (seq and hash) at most this often while it moves, and at start and "
                 "stop, to ship to a write-once store (0: never)")
      ->check(CLI::Range(0U, 86400U));
  cli.add_option("--audit-rejections-per-minute", o.audit_rejections_per_minute,
                 "Rejected requests (404, 401, 413 ...) recorded one by one per minute; the rest in one summary "
                 "record per status and reason")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}));
  cli.add_option("--audit-replay-inputs", o.audit_replay_inputs,
                 "Keep each answered call's request (without its access token) and what was fetched for it in its "
                 "audit record, so that `ivig-cds replay` can run it through another knowledge version");
  cli.add_option("--audit-retention-days", o.audit_retention_days,
                 "Default horizon of `audit purge`, in days (0: keep everything)");
  // No LOINC code exists for anti-IgA antibody tests: the site names its own, so that R2 finds the
  // results by code and the observations prefetch asks for them (docs/configuration.md).
  cli.add_option("--anti-iga-test-code", o.anti_iga_test_codes,
                 "A local code of this site's anti-IgA antibody test, as system|code (repeatable)")
      ->check(CLI::Validator(
          [](std::string& value) -> std::string {
            const auto bar = value.find('|');
            if (bar == std::string::npos || bar == 0 || bar + 1 == value.size() ||
                value.find('|', bar + 1) != std::string::npos || value.find_first_of(", \t") != std::string::npos)
              return "'" + value + "' must be system|code (one bar, no comma or space)";
            return {};
          },
          "SYSTEM|CODE"))
      ->allow_extra_args(false)
      ->take_all();
  // Fetching what the prefetch lacks (docs/fhir-fallback.md). fhirServer comes from the caller, so
  // nothing is fetched from a server the site has not listed (no server-side request forgery).
  cli.add_option("--fhir-allow", o.fhir_allow,
                 "Base URL of a FHIR server whose data the service may fetch when the prefetch lacks it "
                 "(repeatable; none: never fetch)")
      ->allow_extra_args(false)
      ->take_all();
  cli.add_flag("--fhir-allow-plain-http", o.fhir_allow_plain_http,
               "Allow http:// (not https) to FHIR servers other than loopback: development only");
  cli.add_option("--fhir-ca-file", o.fhir_ca_file, "PEM CA bundle for https to FHIR servers (default: the system's)")
      ->check(CLI::ExistingFile);
  cli.add_option("--fhir-deadline-ms", o.fhir_deadline_ms,
                 "Time for all of one call's FHIR fetches together; what is not back is reported missing")
      ->check(CLI::Range(10U, 10000U));
  cli.add_option("--fhir-max-pages", o.fhir_max_pages, "Pages read per search (next links followed)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1000}));
  cli.add_option("--fhir-page-size", o.fhir_page_size, "_count asked of each FHIR search")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1000}));
  cli.add_option("--fhir-max-bytes-per-fetch", o.fhir_max_bytes_per_fetch, "Largest FHIR response read, in bytes")
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 30));
  cli.add_option("--fhir-max-bytes-per-call", o.fhir_max_bytes_per_call,
                 "Most bytes read from the FHIR server for one call")
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 31));
  cli.add_option("--fhir-max-servers", o.fhir_max_servers, "FHIR servers whose connections are kept for reuse")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1024}));
  // HTTPS (docs/security.md): the listener speaks TLS 1.2+ with this certificate; SIGHUP reloads it.
  cli.add_option("--tls-cert", o.server.tls_certificate_file, "PEM certificate chain for HTTPS (with --tls-key)")
      ->check(CLI::ExistingFile);
  cli.add_option("--tls-key", o.server.tls_key_file, "PEM private key for HTTPS (with --tls-cert)")
      ->check(CLI::ExistingFile);
  // Caller authentication (docs/security.md): CDS Hooks clients prove who they are with a signed JWT.
  cli.add_option("--issuers-file", o.issuers_file,
                 "JSON file registering the EHR issuers whose JWTs are accepted (none: authentication off, "
                 "loopback only)")
      ->check(CLI::ExistingFile);
  cli.add_option("--public-url", o.public_urls,
                 "This service's external base URL, e.g. https://cds.example.org: a token's aud must be it "
                 "followed by the path called (repeatable)")
      ->allow_extra_args(false)
      ->take_all();
  cli.add_option("--jwt-algorithms", o.jwt_algorithms,
                 "Signature algorithms accepted (ES384 RS384 by default; ES256 RS256 PS256 PS384 may be added)")
      ->delimiter(',')
      ->check(CLI::IsMember({"ES256", "ES384", "RS256", "RS384", "PS256", "PS384"}))
      ->take_all();
  cli.add_option("--jwt-clock-skew-seconds", o.jwt_clock_skew_seconds, "Clock tolerance for exp, nbf and iat")
      ->check(CLI::Range(0U, 600U));
  cli.add_option("--jwt-max-lifetime-seconds", o.jwt_max_lifetime_seconds,
                 "Longest accepted token lifetime, exp - iat (local policy; bounds the replay cache)")
      ->check(CLI::Range(60U, 86400U));
  cli.add_option("--jwt-replay-capacity", o.jwt_replay_capacity,
                 "Token ids remembered against replay; a token that does not fit is refused")
      ->check(CLI::Range(std::size_t{1000}, std::size_t{100'000'000}));
  cli.add_option("--jwks-fetch-timeout-ms", o.jwks_fetch_timeout_ms, "Deadline for fetching an issuer's jku JWK Set")
      ->check(CLI::Range(100U, 30000U));
  cli.add_option("--jwks-refresh-min-seconds", o.jwks_refresh_min_seconds,
                 "Shortest time between two fetches of one jku (an unknown kid refreshes it)")
      ->check(CLI::Range(1U, 86400U));
  cli.add_flag("--allow-unauthenticated", o.allow_unauthenticated,
               "Serve without caller authentication on a non-loopback address (never in production)");
  // Metrics (docs/operations.md): a listener of their own, so that the CDS Hooks port never answers
  // without a caller's token and the scrape port can be fenced off by address or network policy.
  cli.add_option("--metrics-listen", o.metrics_address,
                 "Address of the metrics listener (GET /metrics, Prometheus text format, no authentication)");
  CLI::Option* metrics_port = cli.add_option("--metrics-port", o.metrics_port,
                                             "TCP port of the metrics listener (none: no metrics listener; "
                                             "0: any free port)")
                                  ->check(CLI::Range(0, 65535));
  cli.add_flag("--check-config", o.check_config, "Load and cross-check configuration and knowledge, then exit 0 or 1");

  // ivig-cds audit …: read and maintain the audit log (docs/audit.md).
  CLI::App* audit =
      cli.add_subcommand("audit",
                         "Read and maintain the audit log: the SQLite file of --audit-path, or with --audit-url the "
                         "PostgreSQL database, every replica's chain (docs/audit.md)");
  audit->require_subcommand(1);
  // `ivig-cds audit verify --audit-path F` reads as well as `ivig-cds --audit-path F audit verify`.
  audit->fallthrough();
  audit_command& a = o.audit;
  CLI::App* verify =
      audit->add_subcommand("verify", "Verify the hash chain, print its head; report the first broken link");
  verify->add_option("--expect-head", a.expect_head,
                     "SEQ:HASH of a head printed or logged earlier: fail if the chain no longer holds it (rows "
                     "removed from its end, or rewritten)");
  verify->callback([&a] { a.name = "verify"; });
  CLI::App* list = audit->add_subcommand("list", "List calls by patient, user, date range, rule or indicator");
  list->add_option("--patient", a.patient, "Patient as stored (id, or its keyed hash)");
  list->add_option("--user", a.user, "User, e.g. Practitioner/123");
  list->add_option("--from", a.from, "Received at or after (RFC 3339)");
  list->add_option("--to", a.to, "Received before (RFC 3339)");
  list->add_option("--rule", a.rule, "A rule that fired, e.g. R8");
  list->add_option("--indicator", a.indicator, "A card indicator: info, warning or critical");
  list->add_option("--limit", a.limit, "At most this many calls");
  list->callback([&a] { a.name = "list"; });
  CLI::App* show = audit->add_subcommand("show", "One hookInstance: the call, its cards and their feedback");
  show->add_option("hook-instance", a.hook_instance, "The hookInstance")->required();
  show->add_flag("--worksheet", a.worksheet,
                 "Print only the pharmacist's verification worksheets of the call, as text for the pharmacy record");
  show->callback([&a] { a.name = "show"; });
  CLI::App* report = audit->add_subcommand("report", "Acceptance and override rates per rule and indicator");
  report->add_option("--from", a.from, "Received at or after (RFC 3339)");
  report->add_option("--to", a.to, "Received before (RFC 3339)");
  report->add_flag("--csv", a.csv, "CSV instead of a text table");
  report->callback([&a] { a.name = "report"; });
  CLI::App* exported = audit->add_subcommand("export", "FHIR R4 AuditEvent resources as NDJSON on stdout");
  exported->add_option("--from", a.from, "Received at or after (RFC 3339)");
  exported->add_option("--to", a.to, "Received before (RFC 3339)");
  exported->callback([&a] { a.name = "export"; });
  CLI::App* purge = audit->add_subcommand(
      "purge", "Remove entries older than the horizon; the chain (on PostgreSQL, each chain) still verifies");
  purge->add_option("--before", a.before, "Remove entries received before this instant (RFC 3339)");
  purge->add_option("--retention-days", a.retention_days, "Remove entries older than this many days");
  purge->callback([&a] { a.name = "purge"; });
  for (CLI::App* command : audit->get_subcommands({})) command->fallthrough();

  // ivig-cds replay …: what a knowledge change would change, from the audit log (docs/operations.md).
  CLI::App* replay =
      cli.add_subcommand("replay",
                         "Run the recorded calls of a period through another knowledge bundle and print the "
                         "cards that would change, per rule");
  replay->fallthrough();
  replay->add_option("--knowledge", o.replay.knowledge_dir, "The knowledge bundle folder to try")
      ->required()
      ->check(CLI::ExistingDirectory);
  replay->add_option("--from", o.replay.from, "Calls received at or after (RFC 3339)");
  replay->add_option("--to", o.replay.to, "Calls received before (RFC 3339)");
  replay->add_option("--list", o.replay.max_listed, "At most this many changed calls listed one by one");
  replay->callback([&o] { o.replay.requested = true; });

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return {std::nullopt, cli.exit(e)};
  }
  o.metrics_enabled = metrics_port->count() > 0;
  o.server.read_timeout = std::chrono::milliseconds(read_timeout);
  o.server.write_timeout = std::chrono::milliseconds(write_timeout);
  o.server.idle_timeout = std::chrono::milliseconds(idle_timeout);
  o.server.max_connection_lifetime = std::chrono::milliseconds(connection_lifetime);
  o.server.drain_timeout = std::chrono::milliseconds(drain_timeout);
  return {o, 0};
}

}  // namespace ivig::app
