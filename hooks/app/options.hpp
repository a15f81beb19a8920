// hooks/app/options.hpp: the service's configuration — command-line flags and a config file.
//
// Every setting is a flag; `--config FILE` reads the same names from an INI/TOML file (flags given
// on the command line win). Constraints sit beside each option and are checked before any port is
// opened; `--check-config` loads everything, cross-checks it and exits. docs/configuration.md
// lists every option.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "hooks/protocol/request_limits.hpp"
#include "hooks/server/server_config.hpp"

namespace ivig::app {

/// `ivig-cds audit <command>`: reading and maintaining the audit log instead of serving.
struct audit_command {
  std::string name;  ///< verify, list, show, report, export, purge; empty: serve
  std::string patient, user, from, to, rule, indicator, hook_instance, before;
  std::string expect_head;  ///< verify: SEQ:HASH of a head exported earlier; empty: none
  std::size_t limit = 0;
  bool csv = false;
  bool worksheet = false;  ///< show: print the call's verification worksheets as text
  unsigned retention_days = 0;
};

/// `ivig-cds replay`: recorded calls run through another knowledge version instead of serving.
struct replay_command {
  bool requested = false;
  std::string knowledge_dir;    ///< the bundle to try
  std::string from, to;         ///< received in [from, to), RFC 3339; empty: unbounded
  std::size_t max_listed = 50;  ///< calls listed one by one (every change is counted)
};

struct options {
  server::server_config server;
  std::size_t json_max_depth = 64;
  /// Caps on one request's work (docs/reliability.md, "Bounded work per request").
  protocol::request_limits limits{};
  std::string knowledge_dir;  ///< empty: the bundle embedded in the binary
  /// "json" (one JSON object per line, the default) or "text" (docs/operations.md, "Logs").
  std::string log_format = "json";
  std::string audit_path = "ivig-audit.sqlite3";
  /// "postgresql://user@host:port/db": the audit log on PostgreSQL (audit/pg_store.hpp) instead of the
  /// SQLite file; --audit-path then only names the spool (audit_path + ".spool").
  std::string audit_url;
  /// A pgpass-format file with the PostgreSQL password (libpq's passfile): never in argv or a log.
  std::string audit_password_file;
  /// This replica's chain on PostgreSQL: stable across restarts and unique (default: the host name).
  std::string audit_chain_id;
  bool audit_enabled = true;
  /// "process-crash" or "power-loss" (audit::durability; docs/audit.md says why the default).
  std::string audit_durability = "power-loss";
  std::string audit_patient_key_file;  ///< a file holding the key for hashing patient ids (kept out of argv)
  /// A file holding the audit chain's key (HMAC-SHA-256 seals; docs/audit.md, "Keyed chain"); empty:
  /// plain SHA-256, which finds accidents but not an insider who can write the file.
  std::string audit_chain_key_file;
  unsigned audit_head_log_seconds = 300;  ///< how often the chain head is logged while it moves; 0: never
  unsigned audit_retention_days = 0;
  /// Keep replay inputs in call records (docs/audit.md, "Replay inputs"): what `ivig-cds replay` reads.
  bool audit_replay_inputs = true;
  /// Rejected requests (404, 401, 413 …) recorded one by one per minute; the rest are summarised.
  std::size_t audit_rejections_per_minute = 60;  ///< the default horizon of `audit purge`; 0: keep everything
  /// The site's local codes of anti-IgA antibody tests ("system|code"): no LOINC code exists, so
  /// without them such results are found only by their words and never requested by code.
  std::vector<std::string> anti_iga_test_codes;
  /// Fetching what the prefetch lacks from the request's fhirServer (docs/fhir-fallback.md): only
  /// from URLs under these bases; none: never fetch.
  std::vector<std::string> fhir_allow;
  bool fhir_allow_plain_http = false;  ///< http:// to hosts other than loopback (development only)
  std::string fhir_ca_file;            ///< PEM CA bundle for https to FHIR servers; empty: the system's
  unsigned fhir_deadline_ms = 400;
  std::size_t fhir_max_pages = 10;
  std::size_t fhir_page_size = 100;
  std::size_t fhir_max_bytes_per_fetch = 8U * 1024U * 1024U;
  std::size_t fhir_max_bytes_per_call = 32U * 1024U * 1024U;
  std::size_t fhir_max_servers = 16;
  /// Caller authentication (docs/security.md): the JSON file registering the EHR issuers; empty:
  /// authentication off, which is allowed only on loopback or with allow_unauthenticated.
  std::string issuers_file;
  std::vector<std::string> public_urls;  ///< the service's external base URLs (a token's aud)
  std::vector<std::string> jwt_algorithms{"ES384", "RS384"};
  unsigned jwt_clock_skew_seconds = 60;
  unsigned jwt_max_lifetime_seconds = 3600;
  std::size_t jwt_replay_capacity = 1'000'000;
  unsigned jwks_fetch_timeout_ms = 2000;
  unsigned jwks_refresh_min_seconds = 60;
  bool allow_unauthenticated = false;
  /// The metrics listener (GET /metrics, Prometheus text; docs/operations.md, "Metrics"): off unless
  /// --metrics-port is given; unauthenticated, so on loopback unless --metrics-listen says otherwise.
  bool metrics_enabled = false;
  std::string metrics_address = "127.0.0.1";
  unsigned short metrics_port = 0;  ///< 0 with metrics_enabled: any free port (tests)
  bool check_config = false;
  audit_command audit;
  replay_command replay;
};

struct parse_outcome {
  std::optional<options> parsed;  ///< empty when the program should exit
  int exit_code = 0;
};

/// Parses argv (and the config file it names). Prints help, version or errors itself.
parse_outcome parse_options(int argc, char** argv);

/// The replica's audit chain on PostgreSQL: --audit-chain-id, or the host name.
std::string audit_chain_id(const options& o);

}  // namespace ivig::app
