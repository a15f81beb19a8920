// hooks/audit/pg_store.hpp: the audit log on PostgreSQL, for many replicas writing one database.
//
// Owns the PostgreSQL side of the audit_sink: the connection, its migrations, the advisory lock that
// makes this process the only writer of its chain, and the chain_writer that appends to it. The
// write path, group commit, spool and failure policy are spooling_store.hpp's, the same as SQLite's.
// Each replica appends to a chain of its own (`chain_id`), so replicas never wait on each other's
// locks; docs/audit.md ("PostgreSQL") says why.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "hooks/audit/spooling_store.hpp"

namespace ivig::audit {

class pg_chain_writer;

struct pg_audit_options {
  /// Everything the SQLite store takes applies, except durability (PostgreSQL's synchronous_commit
  /// is always on: a record is committed before its response) and the WAL settings. `path` only
  /// names the spool (path + ".spool") unless spool_path is set.
  audit_options common;
  /// A libpq connection URI, "postgresql://user@host:port/db". No password in it: libpq reads one from
  /// `passfile` (or PGPASSFILE), so that it is never in argv or a log.
  std::string url;
  /// A pgpass-format file with the password (libpq's passfile parameter); empty: libpq's default.
  std::string passfile;
  /// This replica's chain: stable across restarts (a StatefulSet pod's name), unique among replicas.
  std::string chain_id;
};

/// The URI with the passfile parameter added (what libpq is given).
std::string pg_connection_string(const std::string& url, const std::string& passfile);

/// The URI as it may be logged: any password in it replaced by "***".
std::string pg_redacted_url(const std::string& url);

/// libpq's message on one line (its messages span lines: "could not connect …\n\tIs the server …").
std::string pg_one_line(std::string_view text);

class pg_audit_store final : public spooling_store {
 public:
  /// Connects, migrates, binds the seal, takes the chain's advisory lock and replays a spool left by an
  /// earlier run. Throws store_error when the database cannot be reached or migrated, its seal is not
  /// the given one, or another process holds the chain: configuration errors, reported at startup.
  explicit pg_audit_store(pg_audit_options options);
  /// Drains the queue (every record submitted is written or spooled), then disconnects, which releases
  /// the chain's lock.
  ~pg_audit_store() override;
  pg_audit_store(const pg_audit_store&) = delete;
  pg_audit_store& operator=(const pg_audit_store&) = delete;

  const std::string& chain_id() const { return chain_id_; }

 private:
  std::string chain_id_;
  std::unique_ptr<pg_chain_writer> writer_;
};

}  // namespace ivig::audit
