// tests/support/faulty_sqlite_vfs.cpp: the shim's sqlite3_vfs and sqlite3_io_methods, each method
// delegating to the wrapped VFS and its file, and the counting and failing that tests ask for.
//
// A shim file is this file's header followed by the real file's storage (szOsFile is the sum), as
// SQLite's own shims do it. Its methods table has the real one's version, so that SQLite sees the
// same capabilities (shared memory, hence WAL) as without the shim.
#include "tests/support/faulty_sqlite_vfs.hpp"

#include <stdexcept>

#include <sqlite3.h>

namespace ivig::test {
namespace {

// The one registered instance and the VFS it wraps (one instance at a time: see the header).
faulty_sqlite_vfs* active_shim = nullptr;
sqlite3_vfs* real_vfs = nullptr;
sqlite3_vfs shim_vfs{};

struct shim_file {
  sqlite3_file base;
  vfs_file role;
  sqlite3_file* real;  // the storage right after this header
};

sqlite3_file* real_of(sqlite3_file* file) {
  return reinterpret_cast<shim_file*>(file)->real;
}

vfs_file role_of(int open_flags) {
  if (open_flags & SQLITE_OPEN_MAIN_DB) return vfs_file::database;
  if (open_flags & SQLITE_OPEN_WAL) return vfs_file::wal;
  if (open_flags & SQLITE_OPEN_MAIN_JOURNAL) return vfs_file::journal;
  return vfs_file::other;
}

int shim_close(sqlite3_file* file) {
  sqlite3_file* real = real_of(file);
  return real->pMethods != nullptr ? real->pMethods->xClose(real) : SQLITE_OK;
}

int shim_read(sqlite3_file* file, void* buffer, int amount, sqlite3_int64 offset) {
  sqlite3_file* real = real_of(file);
  return real->pMethods->xRead(real, buffer, amount, offset);
}

int shim_write(sqlite3_file* file, const void* buffer, int amount, sqlite3_int64 offset) {
  if (active_shim->should_fail(vfs_call::write, reinterpret_cast<shim_file*>(file)->role)) return SQLITE_IOERR_WRITE;
  sqlite3_file* real = real_of(file);
  return real->pMethods->xWrite(real, buffer, amount, offset);
}

int shim_truncate(sqlite3_file* file, sqlite3_int64 size) {
  if (active_shim->should_fail(vfs_call::truncate, reinterpret_cast<shim_file*>(file)->role))
    return SQLITE_IOERR_TRUNCATE;
  sqlite3_file* real = real_of(file);
  return real->pMethods->xTruncate(real, size);
}

int shim_sync(sqlite3_file* file, int flags) {
  if (active_shim->should_fail(vfs_call::sync, reinterpret_cast<shim_file*>(file)->role)) return SQLITE_IOERR_FSYNC;
  sqlite3_file* real = real_of(file);
  return real->pMethods->xSync(real, flags);
}

int shim_file_size(sqlite3_file* file, sqlite3_int64* size) {
  sqlite3_file* real = real_of(file);
  return real->pMethods->xFileSize(real, size);
}

int shim_lock(sqlite3_file* file, int level) {
  sqlite3_file* real = real_of(file);
  return real->pMethods->xLock(real, level);
}

int shim_unlock(sqlite3_file* file, int level) {
  sqlite3_file* real = real_of(file);
  return real->pMethods->xUnlock(real, level);
}

int shim_check_reserved_lock(sqlite3_file* file, int* reserved) {
  sqlite3_file* real = real_of(file);
  return real->pMethods->xCheckReservedLock(real, reserved);
}

int shim_file_control(sqlite3_file* file, int op, void* argument) {
  sqlite3_file* real = real_of(file);
  return real->pMethods->xFileControl(real, op, argument);
}

int shim_sector_size(sqlite3_file* file) {
  sqlite3_file* real = real_of(file);
  return real->pMethods->xSectorSize(real);
}

int shim_device_characteristics(sqlite3_file* file) {
  sqlite3_file* real = real_of(file);
  return real->pMethods->xDeviceCharacteristics(real);
}

int shim_shm_map(sqlite3_file* file, int region, int region_size, int extend, void volatile** mapped) {
  sqlite3_file* real = real_of(file);
  return real->pMethods->xShmMap(real, region, region_size, extend, mapped);
}

int shim_shm_lock(sqlite3_file* file, int offset, int n, int flags) {
  sqlite3_file* real = real_of(file);
  const int rc = real->pMethods->xShmLock(real, offset, n, flags);
  if (rc == SQLITE_OK) active_shim->note_shm_lock(offset, n, flags);
  return rc;
}

void shim_shm_barrier(sqlite3_file* file) {
  sqlite3_file* real = real_of(file);
  real->pMethods->xShmBarrier(real);
}

int shim_shm_unmap(sqlite3_file* file, int delete_flag) {
  sqlite3_file* real = real_of(file);
  return real->pMethods->xShmUnmap(real, delete_flag);
}

int shim_fetch(sqlite3_file* file, sqlite3_int64 offset, int amount, void** pointer) {
  sqlite3_file* real = real_of(file);
  return real->pMethods->xFetch(real, offset, amount, pointer);
}

int shim_unfetch(sqlite3_file* file, sqlite3_int64 offset, void* pointer) {
  sqlite3_file* real = real_of(file);
  return real->pMethods->xUnfetch(real, offset, pointer);
}

// One table per methods version: a version-1 file must not appear to have shared memory.
sqlite3_io_methods methods_of_version(int version) {
  sqlite3_io_methods methods{};
  methods.iVersion = version;
  methods.xClose = shim_close;
  methods.xRead = shim_read;
  methods.xWrite = shim_write;
  methods.xTruncate = shim_truncate;
  methods.xSync = shim_sync;
  methods.xFileSize = shim_file_size;
  methods.xLock = shim_lock;
  methods.xUnlock = shim_unlock;
  methods.xCheckReservedLock = shim_check_reserved_lock;
  methods.xFileControl = shim_file_control;
  methods.xSectorSize = shim_sector_size;
  methods.xDeviceCharacteristics = shim_device_characteristics;
  if (version >= 2) {
    methods.xShmMap = shim_shm_map;
    methods.xShmLock = shim_shm_lock;
    methods.xShmBarrier = shim_shm_barrier;
    methods.xShmUnmap = shim_shm_unmap;
  }
  if (version >= 3) {
    methods.xFetch = shim_fetch;
    methods.xUnfetch = shim_unfetch;
  }
  return methods;
}

const sqlite3_io_methods methods_v1 = methods_of_version(1);
const sqlite3_io_methods methods_v2 = methods_of_version(2);
const sqlite3_io_methods methods_v3 = methods_of_version(3);

int shim_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  auto* shim = reinterpret_cast<shim_file*>(file);
  shim->role = role_of(flags);
  shim->real = reinterpret_cast<sqlite3_file*>(shim + 1);
  const int rc = real_vfs->xOpen(real_vfs, name, shim->real, flags, out_flags);
  const sqlite3_io_methods* real_methods = shim->real->pMethods;
  if (real_methods == nullptr) {
    shim->base.pMethods = nullptr;  // SQLite calls no method, not even xClose, on a file that did not open
    return rc;
  }
  shim->base.pMethods = real_methods->iVersion >= 3   ? &methods_v3
                        : real_methods->iVersion == 2 ? &methods_v2
                                                      : &methods_v1;
  return rc;
}

int shim_delete(sqlite3_vfs*, const char* name, int sync_folder) {
  return real_vfs->xDelete(real_vfs, name, sync_folder);
}

int shim_access(sqlite3_vfs*, const char* name, int flags, int* result) {
  return real_vfs->xAccess(real_vfs, name, flags, result);
}

int shim_full_pathname(sqlite3_vfs*, const char* name, int size, char* out) {
  return real_vfs->xFullPathname(real_vfs, name, size, out);
}

void* shim_dl_open(sqlite3_vfs*, const char* name) {
  return real_vfs->xDlOpen(real_vfs, name);
}

void shim_dl_error(sqlite3_vfs*, int size, char* message) {
  real_vfs->xDlError(real_vfs, size, message);
}

void (*shim_dl_sym(sqlite3_vfs*, void* handle, const char* symbol))(void) {
  return real_vfs->xDlSym(real_vfs, handle, symbol);
}

void shim_dl_close(sqlite3_vfs*, void* handle) {
  real_vfs->xDlClose(real_vfs, handle);
}

int shim_randomness(sqlite3_vfs*, int size, char* out) {
  return real_vfs->xRandomness(real_vfs, size, out);
}

int shim_sleep(sqlite3_vfs*, int microseconds) {
  return real_vfs->xSleep(real_vfs, microseconds);
}

int shim_current_time(sqlite3_vfs*, double* now) {
  return real_vfs->xCurrentTime(real_vfs, now);
}

int shim_get_last_error(sqlite3_vfs*, int size, char* out) {
  return real_vfs->xGetLastError != nullptr ? real_vfs->xGetLastError(real_vfs, size, out) : 0;
}

int shim_current_time_int64(sqlite3_vfs*, sqlite3_int64* now) {
  return real_vfs->xCurrentTimeInt64(real_vfs, now);
}

int shim_set_system_call(sqlite3_vfs*, const char* name, sqlite3_syscall_ptr call) {
  return real_vfs->xSetSystemCall(real_vfs, name, call);
}

sqlite3_syscall_ptr shim_get_system_call(sqlite3_vfs*, const char* name) {
  return real_vfs->xGetSystemCall(real_vfs, name);
}

const char* shim_next_system_call(sqlite3_vfs*, const char* name) {
  return real_vfs->xNextSystemCall(real_vfs, name);
}

// The wrapped VFS's version and sizes, with every method ours.
sqlite3_vfs make_shim_vfs(const sqlite3_vfs& real) {
  sqlite3_vfs vfs{};
  vfs.iVersion = real.iVersion < 3 ? real.iVersion : 3;
  vfs.szOsFile = static_cast<int>(sizeof(shim_file)) + real.szOsFile;
  vfs.mxPathname = real.mxPathname;
  vfs.zName = "ivig-faulty";
  vfs.xOpen = shim_open;
  vfs.xDelete = shim_delete;
  vfs.xAccess = shim_access;
  vfs.xFullPathname = shim_full_pathname;
  vfs.xDlOpen = shim_dl_open;
  vfs.xDlError = shim_dl_error;
  vfs.xDlSym = shim_dl_sym;
  vfs.xDlClose = shim_dl_close;
  vfs.xRandomness = shim_randomness;
  vfs.xSleep = shim_sleep;
  vfs.xCurrentTime = shim_current_time;
  vfs.xGetLastError = shim_get_last_error;
  if (vfs.iVersion >= 2) vfs.xCurrentTimeInt64 = shim_current_time_int64;
  if (vfs.iVersion >= 3) {
    vfs.xSetSystemCall = shim_set_system_call;
    vfs.xGetSystemCall = shim_get_system_call;
    vfs.xNextSystemCall = shim_next_system_call;
  }
  return vfs;
}

// SQLite's WAL locks are slots of the shared-memory file (wal.c): slot 0 is held exclusively for a
// whole write transaction, slot 1 for a checkpoint.
constexpr int write_lock_slot = 0;
constexpr int checkpoint_lock_slot = 1;

bool covers(int offset, int n, int slot) {
  return offset <= slot && slot < offset + n;
}

}  // namespace

std::string_view name(vfs_call call) {
  switch (call) {
    case vfs_call::write:
      return "write";
    case vfs_call::sync:
      return "fsync";
    case vfs_call::truncate:
      return "truncate";
  }
  return "?";
}

std::string_view name(vfs_file file) {
  switch (file) {
    case vfs_file::database:
      return "database";
    case vfs_file::wal:
      return "wal";
    case vfs_file::journal:
      return "journal";
    case vfs_file::other:
      return "other";
  }
  return "?";
}

std::string_view name(vfs_phase phase) {
  switch (phase) {
    case vfs_phase::transaction:
      return "transaction";
    case vfs_phase::checkpoint:
      return "checkpoint";
    case vfs_phase::other:
      return "other";
  }
  return "?";
}

faulty_sqlite_vfs::faulty_sqlite_vfs() {
  if (active_shim != nullptr) throw std::logic_error("faulty_sqlite_vfs: one instance at a time");
  previous_default_ = sqlite3_vfs_find(nullptr);
  if (previous_default_ == nullptr) throw std::runtime_error("faulty_sqlite_vfs: SQLite has no default VFS");
  real_vfs = previous_default_;
  shim_vfs = make_shim_vfs(*real_vfs);
  active_shim = this;
  if (sqlite3_vfs_register(&shim_vfs, 1) != SQLITE_OK) {
    active_shim = nullptr;
    throw std::runtime_error("faulty_sqlite_vfs: cannot register the VFS");
  }
}

faulty_sqlite_vfs::~faulty_sqlite_vfs() {
  sqlite3_vfs_unregister(&shim_vfs);
  sqlite3_vfs_register(previous_default_, 1);
  active_shim = nullptr;
}

void faulty_sqlite_vfs::record(std::optional<vfs_fault> fault) {
  recording_ = false;
  for (auto& per_file : counts_)
    for (std::atomic<int>& count : per_file) count = 0;
  {
    std::lock_guard lock(calls_mutex_);
    calls_.clear();
    transactions_ = 0;
    checkpoints_ = 0;
  }
  fault_ = fault;
  fired_ = false;
  fired_in_ = vfs_phase::other;
  recording_ = true;  // publishes fault_ to the threads that read it after seeing this
}

void faulty_sqlite_vfs::stop() {
  recording_ = false;
}

int faulty_sqlite_vfs::count(vfs_call call, vfs_file file) const {
  return counts_[static_cast<std::size_t>(call)][static_cast<std::size_t>(file)].load();
}

std::vector<vfs_call_site> faulty_sqlite_vfs::calls() const {
  std::lock_guard lock(calls_mutex_);
  return calls_;
}

bool faulty_sqlite_vfs::should_fail(vfs_call call, vfs_file file) {
  if (!recording_) return false;
  const int n = ++counts_[static_cast<std::size_t>(call)][static_cast<std::size_t>(file)];
  vfs_phase phase = vfs_phase::other;
  {
    std::lock_guard lock(calls_mutex_);
    int episode = 0;
    if (holds_write_lock_) {
      phase = vfs_phase::transaction;
      episode = transactions_;
    } else if (holds_checkpoint_lock_) {
      phase = vfs_phase::checkpoint;
      episode = checkpoints_;
    }
    calls_.push_back({call, file, phase, episode});
  }
  if (!fault_ || fault_->call != call || fault_->file != file || fault_->n != n) return false;
  fired_in_ = phase;
  fired_ = true;
  return true;
}

void faulty_sqlite_vfs::note_shm_lock(int offset, int n, int flags) {
  if ((flags & SQLITE_SHM_EXCLUSIVE) == 0) return;
  const bool taken = (flags & SQLITE_SHM_LOCK) != 0;
  std::lock_guard lock(calls_mutex_);
  if (covers(offset, n, write_lock_slot)) {
    if (taken && !holds_write_lock_) ++transactions_;
    holds_write_lock_ = taken;
  }
  if (covers(offset, n, checkpoint_lock_slot)) {
    if (taken && !holds_checkpoint_lock_) ++checkpoints_;
    holds_checkpoint_lock_ = taken;
  }
}

}  // namespace ivig::test
