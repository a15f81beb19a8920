// tests/support/faulty_sqlite_vfs.hpp: a SQLite VFS for tests that wraps the default ("unix") VFS,
// counts SQLite's own write, fsync and truncate calls per file, and fails the n-th one of a kind.
//
// SQLite's test_vfs.c way, with the public C API only: while an instance lives it is the process's
// default VFS, so a store opened by product code goes through it without a change; the destructor
// makes the previous default VFS the default again. Every file method delegates to the real file;
// only xWrite, xSync and xTruncate are counted, and only while recording, so that the connections a
// test opens to read the log back are neither counted nor failed. One instance at a time; it must
// outlive every connection opened while it was the default.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

struct sqlite3_vfs;

namespace ivig::test {

/// The file methods that can be failed, and the SQLite result each returns when it is.
enum class vfs_call {
  write,     ///< xWrite: SQLITE_IOERR_WRITE
  sync,      ///< xSync (fsync): SQLITE_IOERR_FSYNC
  truncate,  ///< xTruncate: SQLITE_IOERR_TRUNCATE
};

/// The file a call was made on, by the role SQLite opened it for.
enum class vfs_file {
  database,  ///< the main database file
  wal,       ///< its write-ahead log
  journal,   ///< its rollback journal (used before the database is in WAL mode)
  other,     ///< temporary files and the like
};

/// What the connection was doing, from the WAL locks it held (wal.c): its write lock is held for a
/// whole write transaction, its checkpoint lock for a checkpoint. The locks are process-wide here:
/// the phase is exact while one connection writes (the store's), as in the tests that use it.
enum class vfs_phase {
  transaction,  ///< a write transaction, up to and including COMMIT
  checkpoint,   ///< copying the WAL back into the database (a checkpoint, also the one at close)
  other,        ///< neither: e.g. switching a new database to WAL mode under a rollback journal
};

std::string_view name(vfs_call call);
std::string_view name(vfs_file file);
std::string_view name(vfs_phase phase);

/// One counted call: where SQLite was when it made it. `episode` numbers the write transactions and
/// the checkpoints since record() (each phase its own count; 0 for other), so that a test can tell
/// the first and the last call of each. A WAL recovery at open takes the same locks and so also
/// counts as one of each, though it makes none of these calls.
struct vfs_call_site {
  vfs_call call = vfs_call::write;
  vfs_file file = vfs_file::wal;
  vfs_phase phase = vfs_phase::other;
  int episode = 0;
};

/// The n-th (from 1) `call` on a `file` fails once.
struct vfs_fault {
  vfs_call call = vfs_call::write;
  vfs_file file = vfs_file::wal;
  int n = 0;
};

class faulty_sqlite_vfs {
 public:
  static constexpr std::size_t call_kinds = 3;
  static constexpr std::size_t file_kinds = 4;

  /// Registers the shim as the default VFS (not recording, no fault armed).
  faulty_sqlite_vfs();
  /// Unregisters it and makes the VFS that was the default before it the default again.
  ~faulty_sqlite_vfs();
  faulty_sqlite_vfs(const faulty_sqlite_vfs&) = delete;
  faulty_sqlite_vfs& operator=(const faulty_sqlite_vfs&) = delete;

  /// Starts counting from zero, with `fault` (if any) armed; stop() ends counting and disarms.
  void record(std::optional<vfs_fault> fault);
  void stop();

  /// Calls of `call` on `file` since record().
  int count(vfs_call call, vfs_file file) const;
  /// Every counted call since record(), in order (read it after stop()).
  std::vector<vfs_call_site> calls() const;
  /// The armed fault (read while recording: record() sets it before it starts).
  const std::optional<vfs_fault>& fault() const { return fault_; }
  /// Whether the armed fault has failed its call, and in which phase.
  bool fired() const { return fired_.load(); }
  vfs_phase fired_in() const { return fired_in_.load(); }

  // Called by the file methods (faulty_sqlite_vfs.cpp); not for tests.
  bool should_fail(vfs_call call, vfs_file file);
  void note_shm_lock(int offset, int n, int flags);

 private:
  std::array<std::array<std::atomic<int>, file_kinds>, call_kinds> counts_{};
  std::atomic<bool> recording_{false};
  std::optional<vfs_fault> fault_;  // set only while not recording
  std::atomic<bool> fired_{false};
  std::atomic<vfs_phase> fired_in_{vfs_phase::other};
  std::atomic<bool> holds_write_lock_{false};
  std::atomic<bool> holds_checkpoint_lock_{false};
  mutable std::mutex calls_mutex_;  // guards the three below
  std::vector<vfs_call_site> calls_;
  int transactions_ = 0;
  int checkpoints_ = 0;
  sqlite3_vfs* previous_default_ = nullptr;
};

}  // namespace ivig::test
