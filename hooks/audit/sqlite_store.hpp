// hooks/audit/sqlite_store.hpp: the embedded audit log: SQLite, hash-chained, group-committed, spooled.
//
// Owns the SQLite side of the audit_sink that the service writes to: the connection (WAL;
// synchronous=FULL or NORMAL by the durability setting), the migrations at open, and the WAL
// checkpoints between batches. The write path, group commit, spool and failure policy are shared
// with the PostgreSQL store (spooling_store.hpp). Reading the log (verify, purge, queries) opens its
// own connection: chain.hpp, queries.hpp.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "hooks/audit/spooling_store.hpp"

namespace ivig::audit {

class sqlite_chain_writer;

class sqlite_audit_store final : public spooling_store {
 public:
  /// Opens (creating) and migrates the file, then replays a spool left by an earlier run. Throws
  /// store_error when the file cannot be opened or migrated (a newer schema, not a database): a
  /// configuration error, reported at startup. A failing replay does not throw; the store starts unready.
  explicit sqlite_audit_store(audit_options options);
  /// Drains the queue (every record submitted is written or spooled), then closes. No call may be in
  /// progress or begin once destruction has begun: stop the server first.
  ~sqlite_audit_store() override;
  sqlite_audit_store(const sqlite_audit_store&) = delete;
  sqlite_audit_store& operator=(const sqlite_audit_store&) = delete;

  std::uint64_t checkpoints() const { return checkpoints_.load(); }  ///< WAL checkpoints run

 private:
  void after_batch() override;

  std::unique_ptr<database> db_;
  std::unique_ptr<sqlite_chain_writer> writer_;
  int wal_frames_ = 0;  ///< frames in the WAL after the last commit (SQLite's WAL hook)
  bool checkpoint_failing_ = false;
  std::atomic<std::uint64_t> checkpoints_{0};
};

}  // namespace ivig::audit
