// hooks/audit/schema.hpp: the audit log's tables and their migrations.
//
// Owns the SQL schema and the `schema_version` bookkeeping: which migrations exist, in what order,
// and how a file is brought up to date. Migration n is applied in one transaction together with its
// row in `schema_version`, so a crash leaves the file at version n-1 or n, never in between.
#pragma once

namespace ivig::audit {

class database;

/// The newest schema this build knows. A file at a newer version is refused (`migrate` throws).
inline constexpr int latest_schema_version = 3;

/// The version a file is at: the highest row of `schema_version`, 0 for a file without one.
int schema_version(database& db);

/// Applies every migration above the file's version up to `target` (tests stop early to build an
/// older file). Throws store_error when the file is newer than this build or a migration fails.
void migrate(database& db, int target = latest_schema_version);

}  // namespace ivig::audit
