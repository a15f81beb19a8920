// hooks/audit/pg_schema.hpp: the audit log's tables on PostgreSQL, and their migrations.
//
// Owns the PostgreSQL form of schema.cpp's tables (the same tables and meaning, PostgreSQL types,
// plus the chain each row belongs to: docs/audit.md, "PostgreSQL"). Migrations are numbered like
// SQLite's and applied under a transaction-scoped advisory lock, so that replicas starting together
// migrate once.
#pragma once

namespace pqxx {
class connection_base;
}

namespace ivig::audit {

/// The newest PostgreSQL schema version this build knows.
inline constexpr int latest_pg_schema_version = 4;

/// The database's schema version (0: not an audit log yet).
int pg_schema_version(pqxx::connection_base& connection);

/// Applies every migration newer than the database's, each in one transaction with its
/// schema_version row. Throws store_error for a database newer than this build, or one the role may
/// not change.
void pg_migrate(pqxx::connection_base& connection);

}  // namespace ivig::audit
