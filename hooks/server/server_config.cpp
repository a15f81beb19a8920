// hooks/server/server_config.cpp: the constraints on server_config.
//
// Checked before any socket is opened so that a bad configuration fails at start-up with one
// precise message instead of misbehaving under load.
#include "hooks/server/server_config.hpp"

#include <stdexcept>
#include <string>

namespace ivig::server {
namespace {

void require(bool ok, const char* message) {
  if (!ok) throw std::invalid_argument(std::string("server_config: ") + message);
}

}  // namespace

void validate(const server_config& config) {
  require(!config.address.empty(), "address must not be empty");
  require(config.threads >= 1 && config.threads <= 256, "threads must be between 1 and 256");
  require(config.worker_threads <= 256, "worker_threads must be between 0 and 256");
  require(config.body_limit >= 1, "body_limit must be at least 1 byte");
  // Below a few hundred bytes not even a minimal request line and Host header fit.
  require(config.header_limit >= 256, "header_limit must be at least 256 bytes");
  require(config.read_timeout.count() > 0, "read_timeout must be positive");
  require(config.write_timeout.count() > 0, "write_timeout must be positive");
  require(config.idle_timeout.count() > 0, "idle_timeout must be positive");
  // 0 is allowed: stop() then force-closes whatever is still open at once.
  require(config.drain_timeout.count() >= 0, "drain_timeout must not be negative");
  require(config.pipeline_limit >= 1, "pipeline_limit must be at least 1");
  require(config.read_buffer_reserve >= 512, "read_buffer_reserve must be at least 512 bytes");
  require(config.max_connections >= 1, "max_connections must be at least 1");
  require(config.max_connections_per_peer >= 1 && config.max_connections_per_peer <= config.max_connections,
          "max_connections_per_peer must be between 1 and max_connections");
  require(config.max_connection_lifetime.count() > 0, "max_connection_lifetime must be positive");
  require(static_cast<bool>(config.steady_now), "steady_now must be set");
  require(config.tls_certificate_file.empty() == config.tls_key_file.empty(),
          "tls_certificate_file and tls_key_file must be given together");
  require(config.kind != listener_kind::metrics || static_cast<bool>(config.metrics),
          "a metrics listener needs metrics set");
}

}  // namespace ivig::server
